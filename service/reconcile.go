package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/reconcile"
)

// ReconcileService makes one pass over service name: observe it on a
// manager of its swarm, decide, act (create, update, correct drift) and
// report. A service no longer in the spec is left to Sweep.
func (r *Reconciler) ReconcileService(ctx context.Context, name string) (reconcile.Result, error) {
	t, ok := r.targets.Service(name)
	if !ok {
		return reconcile.Result{}, nil
	}
	key := serviceKey(name)
	ctx = reconcile.WithLogger(ctx, reconcile.Logger(ctx).With("service", name))
	mem := r.memoryOf(key)
	st, res, err := r.servicePass(ctx, t, mem)
	if ctx.Err() != nil {
		return reconcile.Result{}, errors.Join(err, ctx.Err()) // abandoned: nothing worth reporting
	}
	st.Key = key
	if err != nil {
		st.Converged, st.LastError = false, err.Error()
	}
	r.finish(mem, st, t.Generation)
	return res, err
}

// servicePass is one pass; its status lacks what finish adds.
func (r *Reconciler) servicePass(ctx context.Context, t *Target, mem *memory) (Status, reconcile.Result, error) {
	svc := t.Spec
	key := serviceKey(svc.Name)
	want := desiredService(svc, t.Owner)
	st := Status{Desired: int(want.view.Replicas)}
	wait := reconcile.Result{RequeueAfter: r.opts.Poll}

	cli, err := r.manager(ctx, t.Owner, svc.Swarm)
	if errors.Is(err, errNoManager) {
		st.Reason = waitingForManager(svc.Swarm)
		return st, wait, nil
	} else if err != nil {
		return st, reconcile.Result{}, err
	}
	have, err := r.findService(ctx, cli, svc.Name)
	if err != nil {
		return st, reconcile.Result{}, err
	}
	nets, err := r.networks(ctx, cli)
	if err != nil {
		return st, reconcile.Result{}, err
	}
	d := decide(svc, want, have, nets.names, t.Owner, mem.getPushed())
	if have != nil {
		st.UpdateState = string(updateState(have))
	}
	switch {
	case d.foreign:
		// Reported, never touched, and no error to retry: a resync looks
		// again.
		st.LastError = d.reason
		return st, reconcile.Result{}, nil
	case d.failed != "":
		return r.passFailed(ctx, cli, t, mem, d, have, want, withNetworkIDs(want.spec, nets.ids), st)
	case d.drift:
		st.Drift, st.Reason = true, d.reason
		if mem.once(EventDrift, strings.Join(d.changes, "; ")) {
			r.emit(key, EventDrift, d.reason, nil)
		}
		r.countTasks(ctx, cli, have, want, &st)
		return st, reconcile.Result{}, nil
	}
	mem.clear(EventDrift)

	if d.action == ActionNone {
		r.countTasks(ctx, cli, have, want, &st)
		switch {
		case d.rolling:
			st.Reason = fmt.Sprintf("rollout in progress (%s)", st.UpdateState)
			if d.reason != "" {
				st.Reason = d.reason
			}
		case st.Running != st.Desired || st.Stale > 0:
			// Reason set by countTasks.
		default:
			st.Converged = true
			mem.converged()
			return st, reconcile.Result{}, nil
		}
		return st, wait, nil
	}

	// Create or update: the networks must exist first, and a new service
	// waits for what it depends on.
	for _, n := range svc.Networks {
		if _, ok := nets.ids[n]; !ok {
			st.Reason = fmt.Sprintf("waiting for network.%s", n)
			return st, wait, nil
		}
	}
	spec := withNetworkIDs(want.spec, nets.ids)
	if d.action == ActionCreate {
		why, err := r.dependencies(ctx, t, cli)
		if err != nil {
			return st, reconcile.Result{}, err
		}
		if why != "" {
			st.Reason = why
			return st, wait, nil
		}
		cctx, cancel := r.call(ctx)
		resp, err := cli.ServiceCreate(cctx, spec, swarm.ServiceCreateOptions{QueryRegistry: false})
		cancel()
		if err != nil {
			return st, reconcile.Result{}, fmt.Errorf("create service %s: %w", svc.Name, err)
		}
		mem.setPushed(want.swarmHash)
		r.emit(key, EventCreated, d.reason, nil)
		st.Reason = "created " + shortID(resp.ID) + "; waiting for its tasks"
		return st, wait, nil
	}
	spec.TaskTemplate.ForceUpdate = have.Spec.TaskTemplate.ForceUpdate // a change would restart every task
	if err := r.update(ctx, cli, have, spec); err != nil {
		return st, reconcile.Result{}, fmt.Errorf("update service %s: %w", svc.Name, err)
	}
	mem.setPushed(want.swarmHash)
	mem.clear(EventUpdatePaused)
	mem.clear(EventUpdateRolledBack)
	reason := d.reason
	if d.event != EventDriftCorrected && len(d.changes) > 0 {
		reason += ": " + strings.Join(d.changes, "; ")
	}
	r.emit(key, d.event, reason, nil)
	st.Reason = d.event + "; waiting for the rollout"
	return st, wait, nil
}

// update sends spec at the version last seen, re-inspecting and trying
// again when swarm says the version is out of date.
func (r *Reconciler) update(ctx context.Context, cli client.APIClient, have *swarm.Service, spec swarm.ServiceSpec) error {
	version := have.Version
	for attempt := 0; ; attempt++ {
		cctx, cancel := r.call(ctx)
		resp, err := cli.ServiceUpdate(cctx, have.ID, version, spec, swarm.ServiceUpdateOptions{QueryRegistry: false})
		cancel()
		if err == nil {
			for _, w := range resp.Warnings {
				reconcile.Logger(ctx).Warn("service update", "warning", w)
			}
			return nil
		}
		if !strings.Contains(err.Error(), "update out of sequence") || attempt >= r.opts.Retries {
			return err
		}
		cctx, cancel = r.call(ctx)
		fresh, _, ierr := cli.ServiceInspectWithRaw(cctx, have.ID, swarm.ServiceInspectOptions{})
		cancel()
		if ierr != nil {
			return errors.Join(err, ierr)
		}
		version = fresh.Version
	}
}

// countTasks fills the task counts of st and, when they fall short, the
// reason. A count that cannot be made leaves the service unconverged;
// eligible nodes that cannot be counted leave Desired at the nodes with a
// task, and say so in LastError.
func (r *Reconciler) countTasks(ctx context.Context, cli client.APIClient, have *swarm.Service, want desired, st *Status) {
	tk, err := r.tasksOf(ctx, cli, have.ID, &have.Spec.TaskTemplate)
	if err != nil {
		st.Reason = err.Error()
		st.Running = -1
		return
	}
	st.Stale = tk.stale
	st.Running = tk.running
	if want.view.Mode == "global" {
		st.Desired = tk.nodes
		if len(want.view.Constraints) == 0 {
			// Every ready, active node is eligible: counted from the nodes,
			// a global service whose tasks swarm has not made yet does not
			// pass for converged with 0 of 0.
			n, err := r.eligibleNodes(ctx, cli)
			if err != nil {
				// The pass goes on with the nodes that have a task; the
				// status says why.
				st.LastError = "count the eligible nodes: " + err.Error()
			} else {
				st.Desired = n
			}
		}
	}
	switch {
	case st.Reason != "":
	case st.Running != st.Desired:
		st.Reason = fmt.Sprintf("%d of %d tasks running", st.Running, st.Desired)
		if tk.lastError != "" {
			st.Reason += "; last error: " + tk.lastError
		}
	case st.Stale > 0:
		st.Reason = fmt.Sprintf("%d of %d running tasks have yet to be rolled out to the spec", st.Stale, st.Running)
	}
}

// eligibleNodes counts the nodes that take tasks: ready and active.
func (r *Reconciler) eligibleNodes(ctx context.Context, cli client.APIClient) (int, error) {
	nodes, err := r.listNodes(ctx, cli)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, node := range nodes {
		if node.Status.State == swarm.NodeStateReady && node.Spec.Availability == swarm.NodeAvailabilityActive {
			n++
		}
	}
	return n, nil
}

// dependencies returns why a service cannot be created yet: a service it
// depends on is missing or runs no task. "" means go ahead.
func (r *Reconciler) dependencies(ctx context.Context, t *Target, cli client.APIClient) (string, error) {
	for _, dep := range t.Spec.DependsOn {
		depCli := cli
		if dt, ok := r.targets.Service(dep); ok && dt.Spec.Swarm != t.Spec.Swarm {
			c, err := r.manager(ctx, t.Owner, dt.Spec.Swarm)
			if errors.Is(err, errNoManager) {
				return fmt.Sprintf("waiting for service.%s (%s)", dep, waitingForManager(dt.Spec.Swarm)), nil
			} else if err != nil {
				return "", err
			}
			depCli = c
		}
		s, err := r.findService(ctx, depCli, dep)
		if err != nil {
			return "", err
		}
		if s == nil {
			return fmt.Sprintf("waiting for service.%s, which it depends on, to exist", dep), nil
		}
		tk, err := r.tasksOf(ctx, depCli, s.ID, nil)
		if err != nil {
			return "", err
		}
		if tk.running == 0 {
			return fmt.Sprintf("waiting for service.%s, which it depends on, to run a task", dep), nil
		}
	}
	return "", nil
}

// PlanService observes a service and says what a pass would do, without
// doing it. Without a manager to ask, the action is unknown.
func (r *Reconciler) PlanService(ctx context.Context, name string) (Plan, error) {
	t, ok := r.targets.Service(name)
	if !ok {
		return Plan{}, fmt.Errorf("service %q is not in the spec", name)
	}
	p := Plan{Resource: serviceKey(name)}
	cli, err := r.manager(ctx, t.Owner, t.Spec.Swarm)
	if errors.Is(err, errNoManager) {
		p.Action, p.Reason = ActionUnknown, fmt.Sprintf("no manager of swarm %s is known yet, so the service cannot be seen", t.Spec.Swarm)
		return p, nil
	} else if err != nil {
		return Plan{}, err
	}
	have, err := r.findService(ctx, cli, name)
	if err != nil {
		return Plan{}, err
	}
	nets, err := r.networks(ctx, cli)
	if err != nil {
		return Plan{}, err
	}
	want := desiredService(t.Spec, t.Owner)
	d := decide(t.Spec, want, have, nets.names, t.Owner, r.memoryOf(p.Resource).getPushed())
	p.Action, p.Reason, p.Changes = d.action, d.reason, d.changes
	if p.Action == ActionNone && p.Reason == "" {
		p.Reason = "matches the spec"
	}
	return p, nil
}

func errorOrNil(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}
