package service

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/specs"
)

// netView is the projection of a network onto what the spec declares. A
// subnet the spec leaves to swarm is not compared.
type netView struct {
	Driver     string            `json:"driver"`
	Attachable bool              `json:"attachable"`
	Internal   bool              `json:"internal"`
	Encrypted  bool              `json:"encrypted"`
	Subnet     string            `json:"subnet"`
	Labels     map[string]string `json:"labels"`
}

// encryptedOpt is the overlay driver's option that encrypts the data plane.
const encryptedOpt = "encrypted"

func desiredNetView(n *specs.Network) netView {
	driver := n.Driver
	if driver == "" {
		driver = "overlay"
	}
	return netView{Driver: driver, Attachable: n.Attachable, Internal: n.Internal, Encrypted: n.Encrypted, Subnet: n.Subnet, Labels: nonEmpty(n.Labels)}
}

func projectNetwork(n network.Inspect, want netView) netView {
	v := netView{Driver: n.Driver, Attachable: n.Attachable, Internal: n.Internal, Labels: withoutDrover(n.Labels)}
	_, v.Encrypted = n.Options[encryptedOpt]
	if want.Subnet != "" {
		for _, c := range n.IPAM.Config {
			v.Subnet = c.Subnet
			break
		}
	}
	return v
}

func (v netView) hash() string {
	// The service view's hash, over this view's JSON.
	return hashJSON(v)
}

// createOptions are what drover creates a network with, labelled.
func createOptions(n *specs.Network, owner string, v netView) network.CreateOptions {
	labels := map[string]string{}
	maps.Copy(labels, n.Labels)
	labels[LabelOwner], labels[LabelSwarm], labels[LabelConfig] = owner, n.Swarm, v.hash()
	opts := network.CreateOptions{Driver: v.Driver, Scope: "swarm", Attachable: v.Attachable, Internal: v.Internal, Labels: labels}
	if v.Encrypted {
		opts.Options = map[string]string{encryptedOpt: ""}
	}
	if v.Subnet != "" {
		opts.IPAM = &network.IPAM{Driver: "default", Config: []network.IPAMConfig{{Subnet: v.Subnet}}}
	}
	return opts
}

// diffNetwork lists what differs, "field: have -> want".
func diffNetwork(have, want netView) []string {
	var out []string
	add := func(name string, h, w any) {
		if fmt.Sprint(h) != fmt.Sprint(w) {
			out = append(out, fmt.Sprintf("%s: %v -> %v", name, h, w))
		}
	}
	add("driver", have.Driver, want.Driver)
	add("attachable", have.Attachable, want.Attachable)
	add("internal", have.Internal, want.Internal)
	add("encrypted", have.Encrypted, want.Encrypted)
	add("subnet", have.Subnet, want.Subnet)
	if keys := mapChangesOf(have.Labels, want.Labels); keys != "" {
		out = append(out, "labels: "+keys)
	}
	return out
}

// netDecision is what to do about an existing network, decided without
// I/O.
type netDecision struct {
	foreign bool     // not this owner's: reported, never touched
	wait    bool     // not comparable yet
	reason  string   // for foreign and wait
	changes []string // what differs from the spec; none: converged
}

func decideNetwork(have *network.Inspect, want netView, owner string) netDecision {
	if o := have.Labels[LabelOwner]; o != owner {
		why := fmt.Sprintf("network %s exists without the label %s=%s: drover leaves it alone", have.Name, LabelOwner, owner)
		if o != "" {
			why = fmt.Sprintf("network %s belongs to drover owner %q, not %q: drover leaves it alone", have.Name, o, owner)
		}
		return netDecision{foreign: true, reason: why}
	}
	if have.Driver == "" {
		// Swarm has the network but has not allocated it yet: its driver,
		// options and subnet are not known, so it cannot be compared (and
		// certainly not recreated for looking different).
		return netDecision{wait: true, reason: "waiting for swarm to allocate the network"}
	}
	return netDecision{changes: diffNetwork(projectNetwork(*have, want), want)}
}

// ReconcileNetwork makes one pass over network name: create it when
// missing; a network that differs from its spec cannot be changed in place,
// so it is recreated, but only once no service uses it (until then the
// status says why it has not converged).
func (r *Reconciler) ReconcileNetwork(ctx context.Context, name string) (reconcile.Result, error) {
	t, ok := r.targets.Network(name)
	if !ok {
		return reconcile.Result{}, nil
	}
	key := networkKey(name)
	mem := r.memoryOf(key)
	st, res, err := r.networkPass(ctx, t, mem)
	if ctx.Err() != nil {
		return reconcile.Result{}, errors.Join(err, ctx.Err())
	}
	st.Key = key
	if err != nil {
		st.Converged, st.LastError = false, err.Error()
	}
	r.finish(mem, st, t.Generation)
	return res, err
}

func (r *Reconciler) networkPass(ctx context.Context, t *NetworkTarget, mem *memory) (Status, reconcile.Result, error) {
	n := t.Spec
	key := networkKey(n.Name)
	var st Status
	wait := reconcile.Result{RequeueAfter: r.opts.Poll}
	cli, err := r.manager(ctx, t.Owner, n.Swarm)
	if errors.Is(err, errNoManager) {
		st.Reason = waitingForManager(n.Swarm)
		return st, wait, nil
	} else if err != nil {
		return st, reconcile.Result{}, err
	}
	want := desiredNetView(n)
	removed, recreating := mem.getRecreate()
	have, err := r.findNetwork(ctx, cli, n.Name, removed)
	if err != nil {
		return st, reconcile.Result{}, err
	}
	if have == nil {
		err := r.createNetwork(ctx, cli, n, t.Owner, want)
		if err != nil && removed != "" && strings.Contains(err.Error(), "already exists") {
			// The engine lists a network it has removed from the swarm
			// until its local endpoints are gone: seconds.
			st.Reason = "recreating: waiting for the engine to let go of the old network"
			return st, wait, nil
		} else if err != nil {
			return st, reconcile.Result{}, err
		}
		mem.setRecreate("", "")
		if recreating != "" {
			r.emit(key, EventUpdated, "recreated: "+recreating, nil)
		} else {
			r.emit(key, EventCreated, "missing", nil)
		}
		st.Converged = true
		return st, reconcile.Result{}, nil
	}
	nd := decideNetwork(have, want, t.Owner)
	switch {
	case nd.foreign:
		st.LastError = nd.reason
		return st, reconcile.Result{}, nil
	case nd.wait:
		st.Reason = nd.reason
		return st, wait, nil
	case len(nd.changes) == 0:
		st.Converged = true
		return st, reconcile.Result{}, nil
	}
	changes := nd.changes
	users, err := r.usersOf(ctx, cli, have.ID, have.Name)
	if err != nil {
		return st, reconcile.Result{}, err
	}
	what := strings.Join(changes, "; ")
	if len(users) > 0 {
		st.Reason = fmt.Sprintf("differs from the spec (%s) and cannot be changed in place; it is recreated once no service uses it (used by service %s)", what, strings.Join(users, ", service "))
		return st, wait, nil
	}
	cctx, cancel := r.call(ctx)
	err = cli.NetworkRemove(cctx, have.ID)
	cancel()
	if err != nil {
		// Tasks of a service removed a moment ago may still hold it.
		st.Reason = fmt.Sprintf("differs from the spec (%s); removing it to recreate it failed: %v", what, err)
		return st, wait, nil
	}
	mem.setRecreate(have.ID, what)
	st.Reason = "recreating: " + what
	return st, reconcile.Result{Requeue: true}, nil
}

func (r *Reconciler) createNetwork(ctx context.Context, cli client.APIClient, n *specs.Network, owner string, want netView) error {
	cctx, cancel := r.call(ctx)
	defer cancel()
	if _, err := cli.NetworkCreate(cctx, n.Name, createOptions(n, owner, want)); err != nil {
		return fmt.Errorf("create network %s: %w", n.Name, err)
	}
	return nil
}

// findNetwork returns the swarm-scoped network named name exactly, or nil.
// The network with id removed, which drover removed and the engine may
// still list, does not count.
func (r *Reconciler) findNetwork(ctx context.Context, cli client.APIClient, name, removed string) (*network.Inspect, error) {
	idx, err := r.networks(ctx, cli)
	if err != nil {
		return nil, err
	}
	for i, n := range idx.list {
		if n.Name == name && n.Scope == "swarm" && n.ID != removed {
			return &idx.list[i], nil
		}
	}
	return nil, nil
}
