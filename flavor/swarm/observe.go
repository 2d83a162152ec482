package swarm

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"sync"

	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// probeConcurrency bounds the engines asked at once.
const probeConcurrency = 8

// view is a running machine and what its engine says of its swarm.
type view struct {
	inst instance.Description
	info swarm.Info
	err  error // the engine did not answer
}

func (v *view) engine() endpoint { return endpointOf(v.inst) }

func (v *view) answers() bool { return v.err == nil }

func (v *view) state() swarm.LocalNodeState { return v.info.LocalNodeState }

// Observe forms and mends the group's part of the swarm, given the complete
// listing of the group's machines:
//
//   - it asks every running machine's engine for its swarm state;
//   - a manager group records its active managers in Clusters and, if no
//     manager of the swarm is known and none of its machines is in a swarm
//     (every running one answering), initialises the swarm on the first
//     machine by name;
//   - machines not in a swarm join it, as managers (one at a time) or
//     workers, once a manager is known;
//   - active nodes get the node labels (the flavor's labels, and
//     NodeLabelInstance, NodeLabelOwner and NodeLabelGroup);
//   - the nodes of machines confirmed dead are drained and removed at once
//     (managers demoted first, within the quorum rule), see chooseRemovals.
//
// Trouble with single machines is left for Health to report; Observe
// fails only on bad props or when ctx ends.
func (p *Plugin) Observe(ctx context.Context, props json.RawMessage, alloc flavor.Allocation, insts []instance.Description) error {
	pr, err := parse("swarm.Observe", props)
	if err != nil {
		return err
	}
	owner := ownerOf(insts)
	if owner == "" {
		return nil
	}
	defer p.prune(owner, alloc.Group, insts)
	removedEarly := p.removeDeadFirst(ctx, pr, owner, alloc.Group, insts)
	views := p.probe(ctx, insts)
	if pr.Role == RoleManager {
		p.registerManagers(owner, pr.Swarm, alloc.Group, views)
		p.formIfNeeded(ctx, owner, pr.Swarm, alloc.Group, views)
	}
	mgr, err := p.manager(ctx, owner, pr.Swarm, endpoint{})
	if err != nil {
		return ended(ctx) // no manager yet: Health says so
	}
	p.joinAll(ctx, pr, owner, alloc.Group, mgr, views)
	nodes, err := p.listNodes(ctx, mgr.cli)
	if err != nil {
		return ended(ctx) // the next pass tries again
	}
	nodes = p.labelAll(ctx, pr, mgr, views, nodes)
	if !removedEarly {
		p.removeLost(ctx, mgr, nodes, insts, owner, alloc.Group)
	}
	return ended(ctx)
}

// RemoveDead takes the nodes of the machines of a complete listing of a
// group that are stopped or terminated out of the swarm at once, as
// Observe does first of all; nothing else. The runner calls it on a
// machine's event beside the group's pass, so that a death is not acted
// on only after whatever that pass is busy with. It fails only on bad
// props.
func (p *Plugin) RemoveDead(ctx context.Context, props json.RawMessage, alloc flavor.Allocation, insts []instance.Description) error {
	pr, err := parse("swarm.RemoveDead", props)
	if err != nil {
		return err
	}
	if owner := ownerOf(insts); owner != "" {
		p.removeDeadFirst(ctx, pr, owner, alloc.Group, insts)
	}
	return nil
}

// removeDeadFirst takes the nodes of machines the listing says stopped or
// terminated out of the swarm before anything else of the pass (probing
// every engine, joins, labels), which on a loaded machine can take
// seconds; it reports whether it did the pass's removals. A listing
// without such a machine costs nothing here: the machines gone from it
// are taken out at the end of the pass.
func (p *Plugin) removeDeadFirst(ctx context.Context, pr Properties, owner, group string, insts []instance.Description) bool {
	if !slices.ContainsFunc(insts, func(in instance.Description) bool {
		return in.State == instance.StateStopped || in.State == instance.StateTerminated
	}) {
		return false
	}
	mgr, err := p.manager(ctx, owner, pr.Swarm, endpoint{})
	if err != nil {
		return false
	}
	nodes, err := p.listNodes(ctx, mgr.cli)
	if err != nil {
		return false
	}
	p.removeLost(ctx, mgr, nodes, insts, owner, group)
	return true
}

// ended is a spierr.ErrUnavailable error if ctx has ended, else nil.
func ended(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return spierr.Unavailable("swarm.Observe", "%w", err)
	}
	return nil
}

// ownerOf is the owner the listing's machines are tagged with.
func ownerOf(insts []instance.Description) string {
	for _, in := range insts {
		if o := in.Tags[instance.TagOwner]; o != "" {
			return o
		}
	}
	return ""
}

// probe asks the engine of every running machine that has one, a few at a
// time, and returns the views sorted by machine name.
func (p *Plugin) probe(ctx context.Context, insts []instance.Description) []*view {
	var views []*view
	for _, in := range insts {
		if in.State == instance.StateRunning && in.Tags[instance.TagEngine] != "" {
			views = append(views, &view{inst: in})
		}
	}
	slices.SortFunc(views, func(a, b *view) int { return compareNames(a.inst, b.inst) })
	each(len(views), probeConcurrency, func(i int) {
		views[i].info, views[i].err = p.info(ctx, views[i].inst)
	})
	return views
}

// compareNames orders machines by name, then ID.
func compareNames(a, b instance.Description) int {
	return cmp.Or(cmp.Compare(nameOf(a), nameOf(b)), cmp.Compare(a.ID, b.ID))
}

// each runs fn for 0..n-1, at most limit at once, and returns when all
// are done.
func each(n, limit int, fn func(i int)) {
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}

// registerManagers records the machines that are active managers with
// control available.
func (p *Plugin) registerManagers(owner, name, group string, views []*view) {
	for _, v := range views {
		p.registerManager(owner, name, group, v)
	}
}

func (p *Plugin) registerManager(owner, name, group string, v *view) {
	if !v.answers() || !managesCluster(v.info, "") || v.info.Cluster == nil {
		return
	}
	if !p.clusters.register(owner, name, group, v.engine(), v.info.Cluster.ID) {
		p.notes.set(v.inst, "manager of another swarm (id "+v.info.Cluster.ID+") than the known swarm "+name)
	}
}

// prune forgets the engines and notes of machines that are no longer
// running or listed.
func (p *Plugin) prune(owner, group string, insts []instance.Description) {
	engines, ids := map[endpoint]bool{}, map[instance.ID]bool{}
	for _, in := range insts {
		ids[in.ID] = true
		if in.State == instance.StateRunning {
			engines[endpointOf(in)] = true
		}
	}
	p.clusters.prune(owner, group, engines)
	p.notes.prune(owner, group, ids)
}
