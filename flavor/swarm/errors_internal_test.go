package swarm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/drover/drover/spierr"
)

func TestRedact(t *testing.T) {
	const token = "SWMTKN-1-secret"
	cause := fmt.Errorf("join failed with token %s: %w", token, context.DeadlineExceeded)
	err := redact(engineErr("swarm.join", "join x", cause), token)
	if strings.Contains(err.Error(), token) {
		t.Fatalf("the token is in the error: %v", err)
	}
	if !strings.Contains(err.Error(), "join failed with token [redacted]") {
		t.Errorf("redacted error = %v", err)
	}
	if !errors.Is(err, spierr.ErrUnavailable) {
		t.Errorf("redact lost the code: %v", err)
	}
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), token) {
			t.Errorf("a wrapped error has the token: %v", e)
		}
	}
	if redact(nil, token) != nil {
		t.Error("redact(nil) is not nil")
	}
}

func TestOutOfSequence(t *testing.T) {
	if !outOfSequence(errors.New("Error response from daemon: rpc error: code = Unknown desc = update out of sequence")) {
		t.Error("not recognised")
	}
	if outOfSequence(nil) || outOfSequence(errors.New("other")) {
		t.Error("false positive")
	}
}

func TestClustersRegister(t *testing.T) {
	ep := func(name string) endpoint { return endpoint{addr: "unix:///" + name} }
	c := NewClusters("")
	defer c.Close()
	if c.gone("o", "s") {
		t.Error("an unknown swarm is gone")
	}
	if !c.register("o", "s", "g", ep("a"), "id1") || !c.register("o", "s", "g", ep("b"), "id1") {
		t.Fatal("register refused managers of the known swarm")
	}
	if c.register("o", "s", "g", ep("c"), "id2") {
		t.Error("register accepted a manager of a second swarm of the same name")
	}
	if engines, id := c.candidates(swarmKey{"o", "s"}); len(engines) != 2 || id != "id1" {
		t.Errorf("candidates = %v, %s", engines, id)
	}
	c.answered(swarmKey{"o", "s"}, ep("b"))
	if engines, _ := c.candidates(swarmKey{"o", "s"}); engines[0] != ep("b") {
		t.Errorf("the engine that answered last is not first: %v", engines)
	}
	c.prune("o", "g", map[endpoint]bool{ep("a"): true})
	if engines, _ := c.candidates(swarmKey{"o", "s"}); len(engines) != 1 || engines[0] != ep("a") {
		t.Errorf("after prune: %v", engines)
	}
	c.forget("o", "s", ep("a"))
	if !c.gone("o", "s") {
		t.Error("a swarm whose managers were all forgotten is not gone")
	}
	if !c.register("o", "s", "g", ep("c"), "id2") {
		t.Error("a new swarm of the name was refused after the old one was gone")
	}
}
