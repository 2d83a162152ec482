package placement_test

import (
	"testing"

	"github.com/drover/drover/autoscale/placement"
)

func TestUnmet(t *testing.T) {
	n := placement.Node{
		ID: "n1", Hostname: "Worker-1", Role: placement.RoleWorker, OS: "linux", Arch: "x86_64",
		Labels: map[string]string{"zone": "a", "Disk": "ssd"}, EngineLabels: map[string]string{"gpu": "yes"},
	}
	cases := []struct {
		name        string
		constraints []string
		unmet       string
	}{
		{"none", nil, ""},
		{"role", []string{"node.role == worker"}, ""},
		{"role other", []string{"node.role == manager"}, "node.role == manager"},
		{"role not", []string{"node.role != manager"}, ""},
		{"values in any case", []string{"node.role == WORKER", "node.hostname == worker-1"}, ""},
		{"keys' prefixes in any case", []string{"Node.Labels.zone == a", "NODE.ROLE == worker"}, ""},
		{"label names exactly", []string{"node.labels.disk == ssd"}, "node.labels.disk == ssd"},
		{"label name as written", []string{"node.labels.Disk == SSD"}, ""},
		{"absent label is empty: != holds", []string{"node.labels.rack != r1"}, ""},
		{"absent label is empty: == fails", []string{"node.labels.rack == r1"}, "node.labels.rack == r1"},
		{"label differs", []string{"node.labels.zone != a"}, "node.labels.zone != a"},
		{"no spaces", []string{"node.labels.zone==a"}, ""},
		{"engine label", []string{"engine.labels.gpu == yes"}, ""},
		{"id", []string{"node.id == n1"}, ""},
		{"platform", []string{"node.platform.os == linux", "node.platform.arch != arm64"}, ""},
		{"first unmet of several", []string{"node.role == worker", "node.labels.zone == b", "node.id == x"}, "node.labels.zone == b"},
		{"unknown key never matches", []string{"node.colour != red"}, "node.colour != red"},
		{"unmodelled key never matches", []string{"node.ip != 10.0.0.1"}, "node.ip != 10.0.0.1"},
		{"no operator", []string{"node.role worker"}, "node.role worker"},
		{"bad value", []string{"node.role == <worker>"}, "node.role == <worker>"},
		{"bare prefix is no label", []string{"node.labels. == a"}, "node.labels. == a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := placement.Unmet(n, c.constraints); got != c.unmet {
				t.Errorf("Unmet(%q) = %q, want %q", c.constraints, got, c.unmet)
			}
			if got := placement.Matches(n, c.constraints); got != (c.unmet == "") {
				t.Errorf("Matches(%q) = %v, want %v", c.constraints, got, c.unmet == "")
			}
		})
	}
}
