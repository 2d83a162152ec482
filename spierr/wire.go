package spierr

import "time"

// Wire is the serialised form of an error, as carried by plugin transports.
type Wire struct {
	Code             string `json:"code"`
	Op               string `json:"op,omitempty"`
	Message          string `json:"message,omitempty"`
	RetryAfterMillis int64  `json:"retry_after_millis,omitempty"`
	NotDone          bool   `json:"not_done,omitempty"`
	Attribute        string `json:"attribute,omitempty"`
}

// ToWire converts err for transport; nil stays nil. The code and retry delay
// are taken from err's chain (CodeOf, RetryAfter). Op and Message together
// reproduce err.Error() exactly: Op is set only when err itself is an *Error.
func ToWire(err error) *Wire {
	if err == nil {
		return nil
	}
	w := &Wire{
		Code:             string(CodeOf(err)),
		Message:          err.Error(),
		RetryAfterMillis: RetryAfter(err).Milliseconds(),
		NotDone:          IsNotDone(err),
		Attribute:        AttributeOf(err),
	}
	if e, ok := err.(*Error); ok && e != nil {
		w.Op, w.Message = e.Op, e.detail()
	}
	return w
}

// FromWire rebuilds an error received from a transport; nil stays nil. The
// result is an *Error that matches the same sentinels under errors.Is and
// has the same message as the original. A missing code becomes
// CodeInternal; unknown codes are kept.
func FromWire(w *Wire) error {
	if w == nil {
		return nil
	}
	code := Code(w.Code)
	if code == "" {
		code = CodeInternal
	}
	return &Error{
		Code:       code,
		Op:         w.Op,
		Msg:        w.Message,
		RetryAfter: time.Duration(max(w.RetryAfterMillis, 0)) * time.Millisecond,
		NotDone:    w.NotDone,
		Attribute:  w.Attribute,
	}
}
