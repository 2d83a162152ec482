package reconcile_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/reconcile/clocktest"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func get(t *testing.T, q *reconcile.Queue[string]) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	key, ok := q.Get(ctx)
	if !ok {
		t.Fatal("Get returned nothing")
	}
	return key
}

func TestQueueDeduplicates(t *testing.T) {
	q := reconcile.NewQueue[string](reconcile.QueueOptions{})
	q.Add("a")
	q.Add("b")
	q.Add("a")
	if q.Len() != 2 {
		t.Fatalf("len %d, want 2", q.Len())
	}
	if k := get(t, q); k != "a" {
		t.Fatalf("got %q first", k)
	}
	if k := get(t, q); k != "b" {
		t.Fatalf("got %q second", k)
	}
}

// A key added while it is being processed is processed again afterwards,
// not by a second worker at the same time.
func TestQueueKeyNeverTwiceAtOnce(t *testing.T) {
	q := reconcile.NewQueue[string](reconcile.QueueOptions{})
	q.Add("a")
	k := get(t, q)
	q.Add("a")
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, ok := q.Get(ctx); ok {
		t.Fatal("a key in process was handed out again")
	}
	q.Done(k)
	if k := get(t, q); k != "a" {
		t.Fatalf("got %q", k)
	}
}

func TestQueueAddAfter(t *testing.T) {
	clk := clocktest.New(t0)
	q := reconcile.NewQueue[string](reconcile.QueueOptions{Clock: clk})
	q.AddAfter("late", 10*time.Second)
	q.AddAfter("soon", 2*time.Second)
	q.AddAfter("late", 20*time.Second) // later than already due: ignored
	got := make(chan string, 2)
	go func() {
		for i := 0; i < 2; i++ {
			k, ok := q.Get(t.Context())
			if !ok {
				return
			}
			got <- k
			q.Done(k)
		}
	}()
	clk.BlockUntil(1)
	clk.Advance(2 * time.Second)
	if k := <-got; k != "soon" {
		t.Fatalf("got %q first", k)
	}
	clk.BlockUntil(1)
	clk.Advance(8 * time.Second)
	if k := <-got; k != "late" {
		t.Fatalf("got %q second", k)
	}
}

func TestQueueBackoffDoublesAndResets(t *testing.T) {
	clk := clocktest.New(t0)
	q := reconcile.NewQueue[string](reconcile.QueueOptions{Clock: clk, BaseBackoff: time.Second, MaxBackoff: 4 * time.Second})
	wantDelay := func(d time.Duration) {
		t.Helper()
		q.AddRateLimited("k")
		clk.Advance(d - time.Millisecond)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		if _, ok := q.Get(ctx); ok {
			t.Fatalf("due before %s", d)
		}
		cancel()
		clk.Advance(time.Millisecond)
		q.Done(get(t, q))
	}
	wantDelay(time.Second)
	wantDelay(2 * time.Second)
	wantDelay(4 * time.Second)
	wantDelay(4 * time.Second) // capped
	q.Forget("k")
	wantDelay(time.Second)
}

func TestQueueShutDownAndCancel(t *testing.T) {
	q := reconcile.NewQueue[string](reconcile.QueueOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan bool)
	go func() { _, ok := q.Get(ctx); done <- ok }()
	cancel()
	if <-done {
		t.Fatal("Get returned a key after cancel")
	}
	go func() { _, ok := q.Get(t.Context()); done <- ok }()
	q.ShutDown()
	if <-done {
		t.Fatal("Get returned a key after shut down")
	}
}

type countingReconciler struct {
	mu      sync.Mutex
	running map[string]bool
	calls   atomic.Int64
	overlap atomic.Bool
	fail    map[string]int // fail this many times
	healed  chan struct{}  // closed when "b" succeeds after its failures
}

func (r *countingReconciler) Reconcile(ctx context.Context, key string) (reconcile.Result, error) {
	r.mu.Lock()
	if r.running[key] {
		r.overlap.Store(true)
	}
	r.running[key] = true
	fail := r.fail[key] > 0
	if fail {
		r.fail[key]--
	}
	r.mu.Unlock()
	runtime.Gosched() // let other workers run while the key is held
	r.mu.Lock()
	r.running[key] = false
	if key == "b" && !fail && r.healed != nil {
		close(r.healed)
		r.healed = nil
	}
	r.mu.Unlock()
	r.calls.Add(1)
	if fail {
		return reconcile.Result{}, context.DeadlineExceeded
	}
	return reconcile.Result{}, nil
}

// Many adds of few keys with several workers: no key is reconciled by two
// workers at once, and failures are retried with backoff until they pass.
func TestDriver(t *testing.T) {
	q := reconcile.NewQueue[string](reconcile.QueueOptions{BaseBackoff: time.Millisecond})
	healed := make(chan struct{})
	r := &countingReconciler{running: map[string]bool{}, fail: map[string]int{"b": 2}, healed: healed}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { (&reconcile.Driver[string]{Queue: q, Reconciler: r, Workers: 4}).Run(ctx); close(done) }()
	for i := 0; i < 200; i++ {
		q.Add([]string{"a", "b", "c"}[i%3])
	}
	select {
	case <-healed:
	case <-time.After(time.Minute): // real backoffs of 1 s and 2 s, on a machine maybe loaded
		t.Fatal("the failing key was not retried to success")
	}
	cancel()
	<-done
	if r.overlap.Load() {
		t.Fatal("a key was reconciled by two workers at once")
	}
	if n := r.calls.Load(); n < 3 || n > 200 {
		t.Fatalf("%d reconciles", n)
	}
}
