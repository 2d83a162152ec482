package daemon_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/daemon"
	"github.com/drover/drover/instance/fake"
)

// abuseToken is the API token of the abuse tests.
const abuseToken = "abuse-test-token-0123456789"

// cutBound is how long a test waits for the server to cut a connection
// off: far above the injected timeouts, so that a loaded machine does not
// fail the test, and finite, so that a connection the server never cuts
// does.
const cutBound = 30 * time.Second

// startAPI starts a daemon serving its API on loopback TCP with lim.
func startAPI(t *testing.T, lim api.Limits) (*harness, string) {
	t.Helper()
	h := &harness{t: t, resync: time.Hour, plugin: fake.New(nil), dir: shortTempDir(t)}
	opts := h.options()
	opts.Listen, opts.Token, opts.API = "127.0.0.1:0", abuseToken, lim
	h.startWith(opts)
	t.Cleanup(h.stop)
	return h, h.d.Addr()
}

// dial opens a raw connection, closed when the test ends.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, cutBound)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// awaitCut reads c, dropping what the server sends, until the server
// closes it; it fails the test when c is still open after cutBound.
func awaitCut(c net.Conn) error {
	if err := c.SetReadDeadline(time.Now().Add(cutBound)); err != nil {
		return err
	}
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("the server still holds the connection after %v", cutBound)
	}
	return nil // EOF or a reset: cut
}

// serving checks that the daemon answers a client with the token.
func serving(t *testing.T, addr string) {
	t.Helper()
	c, err := api.NewClient(addr, abuseToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Status(t.Context()); err != nil {
		t.Fatalf("the daemon no longer serves a client with the token: %v", err)
	}
}

// A client without the token is answered 401 with Connection: close, its
// promised body is never waited for beyond ReadHeaderTimeout, and 500 of
// them at once leave the daemon serving.
func TestAbusePromisedBodies(t *testing.T) {
	_, addr := startAPI(t, api.Limits{ReadHeaderTimeout: 200 * time.Millisecond, MaxConns: 64})
	const clients = 500
	errs := make(chan error, clients)
	for i := range clients {
		go func() { errs <- promiseBody(addr, i%2 == 0) }()
	}
	for range clients { // each ends within cutBound
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	serving(t, addr)
}

// promiseBody sends a request that promises 10 bytes of body and sends
// none, with a wrong token or none, and checks it is answered 401 with
// Connection: close and then cut off.
func promiseBody(addr string, wrongToken bool) error {
	c, err := net.DialTimeout("tcp", addr, cutBound)
	if err != nil {
		return err
	}
	defer c.Close()
	auth := ""
	if wrongToken {
		auth = "Authorization: Bearer " + strings.Repeat("x", len(abuseToken)) + "\r\n"
	}
	if _, err := fmt.Fprintf(c, "POST /v1/apply HTTP/1.1\r\nHost: drover\r\n%sContent-Type: application/json\r\nContent-Length: 10\r\n\r\n", auth); err != nil {
		return err
	}
	if err := c.SetReadDeadline(time.Now().Add(cutBound)); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return fmt.Errorf("no response to a request without the token: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
		return fmt.Errorf("a request without the token got %s (Connection: %q), want 401 and Connection: close", resp.Status, resp.Header.Get("Connection"))
	}
	return awaitCut(c)
}

// Slowloris headers, trickled bodies (with and without the token) and
// idle kept-alive connections are each cut off, and the daemon serves a
// client with the token after each.
func TestAbuseSlowClientsCutOff(t *testing.T) {
	_, addr := startAPI(t, api.Limits{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: time.Second, IdleTimeout: 500 * time.Millisecond})
	for _, tc := range []struct {
		name string
		head string // sent at once
		drip bool   // then a byte at a time until the server hangs up
	}{
		{"silent connection", "", false},
		{"slowloris headers", "GET /v1/status HTTP/1.1\r\nHost: drover\r\n", true},
		{"trickled body without the token", "POST /v1/apply HTTP/1.1\r\nHost: drover\r\nContent-Length: 100000\r\n\r\n", true},
		{"trickled body with the token", "POST /v1/apply HTTP/1.1\r\nHost: drover\r\nAuthorization: Bearer " + abuseToken + "\r\nContent-Length: 100000\r\n\r\n{", true},
		{"idle after a request with the token", "GET /v1/status HTTP/1.1\r\nHost: drover\r\nAuthorization: Bearer " + abuseToken + "\r\n\r\n", false},
		{"healthz without the token", "GET /healthz HTTP/1.1\r\nHost: drover\r\n\r\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			if _, err := io.WriteString(c, tc.head); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			dripped := make(chan struct{})
			go func() {
				defer close(dripped)
				if tc.drip {
					drip(c, stop)
				}
			}()
			err := awaitCut(c)
			close(stop)
			<-dripped
			if err != nil {
				t.Fatal(err)
			}
			serving(t, addr)
		})
	}
}

// drip writes a header or body byte every 20 ms until stop or the
// server hangs up.
func drip(c net.Conn, stop <-chan struct{}) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			if _, err := io.WriteString(c, "a"); err != nil {
				return
			}
		}
	}
}

// At MaxConns open connections the daemon accepts no more: a client with
// the token waits until one of those holding the cap goes, and is then
// served.
func TestAbuseConnectionCap(t *testing.T) {
	const maxConns = 8
	// Timeouts far beyond the test, so that only the test frees the cap.
	_, addr := startAPI(t, api.Limits{ReadHeaderTimeout: time.Hour, ReadTimeout: time.Hour, MaxConns: maxConns})
	holders := make([]net.Conn, maxConns)
	for i := range holders {
		holders[i] = dial(t, addr)
	}
	// The holders were queued first, so the server took them first.
	c := dial(t, addr)
	if _, err := fmt.Fprintf(c, "GET /v1/status HTTP/1.1\r\nHost: drover\r\nAuthorization: Bearer %s\r\n\r\n", abuseToken); err != nil {
		t.Fatal(err)
	}
	answered := make(chan error, 1)
	go func() {
		if err := c.SetReadDeadline(time.Now().Add(cutBound)); err != nil {
			answered <- err
			return
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status with the token: %s", resp.Status)
			}
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("a client past the cap of %d connections was served (%v)", maxConns, err)
	case <-time.After(300 * time.Millisecond): // had the cap not held, it would be answered by now
	}
	holders[0].Close()
	if err := <-answered; err != nil {
		t.Fatalf("once a connection closed, the waiting client was not served: %v", err)
	}
	for _, h := range holders[1:] {
		h.Close()
	}
	serving(t, addr)
}

func TestTokenRefusedAtStart(t *testing.T) {
	for _, tc := range []struct {
		name, listen, token, says string
	}{
		{"short", "127.0.0.1:0", "fifteen-chars!!", "at least 16"},
		{"short on a unix socket", "", "short", "at least 16"},
		{"blank", "127.0.0.1:0", strings.Repeat(" ", 20), "spaces"},
		{"a space inside", "127.0.0.1:0", "sixteen chars and more", "spaces"},
		{"a newline", "127.0.0.1:0", "sixteen-chars-and-more\n", "control"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &harness{t: t, plugin: fake.New(nil), dir: shortTempDir(t)}
			opts := h.options()
			opts.Listen, opts.Token = tc.listen, tc.token
			d, err := daemon.New(t.Context(), opts)
			if err == nil {
				t.Cleanup(func() { d.Run(canceled(t)) })
			}
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("token %q: %v, want an error that says %q", tc.token, err, tc.says)
			}
			if tok := strings.TrimSpace(tc.token); tok != "" && strings.Contains(err.Error(), tok) {
				t.Errorf("the error echoes the token: %v", err)
			}
			if _, err := os.Stat(h.dir + "/drover.sock"); err == nil {
				t.Error("a daemon refused at start left a socket")
			}
		})
	}
}

// canceled is a context that has ended: Run on it stops at once, closing
// what New opened.
func canceled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}
