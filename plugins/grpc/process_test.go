package plugingrpc

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
	hclog "github.com/hashicorp/go-hclog"
)

// TestProcessDeadline: a plugin process that ignores its context is cut
// off at the caller's deadline.
func TestProcessDeadline(t *testing.T) {
	_, rpc := startProcess(t, "hang")
	p := configure(t, dispense[*InstanceClient](t, rpc, PluginInstance), "p")
	const timeout = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	start := time.Now()
	_, err := p.Describe(ctx, nil)
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Describe = %v, want context.DeadlineExceeded", err)
	}
	// Never before the deadline; the upper bound tells a cut-off call
	// from a hung one, with room for a loaded machine.
	if elapsed < timeout || elapsed > timeout+30*time.Second {
		t.Errorf("Describe returned after %v, want %v and not much more", elapsed, timeout)
	}
	t.Logf("cut off after %v: %v", elapsed, err)
}

// TestProcessDeath: when the plugin process dies, Done closes, open
// watches end, and calls fail with spierr.ErrUnavailable errors whose
// outcome is unknown (not NotDone).
func TestProcessDeath(t *testing.T) {
	client, rpc := startProcess(t, "full")
	c := dispense[*InstanceClient](t, rpc, PluginInstance)
	fc := dispense[*FlavorClient](t, rpc, PluginFlavor)
	p := configure(t, c, "p")
	w, ok := instance.Capability[instance.Watcher](p)
	if !ok {
		t.Fatal("the full plugin is not a Watcher")
	}
	changes, err := w.Watch(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(client.ReattachConfig().Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	<-fc.Done()
	for range changes { // closed when the stream breaks
	}
	_, err = p.Describe(t.Context(), nil)
	if !errors.Is(err, spierr.ErrUnavailable) || spierr.IsNotDone(err) {
		t.Errorf("Describe after the plugin died = %v, want spierr.ErrUnavailable, outcome unknown", err)
	}
}

// TestProcessFlavor: a flavor served by a plugin process.
func TestProcessFlavor(t *testing.T) {
	_, rpc := startProcess(t, "full")
	c := dispense[*FlavorClient](t, rpc, PluginFlavor)
	f, err := c.Flavor(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	spec, err := f.Prepare(t.Context(), []byte(`{"init":"echo hi","labels":{"team":"ops"}}`),
		instance.Spec{Name: "web-1", Init: "echo 1"}, flavor.Allocation{Group: "web", Size: 1})
	if err != nil || spec.Init != "echo 1\necho hi" || spec.Tags["team"] != "ops" {
		t.Errorf("Prepare = %+v, %v; want vanilla's init and labels", spec, err)
	}
	if err := f.Validate(t.Context(), []byte(`{"nope":1}`), flavor.Allocation{}); !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("Validate(bad) = %v, want spierr.ErrInvalid", err)
	}
}

// TestServeConfigChecked: Serve refuses a configuration drover could not
// use, before the handshake.
func TestServeConfigChecked(t *testing.T) {
	vp := vanillaProvider()
	badSchema := vanillaProvider()
	badSchema.Schema = vanillaLikeSchema()
	badSchema.Schema.Attributes = append(badSchema.Schema.Attributes, badSchema.Schema.Attributes[0])
	tests := []struct {
		name string
		cfg  ServeConfig
		ok   bool
	}{
		{"nothing", ServeConfig{}, false},
		{"instance without New", ServeConfig{Instance: &InstanceProvider{}}, false},
		{"flavor without New", ServeConfig{Flavor: &FlavorProvider{}}, false},
		{"invalid schema", ServeConfig{Flavor: &badSchema}, false},
		{"flavor", ServeConfig{Flavor: &vp}, true},
		{"both", ServeConfig{Flavor: &vp, Instance: func() *InstanceProvider { p := provide(newFull()); return &p }()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := pluginSet(tt.cfg); (err == nil) != tt.ok {
				t.Errorf("pluginSet = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// TestWatchParent: the plugin exits once its parent changes.
func TestWatchParent(t *testing.T) {
	ppids := make(chan int)
	exited := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		watchParent(hclog.NewNullLogger(), 100, time.Millisecond, func() int { return <-ppids }, func(code int) { exited <- code })
	}()
	ppids <- 100 // still drover
	ppids <- 100 // taken once the first answer was judged
	select {
	case code := <-exited:
		t.Fatalf("exited with %d while the parent was drover", code)
	default:
	}
	ppids <- 1 // reparented
	<-done
	if code := <-exited; code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}
