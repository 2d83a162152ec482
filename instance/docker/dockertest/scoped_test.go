package dockertest

import (
	"testing"

	"github.com/drover/drover/instance"
)

// What CleanupOwned removes: the owner's names and machines, not another
// owner's whose name starts alike, nor the rest of the run.
func TestOwnedBy(t *testing.T) {
	owner := Name(t, "heal1a2b")
	sel := ownedBy(owner)
	for _, tt := range []struct {
		name    string
		labels  map[string]string
		objName string
		want    bool
	}{
		{"its network", nil, owner + "-net", true},
		{"its machine by name", nil, owner + "-web-1", true},
		{"its machine by owner label", map[string]string{instance.TagOwner: owner}, "web-1", true},
		{"the owner name itself", nil, owner, true},
		{"an owner whose name starts alike", map[string]string{instance.TagOwner: owner + "x"}, owner + "x-web-1", false},
		{"another test of the run", Label(t), Name(t, "other-net"), false},
	} {
		if got := sel(tt.labels, tt.objName); got != tt.want {
			t.Errorf("%s: owned = %v, want %v", tt.name, got, tt.want)
		}
	}
}
