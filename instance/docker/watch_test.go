package docker_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker"
)

// TestWatch: the stream reports the create and start of a selected
// container, its death within a second of a kill, and its destruction;
// other containers' events are not reported.
func TestWatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "watched", props(t, docker.Properties{Image: e.demo}))
	other := spec(t, "unwatched", props(t, docker.Properties{Image: e.demo}))
	wctx, cancel := context.WithCancel(ctx(t))
	defer cancel()
	changes, err := e.plugin.Watch(wctx, map[string]string{instance.TagGroup: s.Tags[instance.TagGroup], instance.TagOwner: s.Tags[instance.TagOwner]})
	if err != nil {
		t.Fatal(err)
	}
	otherID := e.provision(t, other)
	id := e.provision(t, s)
	expect(t, changes, id, "create", 30*time.Second, otherID)
	expect(t, changes, id, "start", 30*time.Second, otherID)

	killed := time.Now()
	if err := e.cli.ContainerKill(ctx(t), string(id), "KILL"); err != nil {
		t.Fatal(err)
	}
	c := expect(t, changes, id, "die", 30*time.Second, otherID) // the latency is logged; the bound is for a loaded machine
	t.Logf("die reported %v after the kill", time.Since(killed).Round(time.Millisecond))
	if c.Tags[instance.TagGroup] != s.Tags[instance.TagGroup] || c.Tags["image"] != "" {
		t.Errorf("change tags = %v, want the container's labels only", c.Tags)
	}
	if err := e.plugin.Destroy(ctx(t), id, instance.DestroyUnhealthy); err != nil {
		t.Fatal(err)
	}
	expect(t, changes, id, "destroy", 30*time.Second, otherID)

	cancel()
	select {
	case <-closed(changes):
	case <-time.After(30 * time.Second):
		t.Error("the channel is still open 30s after the context ended")
	}
}

// TestWatchHealth: health status changes are reported.
func TestWatchHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "watchhealth", props(t, docker.Properties{Image: e.demo}))
	changes, err := e.plugin.Watch(ctx(t), map[string]string{instance.TagGroup: s.Tags[instance.TagGroup]})
	if err != nil {
		t.Fatal(err)
	}
	id := e.provision(t, s)
	expect(t, changes, id, "health_status: healthy", time.Minute)
}

// expect waits for a change of id with action, skipping others, and
// fails the test after timeout or on a change of one of unselected.
func expect(t *testing.T, changes <-chan instance.Change, id instance.ID, action string, timeout time.Duration, unselected ...instance.ID) instance.Change {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case c, ok := <-changes:
			if !ok {
				t.Fatalf("the watch ended before %q of %s", action, id)
			}
			if slices.Contains(unselected, c.ID) {
				t.Errorf("a change of an unselected container: %+v", c)
			}
			if c.ID == id && c.Action == action {
				return c
			}
		case <-deadline:
			t.Fatalf("no %q of %s within %v", action, id, timeout)
		}
	}
}

// closed returns a channel closed once changes is closed (it reads
// whatever is still pending).
func closed(changes <-chan instance.Change) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range changes {
		}
	}()
	return done
}
