package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/internal/syncbuf"
)

// fakeSources holds secrets by name and records the triggers.
type fakeSources struct {
	secrets map[string][]byte

	mu       sync.Mutex
	triggers []string
}

func (f *fakeSources) Secret(name string) ([]byte, bool) {
	s, ok := f.secrets[name]
	return s, ok
}

func (f *fakeSources) Trigger(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.triggers = append(f.triggers, name)
}

func (f *fakeSources) triggered() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.triggers...)
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Secrets of the test sources. Each is distinctive, so that a test can
// search responses and logs for it.
var (
	secretApp   = []byte("s3cret-app-7f2c9a")
	secretOther = []byte("s3cret-other-41d0e8")
)

func newSources() *fakeSources {
	return &fakeSources{secrets: map[string][]byte{
		"app":      secretApp,
		"other":    secretOther,
		"nohook":   nil,
		"emptykey": {},
	}}
}

// sign is the sha256=<hex> signature of body with secret.
func sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// harness is a receiver over fake sources, a fake clock and a log buffer.
type harness struct {
	rc      *Receiver
	sources *fakeSources
	clock   *fakeClock
	log     *syncbuf.Buffer

	mu       sync.Mutex
	deferred []func() // the AfterFunc calls scheduled, run by fire
	waits    []time.Duration
}

// fire runs the deferred calls scheduled so far, as if their time came.
func (h *harness) fire() {
	h.mu.Lock()
	fns := h.deferred
	h.deferred = nil
	h.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	h := &harness{sources: newSources(), clock: newFakeClock(), log: &syncbuf.Buffer{}}
	opts.Sources = h.sources
	opts.Now = h.clock.Now
	opts.AfterFunc = func(d time.Duration, f func()) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.deferred, h.waits = append(h.deferred, f), append(h.waits, d)
	}
	opts.Log = slog.New(slog.NewJSONHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rc, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.rc = rc
	return h
}

// do serves one request and returns its recorded response.
func (h *harness) do(method, path string, hdr http.Header, body io.Reader) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, body)
	for k, v := range hdr {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.rc.ServeHTTP(w, r)
	return w
}

// github returns the headers of a GitHub delivery of body.
func github(secret, body []byte, event, id string) http.Header {
	h := http.Header{}
	h.Set(headerGitHubSignature, sign(secret, body))
	h.Set(headerGitHubEvent, event)
	if id != "" {
		h.Set(headerGitHubDelivery, id)
	}
	return h
}

func gitlab(token, event, id string) http.Header {
	h := http.Header{}
	h.Set(headerGitLabToken, token)
	h.Set(headerGitLabEvent, event)
	if id != "" {
		h.Set(headerGitLabEventUUID, id)
	}
	return h
}

func generic(secret, body []byte, id string) http.Header {
	h := http.Header{}
	h.Set(headerGenericSignature, sign(secret, body))
	if id != "" {
		h.Set(headerGenericDelivery, id)
	}
	return h
}
