package plugingrpc

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/spierr"
)

// streamer is a Watcher the test drives: each Watch takes the next
// channel from streams, or fails with err.
type streamer struct {
	*fake.Plugin
	err     error
	streams chan chan instance.Change
	ended   chan struct{} // receives when a Watch's context ends
}

func (s *streamer) Watch(ctx context.Context, _ map[string]string) (<-chan instance.Change, error) {
	if s.err != nil {
		return nil, s.err
	}
	go func() {
		<-ctx.Done()
		s.ended <- struct{}{}
	}()
	return <-s.streams, nil
}

func newStreamer(err error) *streamer {
	return &streamer{Plugin: fake.New(nil), err: err, streams: make(chan chan instance.Change, 1), ended: make(chan struct{}, 1)}
}

// watcher configures s over gRPC and returns its Watcher.
func watcher(t *testing.T, s *streamer) instance.Watcher {
	t.Helper()
	p := provide(s)
	p.Capabilities = []instance.Declaration{instance.Watching}
	w, ok := instance.Capability[instance.Watcher](configure(t, dialInstance(t, p), "p"))
	if !ok {
		t.Fatal("not a Watcher")
	}
	return w
}

// TestWatchStream: changes arrive in order; when the plugin closes its
// channel, drover's closes.
func TestWatchStream(t *testing.T) {
	s := newStreamer(nil)
	src := make(chan instance.Change)
	s.streams <- src
	changes, err := watcher(t, s).Watch(t.Context(), map[string]string{"g": "web"})
	if err != nil {
		t.Fatal(err)
	}
	sent := []instance.Change{
		{ID: "1", Tags: map[string]string{"g": "web"}, Action: "create"},
		{ID: "2", Action: "die"},
	}
	for _, c := range sent {
		src <- c
		if got := <-changes; got.ID != c.ID || got.Action != c.Action || got.Tags["g"] != c.Tags["g"] {
			t.Errorf("change %+v, want %+v", got, c)
		}
	}
	close(src)
	if c, ok := <-changes; ok {
		t.Errorf("after the plugin closed its channel: %+v, want drover's closed", c)
	}
}

// TestWatchCancel: ending the caller's context ends the plugin's Watch
// context and closes drover's channel.
func TestWatchCancel(t *testing.T) {
	s := newStreamer(nil)
	s.streams <- make(chan instance.Change) // never closed by the plugin
	ctx, cancel := context.WithCancel(t.Context())
	changes, err := watcher(t, s).Watch(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-s.ended
	for range changes {
	}
}

// TestWatchError: the plugin's Watch error is Watch's, typed.
func TestWatchError(t *testing.T) {
	s := newStreamer(spierr.UnavailableAfter("mem.Watch", 3*time.Second, "events down"))
	_, err := watcher(t, s).Watch(t.Context(), nil)
	if !errors.Is(err, spierr.ErrUnavailable) || spierr.RetryAfter(err) != 3*time.Second || err.Error() != "mem.Watch: events down" {
		t.Errorf("Watch = %v, want the plugin's error", err)
	}
}
