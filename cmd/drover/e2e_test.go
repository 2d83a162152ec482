package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker/dockertest"
)

// built is the CLI compiled once for all the end-to-end tests of the
// package (they run in parallel), in a directory TestMain removes.
var built = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "drover-e2e-bin")
	if err != nil {
		return "", err
	}
	builtDir = dir
	bin := filepath.Join(dir, "drover")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
})

// builtDir is where built put the binary, "" until it ran.
var builtDir string

// buildDrover returns the CLI binary, built on first use.
func buildDrover(t *testing.T) string {
	t.Helper()
	bin, err := built()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// e2eBound bounds one drover command or one wait of these tests: what a
// loaded 2-core machine (two CPU burners beside the whole suite) needs
// with room to spare, not a promise about speed.
const e2eBound = 3 * time.Minute

const killSpec = `
variable "size" { default = 10 }
variable "image" {}
group "web" {
  size = var.size
  instance "docker" { image = var.image }
  flavor "vanilla" {}
  health {
    grace           = "30s"
    unhealthy_after = "10s"
  }
}
`

type e2e struct {
	t     *testing.T
	bin   string
	spec  string
	image string
	owner string
	data  string
}

func (e *e2e) cmd(ctx context.Context, args ...string) *exec.Cmd {
	full := append([]string{args[0], "--owner", e.owner, "--data-dir", e.data, "-var", "image=" + e.image}, args[1:]...)
	c := exec.CommandContext(ctx, e.bin, append(full, e.spec)...)
	c.Env = append(os.Environ(), "CI=")
	return c
}

// run runs a drover command to its end and returns its exit code and output.
func (e *e2e) run(args ...string) (int, string) {
	e.t.Helper()
	// Not cancelled with the test: destroy also runs in its cleanup.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(e.t.Context()), e2eBound)
	defer cancel()
	var out bytes.Buffer
	c := e.cmd(ctx, args...)
	c.Stdout, c.Stderr = &out, &out
	err := c.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return 0, out.String()
}

// SIGKILL drover at random points of an apply of 10 machines, then apply
// again: exactly ten machines, no duplicate, nothing half-made left over.
func TestKilledApplyLeavesNoDuplicates(t *testing.T) {
	t.Parallel()
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	e := &e2e{t: t, bin: buildDrover(t), image: dockertest.DemoImage(t), owner: dockertest.Name(t, "kill"), data: t.TempDir()}
	e.spec = filepath.Join(t.TempDir(), "spec.hcl")
	if err := os.WriteFile(e.spec, []byte(killSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	list := func() []container.Summary {
		l, err := cli.ContainerList(t.Context(), container.ListOptions{All: true,
			Filters: filters.NewArgs(filters.Arg("label", instance.TagOwner+"="+e.owner))})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for i := 0; i < 5; i++ {
		delay := time.Duration(100+rand.IntN(1500)) * time.Millisecond
		c := e.cmd(t.Context(), "apply", "-auto-approve")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay) // the point of the kill is the random moment
		c.Process.Signal(syscall.SIGKILL)
		c.Wait()
		killedWith := len(list())

		if code, out := e.run("apply", "-auto-approve"); code != 0 {
			t.Fatalf("iteration %d: apply after the kill exited %d:\n%s", i, code, out)
		}
		var names []string
		for _, m := range list() {
			if m.State != "running" {
				t.Errorf("iteration %d: %s is %s (%s)", i, m.Names[0], m.State, m.Status)
			}
			names = append(names, m.Labels[group.TagName])
		}
		slices.Sort(names)
		want := []string{"web-1", "web-10", "web-2", "web-3", "web-4", "web-5", "web-6", "web-7", "web-8", "web-9"}
		if !slices.Equal(names, want) {
			t.Fatalf("iteration %d (killed after %s with %d machines): machines %v", i, delay, killedWith, names)
		}
		if left, _ := filepath.Glob(filepath.Join(e.data, "intents", e.owner, "web", "*.json")); len(left) != 0 {
			t.Errorf("iteration %d: create intents left after converging: %v", i, left)
		}
		t.Logf("iteration %d: killed after %s with %d machines made; converged to exactly 10", i, delay, killedWith)

		if code, out := e.run("destroy", "-auto-approve"); code != 0 || len(list()) != 0 {
			t.Fatalf("iteration %d: destroy exited %d, %d machines left:\n%s", i, code, len(list()), out)
		}
	}
}

// plan against the engine: no changes after an apply (exit 0 with
// -detailed-exitcode), a replacement per machine when the image changes
// (exit 2), an addition when the size grows.
func TestPlanAgainstEngine(t *testing.T) {
	t.Parallel()
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	e := &e2e{t: t, bin: buildDrover(t), image: dockertest.DemoImage(t), owner: dockertest.Name(t, "plan"), data: t.TempDir()}
	e.spec = filepath.Join(t.TempDir(), "spec.hcl")
	os.WriteFile(e.spec, []byte(killSpec), 0o644)
	if code, out := e.run("apply", "-auto-approve", "-var", "size=2"); code != 0 {
		t.Fatalf("apply exited %d:\n%s", code, out)
	}
	t.Cleanup(func() { e.run("destroy", "-auto-approve") })
	cases := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"-var", "size=2"}, 0, []string{"No changes"}},
		{[]string{"-var", "size=3"}, exitPlanChanges, []string{"+ web-3  missing", "Plan: 1 to add, 0 to change, 0 to destroy."}},
		{[]string{"-var", "size=1"}, exitPlanChanges, []string{"- web-2  surplus", "Plan: 0 to add, 0 to change, 1 to destroy."}},
		{[]string{"-var", "size=2", "-var", "image=" + e.image + "-nope"}, exitPlanChanges, []string{"-/+ web-1  config changed", "Plan: 0 to add, 2 to change, 0 to destroy."}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out := e.run(append([]string{"plan", "-detailed-exitcode"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
