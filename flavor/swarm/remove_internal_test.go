package swarm

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/drover/drover/spierr"
)

func TestRetryLoss(t *testing.T) {
	unavailable := spierr.Unavailable("swarm.test", "the manager did not answer: %w", context.DeadlineExceeded)
	tests := []struct {
		name     string
		errs     []error // of each attempt; then success
		attempts int
		fails    bool
	}{
		{"at once", nil, 1, false},
		{"after two timeouts", []error{unavailable, unavailable}, 3, false},
		{"a refusal is not tried again", []error{spierr.Invalid("swarm.test", "no")}, 1, true},
		{"a plain error is not tried again", []error{unavailable, errors.New("would lose quorum")}, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(nil, Options{EngineTimeout: time.Second})
			var timeouts []time.Duration
			n, err := p.retryLoss(t.Context(), func(ctx context.Context) error {
				_ = p.call(ctx, func(ctx context.Context) error {
					d, _ := ctx.Deadline()
					timeouts = append(timeouts, time.Until(d).Round(time.Second))
					return nil
				})
				if i := len(timeouts) - 1; i < len(tt.errs) {
					return tt.errs[i]
				}
				return nil
			})
			if n != tt.attempts || (err != nil) != tt.fails {
				t.Fatalf("%d attempts, err %v; want %d attempts, failing %v", n, err, tt.attempts, tt.fails)
			}
			for i := 1; i < len(timeouts); i++ {
				if timeouts[i] != 2*timeouts[i-1] {
					t.Errorf("the calls' timeouts %v do not double", timeouts)
				}
			}
			if timeouts[0] != time.Second {
				t.Errorf("the first call's timeout is %v, want the engine timeout", timeouts[0])
			}
		})
	}
}

func TestRetryLossEndsWithItsContext(t *testing.T) {
	p := New(nil, Options{EngineTimeout: time.Second})
	ctx, cancel := context.WithCancel(t.Context())
	n, err := p.retryLoss(ctx, func(context.Context) error {
		cancel()
		return spierr.Unavailable("swarm.test", "%w", context.Canceled)
	})
	if n != 1 || err == nil {
		t.Errorf("%d attempts, err %v; want 1 and the error", n, err)
	}
}
