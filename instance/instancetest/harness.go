package instancetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/drover/drover/instance"
)

// Harness is what a provider brings to the suite.
type Harness struct {
	// New returns the plugin under test, connected to its backend.
	New func(t *testing.T) instance.Plugin
	// Properties are valid properties; instances made from them must
	// start without further setup.
	Properties json.RawMessage
	// BadProperties must each be rejected by Validate with
	// spierr.ErrInvalid.
	BadProperties []json.RawMessage
	// Tags are set on every instance the suite creates, and select them:
	// they must be unique to the run (e.g. a test process's labels) so
	// that the suite never sees or touches anything else.
	Tags map[string]string
	// Settle waits until check passes, for eventually-consistent backends
	// (a list that lags behind a create); nil checks once.
	Settle func(t *testing.T, check func() error)
	// Timeout bounds each plugin call; zero means DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds each plugin call unless the harness says otherwise.
const DefaultTimeout = 2 * time.Minute

// UnknownID is an instance id no backend has: all digits, so that it is
// well-formed for backends with numeric ids.
const UnknownID instance.ID = "4040404040404040"

// suite is one run of the suite.
type suite struct {
	h      Harness
	plugin instance.Plugin
	token  string // unique to the run: in names and the group tag
}

// ctx returns a context bounded by the harness timeout and ended with t.
func (s *suite) ctx(t *testing.T) context.Context {
	d := s.h.Timeout
	if d == 0 {
		d = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// cleanupCtx returns a context for cleanups, which run after the test's
// own context has ended.
func (s *suite) cleanupCtx() (context.Context, context.CancelFunc) {
	d := s.h.Timeout
	if d == 0 {
		d = DefaultTimeout
	}
	return context.WithTimeout(context.Background(), d)
}

// settle runs check until it passes (Harness.Settle) or once.
func (s *suite) settle(t *testing.T, check func() error) {
	t.Helper()
	if s.h.Settle != nil {
		s.h.Settle(t, check)
		return
	}
	if err := check(); err != nil {
		t.Fatal(err)
	}
}

// group is the group tag value of the run's instances.
func (s *suite) group() string { return "conformance-" + s.token }

// selector selects the run's instances: the harness tags and the group.
func (s *suite) selector() map[string]string {
	sel := maps.Clone(s.h.Tags)
	if sel == nil {
		sel = map[string]string{}
	}
	sel[instance.TagGroup] = s.group()
	return sel
}

// spec returns a spec for an instance of the run named "<token>-<suffix>",
// carrying the selector's tags, a fresh request tag, a case tag and tags
// whose values use characters that backends must encode.
func (s *suite) spec(suffix string) instance.Spec {
	tags := s.selector()
	tags[instance.TagRequest] = randomToken()
	tags[instance.TagConfig] = "sha256:0123abcd"
	tags["conformance.case"] = suffix
	tags["conformance.tricky"] = "Ünï cödé a=b:c/d_e.F"
	return instance.Spec{
		Name:       s.token + "-" + suffix,
		Properties: s.h.Properties,
		Tags:       tags,
	}
}

// randomToken returns 8 lowercase hex digits.
func randomToken() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
