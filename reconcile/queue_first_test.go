package reconcile_test

import (
	"testing"
	"time"

	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/reconcile/clocktest"
)

// AddFirst puts a key ahead of those already due, once, and takes it out
// of a delay; a key in process is processed again afterwards, as Add does.
func TestQueueAddFirst(t *testing.T) {
	q := reconcile.NewQueue[string](reconcile.QueueOptions{Clock: clocktest.New(t0)})
	q.Add("a")
	q.Add("b")
	q.AddAfter("urgent", time.Hour)
	q.AddFirst("urgent")
	q.AddFirst("b")
	if q.Len() != 3 {
		t.Fatalf("len %d, want 3", q.Len())
	}
	for _, want := range []string{"b", "urgent", "a"} {
		if k := get(t, q); k != want {
			t.Fatalf("got %q, want %q", k, want)
		}
	}
	q.AddFirst("a") // in process
	q.Done("urgent")
	q.Done("b")
	q.Done("a")
	if k := get(t, q); k != "a" || q.Len() != 0 {
		t.Fatalf("got %q and %d more, want a alone", k, q.Len())
	}
}
