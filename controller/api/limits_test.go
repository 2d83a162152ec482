package api_test

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
)

// An event stream whose client stops reading is ended by the write
// timeout: the handler and its subscription do not stay for ever.
func TestEventStreamToAClientThatDoesNotReadEnds(t *testing.T) {
	f := newFeed()
	srv, _ := serve(t, api.ServerOptions{Backend: &fakeBackend{feed: f}, Limits: api.Limits{WriteTimeout: 200 * time.Millisecond}})
	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := req.Write(c); err != nil { // and never read a byte
		t.Fatal(err)
	}
	<-f.started
	// More than loopback's socket buffers hold, in fewer events than the
	// subscription's channel holds, so that publish never blocks.
	big := ev(1, "created")
	big.Reason = strings.Repeat("x", 2<<20)
	for i := range 12 {
		big.ID = int64(i + 1)
		f.publish(big)
	}
	select {
	case <-f.ended:
	case <-time.After(30 * time.Second):
		t.Fatal("the stream to a client that does not read is still being written after 30s")
	}
}

// Limits with negative or zero fields take the defaults; the server they
// configure carries them.
func TestNewHTTPServerLimits(t *testing.T) {
	srv := api.NewHTTPServer(t.Context(), http.NotFoundHandler(), api.Limits{ReadHeaderTimeout: -1, IdleTimeout: time.Second})
	if srv.ReadHeaderTimeout != api.DefaultReadHeaderTimeout || srv.ReadTimeout != api.DefaultReadTimeout ||
		srv.IdleTimeout != time.Second || srv.MaxHeaderBytes != api.DefaultMaxHeaderBytes || srv.WriteTimeout != 0 {
		t.Fatalf("server timeouts %v %v %v %v %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout, srv.MaxHeaderBytes, srv.WriteTimeout)
	}
}

// A stream whose client reads outlives the write timeout: each event and
// each heartbeat gets its own.
func TestEventStreamOutlivesTheWriteTimeout(t *testing.T) {
	f := newFeed()
	const heartbeat, writeTimeout = 20 * time.Millisecond, 50 * time.Millisecond
	srv, _ := serve(t, api.ServerOptions{Backend: &fakeBackend{feed: f}, Heartbeat: heartbeat, Limits: api.Limits{WriteTimeout: writeTimeout}})
	ctx, cancel := timeout(t)
	defer cancel()
	br := openStream(t, ctx, srv, "")
	// A heartbeat comes no sooner than its interval after the last frame:
	// after these, several write timeouts have passed.
	for range 4 * int(writeTimeout/heartbeat) {
		if got := readFrame(t, br); got != ": keep-alive\n\n" {
			t.Fatalf("frame %q, want a heartbeat", got)
		}
	}
	f.publish(ev(1, "created"))
	for readFrame(t, br) != frame(ev(1, "created")) { // heartbeats may come first
	}
}
