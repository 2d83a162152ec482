package main

import (
	"strings"
	"testing"

	"github.com/drover/drover/internal/datadir"
)

// An in-process apply or destroy on a data dir that another controller
// holds (an apply --watch, the daemon) refuses at once, saying who holds
// it, instead of undoing that controller's changes.
func TestSecondControllerRefused(t *testing.T) {
	data := t.TempDir()
	held, err := datadir.Lock(data) // the other controller
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	spec := writeFile(t, t.TempDir(), "web.hcl", `group "web" {
  size = 1
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}
`)
	for _, command := range []string{"apply", "destroy"} {
		t.Run(command, func(t *testing.T) {
			r := drover(t, command, "--data-dir", data, "--auto-approve", spec)
			wantCode(t, r, exitError)
			wantContains(t, r, "stderr", "acts on the data dir "+data+" already", "drover run")
		})
	}
	// plan only reads: the lock never refuses it (it may fail otherwise,
	// without an engine, but not for the lock).
	if r := drover(t, "plan", "--data-dir", data, spec); strings.Contains(r.stderr, "acts on the data dir") {
		t.Fatalf("plan refused for the lock:\n%s", r.stderr)
	}
}
