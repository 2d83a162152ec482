package swarm

import (
	"context"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/spierr"
)

// updateAttempts bounds the retries of a node update that the swarm finds
// out of sequence (someone else updated the node in between).
const updateAttempts = 5

// pollInterval is how often Drain and the demotion of a manager look again.
const pollInterval = 250 * time.Millisecond

// updateNode applies change to node's spec and sends it, re-reading the
// node and trying again while the swarm says the update is out of
// sequence. change returns false when the spec needs no change.
func (p *Plugin) updateNode(ctx context.Context, cli client.APIClient, node swarm.Node, change func(*swarm.NodeSpec) bool) error {
	const op = "swarm.updateNode"
	for attempt := 1; ; attempt++ {
		spec := node.Spec
		spec.Labels = cloneLabels(node.Spec.Labels)
		if !change(&spec) {
			return nil
		}
		err := p.call(ctx, func(ctx context.Context) error { return cli.NodeUpdate(ctx, node.ID, node.Version, spec) })
		if err == nil || !outOfSequence(err) || attempt == updateAttempts {
			return engineErr(op, fmt.Sprintf("update node %s", node.ID), err)
		}
		if node, err = p.inspectNode(ctx, cli, node.ID); err != nil {
			return err
		}
	}
}

func cloneLabels(l map[string]string) map[string]string {
	out := make(map[string]string, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out
}

// inspectNode reads a node; a node the swarm does not have is a
// spierr.ErrNotFound error.
func (p *Plugin) inspectNode(ctx context.Context, cli client.APIClient, id string) (swarm.Node, error) {
	var node swarm.Node
	err := p.call(ctx, func(ctx context.Context) (err error) {
		node, _, err = cli.NodeInspectWithRaw(ctx, id)
		return err
	})
	return node, engineErr("swarm.inspectNode", fmt.Sprintf("inspect node %s", id), err)
}

// listNodes lists the swarm's nodes.
func (p *Plugin) listNodes(ctx context.Context, cli client.APIClient) ([]swarm.Node, error) {
	var nodes []swarm.Node
	err := p.call(ctx, func(ctx context.Context) (err error) {
		nodes, err = cli.NodeList(ctx, swarm.NodeListOptions{})
		return err
	})
	return nodes, engineErr("swarm.listNodes", "list nodes", err)
}

// ensureLabels makes node's labels include want.
func (p *Plugin) ensureLabels(ctx context.Context, cli client.APIClient, node swarm.Node, want map[string]string) error {
	return p.updateNode(ctx, cli, node, func(s *swarm.NodeSpec) bool {
		changed := false
		for k, v := range want {
			if got, ok := s.Labels[k]; !ok || got != v {
				s.Labels[k] = v
				changed = true
			}
		}
		return changed
	})
}

// drainNode sets node's availability to drain.
func (p *Plugin) drainNode(ctx context.Context, cli client.APIClient, node swarm.Node) error {
	return p.updateNode(ctx, cli, node, func(s *swarm.NodeSpec) bool {
		if s.Availability == swarm.NodeAvailabilityDrain {
			return false
		}
		s.Availability = swarm.NodeAvailabilityDrain
		return true
	})
}

// demoteNode makes node a worker and drains it.
func (p *Plugin) demoteNode(ctx context.Context, cli client.APIClient, node swarm.Node) error {
	return p.updateNode(ctx, cli, node, func(s *swarm.NodeSpec) bool {
		if s.Role == swarm.NodeRoleWorker && s.Availability == swarm.NodeAvailabilityDrain {
			return false
		}
		s.Role, s.Availability = swarm.NodeRoleWorker, swarm.NodeAvailabilityDrain
		return true
	})
}

// waitDemoted waits until the node has left the managers' raft, within
// timeout; it returns the last error (or a timeout) otherwise.
func (p *Plugin) waitDemoted(ctx context.Context, cli client.APIClient, id string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		node, err := p.inspectNode(ctx, cli, id)
		if spierr.CodeOf(err) == spierr.CodeNotFound || (err == nil && node.ManagerStatus == nil) {
			return nil
		}
		if !sleep(ctx, pollInterval) {
			return spierr.Unavailable("swarm.waitDemoted", "node %s is still a manager after %v", id, timeout)
		}
	}
}

// removeNode removes a node from the swarm by force; a node that is
// already gone is fine.
func (p *Plugin) removeNode(ctx context.Context, cli client.APIClient, id string) error {
	err := p.call(ctx, func(ctx context.Context) error {
		return cli.NodeRemove(ctx, id, swarm.NodeRemoveOptions{Force: true})
	})
	if err = engineErr("swarm.removeNode", fmt.Sprintf("remove node %s", id), err); spierr.CodeOf(err) == spierr.CodeNotFound {
		return nil
	}
	return err
}

// sleep waits d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
