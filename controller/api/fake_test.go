package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
)

// fakeBackend answers with its funcs; a nil func answers a zero value.
type fakeBackend struct {
	apply    func(context.Context, api.ApplyRequest) (api.ApplyResponse, error)
	plan     func(context.Context, api.PlanRequest) (api.PlanResponse, error)
	status   func(context.Context) (api.Status, error)
	destroy  func(context.Context, api.DestroyRequest) (api.ApplyResponse, error)
	history  func(context.Context) ([]api.RevisionInfo, error)
	revision func(context.Context, int64) (api.RevisionDetail, error)
	rollback func(context.Context, api.RollbackRequest) (api.ApplyResponse, error)
	ready    func() error
	feed     *feed

	addSource     func(context.Context, api.SourceSpec) (api.SourceInfo, error)
	updateSource  func(context.Context, api.SourceSpec) (api.SourceInfo, error)
	sources       func(context.Context) ([]api.SourceInfo, error)
	source        func(context.Context, string) (api.SourceInfo, error)
	suspendSource func(context.Context, string, bool) (api.SourceInfo, error)
	syncSource    func(context.Context, string, api.SyncRequest) (api.SourceInfo, error)
	removeSource  func(context.Context, string, api.RemoveSourceRequest) error
}

func (f *fakeBackend) Apply(ctx context.Context, req api.ApplyRequest) (api.ApplyResponse, error) {
	if f.apply == nil {
		return api.ApplyResponse{}, nil
	}
	return f.apply(ctx, req)
}

func (f *fakeBackend) Plan(ctx context.Context, req api.PlanRequest) (api.PlanResponse, error) {
	if f.plan == nil {
		return api.PlanResponse{}, nil
	}
	return f.plan(ctx, req)
}

func (f *fakeBackend) Status(ctx context.Context) (api.Status, error) {
	if f.status == nil {
		return api.Status{}, nil
	}
	return f.status(ctx)
}

func (f *fakeBackend) Destroy(ctx context.Context, req api.DestroyRequest) (api.ApplyResponse, error) {
	if f.destroy == nil {
		return api.ApplyResponse{}, nil
	}
	return f.destroy(ctx, req)
}

func (f *fakeBackend) History(ctx context.Context) ([]api.RevisionInfo, error) {
	if f.history == nil {
		return nil, nil
	}
	return f.history(ctx)
}

func (f *fakeBackend) Revision(ctx context.Context, n int64) (api.RevisionDetail, error) {
	if f.revision == nil {
		return api.RevisionDetail{}, nil
	}
	return f.revision(ctx, n)
}

func (f *fakeBackend) Rollback(ctx context.Context, req api.RollbackRequest) (api.ApplyResponse, error) {
	if f.rollback == nil {
		return api.ApplyResponse{}, nil
	}
	return f.rollback(ctx, req)
}

func (f *fakeBackend) Subscribe(ctx context.Context, since int64) ([]resource.Event, <-chan resource.Event) {
	if f.feed == nil {
		return nil, nil // nothing, ever
	}
	return f.feed.Subscribe(ctx, since)
}

func (f *fakeBackend) Ready() error {
	if f.ready == nil {
		return nil
	}
	return f.ready()
}

func (f *fakeBackend) AddSource(ctx context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
	if f.addSource == nil {
		return api.SourceInfo{}, nil
	}
	return f.addSource(ctx, spec)
}

func (f *fakeBackend) UpdateSource(ctx context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
	if f.updateSource == nil {
		return api.SourceInfo{}, nil
	}
	return f.updateSource(ctx, spec)
}

func (f *fakeBackend) Sources(ctx context.Context) ([]api.SourceInfo, error) {
	if f.sources == nil {
		return nil, nil
	}
	return f.sources(ctx)
}

func (f *fakeBackend) Source(ctx context.Context, name string) (api.SourceInfo, error) {
	if f.source == nil {
		return api.SourceInfo{}, nil
	}
	return f.source(ctx, name)
}

func (f *fakeBackend) SuspendSource(ctx context.Context, name string, suspend bool) (api.SourceInfo, error) {
	if f.suspendSource == nil {
		return api.SourceInfo{}, nil
	}
	return f.suspendSource(ctx, name, suspend)
}

func (f *fakeBackend) SyncSource(ctx context.Context, name string, req api.SyncRequest) (api.SourceInfo, error) {
	if f.syncSource == nil {
		return api.SourceInfo{}, nil
	}
	return f.syncSource(ctx, name, req)
}

func (f *fakeBackend) RemoveSource(ctx context.Context, name string, req api.RemoveSourceRequest) error {
	if f.removeSource == nil {
		return nil
	}
	return f.removeSource(ctx, name, req)
}

// feed is an event source as the backend's contract has it: a subscriber
// gets the held events after since, then what is published, until its
// context ends or the feed closes it.
type feed struct {
	mu      sync.Mutex
	held    []resource.Event
	subs    map[chan resource.Event]bool
	started chan int64 // since, for each Subscribe
	ended   chan int64 // since, for each subscription whose context ended
}

func newFeed(held ...resource.Event) *feed {
	return &feed{held: held, subs: map[chan resource.Event]bool{}, started: make(chan int64, 16), ended: make(chan int64, 16)}
}

func (f *feed) Subscribe(ctx context.Context, since int64) ([]resource.Event, <-chan resource.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var backlog []resource.Event
	for _, ev := range f.held {
		if ev.ID > since {
			backlog = append(backlog, ev)
		}
	}
	ch := make(chan resource.Event, 16)
	f.subs[ch] = true
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		if f.subs[ch] {
			delete(f.subs, ch)
			close(ch)
		}
		f.mu.Unlock()
		f.ended <- since
	}()
	f.started <- since
	return backlog, ch
}

// publish sends evs to every subscriber.
func (f *feed) publish(evs ...resource.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.held = append(f.held, evs...)
	for ch := range f.subs {
		for _, ev := range evs {
			ch <- ev
		}
	}
}

// closeAll ends every subscription, as a backend does with a subscriber
// that fell behind.
func (f *feed) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		delete(f.subs, ch)
		close(ch)
	}
}

// serve serves opts (with a fakeBackend if it has no backend) over TCP and
// returns the server and a client holding opts.Token.
func serve(t *testing.T, opts api.ServerOptions) (*httptest.Server, *api.Client) {
	t.Helper()
	if opts.Backend == nil {
		opts.Backend = &fakeBackend{}
	}
	h, err := api.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := api.NewClient(srv.URL, opts.Token)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// response is what a raw request got.
type response struct {
	code   int
	header http.Header
	body   string
	close  bool // the server ends the connection (Connection: close)
}

// request sends a raw request; header holds name, value pairs.
func request(t *testing.T, srv *httptest.Server, method, path, body string, header ...string) response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{code: resp.StatusCode, header: resp.Header, body: string(b), close: resp.Close}
}

// apiError decodes the Error body of r, failing the test if it is not one.
func (r response) apiError(t *testing.T) api.Error {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var e api.Error
	dec := json.NewDecoder(strings.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error == "" {
		t.Fatalf("body %q is not an Error (%v)", r.body, err)
	}
	return e
}
