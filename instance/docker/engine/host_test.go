package engine_test

import (
	"slices"
	"testing"

	"github.com/drover/drover/instance/docker/engine"
)

// TestNodeHostConfig: every call is a fresh copy (callers append to it)
// with what dockerd in a container needs without --privileged.
func TestNodeHostConfig(t *testing.T) {
	a := engine.NodeHostConfig()
	a.CapAdd[0], a.SecurityOpt[0], a.Binds[0] = "X", "X", "X"
	b := engine.NodeHostConfig()
	tests := []struct {
		name      string
		got, want []string
	}{
		{"capabilities", b.CapAdd, engine.NodeCapabilities},
		{"security options", b.SecurityOpt, []string{"seccomp=unconfined", "apparmor=unconfined"}},
		{"binds", b.Binds, []string{"/sys/fs/cgroup:/sys/fs/cgroup:rw"}},
		{"masked paths", b.MaskedPaths, []string{}},
		{"read-only paths", b.ReadonlyPaths, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.got, tt.want) || tt.got == nil {
				t.Errorf("%q, want %q", tt.got, tt.want)
			}
		})
	}
	if b.Privileged || slices.Contains(b.CapAdd, "SYS_RESOURCE") || slices.Contains(engine.NodeCapabilities, "X") {
		t.Errorf("privileged %v, capabilities %q", b.Privileged, b.CapAdd)
	}
	if got := engine.NodeRunBind("/tmp/n1"); got != "/tmp/n1:/var/run:rw" {
		t.Errorf("NodeRunBind = %q", got)
	}
	if got := engine.NodeSocket("/tmp/n1"); got != "/tmp/n1/docker.sock" {
		t.Errorf("NodeSocket = %q", got)
	}
}
