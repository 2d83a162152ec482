package engine

import (
	"context"
	"errors"
	"io"
	"net"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/drover/drover/spierr"
)

// Fail turns an error from an engine into a spierr error: what says what
// was being done, for the message; err stays the cause, for errors.Is and
// errors.As. An error that already carries a spierr code keeps it.
func Fail(op string, err error, what string) error {
	if err == nil {
		return nil
	}
	return &spierr.Error{Code: Classify(err), Op: op, Msg: what, Err: err}
}

// Classify maps an engine error to a spierr code:
//
//	nil                             ""
//	already a spierr error          its code
//	not found                       not_found
//	conflict, already exists        conflict
//	invalid parameter (4xx)         invalid
//	connection failure, timeout,
//	cancelled, 5xx, unavailable     unavailable
//	anything else                   internal
func Classify(err error) spierr.Code {
	var se *spierr.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &se) && se != nil && se.Code != "":
		return se.Code
	case cerrdefs.IsNotFound(err):
		return spierr.CodeNotFound
	case cerrdefs.IsConflict(err), cerrdefs.IsAlreadyExists(err):
		return spierr.CodeConflict
	case cerrdefs.IsInvalidArgument(err):
		return spierr.CodeInvalid
	case Unavailable(err):
		return spierr.CodeUnavailable
	}
	return spierr.CodeInternal
}

// Unavailable reports whether err is temporary: the engine could not be
// reached, did not answer in time, or failed on its side (5xx).
func Unavailable(err error) bool {
	var nerr net.Error
	return client.IsErrConnectionFailed(err) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &nerr) ||
		cerrdefs.IsUnavailable(err) ||
		cerrdefs.IsInternal(err) ||
		cerrdefs.IsDeadlineExceeded(err) ||
		cerrdefs.IsCanceled(err)
}
