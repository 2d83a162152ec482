package api

import (
	"context"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// Defaults of Limits.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxConns          = 128
	DefaultMaxHeaderBytes    = 64 << 10
)

// Limits bound what a client can hold of the API server: how long it may
// take to send a request or read a response, how long an idle connection
// stays open, and how many connections are open at once. A client without
// the token holds a connection for at most ReadHeaderTimeout and then
// one second more at most: its request is answered 401 with
// "Connection: close" and its body is never read. Zero (or negative) fields take the defaults given.
type Limits struct {
	// ReadHeaderTimeout bounds the wait for a request's headers, from the
	// connection's start (or, on a kept-alive connection, from the first
	// byte of the next request); a client that sends them slower is cut
	// off. Default DefaultReadHeaderTimeout (5s).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, headers and body: a body
	// trickled in slower is cut off. It ends when the body has been read,
	// so a long event stream or a long plan is not cut. Default
	// DefaultReadTimeout (30s: an 8 MiB body at 280 KB/s).
	ReadTimeout time.Duration
	// WriteTimeout bounds writing one response, or one event of an event
	// stream, to a client that does not read it. Default
	// DefaultWriteTimeout (30s).
	WriteTimeout time.Duration
	// IdleTimeout is how long a kept-alive connection may wait for its
	// next request. Only clients with the token keep connections. Default
	// DefaultIdleTimeout (60s).
	IdleTimeout time.Duration
	// MaxConns caps the connections open at once on a listener. At the
	// cap the server accepts no more until one closes: new clients wait
	// in the kernel's accept queue, and are served in the order they
	// came once the timeouts above have cut off those holding the cap.
	// Default DefaultMaxConns (128).
	MaxConns int
	// MaxHeaderBytes bounds the size of a request's headers. Default
	// DefaultMaxHeaderBytes (64 KiB).
	MaxHeaderBytes int
}

// unauthorizedGrace is how long a client answered 401 may take to send
// the body it promised before its connection is closed: the body is read
// and dropped only so that an honest client with a wrong token gets the
// 401 rather than a TCP reset. At most ReadHeaderTimeout. l has its
// defaults (NewServer applies them).
func (l Limits) unauthorizedGrace() time.Duration {
	return min(time.Second, l.ReadHeaderTimeout)
}

// withDefaults fills the zero or negative fields of l with the defaults.
func (l Limits) withDefaults() Limits {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&l.ReadTimeout, DefaultReadTimeout)
	def(&l.WriteTimeout, DefaultWriteTimeout)
	def(&l.IdleTimeout, DefaultIdleTimeout)
	if l.MaxConns <= 0 {
		l.MaxConns = DefaultMaxConns
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	return l
}

// NewHTTPServer returns the HTTP server of the API: h (from NewServer)
// behind l's timeouts, its requests' contexts derived from ctx. Serve it
// on a listener that Listener wrapped, so that l.MaxConns holds.
func NewHTTPServer(ctx context.Context, h http.Handler, l Limits) *http.Server {
	l = l.withDefaults()
	// No WriteTimeout on the server: it would cut event streams. The
	// handlers set a deadline on each response they write (see
	// deadlineWriter).
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
}

// Listener returns ln accepting at most l.MaxConns connections open at
// once (default DefaultMaxConns).
func (l Limits) Listener(ln net.Listener) net.Listener {
	return netutil.LimitListener(ln, l.withDefaults().MaxConns)
}

// deadlineWriter sets a write deadline, timeout from the moment a handler
// starts its response, so that a client that does not read cannot hold
// the handler. An event stream moves the deadline on with each event.
type deadlineWriter struct {
	http.ResponseWriter
	timeout time.Duration
	armed   bool
}

func (w *deadlineWriter) arm() {
	if !w.armed {
		w.armed = true
		_ = http.NewResponseController(w.ResponseWriter).SetWriteDeadline(time.Now().Add(w.timeout))
	}
}

func (w *deadlineWriter) WriteHeader(code int) {
	w.arm()
	w.ResponseWriter.WriteHeader(code)
}

func (w *deadlineWriter) Write(b []byte) (int, error) {
	w.arm()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// dismiss makes r's connection end with the response: a client without
// the token keeps no connection, and what it promised to send gets
// timeout to arrive (it is read and dropped only so that the response is
// not lost to a TCP reset) before the connection is closed.
func dismiss(w http.ResponseWriter, timeout time.Duration) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout))
}
