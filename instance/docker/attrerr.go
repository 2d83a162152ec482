package docker

import (
	"errors"
	"fmt"

	"github.com/drover/drover/spierr"
)

// attrError is a property check's finding about one attribute, such as
// "volumes[2]": parseProperties turns it into a spierr.InvalidAttribute
// error, so that drover can point at the attribute in the spec.
type attrError struct {
	attr string
	err  error
}

func (e *attrError) Error() string { return e.attr + ": " + e.err.Error() }
func (e *attrError) Unwrap() error { return e.err }

// attrErrorf returns an attrError about attr; the format may wrap with %w.
func attrErrorf(attr, format string, args ...any) error {
	return &attrError{attr: attr, err: fmt.Errorf(format, args...)}
}

// index is the path of a list element: index("volumes", 2) is "volumes[2]".
func index(attr string, i int) string { return fmt.Sprintf("%s[%d]", attr, i) }

// invalid turns a property check's error into a spierr.ErrInvalid error of
// op, naming the attribute when the check did.
func invalid(op string, err error) error {
	var ae *attrError
	if errors.As(err, &ae) {
		return spierr.InvalidAttribute(op, ae.attr, "%w", ae.err)
	}
	return spierr.Invalid(op, "%w", err)
}
