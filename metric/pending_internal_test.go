package metric

import (
	"testing"

	swarmflavor "github.com/drover/drover/flavor/swarm"
)

// TestPendingLabels: the node labels the metric reads are those the swarm
// flavor writes.
func TestPendingLabels(t *testing.T) {
	for _, c := range []struct{ mine, flavors string }{
		{labelInstance, swarmflavor.NodeLabelInstance},
		{labelOwner, swarmflavor.NodeLabelOwner},
		{labelGroup, swarmflavor.NodeLabelGroup},
	} {
		t.Run(c.flavors, func(t *testing.T) {
			if c.mine != c.flavors {
				t.Errorf("label %q, the swarm flavor's is %q", c.mine, c.flavors)
			}
		})
	}
}
