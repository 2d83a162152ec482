// Command drover is the CLI of drover, a declarative reconciling controller
// for Docker swarm clusters.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	interrupted := watchSignals(sigs, cancel, signalOptions{grace: graceFor(os.Args[1:]), after: time.After, exit: os.Exit, stderr: os.Stderr})
	isTerminal := func() bool { return isatty.IsTerminal(os.Stdin.Fd()) }
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, isTerminal: isTerminal}, os.LookupEnv)
	if sig := interrupted(); sig != 0 && code != exitOK {
		code = sig
	}
	os.Exit(code)
}
