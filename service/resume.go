package service

import (
	"context"
	"fmt"
	"maps"
	"strconv"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/reconcile"
)

// passFailed is the pass over a service whose rollout of the desired
// spec swarm paused or rolled back. The rollout's tasks say why
// (judgeFailure): tasks that died with their nodes get the spec pushed
// again, at once and then with backoff on the reconciler's clock, each
// push an update_resumed event; a spec whose tasks fail is held and
// reported once per failure (update_paused, update_rolled_back) until the
// spec changes. spec is the desired spec with its networks' ids.
func (r *Reconciler) passFailed(ctx context.Context, cli client.APIClient, t *Target, mem *memory, d decision, have *swarm.Service, want desired, spec swarm.ServiceSpec, st Status) (Status, reconcile.Result, error) {
	key, hash := serviceKey(t.Spec.Name), want.swarmHash
	tasks, err := r.listTasks(ctx, cli, have.ID)
	if err != nil {
		return st, reconcile.Result{}, err
	}
	nodes, err := r.listNodes(ctx, cli)
	if err != nil {
		return st, reconcile.Result{}, err
	}
	c := mem.cause(hash, judgeFailure(have, tasks, nodes))
	now := r.opts.Clock.Now()
	fp := planFailure(d, message(have), c, mem.getResumed(), hash, now, backoff{r.opts.ResumeBackoff, r.opts.MaxResumeBackoff})
	st.Reason = fp.reason
	switch {
	case fp.resume:
		// The same task spec: only the tasks not on it yet are rolled out.
		spec.TaskTemplate.ForceUpdate = have.Spec.TaskTemplate.ForceUpdate
		spec.Labels = maps.Clone(spec.Labels)
		spec.Labels[LabelResumed] = strconv.FormatUint(have.Version.Index, 10)
		if err := r.update(ctx, cli, have, spec); err != nil {
			return st, reconcile.Result{}, fmt.Errorf("push service %s again: %w", t.Spec.Name, err)
		}
		mem.resumedAt(hash, fp.attempt, now)
		mem.clear(EventUpdatePaused)
		mem.clear(EventUpdateRolledBack)
		r.emit(key, EventUpdateResumed, fp.reason, nil)
		r.countTasks(ctx, cli, have, want, &st)
		return st, reconcile.Result{RequeueAfter: r.opts.Poll}, nil
	case fp.wait > 0:
		r.countTasks(ctx, cli, have, want, &st)
		return st, reconcile.Result{RequeueAfter: fp.wait}, nil
	}
	// Reported once per paused rollout (a resumed one that fails is
	// reported again), and once per rollback, whose message changes as
	// it ends.
	once := hash
	if d.failed == EventUpdatePaused {
		once += "\x00" + message(have)
	}
	if mem.once(d.failed, once) {
		r.emit(key, d.failed, message(have), errorOrNil(c.why))
	}
	r.countTasks(ctx, cli, have, want, &st)
	return st, reconcile.Result{}, nil
}
