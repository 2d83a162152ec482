package swarm

import (
	"strings"
	"testing"

	"github.com/docker/docker/api/types/swarm"
)

// mgr is a manager node with the given reachability.
func mgr(id string, r swarm.Reachability) swarm.Node {
	return swarm.Node{ID: id, Spec: swarm.NodeSpec{Role: swarm.NodeRoleManager}, ManagerStatus: &swarm.ManagerStatus{Reachability: r}}
}

const (
	up   = swarm.ReachabilityReachable
	down = swarm.ReachabilityUnreachable
)

func TestCheckRemoval(t *testing.T) {
	tests := []struct {
		name     string
		managers []swarm.Node
		remove   string
		dead     []string
		wantErr  string // "" allows the removal
	}{
		{"3 up, remove one", []swarm.Node{mgr("a", up), mgr("b", up), mgr("c", up)}, "c", nil, ""},
		{"3, remove the unreachable one", []swarm.Node{mgr("a", up), mgr("b", up), mgr("c", down)}, "c", nil, ""},
		{"3, remove a live one while another is unreachable", []swarm.Node{mgr("a", up), mgr("b", up), mgr("c", down)}, "b", nil, "only 1 of the 2 managers left"},
		{"3, the dead one still looks reachable", []swarm.Node{mgr("a", up), mgr("b", up), mgr("c", up)}, "c", []string{"c"}, ""},
		{"3, remove a live one while a dead one looks reachable", []swarm.Node{mgr("a", up), mgr("b", up), mgr("c", up)}, "b", []string{"c"}, "only 1 of the 2 managers left"},
		{"3, two unreachable: no quorum now", []swarm.Node{mgr("a", up), mgr("b", down), mgr("c", down)}, "c", nil, "only 1 of its 3 managers are reachable"},
		{"2 up, remove one", []swarm.Node{mgr("a", up), mgr("b", up)}, "b", nil, ""},
		{"2, one dead: no quorum to commit", []swarm.Node{mgr("a", up), mgr("b", down)}, "b", nil, "only 1 of its 2 managers"},
		{"5, two dead, remove one of them", []swarm.Node{mgr("a", up), mgr("b", up), mgr("c", up), mgr("d", down), mgr("e", down)}, "e", nil, ""},
		{"4 after one removal, remove the other dead", []swarm.Node{mgr("a", up), mgr("b", up), mgr("c", up), mgr("d", down)}, "d", nil, ""},
		{"5, two dead, remove a live one", []swarm.Node{mgr("a", up), mgr("b", up), mgr("c", up), mgr("d", down), mgr("e", down)}, "c", nil, "only 2 of the 4 managers left"},
		{"4 up, remove one", []swarm.Node{mgr("a", up), mgr("b", up), mgr("c", up), mgr("d", up)}, "d", nil, ""},
		{"the last manager: not a quorum question", []swarm.Node{mgr("a", up)}, "a", nil, ""},
		{"not a manager", []swarm.Node{mgr("a", up), mgr("b", down)}, "w", nil, ""},
		{"unknown reachability does not count", []swarm.Node{mgr("a", up), mgr("b", swarm.ReachabilityUnknown), mgr("c", up)}, "c", nil, "only 1 of the 2 managers left"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dead := map[string]bool{}
			for _, id := range tt.dead {
				dead[id] = true
			}
			err := checkRemoval(tt.managers, tt.remove, dead)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestManagersOf(t *testing.T) {
	nodes := []swarm.Node{mgr("a", up), {ID: "w"}, mgr("b", down)}
	got := managersOf(nodes)
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Errorf("managersOf = %v", got)
	}
	if n := reachableOthers(nodes, "a"); n != 0 {
		t.Errorf("reachableOthers(a) = %d, want 0", n)
	}
	if n := reachableOthers(nodes, "b"); n != 1 {
		t.Errorf("reachableOthers(b) = %d, want 1", n)
	}
}
