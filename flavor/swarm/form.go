package swarm

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/spierr"
)

// The swarm's ports: the address every node listens on for the swarm's
// control traffic, and the port managers are joined at.
const (
	listenAddr  = "0.0.0.0:2377"
	managerPort = "2377"
)

// joinTimeout bounds a swarm init or join: the engine answers once the node
// is ready, which takes longer than an ordinary call. A join the timeout
// cuts goes on in the engine; the next pass sees it pending or active.
const joinTimeout = 30 * time.Second

// formIfNeeded initialises the swarm on the first machine by name, if no
// manager of the swarm is known, every running machine answers and none is
// in a swarm. Decisions to initialise a swarm are serialised in this
// process; "one manager group per swarm" keeps them unique.
func (p *Plugin) formIfNeeded(ctx context.Context, owner, name, group string, views []*view) {
	unlock := p.clusters.lockForming(owner, name)
	defer unlock()
	if len(views) == 0 {
		return
	}
	for _, v := range views {
		if !v.answers() || v.state() != swarm.LocalNodeStateInactive {
			return // it may hold the swarm, or be joining one
		}
	}
	if _, err := p.manager(ctx, owner, name, endpoint{}); err == nil {
		return
	}
	first := views[0]
	if err := p.initSwarm(ctx, first); err != nil {
		p.notes.set(first.inst, "initialising swarm "+name+" failed: "+err.Error())
		return
	}
	p.notes.clear(first.inst.ID)
	first.info, first.err = p.info(ctx, first.inst)
	p.registerManager(owner, name, group, first)
}

// initSwarm makes v's machine the first manager of a new swarm,
// advertising its private address if it has one.
func (p *Plugin) initSwarm(ctx context.Context, v *view) error {
	cli, err := p.engine(v.inst)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	_, err = cli.SwarmInit(ctx, swarm.InitRequest{ListenAddr: listenAddr, AdvertiseAddr: privateAddr(v.inst)})
	return engineErr("swarm.init", "swarm init on "+nameOf(v.inst), err)
}

// joinAll joins the machines that are in no swarm: managers one at a time
// (the raft takes one new member at a time), workers a few at once. A
// joined manager is recorded in Clusters.
func (p *Plugin) joinAll(ctx context.Context, pr Properties, owner, group string, mgr managerConn, views []*view) {
	var todo []*view
	for _, v := range views {
		if v.answers() && v.state() == swarm.LocalNodeStateInactive {
			todo = append(todo, v)
		}
	}
	if len(todo) == 0 {
		return
	}
	token, err := p.joinToken(ctx, mgr, pr.Role)
	if err != nil {
		for _, v := range todo {
			p.notes.set(v.inst, "cannot read the join token from a manager: "+err.Error())
		}
		return
	}
	limit := probeConcurrency
	if pr.Role == RoleManager {
		limit = 1
	}
	remote := net.JoinHostPort(mgr.info.NodeAddr, managerPort)
	each(len(todo), limit, func(i int) {
		v := todo[i]
		if err := p.join(ctx, v, remote, token); err != nil {
			p.notes.set(v.inst, "joining swarm "+pr.Swarm+" failed: "+err.Error())
			return
		}
		p.notes.clear(v.inst.ID)
		v.info, v.err = p.info(ctx, v.inst)
		if pr.Role == RoleManager {
			p.registerManager(owner, pr.Swarm, group, v)
		}
	})
}

// joinToken reads the token for role from the manager.
func (p *Plugin) joinToken(ctx context.Context, mgr managerConn, role string) (string, error) {
	var sw swarm.Swarm
	err := p.call(ctx, func(ctx context.Context) (err error) {
		sw, err = mgr.cli.SwarmInspect(ctx)
		return err
	})
	if err != nil {
		return "", engineErr("swarm.joinToken", "inspect the swarm", err)
	}
	token := sw.JoinTokens.Worker
	if role == RoleManager {
		token = sw.JoinTokens.Manager
	}
	if token == "" {
		return "", spierr.Unavailable("swarm.joinToken", "the manager gave no %s join token", role)
	}
	return token, nil
}

// join makes v's machine join the swarm at remote with token. The error
// never holds the token.
func (p *Plugin) join(ctx context.Context, v *view, remote, token string) error {
	cli, err := p.engine(v.inst)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	err = cli.SwarmJoin(ctx, swarm.JoinRequest{
		ListenAddr: listenAddr, AdvertiseAddr: privateAddr(v.inst), RemoteAddrs: []string{remote}, JoinToken: token,
	})
	return redact(engineErr("swarm.join", fmt.Sprintf("join %s to %s", nameOf(v.inst), remote), err), token)
}

// labelAll makes the labels of the group's active nodes right and returns
// nodes with the labels as they now are.
func (p *Plugin) labelAll(ctx context.Context, pr Properties, mgr managerConn, views []*view, nodes []swarm.Node) []swarm.Node {
	byID := make(map[string]int, len(nodes))
	for i, n := range nodes {
		byID[n.ID] = i
	}
	for _, v := range views {
		i, ok := byID[v.info.NodeID]
		if !v.answers() || v.state() != swarm.LocalNodeStateActive || !ok {
			continue
		}
		want := pr.nodeLabels(v.inst)
		if err := p.ensureLabels(ctx, mgr.cli, nodes[i], want); err != nil {
			p.notes.set(v.inst, "labelling its node failed: "+err.Error())
			continue
		}
		p.notes.clear(v.inst.ID)
		nodes[i].Spec.Labels = cloneLabels(nodes[i].Spec.Labels)
		for k, val := range want {
			nodes[i].Spec.Labels[k] = val
		}
	}
	return nodes
}
