package external

import (
	"log/slog"
	"os"
	"time"

	"github.com/drover/drover/reconcile"
)

// Options tune the supervisors of a Manager. The zero value is ready to
// use: every field has a default, applied by NewManager.
type Options struct {
	// Logger receives drover's lines about each plugin and the plugin's
	// own log lines, every one tagged plugin=<name>. Default slog.Default().
	Logger *slog.Logger
	// StartTimeout bounds a start: exec to handshake. Default 10 s.
	StartTimeout time.Duration
	// CallTimeout is the deadline of a call whose context has none, so
	// that every call to a plugin carries one. Default 2 min.
	CallTimeout time.Duration
	// MinBackoff is the wait before the first restart of a crashed or
	// failed plugin; it doubles with each failure up to MaxBackoff.
	// Defaults 1 s and 1 min.
	MinBackoff, MaxBackoff time.Duration
	// ResetAfter is how long a plugin must stay up for the backoff to go
	// back to MinBackoff. Default 1 min.
	ResetAfter time.Duration
	// Clock times the restart backoff and ResetAfter. Default
	// reconcile.RealClock; tests pass a fake to decide when a backoff
	// ends.
	Clock reconcile.Clock
	// Env is the whole environment of a plugin process (go-plugin adds its
	// handshake variables). Default: PATH, HOME, TMPDIR and LANG from
	// drover's environment, those that are set. Nothing else is passed,
	// so drover's secrets (DROVER_TOKEN, cloud tokens) never reach a
	// plugin; a plugin gets its credentials from its provider block.
	Env []string
}

// EnvAllowlist is what a plugin gets of drover's environment by default.
var EnvAllowlist = []string{"PATH", "HOME", "TMPDIR", "LANG"}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 10 * time.Second
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 2 * time.Minute
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(time.Minute, o.MinBackoff)
	}
	if o.ResetAfter <= 0 {
		o.ResetAfter = time.Minute
	}
	if o.Clock == nil {
		o.Clock = reconcile.RealClock{}
	}
	if o.Env == nil {
		o.Env = []string{}
		for _, k := range EnvAllowlist {
			if v, ok := os.LookupEnv(k); ok {
				o.Env = append(o.Env, k+"="+v)
			}
		}
	}
	return o
}
