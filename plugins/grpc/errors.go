package plugingrpc

import (
	"context"
	"errors"
	"fmt"
	"time"

	pb "github.com/drover/drover/plugins/grpc/proto/droverplugin/v1"
	"github.com/drover/drover/spierr"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DefaultTimeout bounds a call whose context has no deadline, so that
// every call to a plugin carries one (a plugin that hangs cannot hold a
// caller forever). Watch streams are not bounded: they last as long as
// their context.
const DefaultTimeout = 2 * time.Minute

// ErrNotConfigured matches (errors.Is) the error of a call for a provider
// key the plugin does not know: it was never configured, or the plugin
// process restarted since. Configure it again and retry. The error also
// matches spierr.ErrUnavailable and is spierr.IsNotDone (the plugin did
// nothing), so a caller that does not handle it retries safely.
var ErrNotConfigured = errors.New("provider not configured in the plugin (did the plugin restart?)")

// codeNotConfigured is the wire code of ErrNotConfigured: not a spierr
// code, as no plugin returns it itself.
const codeNotConfigured = "drover_not_configured"

// grpcCodes map spierr codes to the gRPC status codes they travel with.
// The detail carries the exact code; the status code is for humans and
// generic gRPC tools.
var grpcCodes = map[spierr.Code]codes.Code{
	spierr.CodeNotFound:    codes.NotFound,
	spierr.CodeUnavailable: codes.Unavailable,
	spierr.CodeInvalid:     codes.InvalidArgument,
	spierr.CodeConflict:    codes.AlreadyExists,
	spierr.CodeUnsupported: codes.Unimplemented,
	spierr.CodeInternal:    codes.Internal,
}

// toStatus converts a plugin's error into a gRPC status error carrying
// spierr.Wire as a *pb.Error detail; nil stays nil. When the call's
// context has ended, the client is no longer listening, so the status
// says only that.
func toStatus(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return status.FromContextError(ctx.Err()).Err()
	}
	return wireStatus(spierr.ToWire(err), err.Error())
}

// wireStatus is the status of w, with msg as its message.
func wireStatus(w *spierr.Wire, msg string) error {
	c, ok := grpcCodes[spierr.Code(w.Code)]
	if !ok {
		c = codes.Unknown // a code from a newer spierr: the detail keeps it
	}
	if w.Code == codeNotConfigured {
		c = codes.FailedPrecondition
	}
	st, err := status.New(c, msg).WithDetails(&pb.Error{
		Code: w.Code, Op: w.Op, Message: w.Message,
		RetryAfterMillis: w.RetryAfterMillis, NotDone: w.NotDone, Attribute: w.Attribute,
	})
	if err != nil { // cannot happen: pb.Error always marshals
		return status.Error(codes.Internal, msg)
	}
	return st.Err()
}

// notConfigured is the status of a call for an unknown provider key.
func notConfigured(op, provider string) error {
	return wireStatus(&spierr.Wire{
		Code: codeNotConfigured, Op: op, NotDone: true,
		Message: fmt.Sprintf("provider %q", provider),
	}, fmt.Sprintf("%s: provider %q: %v", op, provider, ErrNotConfigured))
}

// fromStatus converts the error of a call made with ctx back into the
// plugin's error; nil stays nil. In order:
//   - the caller's context ended: a spierr.ErrUnavailable error wrapping
//     ctx.Err(), so errors.Is(err, context.DeadlineExceeded) holds as it
//     would in-process; the outcome is unknown.
//   - a *pb.Error detail: the plugin's own error, rebuilt exactly
//     (spierr.FromWire), or an ErrNotConfigured error.
//   - codes.Unavailable without a detail: the plugin could not be reached
//     (it died, or is restarting); spierr.ErrUnavailable. The outcome is
//     unknown, so it is not marked NotDone.
//   - codes.Unimplemented without a detail: the plugin binary does not
//     serve the service (a flavor-only binary asked for instances) or the
//     method; spierr.ErrUnsupported, NotDone.
//   - anything else: spierr.CodeInternal with the status code and message.
func fromStatus(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return spierr.Wrap(spierr.CodeUnavailable, op, cerr)
	}
	st, ok := status.FromError(err)
	if !ok {
		return spierr.Wrap(spierr.CodeInternal, op, err)
	}
	if _, bounded := ctx.Deadline(); bounded && st.Code() == codes.DeadlineExceeded {
		// The call's deadline is ctx's (gRPC sends it as grpc-timeout), but
		// the server's timer can end the stream a moment before ctx's own
		// fires: it is still the caller's deadline.
		return spierr.Wrap(spierr.CodeUnavailable, op, fmt.Errorf("%s: %w", st.Message(), context.DeadlineExceeded))
	}
	for _, d := range st.Details() {
		e, ok := d.(*pb.Error)
		if !ok {
			continue
		}
		if e.Code == codeNotConfigured {
			return &spierr.Error{Code: spierr.CodeUnavailable, Op: e.Op, Msg: e.Message, NotDone: true, Err: ErrNotConfigured}
		}
		return spierr.FromWire(&spierr.Wire{
			Code: e.Code, Op: e.Op, Message: e.Message,
			RetryAfterMillis: e.RetryAfterMillis, NotDone: e.NotDone, Attribute: e.Attribute,
		})
	}
	switch st.Code() {
	case codes.Unimplemented:
		return spierr.MarkNotDone(spierr.Unsupported(op, "the plugin does not serve it: %s", st.Message()))
	case codes.Unavailable:
		return spierr.Unavailable(op, "plugin unreachable: %s", st.Message())
	case codes.DeadlineExceeded, codes.Canceled:
		// Not the caller's context: a bound on the way ended the call.
		return spierr.Unavailable(op, "%s: %s", st.Code(), st.Message())
	}
	return spierr.Internal(op, "%s: %s", st.Code(), st.Message())
}

// withDeadline returns ctx bounded by DefaultTimeout if it has no
// deadline.
func withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}
