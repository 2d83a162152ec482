package dockertest

import (
	"context"
	"testing"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/swarm"
)

// TestStartSwarm forms a swarm of one manager and one worker with the demo
// image preloaded, and checks what it promises: every node ready in its
// role, the image on every node, the engine sockets reachable.
func TestStartSwarm(t *testing.T) {
	cli := Client(t)
	Cleanup(t, cli)
	img := DemoImage(t)
	s := StartSwarm(t, cli, SwarmOptions{Managers: 1, Workers: 1, Preload: []string{img}})
	ctx := context.Background()
	nodes, err := s.Manager().NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, n := range nodes {
		roles[n.Description.Hostname] = string(n.Spec.Role)
		if n.Status.State != swarm.NodeStateReady {
			t.Errorf("node %s is %s", n.Description.Hostname, n.Status.State)
		}
	}
	if len(s.Nodes) != 2 || len(s.Workers()) != 1 {
		t.Fatalf("nodes = %+v", s.Nodes)
	}
	for _, n := range s.Nodes {
		if roles[n.Name] != n.Role {
			t.Errorf("node %s: role %q in the swarm, %q in the fixture", n.Name, roles[n.Name], n.Role)
		}
		if _, err := n.Client.ImageInspect(ctx, img); err != nil {
			t.Errorf("node %s lacks the preloaded image: %v", n.Name, err)
		}
		list, err := n.Client.ImageList(ctx, image.ListOptions{})
		if err != nil || len(list) != 1 {
			t.Errorf("node %s images = %v, %v", n.Name, list, err)
		}
	}
}
