package instancetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Run runs the conformance suite against h. Every instance it creates is
// destroyed by the time it returns.
func Run(t *testing.T, h Harness) {
	if h.New == nil || len(h.Properties) == 0 {
		t.Fatal("instancetest: the harness needs New and Properties")
	}
	s := &suite{h: h, plugin: h.New(t), token: "c" + randomToken()}
	t.Cleanup(func() { s.destroyAll(t) })
	t.Run("validate", s.testValidate)
	t.Run("lifecycle", s.testLifecycle)
	t.Run("describe_nothing", s.testDescribeNothing)
	t.Run("destroy_unknown", s.testDestroyUnknown)
	t.Run("concurrent_provisions", s.testConcurrent)
	t.Run("name_conflict", s.testConflict)
	t.Run("watch", s.testWatch)
}

// testValidate: Properties pass, each of BadProperties is invalid.
func (s *suite) testValidate(t *testing.T) {
	if err := s.plugin.Validate(s.ctx(t), s.h.Properties); err != nil {
		t.Errorf("Validate(Properties) = %v, want nil", err)
	}
	for i, bad := range s.h.BadProperties {
		if err := s.plugin.Validate(s.ctx(t), bad); !errors.Is(err, spierr.ErrInvalid) {
			t.Errorf("Validate(BadProperties[%d] %s) = %v, want a spierr.ErrInvalid error", i, bad, err)
		}
	}
}

// testLifecycle: provision, describe (tags round-trip), destroy, destroy
// again.
func (s *suite) testLifecycle(t *testing.T) {
	spec := s.spec("life")
	spec.LogicalID = "l1" // set as a field only: the plugin must keep it
	id := s.provision(t, spec)
	s.settle(t, func() error {
		d, err := s.describeOne(t, spec, id)
		if err != nil {
			return err
		}
		return checkDescription(d, spec)
	})
	if err := s.plugin.Destroy(s.ctx(t), id, instance.DestroyTerminate); err != nil {
		t.Fatalf("Destroy(%s) = %v, want nil", id, err)
	}
	s.settle(t, func() error { return s.gone(t, spec, id) })
	s.settle(t, func() error {
		if err := s.plugin.Destroy(s.ctx(t), id, instance.DestroyTerminate); !errors.Is(err, spierr.ErrNotFound) {
			return fmt.Errorf("Destroy of a destroyed instance = %v, want a spierr.ErrNotFound error", err)
		}
		return nil
	})
}

// testDescribeNothing: a selector that matches nothing is an empty list.
func (s *suite) testDescribeNothing(t *testing.T) {
	sel := s.selector()
	sel[instance.TagGroup] = "nothing-" + s.token
	got, err := s.plugin.Describe(s.ctx(t), sel)
	if err != nil || len(got) != 0 {
		t.Errorf("Describe(%v) = %v, %v; want an empty list and nil", sel, got, err)
	}
}

// testDestroyUnknown: destroying an id the backend never had is not found.
func (s *suite) testDestroyUnknown(t *testing.T) {
	if err := s.plugin.Destroy(s.ctx(t), UnknownID, instance.DestroyTerminate); !errors.Is(err, spierr.ErrNotFound) {
		t.Errorf("Destroy(%s) = %v, want a spierr.ErrNotFound error", UnknownID, err)
	}
}

// concurrency is how many provisions testConcurrent runs at once.
const concurrency = 6

// testConcurrent: concurrent provisions all succeed, with distinct ids,
// and are all described.
func (s *suite) testConcurrent(t *testing.T) {
	ids := make([]instance.ID, concurrency)
	errs := make([]error, concurrency)
	var wg sync.WaitGroup
	for i := range concurrency {
		wg.Go(func() {
			spec := s.spec(fmt.Sprintf("many-%d", i))
			spec.Tags["conformance.batch"] = "many"
			ids[i], errs[i] = s.plugin.Provision(s.ctx(t), spec)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Provision %d: %v", i, err)
		} else {
			s.destroyLater(t, ids[i])
		}
	}
	if t.Failed() {
		return
	}
	if distinct := slices.Compact(slices.Sorted(slices.Values(ids))); len(distinct) != concurrency {
		t.Fatalf("concurrent provisions returned ids %v: not %d distinct ids", ids, concurrency)
	}
	sel := s.selector()
	sel["conformance.batch"] = "many"
	s.settle(t, func() error {
		got, err := s.plugin.Describe(s.ctx(t), sel)
		if err != nil {
			return fmt.Errorf("Describe: %w", err)
		}
		if have := describedIDs(got); !slices.Equal(have, slices.Sorted(slices.Values(ids))) {
			return fmt.Errorf("Describe lists %v, want exactly %v", have, slices.Sorted(slices.Values(ids)))
		}
		return nil
	})
}

// testConflict: a name in use is refused with spierr.ErrConflict and the
// existing instance stays.
func (s *suite) testConflict(t *testing.T) {
	first := s.spec("dup")
	id := s.provision(t, first)
	second := s.spec("dup")
	second.Tags["conformance.attempt"] = "second"
	if id2, err := s.plugin.Provision(s.ctx(t), second); !errors.Is(err, spierr.ErrConflict) {
		if err == nil {
			s.destroyLater(t, id2)
		}
		t.Fatalf("Provision of a name in use = %q, %v; want a spierr.ErrConflict error", id2, err)
	}
	s.settle(t, func() error {
		d, err := s.describeOne(t, first, id)
		if err != nil {
			return err
		}
		if d.State == instance.StateTerminated {
			return fmt.Errorf("the existing instance %s is %s after a conflicting provision", id, d.State)
		}
		if d.Tags["conformance.attempt"] != "" || d.Tags[instance.TagRequest] != first.Tags[instance.TagRequest] {
			return fmt.Errorf("the existing instance %s has tags %v: the conflicting provision changed it", id, d.Tags)
		}
		return nil
	})
}

// watchTimeout is how long testWatch waits for a change.
const watchTimeout = 30 * time.Second

// testWatch: a Watcher reports the creation and destruction of an
// instance it selects.
func (s *suite) testWatch(t *testing.T) {
	w, ok := instance.Capability[instance.Watcher](s.plugin)
	if !ok {
		t.Skip("the plugin is not an instance.Watcher")
	}
	spec := s.spec("watched")
	sel := s.selector()
	sel["conformance.case"] = "watched"
	changes, err := w.Watch(s.ctx(t), sel)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	id := s.provision(t, spec)
	waitChange(t, changes, id)
	if err := s.plugin.Destroy(s.ctx(t), id, instance.DestroyTerminate); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	waitChange(t, changes, id)
}

// waitChange waits for a change of id.
func waitChange(t *testing.T, changes <-chan instance.Change, id instance.ID) {
	t.Helper()
	timeout := time.After(watchTimeout)
	for {
		select {
		case c, ok := <-changes:
			if !ok {
				t.Fatalf("the watch ended before a change of %s", id)
			}
			if c.ID == id {
				return
			}
		case <-timeout:
			t.Fatalf("no change of %s within %v", id, watchTimeout)
		}
	}
}

// provision provisions spec, failing the test on error, and destroys the
// instance when the test ends.
func (s *suite) provision(t *testing.T, spec instance.Spec) instance.ID {
	t.Helper()
	id, err := s.plugin.Provision(s.ctx(t), spec)
	if err != nil {
		t.Fatalf("Provision(%s): %v", spec.Name, err)
	}
	if id == "" {
		t.Fatalf("Provision(%s) returned an empty id", spec.Name)
	}
	s.destroyLater(t, id)
	return id
}

// destroyLater destroys id when the test ends; not found is fine.
func (s *suite) destroyLater(t *testing.T, id instance.ID) {
	t.Cleanup(func() {
		ctx, cancel := s.cleanupCtx()
		defer cancel()
		err := s.plugin.Destroy(ctx, id, instance.DestroyTerminate)
		if err != nil && !errors.Is(err, spierr.ErrNotFound) {
			t.Errorf("cleanup: Destroy(%s): %v", id, err)
		}
	})
}

// describeOne describes the instances with spec's case tag and returns
// the one with id, which must be the only one.
func (s *suite) describeOne(t *testing.T, spec instance.Spec, id instance.ID) (instance.Description, error) {
	sel := s.selector()
	sel["conformance.case"] = spec.Tags["conformance.case"]
	got, err := s.plugin.Describe(s.ctx(t), sel)
	if err != nil {
		return instance.Description{}, fmt.Errorf("Describe: %w", err)
	}
	if len(got) != 1 || got[0].ID != id {
		return instance.Description{}, fmt.Errorf("Describe(%v) lists %v, want exactly [%s]", sel, describedIDs(got), id)
	}
	return got[0], nil
}

// gone checks that id is no longer described, or described terminated.
func (s *suite) gone(t *testing.T, spec instance.Spec, id instance.ID) error {
	got, err := s.plugin.Describe(s.ctx(t), s.selector())
	if err != nil {
		return fmt.Errorf("Describe: %w", err)
	}
	for _, d := range got {
		if d.ID == id && d.State != instance.StateTerminated {
			return fmt.Errorf("%s is still described, %s, after Destroy", id, d.State)
		}
	}
	return nil
}

// checkDescription checks what the backend reports against the spec.
func checkDescription(d instance.Description, spec instance.Spec) error {
	for k, want := range spec.Tags {
		if got, ok := d.Tags[k]; !ok || got != want {
			return fmt.Errorf("tag %q = %q (present: %v), want %q; tags: %v", k, got, ok, want, d.Tags)
		}
	}
	if d.LogicalID != spec.LogicalID {
		return fmt.Errorf("LogicalID = %q, want %q", d.LogicalID, spec.LogicalID)
	}
	if !slices.Contains(states, d.State) {
		return fmt.Errorf("State = %q, not one of %v", d.State, states)
	}
	if d.CreatedAt.IsZero() || d.CreatedAt.After(time.Now().Add(time.Hour)) {
		return fmt.Errorf("CreatedAt = %v, want the creation time", d.CreatedAt)
	}
	for _, a := range d.Addresses {
		if a.IP == "" || (a.Kind != instance.AddressPrivate && a.Kind != instance.AddressPublic) {
			return fmt.Errorf("bad address %+v", a)
		}
	}
	return nil
}

// states are the valid instance states.
var states = []instance.State{
	instance.StatePending, instance.StateRunning, instance.StateStopped,
	instance.StateTerminated, instance.StateUnknown,
}

// describedIDs returns the sorted ids of descriptions.
func describedIDs(ds []instance.Description) []instance.ID {
	ids := make([]instance.ID, 0, len(ds))
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	return ids
}

// destroyAll destroys whatever of the run is still described, and fails
// the test if anything remains.
func (s *suite) destroyAll(t *testing.T) {
	ctx, cancel := s.cleanupCtx()
	defer cancel()
	got, err := s.plugin.Describe(ctx, s.selector())
	if err != nil {
		t.Errorf("final cleanup: Describe: %v", err)
		return
	}
	for _, d := range got {
		if d.State == instance.StateTerminated {
			continue
		}
		switch err := s.plugin.Destroy(ctx, d.ID, instance.DestroyTerminate); {
		case errors.Is(err, spierr.ErrNotFound): // gone already; the list lags
		case err != nil:
			t.Errorf("final cleanup: Destroy(%s): %v", d.ID, err)
		default:
			t.Errorf("final cleanup: %s (case %q) was left behind; destroyed it", d.ID, d.Tags["conformance.case"])
		}
	}
}
