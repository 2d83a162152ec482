package docker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/drover/drover/spierr"
)

// TestClassify maps engine errors to spierr codes and keeps the cause.
func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want spierr.Code
	}{
		{"not found", fmt.Errorf("no such container: %w", cerrdefs.ErrNotFound), spierr.CodeNotFound},
		{"conflict", fmt.Errorf("name in use: %w", cerrdefs.ErrConflict), spierr.CodeConflict},
		{"already exists", cerrdefs.ErrAlreadyExists, spierr.CodeConflict},
		{"invalid parameter", fmt.Errorf("bad: %w", cerrdefs.ErrInvalidArgument), spierr.CodeInvalid},
		{"500", fmt.Errorf("oci runtime: %w", cerrdefs.ErrInternal), spierr.CodeUnavailable},
		{"503", cerrdefs.ErrUnavailable, spierr.CodeUnavailable},
		{"deadline", fmt.Errorf("list: %w", context.DeadlineExceeded), spierr.CodeUnavailable},
		{"cancelled", context.Canceled, spierr.CodeUnavailable},
		{"network", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, spierr.CodeUnavailable},
		{"spierr kept", spierr.Invalid("x", "bad"), spierr.CodeInvalid},
		{"permission", cerrdefs.ErrPermissionDenied, spierr.CodeInternal},
		{"plain", errors.New("something"), spierr.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fail("docker.Test", tt.err, "doing it")
			if got := spierr.CodeOf(err); got != tt.want {
				t.Errorf("code = %q, want %q", got, tt.want)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("%v does not wrap its cause", err)
			}
		})
	}
	if fail("op", nil, "x") != nil {
		t.Error("fail(nil) is not nil")
	}
}

// TestStartError: a privileged start that fails on capabilities says to
// use capabilities instead.
func TestStartError(t *testing.T) {
	capErr := fmt.Errorf("OCI runtime create failed: unable to apply caps: operation not permitted: %w", cerrdefs.ErrInternal)
	err := startError("op", "n", Properties{Privileged: true}, capErr)
	if !errors.Is(err, spierr.ErrInvalid) || !errors.Is(err, capErr) {
		t.Errorf("privileged start error = %v, want invalid wrapping the cause", err)
	}
	for _, want := range []string{"privileged", "capabilities", "CAP_SYS_RESOURCE"} {
		if !containsFold(err.Error(), want) {
			t.Errorf("%q does not mention %q", err, want)
		}
	}
	if err := startError("op", "n", Properties{}, capErr); !errors.Is(err, spierr.ErrUnavailable) {
		t.Errorf("unprivileged start error = %v, want the plain mapping (unavailable for a 500)", err)
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
