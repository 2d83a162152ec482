package spierr

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies an error so that callers can decide what to do about it
// without parsing messages.
type Code string

// The error codes. Codes are compared as strings, so a code this version
// does not know (from a newer plugin) survives a round trip unchanged.
const (
	// CodeNotFound: the thing operated on does not exist (any more).
	CodeNotFound Code = "not_found"
	// CodeUnavailable: temporarily unavailable (rate limit, outage, quota
	// being freed); retry later, after RetryAfter if it is set.
	CodeUnavailable Code = "unavailable"
	// CodeInvalid: bad input; retrying the same request cannot succeed.
	CodeInvalid Code = "invalid"
	// CodeConflict: the request conflicts with the current state, for
	// example a name already in use.
	CodeConflict Code = "conflict"
	// CodeUnsupported: the plugin does not implement the operation or
	// option.
	CodeUnsupported Code = "unsupported"
	// CodeInternal: anything else, including errors that carry no code.
	CodeInternal Code = "internal"
)

// Error is an SPI error. Its serialisable fields carry everything a caller
// in another process needs; Err, the local cause, is kept only in-process
// for errors.Is and errors.As.
type Error struct {
	Code Code   `json:"code"`
	Op   string `json:"op,omitempty"`  // the operation, e.g. "digitalocean.Provision"
	Msg  string `json:"msg,omitempty"` // what went wrong, without Op
	// RetryAfter is how long to wait before retrying, when the backend said
	// so (only meaningful with CodeUnavailable); zero means unspecified.
	RetryAfter time.Duration `json:"retry_after,omitempty"`
	// NotDone says that the operation certainly had no effect (it was
	// refused, or failed before anything was sent), as opposed to an
	// error whose outcome is unknown (a 5xx, a lost reply). Set it with
	// MarkNotDone; read it with IsNotDone.
	NotDone bool `json:"not_done,omitempty"`
	// Attribute is the path of the property an invalid-input error is
	// about, as a spec writes it: "volumes[2]", "labels", "resources.memory".
	// Callers use it to point at the attribute in the spec. It is metadata:
	// Msg names the attribute itself. Set it with InvalidAttribute; read it
	// with AttributeOf.
	Attribute string `json:"attribute,omitempty"`
	Err       error  `json:"-"`
}

// Sentinels to match with errors.Is: an *Error matches a sentinel when their
// codes are equal, whatever the op and message.
var (
	ErrNotFound    = &Error{Code: CodeNotFound, Msg: "not found"}
	ErrUnavailable = &Error{Code: CodeUnavailable, Msg: "temporarily unavailable"}
	ErrInvalid     = &Error{Code: CodeInvalid, Msg: "invalid"}
	ErrConflict    = &Error{Code: CodeConflict, Msg: "conflict"}
	ErrUnsupported = &Error{Code: CodeUnsupported, Msg: "unsupported"}
)

// Error renders "op: msg: cause", leaving out the parts that are empty.
func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	return join(e.Op, e.detail())
}

// detail is the message without the op: Msg and the cause.
func (e *Error) detail() string {
	if e.Err == nil {
		return e.Msg
	}
	return join(e.Msg, e.Err.Error())
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Is reports whether target is an *Error with the same, non-empty code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && e != nil && t != nil && t.Code != "" && t.Code == e.Code
}

func join(parts ...string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, ": ")
}

// newf builds an *Error from a format. If the format wraps errors with %w,
// the formatted error becomes the cause so that errors.Is and errors.As see
// through it; otherwise the text becomes Msg.
func newf(code Code, op, format string, args []any) *Error {
	err := fmt.Errorf(format, args...)
	switch err.(type) {
	case interface{ Unwrap() error }, interface{ Unwrap() []error }:
		return &Error{Code: code, Op: op, Err: err}
	}
	return &Error{Code: code, Op: op, Msg: err.Error()}
}

// NotFound returns a CodeNotFound error. The format may wrap causes with %w.
func NotFound(op, format string, args ...any) error {
	return newf(CodeNotFound, op, format, args)
}

// Unavailable returns a CodeUnavailable error: retry later.
func Unavailable(op, format string, args ...any) error {
	return newf(CodeUnavailable, op, format, args)
}

// UnavailableAfter returns a CodeUnavailable error that asks the caller to
// wait at least after before retrying.
func UnavailableAfter(op string, after time.Duration, format string, args ...any) error {
	e := newf(CodeUnavailable, op, format, args)
	e.RetryAfter = max(after, 0)
	return e
}

// Invalid returns a CodeInvalid error: bad input, do not retry.
func Invalid(op, format string, args ...any) error {
	return newf(CodeInvalid, op, format, args)
}

// InvalidAttribute returns a CodeInvalid error about the property at path
// attr ("volumes[2]"): its message is "attr: " and the formatted text, and
// AttributeOf finds attr, in this process and across a transport.
func InvalidAttribute(op, attr, format string, args ...any) error {
	e := newf(CodeInvalid, op, format, args)
	e.Attribute = attr
	if e.Err != nil {
		e.Err = fmt.Errorf("%s: %w", attr, e.Err)
	} else {
		e.Msg = join(attr, e.Msg)
	}
	return e
}

// AttributeOf returns the Attribute of the first *Error in err's chain that
// has one, or "".
func AttributeOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) || e == nil {
			return ""
		}
		if e.Attribute != "" {
			return e.Attribute
		}
		err = e.Err
	}
	return ""
}

// Conflict returns a CodeConflict error.
func Conflict(op, format string, args ...any) error {
	return newf(CodeConflict, op, format, args)
}

// Unsupported returns a CodeUnsupported error.
func Unsupported(op, format string, args ...any) error {
	return newf(CodeUnsupported, op, format, args)
}

// Internal returns a CodeInternal error.
func Internal(op, format string, args ...any) error {
	return newf(CodeInternal, op, format, args)
}

// Wrap returns err with a code and op, keeping err as the cause for
// errors.Is and errors.As. An empty code keeps the code err already has
// (CodeOf), and an unavailable error keeps its RetryAfter. Wrap returns nil
// if err is nil.
func Wrap(code Code, op string, err error) error {
	if err == nil {
		return nil
	}
	if code == "" {
		code = CodeOf(err)
	}
	e := &Error{Code: code, Op: op, Err: err}
	if code == CodeUnavailable {
		e.RetryAfter = RetryAfter(err)
	}
	return e
}

// CodeOf returns the code of the first *Error in err's chain: "" for nil,
// CodeInternal for an error that carries no code.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e != nil && e.Code != "" {
		return e.Code
	}
	return CodeInternal
}

// Retryable reports whether err is temporary, i.e. has CodeUnavailable.
func Retryable(err error) bool {
	return CodeOf(err) == CodeUnavailable
}

// RetryAfter returns the RetryAfter of the first *Error in err's chain, or
// zero if there is none.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.RetryAfter
	}
	return 0
}

// MarkNotDone returns err marked as certainly without effect (see
// Error.NotDone), keeping its code, op, message and cause. It returns nil
// if err is nil.
func MarkNotDone(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e != nil && e == err {
		c := *e
		c.NotDone = true
		return &c
	}
	return &Error{Code: CodeOf(err), RetryAfter: RetryAfter(err), NotDone: true, Err: err}
}

// IsNotDone reports whether the first *Error in err's chain says that the
// operation certainly had no effect.
func IsNotDone(err error) bool {
	var e *Error
	return errors.As(err, &e) && e != nil && e.NotDone
}
