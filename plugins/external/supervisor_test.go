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
	"github.com/drover/drover/plugins/spierr"
	"github.com/drover/drover/specs"
)

// An external plugin resolves like a built-in: schemas on first lookup,
// then a provider with the plugin's exact capabilities, and its flavor.
func TestRegistryResolvesExternalPlugin(t *testing.T) {
	f := newFake(t, "mem", "mem", Options{})
	reg := plugins.Builtins()
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
	if _, ok := p.(instance.Labeller); !ok {
		t.Error("the provider lost Labeller")
	}
	if _, ok := p.(instance.Watcher); ok {
		t.Error("the provider gained Watcher")
	}
	if _, ok := p.(instance.MetricsSource); ok {
		t.Error("the provider gained MetricsSource")
	}
	if l, ok := instance.Capability[instance.Lagging](p); !ok || l.ListLag() != 5*time.Second {
		t.Errorf("list lag through Unwrap: %v %v", l, ok)
	}
	id, err := p.Provision(t.Context(), instance.Spec{Tags: map[string]string{"a": "b"}})
	if err != nil || id != "m-1" {
		t.Fatalf("Provision: %q %v", id, err)
	}
	if err := p.(instance.Labeller).Label(t.Context(), id, map[string]string{"c": "d"}); err != nil {
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
	reg := plugins.Builtins()
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
// CallTimeout when the caller has none.
func TestHangingPluginCutOffByDeadline(t *testing.T) {
	f := newFake(t, "stuck", "hang", Options{CallTimeout: 500 * time.Millisecond})
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
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = p.Describe(ctx, nil)
	if took := time.Since(start); err == nil || took > 2*time.Second || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Describe with a 300ms deadline: %v after %s", err, took)
	}
	start = time.Now()
	_, err = p.Describe(context.Background(), nil)
	if took := time.Since(start); err == nil || took < 400*time.Millisecond || took > 3*time.Second {
		t.Fatalf("Describe without a deadline, CallTimeout 500ms: %v after %s", err, took)
	}
}

// A plugin that never handshakes fails its start at StartTimeout.
func TestHangBeforeHandshake(t *testing.T) {
	f := newFake(t, "mute", "sleep", Options{StartTimeout: 500 * time.Millisecond})
	start := time.Now()
	_, _, err := f.sup.Info(t.Context())
	if err == nil || !strings.Contains(err.Error(), `plugin "mute" (`+f.path+`)`) || time.Since(start) > 5*time.Second {
		t.Fatalf("Info of a mute plugin: %v after %s", err, time.Since(start))
	}
	if !strings.Contains(err.Error(), "timeout") {
		t.Errorf("the error does not say it timed out: %v", err)
	}
}

// kill -9 the plugin: its calls fail at once, NotDone, while it is down;
// it is restarted, the provider configured again, and calls go through.
func TestRestartAfterKill(t *testing.T) {
	f := newFake(t, "mem", "mem", Options{MinBackoff: 300 * time.Millisecond})
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
	var downErr error
	waitFor(t, 5*time.Second, "calls fail fast while the plugin is down", func() bool {
		_, downErr = p.Describe(t.Context(), nil)
		return downErr != nil && spierr.IsNotDone(downErr) && strings.Contains(downErr.Error(), "plugin mem is restarting")
	})
	if !errors.Is(downErr, spierr.ErrUnavailable) {
		t.Errorf("down error %v is not unavailable", downErr)
	}
	waitFor(t, 10*time.Second, "the plugin is back", func() bool {
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
// its error carries its stderr.
func TestRestartBackoff(t *testing.T) {
	min, max := 100*time.Millisecond, 400*time.Millisecond
	f := newFake(t, "broken", "exit", Options{MinBackoff: min, MaxBackoff: max})
	_, _, err := f.sup.Info(t.Context())
	if err == nil || !spierr.IsNotDone(err) || !strings.Contains(err.Error(), "boom: no config") || !strings.Contains(err.Error(), f.path) {
		t.Fatalf("Info of a failing plugin: %v", err)
	}
	waitFor(t, 10*time.Second, "six attempts", func() bool { return len(f.lines()) >= 6 })
	var at []time.Time
	for _, l := range f.lines()[:6] {
		var ns int64
		if _, err := fmtSscan(l, &ns); err != nil {
			t.Fatal(err)
		}
		at = append(at, time.Unix(0, ns))
	}
	want := []time.Duration{min, 2 * min, max, max, max}
	for i, w := range want {
		gap := at[i+1].Sub(at[i])
		if gap < w || gap > w+time.Second {
			t.Errorf("attempt %d came %s after the one before, want about %s", i+2, gap, w)
		}
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
