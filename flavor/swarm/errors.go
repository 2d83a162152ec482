package swarm

import (
	"strings"

	"github.com/drover/drover/instance/docker/engine"
	"github.com/drover/drover/spierr"
)

// engineErr turns an error from an engine into a spierr error saying what
// was being done (see engine.Fail).
func engineErr(op, what string, err error) error { return engine.Fail(op, err, what) }

// redacted stands for a secret in a message.
const redacted = "[redacted]"

// redact returns err with every secret replaced by "[redacted]". The
// result does not wrap err (whose text has the secret), but keeps its
// spierr code.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, redacted)
		}
	}
	return &spierr.Error{Code: engine.Classify(err), Msg: msg}
}

// outOfSequence reports whether err is the swarm's refusal of an update
// made against an old version of an object.
func outOfSequence(err error) bool {
	return err != nil && strings.Contains(err.Error(), "update out of sequence")
}
