package docker

import (
	"github.com/drover/drover/instance/docker/engine"
	"github.com/drover/drover/spierr"
)

// fail turns an error from the engine into a spierr error (see
// engine.Fail): what says what was being done.
func fail(op string, err error, what string) error { return engine.Fail(op, err, what) }

// classify is engine.Classify, the one place engine errors are classified.
func classify(err error) spierr.Code { return engine.Classify(err) }
