package plugingrpc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/spierr"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestErrorsCrossTheBoundary: a plugin's error comes back with its code,
// message, RetryAfter and NotDone, matching the same sentinels.
func TestErrorsCrossTheBoundary(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		sentinel error
		grpcCode codes.Code
	}{
		{"not found", spierr.NotFound("mem.Destroy", "no instance %s", "i-1"), spierr.ErrNotFound, codes.NotFound},
		{"unavailable", spierr.Unavailable("mem.Destroy", "backend down"), spierr.ErrUnavailable, codes.Unavailable},
		{"unavailable after", spierr.UnavailableAfter("mem.Destroy", 1500*time.Millisecond, "rate limited"), spierr.ErrUnavailable, codes.Unavailable},
		{"invalid", spierr.Invalid("mem.Validate", "size %q unknown", "xl"), spierr.ErrInvalid, codes.InvalidArgument},
		{"conflict", spierr.Conflict("mem.Provision", "name in use"), spierr.ErrConflict, codes.AlreadyExists},
		{"unsupported", spierr.Unsupported("mem.Label", "immutable"), spierr.ErrUnsupported, codes.Unimplemented},
		{"internal", spierr.Internal("mem.Describe", "boom"), nil, codes.Internal},
		{"plain error", errors.New("plain failure"), nil, codes.Internal},
		{"wrapped cause", spierr.Wrap(spierr.CodeNotFound, "mem.Destroy", fs.ErrNotExist), spierr.ErrNotFound, codes.NotFound},
		{"fmt wrapped", fmt.Errorf("destroy: %w", spierr.Conflict("mem", "taken")), spierr.ErrConflict, codes.AlreadyExists},
		{"not done", spierr.MarkNotDone(spierr.Unavailable("mem.Provision", "quota")), spierr.ErrUnavailable, codes.Unavailable},
		{"not done after", fmt.Errorf("create: %w", spierr.MarkNotDone(spierr.UnavailableAfter("mem", 2*time.Second, "429"))), spierr.ErrUnavailable, codes.Unavailable},
		{"not done plain", spierr.MarkNotDone(errors.New("dial: refused")), nil, codes.Internal},
		{"unknown code", &spierr.Error{Code: "from_the_future", Op: "mem.Destroy", Msg: "new"}, nil, codes.Unknown},
		{"plugin's own context error", spierr.Wrap(spierr.CodeUnavailable, "mem.Destroy", context.DeadlineExceeded), spierr.ErrUnavailable, codes.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialInstance(t, provide(failing{tt.err}))
			p := configure(t, c, "p")
			got := p.Destroy(t.Context(), "i-1", instance.DestroyScaleDown)
			if got == nil {
				t.Fatal("Destroy = nil, want the plugin's error")
			}
			if got.Error() != tt.err.Error() {
				t.Errorf("message = %q, want %q", got, tt.err)
			}
			if g, w := spierr.CodeOf(got), spierr.CodeOf(tt.err); g != w {
				t.Errorf("code = %q, want %q", g, w)
			}
			if g, w := spierr.RetryAfter(got), spierr.RetryAfter(tt.err); g != w {
				t.Errorf("RetryAfter = %v, want %v", g, w)
			}
			if g, w := spierr.IsNotDone(got), spierr.IsNotDone(tt.err); g != w {
				t.Errorf("IsNotDone = %v, want %v", g, w)
			}
			if tt.sentinel != nil && !errors.Is(got, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", got, tt.sentinel)
			}
			if st := status.Convert(toStatus(t.Context(), tt.err)); st.Code() != tt.grpcCode {
				t.Errorf("gRPC status code = %v, want %v", st.Code(), tt.grpcCode)
			}
		})
	}
}

// TestStatusWithoutDetail: statuses that are not a plugin's error (the
// transport's, or a foreign server's) become spierr errors too.
func TestStatusWithoutDetail(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		code    spierr.Code
		notDone bool
	}{
		{"nil", nil, "", false},
		{"unreachable", status.Error(codes.Unavailable, "connection refused"), spierr.CodeUnavailable, false},
		{"deadline on the way", status.Error(codes.DeadlineExceeded, "proxy timeout"), spierr.CodeUnavailable, false},
		{"other code", status.Error(codes.PermissionDenied, "no"), spierr.CodeInternal, false},
		{"service not served", status.Error(codes.Unimplemented, "unknown service droverplugin.v1.FlavorPlugin"), spierr.CodeUnsupported, true},
		{"not a status", errors.New("broken pipe"), spierr.CodeInternal, false},
		{"not configured", notConfigured("plugin.Describe", "p"), spierr.CodeUnavailable, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fromStatus(t.Context(), "plugin.Describe", tt.err)
			if tt.err == nil {
				if got != nil {
					t.Fatalf("fromStatus(nil) = %v", got)
				}
				return
			}
			if spierr.CodeOf(got) != tt.code || spierr.IsNotDone(got) != tt.notDone {
				t.Errorf("fromStatus = %v (code %q, not done %v), want code %q, not done %v",
					got, spierr.CodeOf(got), spierr.IsNotDone(got), tt.code, tt.notDone)
			}
		})
	}
}

// TestCallerContext: a plugin that ignores its context is cut off at the
// caller's deadline, or cancellation, and the error says which.
func TestCallerContext(t *testing.T) {
	tests := []struct {
		name   string
		ctx    func(parent context.Context, h *hanging) context.Context
		target error
	}{
		{"deadline", func(parent context.Context, _ *hanging) context.Context {
			ctx, cancel := context.WithTimeout(parent, 200*time.Millisecond)
			t.Cleanup(cancel)
			return ctx
		}, context.DeadlineExceeded},
		{"cancel", func(parent context.Context, h *hanging) context.Context {
			ctx, cancel := context.WithCancel(parent)
			go func() { <-h.seen; cancel() }()
			return ctx
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHanging(t)
			p := configure(t, dialInstance(t, provide(h)), "p")
			ctx := tt.ctx(t.Context(), h)
			start := time.Now()
			_, err := p.Describe(ctx, nil)
			elapsed := time.Since(start)
			if !errors.Is(err, tt.target) || !errors.Is(err, spierr.ErrUnavailable) {
				t.Errorf("Describe = %v, want an error matching %v and spierr.ErrUnavailable", err, tt.target)
			}
			if spierr.IsNotDone(err) {
				t.Errorf("Describe = %v: marked not done, but the plugin got the call", err)
			}
			if elapsed > 30*time.Second { // the plugin never returns: any return is the cut; the bound is for a loaded machine
				t.Errorf("Describe returned after %v: not cut off at the caller's context", elapsed)
			}
		})
	}
}

// TestDeadlinePropagates: the plugin's context carries the caller's
// deadline, or DefaultTimeout when the caller has none.
func TestDeadlinePropagates(t *testing.T) {
	tests := []struct {
		name   string
		within time.Duration // caller's timeout; 0: none
		want   time.Duration
	}{
		{"caller's deadline", 30 * time.Second, 30 * time.Second},
		{"no deadline", 0, DefaultTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHanging(t)
			p := configure(t, dialInstance(t, provide(h)), "p")
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tt.within > 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.within)
				defer cancel()
			}
			errc := make(chan error, 1)
			called := time.Now()
			go func() { errc <- p.Validate(ctx, nil) }()
			seen := <-h.seen
			arrived := time.Now()
			dl, ok := seen.Deadline()
			if !ok {
				t.Fatal("the plugin's context has no deadline")
			}
			// The deadline is want after a moment between the call and
			// its arrival, however long that took (a second either side
			// for gRPC's rounding of the timeout it sends).
			if dl.Before(called.Add(tt.want-time.Second)) || dl.After(arrived.Add(tt.want+time.Second)) {
				t.Errorf("the plugin's deadline is %v after the call (which arrived %v after it), want %v", dl.Sub(called), arrived.Sub(called), tt.want)
			}
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("Validate after cancel = %v, want context.Canceled", err)
			}
		})
	}
}

// TestNotConfigured: a call for a key the plugin does not know (it
// restarted) matches ErrNotConfigured, is a safe retry, and works again
// after Configure.
func TestNotConfigured(t *testing.T) {
	c := dialInstance(t, provide(fake.New(nil)))
	p := configure(t, c, "a")
	other := &remoteInstance{rpc: c.rpc, key: "b"} // as after a restart
	_, err := other.Describe(t.Context(), nil)
	if !errors.Is(err, ErrNotConfigured) || !errors.Is(err, spierr.ErrUnavailable) || !spierr.IsNotDone(err) {
		t.Fatalf("Describe of an unknown key = %v, want ErrNotConfigured, spierr.ErrUnavailable, not done", err)
	}
	if _, err := p.Describe(t.Context(), nil); err != nil {
		t.Fatalf("Describe of a configured key = %v", err)
	}
	configure(t, c, "b")
	if _, err := other.Describe(t.Context(), nil); err != nil {
		t.Errorf("Describe after Configure = %v", err)
	}
}
