package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func ev(id int64, kind string) resource.Event {
	return resource.Event{ID: id, Time: t0.Add(time.Duration(id) * time.Second), Resource: resource.Group.KeyOf("web"), Kind: kind, Instance: fmt.Sprintf("web-%d", id)}
}

// held are the events a feed holds at the start of a test.
func held() []resource.Event {
	return []resource.Event{ev(1, "applied"), ev(2, "created"), ev(3, "converged")}
}

// frame is ev as the stream carries it.
func frame(e resource.Event) string {
	b, _ := json.Marshal(e)
	return fmt.Sprintf("id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Kind, b)
}

// openStream starts GET /v1/events?query. Cancel ctx to leave.
func openStream(t *testing.T, ctx context.Context, srv *httptest.Server, query string, header ...string) *bufio.Reader {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/events?"+query, nil)
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
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("got %d %s", resp.StatusCode, b)
	}
	for name, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache"} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s %q, want %q", name, got, want)
		}
	}
	return bufio.NewReader(resp.Body)
}

// readFrame reads up to and including the next blank line.
func readFrame(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			t.Fatalf("after %q: %v", b.String(), err)
		}
		if line == "\n" {
			return b.String()
		}
	}
}

// timeout bounds a test that waits on a stream.
func timeout(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), 10*time.Second)
}

func TestEventsStream(t *testing.T) {
	f := newFeed(held()...)
	srv, _ := serve(t, api.ServerOptions{Backend: &fakeBackend{feed: f}})
	ctx, cancel := timeout(t)
	defer cancel()
	br := openStream(t, ctx, srv, "since=1")
	if since := <-f.started; since != 1 {
		t.Errorf("subscribed since %d, want 1", since)
	}
	for _, want := range held()[1:] {
		if got := readFrame(t, br); got != frame(want) {
			t.Errorf("backlog frame %q, want %q", got, frame(want))
		}
	}
	live := []resource.Event{ev(4, "destroyed"), ev(5, "lost"), ev(6, "create_failed")}
	f.publish(live...)
	for _, want := range live {
		if got := readFrame(t, br); got != frame(want) {
			t.Errorf("live frame %q, want %q", got, frame(want))
		}
	}
	cancel() // the client leaves: the subscription ends
	if since := <-f.ended; since != 1 {
		t.Errorf("ended the subscription since %d, want 1", since)
	}
}

func TestEventsSince(t *testing.T) {
	for _, tc := range []struct {
		name, query, lastID string
		want                int64
		bad                 string
	}{
		{name: "from the start", query: "follow=false", want: 0},
		{name: "since", query: "since=2&follow=false", want: 2},
		{name: "Last-Event-ID", query: "follow=false", lastID: "3", want: 3},
		{name: "Last-Event-ID wins over since", query: "since=1&follow=false", lastID: "3", want: 3},
		{name: "bad since", query: "since=two", bad: `since "two": want an event ID`},
		{name: "negative since", query: "since=-1", bad: "want an event ID"},
		{name: "bad Last-Event-ID", query: "since=1", lastID: "x", bad: `Last-Event-ID "x"`},
		{name: "bad follow", query: "follow=maybe", bad: "follow=maybe: want true or false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFeed(held()...)
			srv, _ := serve(t, api.ServerOptions{Backend: &fakeBackend{feed: f}})
			var hdr []string
			if tc.lastID != "" {
				hdr = []string{"Last-Event-ID", tc.lastID}
			}
			r := request(t, srv, "GET", "/v1/events?"+tc.query, "", hdr...)
			if tc.bad != "" {
				if r.code != 400 {
					t.Fatalf("got %d %s, want 400", r.code, r.body)
				}
				if e := r.apiError(t); !strings.Contains(e.Error, tc.bad) {
					t.Errorf("error %q does not say %q", e.Error, tc.bad)
				}
				return
			}
			if since := <-f.started; since != tc.want {
				t.Errorf("subscribed since %d, want %d", since, tc.want)
			}
			var want strings.Builder
			for _, e := range held()[tc.want:] {
				want.WriteString(frame(e))
			}
			if r.code != 200 || r.body != want.String() {
				t.Errorf("got %d %q, want %q", r.code, r.body, want.String())
			}
		})
	}
}

func TestEventsWithoutFollowEnd(t *testing.T) {
	f := newFeed(held()...)
	srv, _ := serve(t, api.ServerOptions{Backend: &fakeBackend{feed: f}})
	r := request(t, srv, "GET", "/v1/events?follow=false", "")
	want := frame(held()[0]) + frame(held()[1]) + frame(held()[2])
	if r.code != 200 || r.body != want {
		t.Errorf("got %d %q, want %q", r.code, r.body, want)
	}
	<-f.ended // the subscription was let go
}

func TestEventsEndWhenTheBackendClosesTheChannel(t *testing.T) {
	f := newFeed()
	srv, _ := serve(t, api.ServerOptions{Backend: &fakeBackend{feed: f}})
	ctx, cancel := timeout(t)
	defer cancel()
	br := openStream(t, ctx, srv, "")
	<-f.started
	f.publish(ev(1, "created"))
	if got := readFrame(t, br); got != frame(ev(1, "created")) {
		t.Errorf("frame %q", got)
	}
	f.closeAll()
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after the channel closed: %q, %v; want a clean end", rest, err)
	}
}

func TestEventsHeartbeat(t *testing.T) {
	f := newFeed()
	srv, _ := serve(t, api.ServerOptions{Backend: &fakeBackend{feed: f}, Heartbeat: time.Millisecond})
	ctx, cancel := timeout(t)
	defer cancel()
	br := openStream(t, ctx, srv, "")
	for range 3 {
		if got := readFrame(t, br); got != ": keep-alive\n\n" {
			t.Fatalf("frame %q, want a heartbeat", got)
		}
	}
	f.publish(ev(1, "created"))
	for { // heartbeats may come before the event
		got := readFrame(t, br)
		if got == frame(ev(1, "created")) {
			break
		}
		if got != ": keep-alive\n\n" {
			t.Fatalf("frame %q", got)
		}
	}
}

func TestClientEvents(t *testing.T) {
	errStop := errors.New("stop")
	for _, tc := range []struct {
		name    string
		since   int64
		follow  bool
		publish bool // publish 4 and 5 once subscribed
		// on is called with each event; it may act on the feed or end
		// the stream.
		on      func(f *feed, cancel context.CancelFunc, e resource.Event) error
		want    []int64
		wantErr string
	}{
		{name: "backlog only", since: 1, want: []int64{2, 3}},
		{name: "nothing held", since: 3, want: nil},
		{
			name: "backlog then live", since: 0, follow: true, publish: true, want: []int64{1, 2, 3, 4, 5},
			on: func(_ *feed, cancel context.CancelFunc, e resource.Event) error {
				if e.ID == 5 {
					cancel() // the caller is done: nil
				}
				return nil
			},
		},
		{
			name: "live only", since: 3, follow: true, publish: true, want: []int64{4, 5},
			on: func(_ *feed, cancel context.CancelFunc, e resource.Event) error {
				if e.ID == 5 {
					cancel()
				}
				return nil
			},
		},
		{
			name: "the daemon ends the stream", since: 1, follow: true, want: []int64{2, 3},
			wantErr: "ended the event stream after event 3",
			on: func(f *feed, _ context.CancelFunc, e resource.Event) error {
				if e.ID == 3 {
					f.closeAll()
				}
				return nil
			},
		},
		{
			name: "fn fails", since: 0, follow: true, want: []int64{1, 2}, wantErr: "stop",
			on: func(_ *feed, _ context.CancelFunc, e resource.Event) error {
				if e.ID == 2 {
					return errStop
				}
				return nil
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFeed(held()...)
			_, c := serve(t, api.ServerOptions{Backend: &fakeBackend{feed: f}})
			ctx, cancel := timeout(t)
			defer cancel()
			if tc.publish {
				go func() {
					<-f.started
					f.publish(ev(4, "destroyed"), ev(5, "converged"))
				}()
			}
			var got []resource.Event
			err := c.Events(ctx, tc.since, tc.follow, func(e resource.Event) error {
				got = append(got, e)
				if tc.on != nil {
					return tc.on(f, cancel, e)
				}
				return nil
			})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Events: %v, want error %q", err, tc.wantErr)
			}
			if tc.wantErr == "stop" && !errors.Is(err, errStop) {
				t.Errorf("Events: %v is not fn's error", err)
			}
			var ids []int64
			for _, e := range got {
				ids = append(ids, e.ID)
				if want := ev(e.ID, e.Kind); e.Resource != want.Resource || !e.Time.Equal(want.Time) || e.Instance != want.Instance {
					t.Errorf("event %+v, want %+v", e, want)
				}
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("got events %v, want %v", ids, tc.want)
			}
		})
	}
}
