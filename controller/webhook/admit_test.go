package webhook

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// step is one delivery of a sequence, after the clock moved by advance.
type step struct {
	advance   time.Duration
	path      string // default /hooks/app
	id        string
	secret    []byte // default secretApp
	wantCode  int
	wantRetry string // Retry-After of a 429
}

func runSteps(t *testing.T, h *harness, steps []step) {
	t.Helper()
	triggers := 0
	for i, s := range steps {
		h.clock.Advance(s.advance)
		path, secret := s.path, s.secret
		if path == "" {
			path = "/hooks/app"
		}
		if secret == nil {
			secret = secretApp
		}
		w := h.do(http.MethodPost, path, github(secret, pushBody, "push", s.id), bytes.NewReader(pushBody))
		if w.Code != s.wantCode {
			t.Fatalf("step %d (%s): status %d, want %d (%s)", i, s.id, w.Code, s.wantCode, w.Body)
		}
		if got := w.Header().Get("Retry-After"); got != s.wantRetry {
			t.Errorf("step %d: Retry-After %q, want %q", i, got, s.wantRetry)
		}
		if s.wantCode == http.StatusAccepted {
			triggers++
		}
		if got := len(h.sources.triggered()); got != triggers {
			t.Fatalf("step %d: %d triggers, want %d", i, got, triggers)
		}
	}
}

func TestRateLimit(t *testing.T) {
	wrong := []byte("wrong")
	tests := []struct {
		name  string
		opts  Options
		steps []step
	}{
		{"burst, then one per rate", Options{Rate: time.Second, Burst: 2}, []step{
			{id: "1", wantCode: 202},
			{id: "2", wantCode: 202},
			{id: "3", wantCode: 429, wantRetry: "1"},
			{advance: 500 * time.Millisecond, id: "3", wantCode: 429, wantRetry: "1"},
			{advance: 500 * time.Millisecond, id: "3", wantCode: 202},
			{id: "4", wantCode: 429, wantRetry: "1"},
		}},
		{"refill stops at the burst", Options{Rate: time.Second, Burst: 2}, []step{
			{id: "1", wantCode: 202},
			{id: "2", wantCode: 202},
			{advance: time.Hour, id: "3", wantCode: 202},
			{id: "4", wantCode: 202},
			{id: "5", wantCode: 429, wantRetry: "1"},
		}},
		{"retry-after rounds up whole seconds", Options{Rate: 10 * time.Second, Burst: 1}, []step{
			{id: "1", wantCode: 202},
			{advance: 2500 * time.Millisecond, id: "2", wantCode: 429, wantRetry: "8"},
			{advance: 7500 * time.Millisecond, id: "2", wantCode: 202},
		}},
		{"per source", Options{Rate: time.Second, Burst: 1}, []step{
			{id: "1", wantCode: 202},
			{id: "2", wantCode: 429, wantRetry: "1"},
			{path: "/hooks/other", secret: secretOther, id: "1", wantCode: 202},
		}},
		{"unauthenticated deliveries take no token", Options{Rate: time.Second, Burst: 1}, []step{
			{id: "1", secret: wrong, wantCode: 401},
			{id: "2", secret: wrong, wantCode: 401},
			{id: "3", secret: wrong, wantCode: 401},
			{id: "4", wantCode: 202},
		}},
		{"a replay takes no token", Options{Rate: time.Second, Burst: 2}, []step{
			{id: "1", wantCode: 202},
			{id: "1", wantCode: 409},
			{id: "2", wantCode: 202},
		}},
		{"a refused delivery is not remembered", Options{Rate: time.Second, Burst: 1}, []step{
			{id: "1", wantCode: 202},
			{id: "2", wantCode: 429, wantRetry: "1"},
			{advance: time.Second, id: "2", wantCode: 202},
			{advance: time.Second, id: "2", wantCode: 409},
		}},
		{"a clock that goes back earns nothing", Options{Rate: time.Second, Burst: 1}, []step{
			{id: "1", wantCode: 202},
			{advance: -time.Hour, id: "2", wantCode: 429, wantRetry: "1"},
			{advance: time.Hour, id: "2", wantCode: 429, wantRetry: "1"},
			{advance: time.Second, id: "2", wantCode: 202},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runSteps(t, newHarness(t, tc.opts), tc.steps)
		})
	}
}

// TestLimitedPushPollsLater: a push refused for rate still gets its poll,
// once the limit allows, and a flood of them one poll.
func TestLimitedPushPollsLater(t *testing.T) {
	h := newHarness(t, Options{Rate: time.Second, Burst: 1})
	runSteps(t, h, []step{
		{id: "1", wantCode: 202},
		{id: "2", wantCode: 429, wantRetry: "1"},
		{id: "3", wantCode: 429, wantRetry: "1"},
	})
	if len(h.waits) != 1 || h.waits[0] != time.Second {
		t.Fatalf("deferred polls scheduled: %v, want one, in 1s", h.waits)
	}
	h.fire()
	if got := h.sources.triggered(); !slices.Equal(got, []string{"app", "app"}) {
		t.Fatalf("triggers %v, want the accepted push's and the deferred one", got)
	}
	h.clock.Advance(time.Second)
	if w := h.do(http.MethodPost, "/hooks/app", github(secretApp, pushBody, "push", "4"), bytes.NewReader(pushBody)); w.Code != 202 {
		t.Fatalf("delivery 4: %d, want 202", w.Code)
	}
	if w := h.do(http.MethodPost, "/hooks/app", github(secretApp, pushBody, "push", "5"), bytes.NewReader(pushBody)); w.Code != 429 {
		t.Fatalf("delivery 5: %d, want 429", w.Code)
	}
	if len(h.waits) != 2 {
		t.Fatalf("after the deferred poll ran, a new refusal schedules another: %v", h.waits)
	}
}

func TestReplay(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		steps []step
	}{
		{"same id refused", Options{Burst: 100}, []step{
			{id: "a", wantCode: 202},
			{id: "a", wantCode: 409},
			{advance: time.Hour, id: "a", wantCode: 409},
		}},
		{"ids are per source", Options{Burst: 100}, []step{
			{id: "a", wantCode: 202},
			{path: "/hooks/other", secret: secretOther, id: "a", wantCode: 202},
			{path: "/hooks/other", secret: secretOther, id: "a", wantCode: 409},
		}},
		{"oldest forgotten first", Options{Burst: 100, Deliveries: 2}, []step{
			{id: "a", wantCode: 202},
			{id: "b", wantCode: 202},
			{id: "b", wantCode: 409},
			{id: "c", wantCode: 202},
			{id: "b", wantCode: 409},
			{id: "a", wantCode: 202},
			{id: "b", wantCode: 202},
		}},
		{"no id: no replay refusal", Options{Burst: 100}, []step{
			{wantCode: 202},
			{wantCode: 202},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runSteps(t, newHarness(t, tc.opts), tc.steps)
		})
	}
}

func TestForget(t *testing.T) {
	h := newHarness(t, Options{Burst: 1})
	runSteps(t, h, []step{
		{id: "a", wantCode: 202},
		{id: "b", wantCode: 429, wantRetry: "1"},
	})
	h.rc.Forget("app")
	w := h.do(http.MethodPost, "/hooks/app", github(secretApp, pushBody, "push", "a"), bytes.NewReader(pushBody))
	if w.Code != http.StatusAccepted {
		t.Fatalf("after Forget: status %d, want 202 (a full bucket, no ids)", w.Code)
	}
}

// Concurrent deliveries with distinct ids all trigger; the same id
// triggers once.
func TestConcurrentDeliveries(t *testing.T) {
	const n = 50
	h := newHarness(t, Options{Burst: 4 * n})
	var wg sync.WaitGroup
	codes := make([]int, 2*n)
	for i := range n {
		for j, id := range []string{fmt.Sprintf("d-%d", i), "same"} {
			wg.Go(func() {
				w := h.do(http.MethodPost, "/hooks/app", generic(secretApp, pushBody, id), bytes.NewReader(pushBody))
				codes[2*i+j] = w.Code
			})
		}
	}
	wg.Wait()
	if got := len(h.sources.triggered()); got != n+1 {
		t.Errorf("%d triggers, want %d", got, n+1)
	}
	if got := countOf(codes, http.StatusConflict); got != n-1 {
		t.Errorf("%d replays refused, want %d (codes %v)", got, n-1, codes)
	}
}

func countOf(codes []int, code int) int {
	return len(slices.DeleteFunc(slices.Clone(codes), func(c int) bool { return c != code }))
}
