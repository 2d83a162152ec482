package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync/atomic"
	"syscall"
	"time"
)

// How long a command has, after the first SIGINT or SIGTERM cancelled its
// context, to end by itself before drover exits anyway. The commands that
// change machines get longer, to stop their workers and write down what
// they did; a command blocked in a call that ignores its context (a read
// of a FIFO, a hung engine) is cut off once its grace is over. A second
// signal exits at once. drainGrace is above the daemon's own bound on
// its shutdown (daemon.Options.ShutdownTimeout, 10 s), so that drover run
// closes its store itself.
const (
	drainGrace    = 15 * time.Second // apply, destroy, run, dev
	readOnlyGrace = 2 * time.Second  // every other command
)

// drainingCommands are the commands that get drainGrace.
var drainingCommands = []string{"apply", "destroy", "run", "dev"}

// graceFor is the grace of the command args run. Any argument naming a
// draining command counts: a longer grace than needed is the safe mistake.
func graceFor(args []string) time.Duration {
	for _, a := range args {
		if a == "--" {
			break
		}
		if slices.Contains(drainingCommands, a) {
			return drainGrace
		}
	}
	return readOnlyGrace
}

// signalOptions are how watchSignals waits and exits; tests replace them.
type signalOptions struct {
	grace  time.Duration
	after  func(time.Duration) <-chan time.Time
	exit   func(code int)
	stderr io.Writer
}

// watchSignals cancels the command's context at the first signal from
// sigs, then exits with 128+signal (130 for SIGINT, 143 for SIGTERM) at a
// second signal or when the grace is over, whichever comes first. The
// function it returns gives that exit code once a signal came, else 0, so
// that a command that ended within its grace exits with it too.
func watchSignals(sigs <-chan os.Signal, cancel context.CancelFunc, o signalOptions) func() int {
	var code atomic.Int32
	go func() {
		sig := <-sigs
		code.Store(int32(signalCode(sig)))
		cancel()
		select {
		case <-sigs:
			fmt.Fprintf(o.stderr, "\ndrover: second %s: exiting at once\n", signalName(sig))
		case <-o.after(o.grace):
			fmt.Fprintf(o.stderr, "\ndrover: the command did not end within %s of %s: exiting\n", o.grace, signalName(sig))
		}
		o.exit(int(code.Load()))
	}()
	return func() int { return int(code.Load()) }
}

// signalCode is the shell's exit status for a process a signal ended.
func signalCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "interrupt"
}
