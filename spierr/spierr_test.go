package spierr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"time"
)

func TestConstructors(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		code     Code
		sentinel error
		text     string
	}{
		{"not found", NotFound("do.Destroy", "droplet %d", 42), CodeNotFound, ErrNotFound, "do.Destroy: droplet 42"},
		{"unavailable", Unavailable("do.Provision", "rate limited"), CodeUnavailable, ErrUnavailable, "do.Provision: rate limited"},
		{"invalid", Invalid("do.Validate", "size %q unknown", "s-9"), CodeInvalid, ErrInvalid, `do.Validate: size "s-9" unknown`},
		{"conflict", Conflict("docker.Provision", "name in use"), CodeConflict, ErrConflict, "docker.Provision: name in use"},
		{"unsupported", Unsupported("docker.Label", "labels are immutable"), CodeUnsupported, ErrUnsupported, "docker.Label: labels are immutable"},
		{"internal", Internal("x", "boom"), CodeInternal, nil, "x: boom"},
		{"no op", NotFound("", "gone"), CodeNotFound, ErrNotFound, "gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %q, want %q", got, tt.code)
			}
			if got := tt.err.Error(); got != tt.text {
				t.Errorf("Error() = %q, want %q", got, tt.text)
			}
			if tt.sentinel != nil && !errors.Is(tt.err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", tt.err, tt.sentinel)
			}
			if got, want := Retryable(tt.err), tt.code == CodeUnavailable; got != want {
				t.Errorf("Retryable = %v, want %v", got, want)
			}
		})
	}
}

func TestIsComparesCodesOnly(t *testing.T) {
	sentinels := []error{ErrNotFound, ErrUnavailable, ErrInvalid, ErrConflict, ErrUnsupported}
	err := NotFound("op", "msg")
	for _, s := range sentinels {
		t.Run(s.Error(), func(t *testing.T) {
			if got, want := errors.Is(err, s), s == ErrNotFound; got != want {
				t.Errorf("errors.Is(not found, %v) = %v, want %v", s, got, want)
			}
		})
	}
}

func TestWrapping(t *testing.T) {
	cause := fs.ErrNotExist
	tests := []struct {
		name  string
		err   error
		code  Code
		is    []error
		isNot []error
		text  string
	}{
		{"wrap", Wrap(CodeNotFound, "docker.Destroy", cause), CodeNotFound,
			[]error{ErrNotFound, cause}, []error{ErrInvalid}, "docker.Destroy: file does not exist"},
		{"format %w", Unavailable("do.Describe", "list droplets: %w", context.DeadlineExceeded), CodeUnavailable,
			[]error{ErrUnavailable, context.DeadlineExceeded}, []error{ErrNotFound}, "do.Describe: list droplets: context deadline exceeded"},
		{"two %w", Invalid("op", "%w and %w", cause, context.Canceled), CodeInvalid,
			[]error{ErrInvalid, cause, context.Canceled}, nil, "op: file does not exist and context canceled"},
		{"wrap keeps code", Wrap("", "outer", NotFound("inner", "gone")), CodeNotFound,
			[]error{ErrNotFound}, nil, "outer: inner: gone"},
		{"wrap plain keeps internal", Wrap("", "outer", cause), CodeInternal,
			[]error{cause}, []error{ErrNotFound}, "outer: file does not exist"},
		{"recode matches both", Wrap(CodeUnavailable, "outer", NotFound("inner", "gone")), CodeUnavailable,
			[]error{ErrUnavailable, ErrNotFound}, nil, "outer: inner: gone"},
		{"fmt wrapped", fmt.Errorf("reconcile: %w", Conflict("op", "taken")), CodeConflict,
			[]error{ErrConflict}, nil, "reconcile: op: taken"},
		{"struct with msg and cause", &Error{Code: CodeInvalid, Op: "op", Msg: "msg", Err: cause}, CodeInvalid,
			[]error{ErrInvalid, cause}, nil, "op: msg: file does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %q, want %q", got, tt.code)
			}
			if got := tt.err.Error(); got != tt.text {
				t.Errorf("Error() = %q, want %q", got, tt.text)
			}
			for _, target := range tt.is {
				if !errors.Is(tt.err, target) {
					t.Errorf("errors.Is(err, %v) = false, want true", target)
				}
			}
			for _, target := range tt.isNot {
				if errors.Is(tt.err, target) {
					t.Errorf("errors.Is(err, %v) = true, want false", target)
				}
			}
			var e *Error
			if !errors.As(tt.err, &e) {
				t.Errorf("errors.As(*Error) = false")
			}
		})
	}
}

func TestWrapNil(t *testing.T) {
	if err := Wrap(CodeInternal, "op", nil); err != nil {
		t.Fatalf("Wrap(nil) = %v, want nil", err)
	}
}

func TestCodeOfAndRetry(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		code      Code
		retryable bool
		after     time.Duration
	}{
		{"nil", nil, "", false, 0},
		{"plain", errors.New("x"), CodeInternal, false, 0},
		{"empty code", &Error{Msg: "x"}, CodeInternal, false, 0},
		{"typed nil", (*Error)(nil), CodeInternal, false, 0},
		{"unavailable", Unavailable("op", "x"), CodeUnavailable, true, 0},
		{"after", UnavailableAfter("op", 3*time.Second, "slow down"), CodeUnavailable, true, 3 * time.Second},
		{"negative after", UnavailableAfter("op", -time.Second, "x"), CodeUnavailable, true, 0},
		{"wrapped after", Wrap("", "outer", UnavailableAfter("op", time.Minute, "x")), CodeUnavailable, true, time.Minute},
		{"recoded drops after", Wrap(CodeInvalid, "outer", UnavailableAfter("op", time.Minute, "x")), CodeInvalid, false, 0},
		{"unknown code", &Error{Code: "from_the_future"}, "from_the_future", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %q, want %q", got, tt.code)
			}
			if got := Retryable(tt.err); got != tt.retryable {
				t.Errorf("Retryable = %v, want %v", got, tt.retryable)
			}
			if got := RetryAfter(tt.err); got != tt.after {
				t.Errorf("RetryAfter = %v, want %v", got, tt.after)
			}
		})
	}
}

func TestWireRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		sentinel error
	}{
		{"not found", NotFound("do.Destroy", "droplet %d", 42), ErrNotFound},
		{"unavailable after", UnavailableAfter("do.Provision", 1500*time.Millisecond, "rate limited"), ErrUnavailable},
		{"invalid with cause", Invalid("op", "parse: %w", errors.New("bad json")), ErrInvalid},
		{"conflict wrapped by fmt", fmt.Errorf("reconcile: %w", Conflict("op", "taken")), ErrConflict},
		{"unsupported", Unsupported("", "no labels"), ErrUnsupported},
		{"plain", errors.New("plain failure"), nil},
		{"wrap", Wrap(CodeNotFound, "op", fs.ErrNotExist), ErrNotFound},
		{"unknown code", &Error{Code: "from_the_future", Op: "op", Msg: "m"}, nil},
		{"not done", MarkNotDone(Unavailable("do.Provision", "list: 500")), ErrUnavailable},
		{"not done, wrapped", fmt.Errorf("create: %w", MarkNotDone(UnavailableAfter("op", time.Second, "429"))), ErrUnavailable},
		{"not done, plain cause", MarkNotDone(errors.New("dial: refused")), nil},
		{"attribute", InvalidAttribute("docker.Validate", "volumes[2]", "host root"), ErrInvalid},
		{"attribute, wrapped", fmt.Errorf("group web: %w", InvalidAttribute("op", "labels", "reserved")), ErrInvalid},
		{"attribute with cause", InvalidAttribute("op", "env", "parse: %w", errors.New("bad")), ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(ToWire(tt.err))
			if err != nil {
				t.Fatal(err)
			}
			var w Wire
			if err := json.Unmarshal(data, &w); err != nil {
				t.Fatal(err)
			}
			got := FromWire(&w)
			if got.Error() != tt.err.Error() {
				t.Errorf("message = %q, want %q", got.Error(), tt.err.Error())
			}
			if CodeOf(got) != CodeOf(tt.err) {
				t.Errorf("code = %q, want %q", CodeOf(got), CodeOf(tt.err))
			}
			if tt.sentinel != nil && !errors.Is(got, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false after round trip", got, tt.sentinel)
			}
			if RetryAfter(got) != RetryAfter(tt.err) {
				t.Errorf("RetryAfter = %v, want %v", RetryAfter(got), RetryAfter(tt.err))
			}
			if IsNotDone(got) != IsNotDone(tt.err) {
				t.Errorf("IsNotDone = %v, want %v", IsNotDone(got), IsNotDone(tt.err))
			}
			if AttributeOf(got) != AttributeOf(tt.err) {
				t.Errorf("AttributeOf = %q, want %q", AttributeOf(got), AttributeOf(tt.err))
			}
		})
	}
}

func TestAttributeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
		msg  string
	}{
		{"nil", nil, "", ""},
		{"plain", errors.New("x"), "", "x"},
		{"no attribute", Invalid("op", "bad"), "", "op: bad"},
		{"attribute", InvalidAttribute("op", "ports[1]", "%q: bad", "x"), "ports[1]", `op: ports[1]: "x": bad`},
		{"wrapped by Wrap", Wrap(CodeInvalid, "outer", InvalidAttribute("inner", "env", "bad")), "env", "outer: inner: env: bad"},
		{"with cause", InvalidAttribute("op", "user_data", "read: %w", fs.ErrNotExist), "user_data", "op: user_data: read: file does not exist"},
		{"not done keeps it", MarkNotDone(InvalidAttribute("op", "labels", "bad")), "labels", "op: labels: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AttributeOf(tt.err); got != tt.want {
				t.Errorf("AttributeOf = %q, want %q", got, tt.want)
			}
			if tt.err != nil && tt.err.Error() != tt.msg {
				t.Errorf("message = %q, want %q", tt.err.Error(), tt.msg)
			}
		})
	}
	if !errors.Is(InvalidAttribute("op", "a", "x: %w", fs.ErrNotExist), fs.ErrNotExist) {
		t.Error("InvalidAttribute with %w does not match its cause")
	}
}

func TestMarkNotDone(t *testing.T) {
	base := Unavailable("op", "5xx")
	marked := MarkNotDone(base)
	if IsNotDone(base) || !IsNotDone(marked) {
		t.Fatalf("IsNotDone: base %v, marked %v", IsNotDone(base), IsNotDone(marked))
	}
	if marked.Error() != base.Error() || !errors.Is(marked, ErrUnavailable) {
		t.Errorf("marked %q lost what base %q said", marked, base)
	}
	if MarkNotDone(nil) != nil || IsNotDone(nil) {
		t.Error("nil is not an error")
	}
}

func TestWireNil(t *testing.T) {
	if w := ToWire(nil); w != nil {
		t.Errorf("ToWire(nil) = %+v, want nil", w)
	}
	if err := FromWire(nil); err != nil {
		t.Errorf("FromWire(nil) = %v, want nil", err)
	}
	if got := CodeOf(FromWire(&Wire{Message: "x"})); got != CodeInternal {
		t.Errorf("FromWire without code: CodeOf = %q, want internal", got)
	}
	if got := RetryAfter(FromWire(&Wire{Code: "unavailable", RetryAfterMillis: -5})); got != 0 {
		t.Errorf("negative RetryAfterMillis gave %v, want 0", got)
	}
}

func TestErrorJSON(t *testing.T) {
	in := &Error{Code: CodeUnavailable, Op: "op", Msg: "m", RetryAfter: time.Second, Err: errors.New("local")}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Error
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	want := Error{Code: in.Code, Op: in.Op, Msg: in.Msg, RetryAfter: in.RetryAfter}
	if out != want {
		t.Errorf("JSON round trip = %+v, want %+v", out, want)
	}
}
