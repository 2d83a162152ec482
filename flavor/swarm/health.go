package swarm

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Health judges a machine by its node:
//
//	machine not running                   unknown "not running" (the group reconciler handles dead machines)
//	engine not answering                  unknown "engine not answering"
//	not in a swarm yet, or joining        unknown "joining swarm X" ("waiting for a manager of swarm X" for a worker while none is known)
//	swarm state error or locked           unhealthy, with the engine's reason
//	active, no manager answers            unknown
//	node unknown to the swarm             unhealthy "node not in swarm X"
//	node down or disconnected             unhealthy "node down"
//	node not ready yet, or not active     unknown
//	manager role: not a manager           unhealthy
//	manager role: unreachable             unhealthy "manager unreachable"
//	ready, active (and reachable)         healthy
//
// Reasons for unknown may end with what Observe last failed to do for the
// machine.
func (p *Plugin) Health(ctx context.Context, props json.RawMessage, inst instance.Description) (flavor.Health, error) {
	pr, err := parse("swarm.Health", props)
	if err != nil {
		return flavor.Health{}, err
	}
	name, role := swarmOf(inst, pr), roleOf(inst, pr)
	if inst.State != instance.StateRunning {
		return p.unknown(inst, "not running"), nil
	}
	if inst.Tags[instance.TagEngine] == "" {
		return unknown(fmt.Sprintf("no engine address (tag %s)", instance.TagEngine)), nil
	}
	info, err := p.info(ctx, inst)
	if err != nil {
		return unknown("engine not answering"), nil
	}
	switch info.LocalNodeState {
	case swarm.LocalNodeStateInactive, swarm.LocalNodeStatePending:
		if role == RoleWorker {
			if _, err := p.manager(ctx, inst.Tags[instance.TagOwner], name, endpoint{}); err != nil {
				return unknown("waiting for a manager of swarm " + name), nil
			}
		}
		return p.unknown(inst, "joining swarm "+name), nil
	case swarm.LocalNodeStateError:
		return unhealthy("swarm error: " + orElse(info.Error, "no detail")), nil
	case swarm.LocalNodeStateLocked:
		return unhealthy("swarm locked: " + orElse(info.Error, "its unlock key is needed")), nil
	case swarm.LocalNodeStateActive:
		return p.nodeHealth(ctx, inst, name, role, info), nil
	}
	return unknown(fmt.Sprintf("swarm state %q", info.LocalNodeState)), nil
}

// nodeHealth judges an active node by what a manager says of it.
func (p *Plugin) nodeHealth(ctx context.Context, inst instance.Description, name, role string, info swarm.Info) flavor.Health {
	mgr, err := p.manager(ctx, inst.Tags[instance.TagOwner], name, endpoint{})
	if err != nil {
		return unknown("no manager of swarm " + name + " answers")
	}
	if info.Cluster != nil && mgr.info.Cluster != nil && info.Cluster.ID != mgr.info.Cluster.ID {
		return unhealthy("in another swarm than swarm " + name)
	}
	node, err := p.inspectNode(ctx, mgr.cli, info.NodeID)
	switch {
	case spierr.CodeOf(err) == spierr.CodeNotFound:
		return unhealthy("node not in swarm " + name)
	case err != nil:
		return unknown("cannot ask a manager of swarm " + name + " about its node")
	}
	if h, done := nodeState(node); done {
		return h
	}
	return roleHealth(node, role)
}

// nodeState judges the node's state and availability; done is false when
// they are fine.
func nodeState(node swarm.Node) (h flavor.Health, done bool) {
	switch node.Status.State {
	case swarm.NodeStateReady:
	case swarm.NodeStateDown, swarm.NodeStateDisconnected:
		return unhealthy("node " + string(node.Status.State)), true
	default:
		return unknown("node " + orElse(string(node.Status.State), "state unknown")), true
	}
	if node.Spec.Availability != swarm.NodeAvailabilityActive {
		return unknown("node availability is " + string(node.Spec.Availability)), true
	}
	return flavor.Health{}, false
}

// roleHealth judges a ready node by the role its machine should have.
func roleHealth(node swarm.Node, role string) flavor.Health {
	ms := node.ManagerStatus
	switch {
	case role == RoleManager && ms == nil:
		return unhealthy("node is a worker, not a manager")
	case role == RoleManager && ms.Reachability == swarm.ReachabilityUnreachable:
		return unhealthy("manager unreachable")
	case role == RoleManager && ms.Reachability != swarm.ReachabilityReachable:
		return unknown("manager reachability " + orElse(string(ms.Reachability), "unknown"))
	case role == RoleWorker && ms != nil:
		return unknown("node is a manager, not a worker")
	}
	return flavor.Health{Status: flavor.Healthy}
}

// swarmOf is the swarm a machine was made for: its tag, else the props'.
func swarmOf(inst instance.Description, pr Properties) string {
	return orElse(inst.Tags[TagSwarm], pr.Swarm)
}

// roleOf is the role a machine was made for: its tag, else the props'.
func roleOf(inst instance.Description, pr Properties) string {
	return orElse(inst.Tags[TagRole], pr.Role)
}

func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func unknown(reason string) flavor.Health {
	return flavor.Health{Status: flavor.Unknown, Reason: reason}
}

func unhealthy(reason string) flavor.Health {
	return flavor.Health{Status: flavor.Unhealthy, Reason: reason}
}

// unknown is Unknown with reason and what Observe last noted of inst.
func (p *Plugin) unknown(inst instance.Description, reason string) flavor.Health {
	if n := p.notes.get(inst.ID); n != "" {
		reason += "; " + n
	}
	return unknown(reason)
}
