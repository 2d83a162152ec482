// Package dockertest is test support for every package whose tests need a
// Docker engine: a client that skips (or, in CI, fails) without an engine,
// labels and cleanup that never touch another live test process's
// containers, the demo app image, an image with a shell, and waiting for
// the engine.
package dockertest
