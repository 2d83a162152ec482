package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// Limits of Serve's server. Deliveries are small and answered at once,
// so the limits are tighter than the API's.
const (
	// ReadHeaderTimeout bounds the wait for a request's headers.
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout bounds reading a whole request: a 1 MiB body at
	// 70 KB/s.
	ReadTimeout = 15 * time.Second
	// WriteTimeout bounds writing a response.
	WriteTimeout = 10 * time.Second
	// IdleTimeout is how long a kept-alive connection waits for its
	// next request.
	IdleTimeout = 30 * time.Second
	// MaxHeaderBytes bounds a request's headers.
	MaxHeaderBytes = 32 << 10
	// MaxConns caps the connections open at once; more wait in the
	// kernel's accept queue.
	MaxConns = 64
	// ShutdownTimeout bounds the wait for requests in flight once the
	// context of Serve ends; those left are then cut.
	ShutdownTimeout = 5 * time.Second
)

// Serve serves h on ln, behind the limits above, until ctx ends; then it
// shuts down gracefully and returns nil. It returns early with the error
// of a listener that fails. It closes ln.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(netutil.LimitListener(ln, MaxConns)) }()
	select {
	case err := <-served:
		return fmt.Errorf("webhook: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(sctx)
	if shutErr != nil {
		shutErr = errors.Join(shutErr, srv.Close())
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("webhook: serve: %w", errors.Join(err, shutErr))
	}
	if shutErr != nil {
		return fmt.Errorf("webhook: shut down: %w", shutErr)
	}
	return nil
}

// Listen binds a TCP address, host:port, for Serve. An empty host binds
// every interface.
func Listen(addr string) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("webhook: listen address: want host:port: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("webhook: listen: %w", err)
	}
	return ln, nil
}
