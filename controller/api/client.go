package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/drover/drover/resource"
)

// maxErrorBody bounds the error body the client reads: diagnostics of a
// large spec fit.
const maxErrorBody = 16 << 20

// Client talks to a daemon.
type Client struct {
	addr  string // as Addr returns it
	base  string // URL the request paths are appended to
	token string
	hc    *http.Client
}

// NewClient returns a client of the daemon at addr, sending token (if
// not empty) as a bearer token. Addr forms: "unix:///path/to.sock",
// "/path/to.sock" (a path: absolute, ./relative or ending in .sock),
// "http://host:port" (or https://, with an optional path prefix) and
// "host:port".
func NewClient(addr, token string) (*Client, error) {
	c := &Client{token: token}
	socket, err := parseAddr(addr)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if socket != "" {
		c.addr, c.base = "unix://"+socket, "http://drover"
		tr.Proxy = nil
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		}
	} else {
		c.base, err = baseURL(addr)
		if err != nil {
			return nil, err
		}
		c.addr = c.base
	}
	c.hc = &http.Client{Transport: tr}
	return c, nil
}

// parseAddr returns the socket path of a unix address, "" for a TCP one,
// or an error for an address of neither form.
func parseAddr(addr string) (string, error) {
	bad := func(why string) error { return badAddr(addr, why) }
	switch {
	case addr == "":
		return "", bad("empty")
	case strings.HasPrefix(addr, "unix:"):
		p := strings.TrimPrefix(strings.TrimPrefix(addr, "unix:"), "//")
		if p == "" {
			return "", bad("no socket path")
		}
		return p, nil
	case strings.HasPrefix(addr, "http://"), strings.HasPrefix(addr, "https://"):
		return "", nil
	case strings.Contains(addr, "://"):
		return "", bad("unknown scheme")
	case strings.HasPrefix(addr, "/"), strings.HasPrefix(addr, "./"), strings.HasPrefix(addr, "../"):
		return addr, nil
	}
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return "", nil
	}
	if strings.HasSuffix(addr, ".sock") {
		return addr, nil
	}
	return "", bad("neither a socket path nor host:port")
}

func badAddr(addr, why string) error {
	return fmt.Errorf("daemon address %q: %s; want unix:///path/to.sock, /path/to.sock, http://host:port or host:port", addr, why)
}

// baseURL returns the URL of a TCP address, checked.
func baseURL(addr string) (string, error) {
	bad := func(why string) error { return badAddr(addr, why) }
	raw := addr
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", bad(err.Error())
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", bad("a user, query or fragment is not expected")
	}
	switch port := u.Port(); {
	case u.Host == "":
		return "", bad("no host")
	case strings.HasSuffix(u.Host, ":"):
		return "", bad("no port")
	case port != "":
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", bad("bad port")
		}
		if u.Hostname() == "" {
			u.Host = net.JoinHostPort("localhost", port)
		}
	}
	return u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/"), nil
}

// Addr is the daemon's address: unix:///path/to.sock or http://host:port.
func (c *Client) Addr() string { return c.addr }

// Ping checks that the daemon answers (GET /healthz, which needs no token).
func (c *Client) Ping(ctx context.Context) error {
	resp, err := c.send(ctx, http.MethodGet, "/healthz", nil, "")
	if err != nil {
		return c.transportError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the drover daemon at %s is not healthy: %w", c.addr, readStatusError(resp))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1024))
	return nil
}

// Apply records req.Bundle as the next revision.
func (c *Client) Apply(ctx context.Context, req ApplyRequest) (ApplyResponse, error) {
	var out ApplyResponse
	err := c.call(ctx, http.MethodPost, "/v1/apply", req, &out)
	return out, err
}

// Plan says what applying req.Bundle (or the current revision) does now.
func (c *Client) Plan(ctx context.Context, req PlanRequest) (PlanResponse, error) {
	var out PlanResponse
	err := c.call(ctx, http.MethodPost, "/v1/plan", req, &out)
	return out, err
}

// Status returns the state of the current revision's resources.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var out Status
	err := c.call(ctx, http.MethodGet, "/v1/status", nil, &out)
	return out, err
}

// Destroy records the current revision without req.Resources or, when
// it names none, an empty desired state.
func (c *Client) Destroy(ctx context.Context, req DestroyRequest) (ApplyResponse, error) {
	var out ApplyResponse
	err := c.call(ctx, http.MethodPost, "/v1/destroy", req, &out)
	return out, err
}

// History lists the revisions, newest first.
func (c *Client) History(ctx context.Context) ([]RevisionInfo, error) {
	var out []RevisionInfo
	err := c.call(ctx, http.MethodGet, "/v1/revisions", nil, &out)
	return out, err
}

// Revision returns revision n with its sources.
func (c *Client) Revision(ctx context.Context, n int64) (RevisionDetail, error) {
	var out RevisionDetail
	err := c.call(ctx, http.MethodGet, "/v1/revisions/"+strconv.FormatInt(n, 10), nil, &out)
	return out, err
}

// Rollback makes revision req.Revision's spec current again.
func (c *Client) Rollback(ctx context.Context, req RollbackRequest) (ApplyResponse, error) {
	var out ApplyResponse
	err := c.call(ctx, http.MethodPost, "/v1/rollback", req, &out)
	return out, err
}

// Events calls fn for each event after ID since, in order. Without follow
// it returns once the events the daemon holds are delivered. With follow
// it goes on with the events that come, returning nil when ctx ends, or
// an error when the stream breaks or the daemon ends it: the caller may
// reconnect with the last ID it saw. An error of fn ends Events with that
// error.
func (c *Client) Events(ctx context.Context, since int64, follow bool, fn func(resource.Event) error) error {
	q := url.Values{"since": {strconv.FormatInt(since, 10)}, "follow": {strconv.FormatBool(follow)}}
	resp, err := c.send(ctx, http.MethodGet, "/v1/events?"+q.Encode(), nil, "text/event-stream")
	if err != nil {
		if follow && ctx.Err() != nil {
			return nil
		}
		return c.transportError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return readStatusError(resp)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return fmt.Errorf("the drover daemon at %s sent %q, not an event stream", c.addr, resp.Header.Get("Content-Type"))
	}
	last := since
	var fnErr error
	err = readEvents(resp.Body, func(se sseEvent) error {
		var ev resource.Event
		if err := json.Unmarshal(se.Data, &ev); err != nil {
			return fmt.Errorf("malformed event after event %d: %w", last, err)
		}
		last = ev.ID
		fnErr = fn(ev)
		return fnErr
	})
	switch {
	case fnErr != nil:
		return fnErr
	case follow && ctx.Err() != nil:
		return nil
	case err != nil:
		return fmt.Errorf("event stream from the drover daemon at %s broke after event %d: %w", c.addr, last, err)
	case follow:
		return fmt.Errorf("the drover daemon at %s ended the event stream after event %d", c.addr, last)
	}
	return nil
}

// call sends a request with in (if not nil) as its JSON body and decodes
// the JSON response into out (unless out is nil). A non-2xx response is a
// *StatusError.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
	}
	resp, err := c.send(ctx, method, path, body, "application/json")
	if err != nil {
		return c.transportError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return readStatusError(resp)
	}
	if out == nil {
		// No body is expected (204): what comes is drained, bounded.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("the drover daemon at %s sent a malformed response to %s %s: %w", c.addr, method, path, err)
	}
	return nil
}

// send sends a request. A nil body sends none.
func (c *Client) send(ctx context.Context, method, path string, body []byte, accept string) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.hc.Do(req)
}

// transportError describes a request that got no response.
func (c *Client) transportError(err error) error {
	err = unwrapURL(err)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("request to the drover daemon at %s: %w", c.addr, err)
	}
	return fmt.Errorf("the drover daemon at %s is not reachable: %w", c.addr, err)
}

// unwrapURL drops the method and URL that *url.Error adds: they name the
// fake host of a unix socket.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readStatusError reads a failed response into a *StatusError.
func readStatusError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	se := &StatusError{Code: resp.StatusCode}
	if err := json.Unmarshal(b, &se.Body); err != nil || se.Body.Error == "" {
		msg := strings.TrimSpace(string(b))
		if len(msg) > 512 {
			msg = msg[:512] + "..."
		}
		if msg == "" || err != nil && strings.HasPrefix(msg, "{") {
			msg = http.StatusText(resp.StatusCode)
		}
		se.Body = Error{Error: msg}
	}
	return se
}
