package webhook

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"
)

// Defaults of Options.
const (
	DefaultMaxBody    = 1 << 20
	DefaultRate       = time.Second
	DefaultBurst      = 5
	DefaultDeliveries = 1000
)

// Sources is what the receiver needs of the daemon's git sources.
type Sources interface {
	// Secret returns the webhook secret of the named source; false when
	// there is no such source or it takes no webhook. An empty secret
	// counts as none. The receiver answers both cases alike (401), so
	// that names cannot be probed.
	Secret(name string) ([]byte, bool)
	// Trigger asks the named source to poll now. It must not block.
	Trigger(name string)
}

// Options configure New. Zero fields take the defaults given; negative
// ones are refused.
type Options struct {
	// Sources are the git sources deliveries are for. Required.
	Sources Sources
	// Now is the clock of the rate limiter. Default time.Now.
	Now func() time.Time
	// MaxBody bounds a delivery's body, in bytes; a larger one gets 413
	// and is not read past the cap. Default DefaultMaxBody (1 MiB).
	MaxBody int64
	// Rate is how often a source's token bucket gains a token: one
	// authenticated delivery per Rate, with bursts of Burst. Over it: 429
	// with Retry-After. Default DefaultRate (1s) and DefaultBurst (5).
	Rate  time.Duration
	Burst int
	// Deliveries is how many delivery ids are remembered per source to
	// refuse replays (409); the oldest is forgotten first. Default
	// DefaultDeliveries (1000).
	Deliveries int
	// AfterFunc runs f once d has passed: the poll that a push refused
	// for rate still gets, once the limit allows it. Default
	// time.AfterFunc.
	AfterFunc func(d time.Duration, f func())
	// Log receives a line per delivery, accepted or refused. It never
	// holds a secret, a signature or a body. Default: discard.
	Log *slog.Logger
}

// New returns a receiver of the deliveries for opts.Sources.
func New(opts Options) (*Receiver, error) {
	if opts.Sources == nil {
		return nil, errors.New("webhook: Options.Sources is required")
	}
	if opts.MaxBody < 0 || opts.Rate < 0 || opts.Burst < 0 || opts.Deliveries < 0 {
		return nil, errors.New("webhook: Options.MaxBody, Rate, Burst and Deliveries must not be negative")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AfterFunc == nil {
		opts.AfterFunc = func(d time.Duration, f func()) { time.AfterFunc(d, f) }
	}
	if opts.MaxBody == 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Rate == 0 {
		opts.Rate = DefaultRate
	}
	if opts.Burst == 0 {
		opts.Burst = DefaultBurst
	}
	if opts.Deliveries == 0 {
		opts.Deliveries = DefaultDeliveries
	}
	if int64(opts.Burst) > math.MaxInt64/int64(opts.Rate) {
		return nil, errors.New("webhook: Options.Rate times Burst overflows a time.Duration")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	r := &Receiver{opts: opts, states: map[string]*sourceState{}}
	// decoy is verified against when a source has no secret, so that an
	// unknown name costs what a wrong signature does.
	if _, err := rand.Read(r.decoy[:]); err != nil {
		return nil, fmt.Errorf("webhook: decoy secret: %w", err)
	}
	return r, nil
}
