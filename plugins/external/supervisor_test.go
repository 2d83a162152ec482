package external

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/reconcile/clocktest"
	"github.com/drover/drover/specs"
	"github.com/drover/drover/spierr"
)

// An external plugin resolves like a built-in: schemas on first lookup,
// then a provider with the plugin's exact capabilities, and its flavor.
func TestRegistryResolvesExternalPlugin(t *testing.T) {
	f := newFake(t, "mem", "mem", Options{})
	reg := plugins.Builtins(plugins.BuiltinOptions{})
	reg.SetResolver(func(kind, name string) (bool, error) { return f.m.Resolve(t.Context(), reg, kind, name) })
	if _, ok := reg.Schema(specs.PluginProvider, "nope"); ok {
		t.Fatal("an unknown plugin resolved")
	}
	ps, ok := reg.Schema(specs.PluginProvider, "mem")
	if !ok || len(ps.Attributes) != 1 || ps.Attributes[0].Name != "prefix" {
		t.Fatalf("provider schema of mem: %v %v", ps, ok)
	}
	ip, ok := reg.Instance("mem")
	if !ok {
		t.Fatal("no instance plugin mem")
	}
	p, err := ip.New(t.Context(), json.RawMessage(`{"prefix":"m-"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := instance.Capability[instance.Labeller](p); !ok {
		t.Error("the provider lost Labeller")
	}
	if _, ok := instance.Capability[instance.Watcher](p); ok {
		t.Error("the provider gained Watcher")
	}
	if l, ok := instance.Capability[instance.Lagging](p); !ok || l.ListLag() != 5*time.Second {
		t.Errorf("list lag: %v %v", l, ok)
	}
	id, err := p.Provision(t.Context(), instance.Spec{Tags: map[string]string{"a": "b"}})
	if err != nil || id != "m-1" {
		t.Fatalf("Provision: %q %v", id, err)
	}
	l, _ := instance.Capability[instance.Labeller](p)
	if err := l.Label(t.Context(), id, map[string]string{"c": "d"}); err != nil {
		t.Fatal(err)
	}
	ds, err := p.Describe(t.Context(), map[string]string{"c": "d"})
	if err != nil || len(ds) != 1 || ds[0].ID != id {
		t.Fatalf("Describe: %v %v", ds, err)
	}
	if err := p.Destroy(t.Context(), "m-9", instance.DestroyReason("test")); !errors.Is(err, spierr.ErrNotFound) {
		t.Errorf("Destroy of nothing: %v, want not found", err)
	}
	fp, ok := reg.Flavor("mem")
	if !ok {
		t.Fatal("no flavor plugin mem")
	}
	fl, err := fp.New(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := fl.Validate(t.Context(), json.RawMessage(`{}`), flavor.Allocation{Group: "g", Size: 1}); err != nil {
		t.Errorf("flavor Validate: %v", err)
	}
	if !strings.Contains(f.log.String(), `msg="mem provider configured" plugin=mem`) {
		t.Errorf("the plugin's log line is not in drover's log, tagged:\n%s", f.log)
	}
}

// Junk on stdout before the handshake: an error naming the plugin, its
// binary and the line (pinned against go-plugin's message).
func TestJunkOnStdout(t *testing.T) {
	f := newFake(t, "chatty", "junk", Options{})
	_, _, err := f.sup.Info(t.Context())
	want := `plugin "chatty" (` + f.path + `): printed "hello from a chatty plugin" on stdout before the handshake; plugins must not write to stdout before serving`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v\nwant it to contain %s", err, want)
	}
	// drover validate says the same, at the block that names the plugin.
	reg := plugins.Builtins(plugins.BuiltinOptions{})
	reg.SetResolver(func(kind, name string) (bool, error) { return f.m.Resolve(t.Context(), reg, kind, name) })
	l, _ := specs.NewLoader(specs.Options{Schemas: reg})
	_, err = l.LoadSources(specs.Source{Name: "s.hcl", Src: []byte(`
group "g" {
  size = 1
  instance "chatty" {}
  flavor "vanilla" {}
}`)})
	if err == nil || !strings.Contains(err.Error(), "Unavailable instance plugin") || !strings.Contains(err.Error(), want) {
		t.Fatalf("loading a spec that uses it: %v", err)
	}
}

// A plugin that hangs in a call is cut off at the caller's deadline, or at
// CallTimeout when the caller has none. Each deadline is told apart from
// the other by a bound far below the other (the calls cannot return
// early; how late they return on a loaded machine is not the point).
func TestHangingPluginCutOffByDeadline(t *testing.T) {
	for _, tt := range []struct {
		name              string
		callTimeout, ctxT time.Duration // ctxT 0: the caller's context has no deadline
	}{
		{"the caller's deadline", time.Hour, 300 * time.Millisecond},
		{"CallTimeout", 500 * time.Millisecond, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "stuck", "hang", Options{CallTimeout: tt.callTimeout})
			reg := plugins.NewRegistry()
			reg.SetResolver(func(kind, name string) (bool, error) { return f.m.Resolve(t.Context(), reg, kind, name) })
			ip, ok := reg.Instance("stuck")
			if !ok {
				t.Fatal("no instance plugin stuck")
			}
			p, err := ip.New(t.Context(), json.RawMessage(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			ctx, want := t.Context(), tt.callTimeout
			if tt.ctxT > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxT)
				defer cancel()
				want = tt.ctxT
			}
			start := time.Now()
			err = within(t, cutBound, func() error { _, err := p.Describe(ctx, nil); return err })
			if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took < want {
				t.Fatalf("Describe of a hanging plugin: %v after %s, want a deadline error after %s or more", err, took, want)
			}
		})
	}
}

// cutBound bounds a call that a deadline of well under a second must cut:
// generous for a loaded machine, far below the other deadlines in play.
const cutBound = 30 * time.Second

// within runs f and returns its error, failing the test if f has not
// returned after bound.
func within(t *testing.T, bound time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(bound):
		t.Fatalf("not returned after %v", bound)
		return nil
	}
}

// A plugin that never handshakes fails its start at StartTimeout.
func TestHangBeforeHandshake(t *testing.T) {
	const startTimeout = 500 * time.Millisecond
	f := newFake(t, "mute", "sleep", Options{StartTimeout: startTimeout})
	start := time.Now()
	err := within(t, cutBound, func() error { _, _, err := f.sup.Info(t.Context()); return err })
	if took := time.Since(start); err == nil || !strings.Contains(err.Error(), `plugin "mute" (`+f.path+`)`) || took < startTimeout {
		t.Fatalf("Info of a mute plugin: %v after %s, want an error after %s or more", err, took, startTimeout)
	}
	if !strings.Contains(err.Error(), "timeout") {
		t.Errorf("the error does not say it timed out: %v", err)
	}
}

// kill -9 the plugin: while it is down (its backoff held on a fake clock)
// its calls fail at once, NotDone; once the backoff has passed it is
// restarted, the provider configured again, and calls go through.
func TestRestartAfterKill(t *testing.T) {
	const backoff = 300 * time.Millisecond
	clk := clocktest.New(time.Unix(0, 0))
	f := newFake(t, "mem", "mem", Options{MinBackoff: backoff, Clock: clk})
	reg := plugins.NewRegistry()
	reg.SetResolver(func(kind, name string) (bool, error) { return f.m.Resolve(t.Context(), reg, kind, name) })
	ip, _ := reg.Instance("mem")
	p, err := ip.New(t.Context(), json.RawMessage(`{"prefix":"k-"}`))
	if err != nil {
		t.Fatal(err)
	}
	pid := f.sup.Pid()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	awaitBackoff(t, clk, backoff)
	_, downErr := p.Describe(t.Context(), nil)
	if downErr == nil || !spierr.IsNotDone(downErr) || !strings.Contains(downErr.Error(), "plugin mem is restarting") {
		t.Fatalf("a call while the plugin is down: %v, want a NotDone error that says it is restarting", downErr)
	}
	if !errors.Is(downErr, spierr.ErrUnavailable) {
		t.Errorf("down error %v is not unavailable", downErr)
	}
	clk.Advance(backoff)
	waitFor(t, cutBound, "the plugin is back", func() bool {
		_, err := p.Describe(t.Context(), nil)
		return err == nil
	})
	if now := f.sup.Pid(); now == pid || now == 0 {
		t.Errorf("pid %d after the restart, was %d", now, pid)
	}
	id, err := p.Provision(t.Context(), instance.Spec{})
	if err != nil || id != "k-1" {
		t.Errorf("Provision after the restart (configured again?): %q %v", id, err)
	}
	if !strings.Contains(f.log.String(), "plugin down; restarting") {
		t.Errorf("no log of the crash:\n%s", f.log)
	}
}

// A plugin that keeps failing is retried with a doubling backoff, capped;
// its error carries its stderr. The backoffs are read off a fake clock:
// each attempt comes only once the clock has passed the backoff before it.
func TestRestartBackoff(t *testing.T) {
	min, max := 100*time.Millisecond, 400*time.Millisecond
	clk := clocktest.New(time.Unix(0, 0))
	f := newFake(t, "broken", "exit", Options{MinBackoff: min, MaxBackoff: max, Clock: clk})
	_, _, err := f.sup.Info(t.Context())
	if err == nil || !spierr.IsNotDone(err) || !strings.Contains(err.Error(), "boom: no config") || !strings.Contains(err.Error(), f.path) {
		t.Fatalf("Info of a failing plugin: %v", err)
	}
	for i, w := range []time.Duration{min, 2 * min, max, max, max} {
		awaitBackoff(t, clk, w)
		if n := len(f.lines()); n != i+1 {
			t.Fatalf("%d attempts before backoff %d, want %d", n, i+1, i+1)
		}
		clk.Advance(w)
	}
	awaitBackoff(t, clk, max)
	if n := len(f.lines()); n != 6 {
		t.Fatalf("%d attempts after five backoffs, want 6", n)
	}
}

// The backoff doubles while a plugin keeps dying young and goes back to
// MinBackoff once it has stayed up ResetAfter, by the injected clock.
func TestBackoffResetsAfterUptime(t *testing.T) {
	const min, reset = 100 * time.Millisecond, time.Minute
	clk := clocktest.New(time.Unix(0, 0))
	f := newFake(t, "mem", "mem", Options{MinBackoff: min, ResetAfter: reset, Clock: clk})
	for i, tt := range []struct {
		up, backoff time.Duration // up: how long the plugin ran before its kill
	}{{0, min}, {reset - time.Second, 2 * min}, {reset, min}} {
		if _, _, err := f.sup.Info(t.Context()); err != nil {
			t.Fatalf("kill %d: %v", i+1, err)
		}
		clk.Advance(tt.up)
		if err := syscall.Kill(f.sup.Pid(), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		awaitBackoff(t, clk, tt.backoff)
		clk.Advance(tt.backoff)
		waitFor(t, cutBound, "the plugin is back", func() bool { return f.sup.Pid() != 0 })
	}
}

// awaitBackoff waits, within cutBound, for the supervisor to wait out a
// backoff on clk, and checks that the backoff is want.
func awaitBackoff(t *testing.T, clk *clocktest.Clock, want time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), cutBound)
	defer cancel()
	if err := clk.WaitWaiters(ctx, 1); err != nil {
		t.Fatalf("the supervisor is not waiting out a backoff: %v", err)
	}
	if got := clk.Pending(); len(got) != 1 || got[0] != want {
		t.Fatalf("the supervisor waits %v, want one backoff of %v", got, want)
	}
}

// Close kills the plugin processes.
func TestCloseKillsPlugins(t *testing.T) {
	f := newFake(t, "mem", "mem", Options{})
	if _, _, err := f.sup.Info(t.Context()); err != nil {
		t.Fatal(err)
	}
	pid := f.sup.Pid()
	f.m.Close()
	if !gone(pid) {
		t.Errorf("plugin %d is alive after Close", pid)
	}
	if _, _, err := f.sup.Info(t.Context()); err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Errorf("Info after Close: %v", err)
	}
}
