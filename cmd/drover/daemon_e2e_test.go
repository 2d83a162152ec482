package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/internal/syncbuf"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// daemonWorld is a drover binary, an engine, an owner and a data dir
// short enough for the daemon's socket.
type daemonWorld struct {
	t     *testing.T
	bin   string
	cli   *client.Client
	image string
	owner string
	data  string
	spec  string
}

func newDaemonWorld(t *testing.T, suffix string) *daemonWorld {
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	data, err := os.MkdirTemp("", "drv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(data) })
	w := &daemonWorld{t: t, bin: buildDrover(t), cli: cli, image: dockertest.DemoImage(t), owner: dockertest.Name(t, suffix), data: data}
	w.spec = filepath.Join(t.TempDir(), "spec.hcl")
	if err := os.WriteFile(w.spec, []byte(killSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *daemonWorld) sock() string { return filepath.Join(w.data, "drover.sock") }

// daemonProc is a running drover run.
type daemonProc struct {
	cmd  *exec.Cmd
	out  *syncbuf.Buffer
	done chan error
}

// start runs drover run (with extra flags) and waits until its API
// answers.
func (w *daemonWorld) start(extra ...string) *daemonProc {
	w.t.Helper()
	p := &daemonProc{out: &syncbuf.Buffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(w.bin, append([]string{"run", "--data-dir", w.data, "--owner", w.owner, "--resync", "5s"}, extra...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	w.t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	c := w.client()
	dockertest.WaitFor(w.t, time.Minute, func() (bool, error) {
		select {
		case err := <-p.done:
			p.done <- err
			w.t.Fatalf("drover run ended: %v\n%s", err, p.out)
		default:
		}
		err := c.Ping(w.t.Context())
		return err == nil, err
	})
	return p
}

// stop sends SIGTERM and expects a clean exit that removes the socket.
func (w *daemonWorld) stop(p *daemonProc) {
	w.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-p.done; err != nil {
		w.t.Fatalf("drover run after SIGTERM: %v\n%s", err, p.out)
	}
	p.done <- nil
	if _, err := os.Stat(w.sock()); !errors.Is(err, os.ErrNotExist) {
		w.t.Errorf("the socket is left after a clean stop: %v", err)
	}
}

func (w *daemonWorld) kill(p *daemonProc) {
	p.cmd.Process.Signal(syscall.SIGKILL)
	err := <-p.done
	p.done <- err
}

func (w *daemonWorld) client() *api.Client {
	c, err := api.NewClient(w.sock(), "")
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// drover runs a client command of the binary against the daemon.
func (w *daemonWorld) drover(args ...string) (int, string) {
	w.t.Helper()
	return w.droverEnv(nil, args...)
}

// droverEnv is drover with env added to the command's environment.
func (w *daemonWorld) droverEnv(env []string, args ...string) (int, string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.t.Context(), e2eBound)
	defer cancel()
	full := append([]string{args[0], "--data-dir", w.data, "--owner", w.owner}, args[1:]...)
	c := exec.CommandContext(ctx, w.bin, full...)
	c.Env = append(append(os.Environ(), "CI="), env...)
	out, err := c.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return 0, string(out)
}

func (w *daemonWorld) mustDrover(args ...string) string {
	w.t.Helper()
	code, out := w.drover(args...)
	if code != 0 {
		w.t.Fatalf("drover %v exited %d:\n%s", args, code, out)
	}
	return out
}

// machines lists the owner's containers by their drover name.
func (w *daemonWorld) machines() map[string]container.Summary {
	w.t.Helper()
	l, err := w.cli.ContainerList(w.t.Context(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", instance.TagOwner+"="+w.owner))})
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]container.Summary{}
	for _, m := range l {
		out[m.Labels[group.TagName]] = m
	}
	return out
}

func names(n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprintf("web-%d", i))
	}
	slices.Sort(out)
	return out
}

func sortedNames(m map[string]container.Summary) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// The daemon end to end: apply through the API, heal killed machines with
// the events streamed, apply a change, roll back to the first revision,
// destroy, stop cleanly.
func TestDaemonEndToEnd(t *testing.T) {
	t.Parallel()
	w := newDaemonWorld(t, "daemon")
	d := w.start()
	img := "image=" + w.image

	out := w.mustDrover("apply", "--wait", "-var", img, "-var", "size=3", "-m", "first", w.spec)
	if !strings.Contains(out, "Revision 1 recorded") || !strings.Contains(out, "Revision 1 converged") {
		t.Fatalf("apply --wait:\n%s", out)
	}
	if got := sortedNames(w.machines()); !slices.Equal(got, names(3)) {
		t.Fatalf("machines after revision 1: %v", got)
	}

	follow := exec.Command(w.bin, "events", "-f", "--data-dir", w.data)
	events := &syncbuf.Buffer{}
	follow.Stdout, follow.Stderr = events, events
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { follow.Process.Kill(); follow.Wait() })
	before := w.machines()
	for _, n := range []string{"web-1", "web-3"} {
		if err := w.cli.ContainerRemove(t.Context(), before[n].ID, container.RemoveOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	dockertest.WaitFor(t, e2eBound, func() (bool, error) {
		st, err := w.client().Status(t.Context())
		now := w.machines()
		healed := err == nil && st.Converged && len(now) == 3 && now["web-1"].ID != before["web-1"].ID && now["web-3"].ID != before["web-3"].ID
		streamed := strings.Contains(events.String(), "lost  group.web  web-1") && strings.Contains(events.String(), "created  group.web  web-3")
		return healed && streamed, fmt.Errorf("status %+v (err %v), events:\n%s", st, err, events)
	})

	out = w.mustDrover("apply", "--wait", "-auto-approve", "-var", img, "-var", "size=4", w.spec)
	if !strings.Contains(out, "Revision 2 converged") || len(w.machines()) != 4 {
		t.Fatalf("apply of a change:\n%s\nmachines %v", out, sortedNames(w.machines()))
	}
	out = w.mustDrover("rollback", "1", "--wait")
	if !strings.Contains(out, "Revision 3 converged") {
		t.Fatalf("rollback:\n%s", out)
	}
	if got := sortedNames(w.machines()); !slices.Equal(got, names(3)) {
		t.Fatalf("machines after the rollback: %v", got)
	}
	hist := w.mustDrover("history")
	for _, want := range []string{"3 *", "rollback (of 1)", "first"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
	status := w.mustDrover("status")
	if !strings.Contains(status, "Revision 3") || !strings.Contains(status, "group.web  3") {
		t.Errorf("status:\n%s", status)
	}
	w.mustDrover("destroy", "--auto-approve", "--wait")
	if n := len(w.machines()); n != 0 {
		t.Fatalf("%d machines left after destroy", n)
	}
	w.stop(d)
}

// SIGKILL the daemon at random points while it creates ten machines, or
// destroys them, and start it again, ten times (five of each; each run of
// the suite draws other points): each time it converges to exactly the
// desired set, with no duplicate, leftover or stray intent.
func TestKilledDaemonConverges(t *testing.T) {
	t.Parallel()
	w := newDaemonWorld(t, "dkill")
	bundle := func(t *testing.T) api.ApplyRequest {
		l, err := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), Vars: []string{"image=" + w.image, "size=10"}})
		if err != nil {
			t.Fatal(err)
		}
		_, b, err := l.Capture(w.spec)
		if err != nil {
			t.Fatal(err)
		}
		return api.ApplyRequest{Bundle: b}
	}(t)
	for i := range 10 {
		want := 10
		d := w.start()
		c := w.client()
		var err error
		window := 2500 // ms; creating ten machines takes about two seconds here
		if i%2 == 0 {
			_, err = c.Apply(t.Context(), bundle)
		} else {
			want, window = 0, 700 // destroying them, well under one
			_, err = c.Destroy(t.Context(), api.DestroyRequest{})
		}
		if err != nil {
			t.Fatalf("iteration %d: %v", i, err)
		}
		delay := time.Duration(rand.IntN(window)) * time.Millisecond
		time.Sleep(delay) // the point of the kill is the random moment
		w.kill(d)
		killedWith := len(w.machines())

		d = w.start()
		dockertest.WaitFor(t, e2eBound, func() (bool, error) {
			st, err := c.Status(t.Context())
			// A container whose removal the killed daemon started may
			// linger a moment after the new one has converged.
			return err == nil && st.Converged && len(w.machines()) == want, fmt.Errorf("status %+v, %v; machines %v", st, err, sortedNames(w.machines()))
		})
		got := w.machines()
		if !slices.Equal(sortedNames(got), names(want)) {
			t.Fatalf("iteration %d (killed after %s with %d machines): machines %v, want %d\n%s", i, delay, killedWith, sortedNames(got), want, d.out)
		}
		for n, m := range got {
			if m.State != "running" {
				t.Errorf("iteration %d: %s is %s", i, n, m.State)
			}
		}
		if left, _ := filepath.Glob(filepath.Join(w.data, "intents", w.owner, "*", "*.json")); len(left) != 0 {
			t.Errorf("iteration %d: create intents left after converging: %v", i, left)
		}
		t.Logf("iteration %d: killed after %s with %d machines; converged to exactly %d", i, delay, killedWith, want)
		w.stop(d)
	}
}
