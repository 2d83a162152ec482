package runner_test

import (
	"testing"
	"time"
)

// swarmTurn is held by the test that runs a swarm of node containers.
// Each node is an engine of its own; two swarms forming at once on a
// 2-core machine starve each other's heartbeats, so the swarm tests take
// turns while the lighter tests of the package run beside them.
var swarmTurn = make(chan struct{}, 1)

// oneSwarmAtATime waits for the swarm turn and gives it back when t ends,
// after the cleanups registered later (the swarm's removal) have run. Call
// it after t.Parallel and before making anything.
func oneSwarmAtATime(t testing.TB) {
	t.Helper()
	select {
	case swarmTurn <- struct{}{}:
	case <-t.Context().Done():
		t.Fatal("ended while waiting for the swarm turn")
	}
	t.Cleanup(func() { <-swarmTurn })
}

// Bounds of this package's waits: what a loaded 2-core machine (two CPU
// burners beside the whole suite) needs, with room to spare. None is a
// promise about speed; the times are logged, and measured by benchmarks.
const (
	boundShort = time.Minute     // one change seen: a replacement, a health flip, a scale reverted
	boundGroup = 3 * time.Minute // a group of containers or droplets converged
	boundSwarm = 5 * time.Minute // a swarm of node containers formed or healed
)
