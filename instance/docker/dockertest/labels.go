package dockertest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The labels on everything a test creates.
const (
	LabelRun  = "drover.test"      // the run id of the test process
	LabelPID  = "drover.test.pid"  // the pid of the test process
	LabelHost = "drover.test.host" // the hostname of the test process
)

// NamePrefix starts the names of networks and volumes that tests create
// (see Name), so that they are found even without labels.
const NamePrefix = "drover-test-"

var (
	pid      = os.Getpid()
	hostname = func() string { h, _ := os.Hostname(); return h }()
	runID    = newRunID()
)

// newRunID returns "<pid>-<random hex>": unique per process, with the pid
// readable from names that carry it.
func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%d-%s", pid, hex.EncodeToString(b))
}

// RunID returns this test process's run id.
func RunID() string { return runID }

// Label returns the labels to put on everything a test creates: this
// process's run id, pid and hostname. The map is a fresh copy.
func Label(t testing.TB) map[string]string {
	return map[string]string{LabelRun: runID, LabelPID: strconv.Itoa(pid), LabelHost: hostname}
}

// Tags returns Label(t) with extra added, for instance specs.
func Tags(t testing.TB, extra map[string]string) map[string]string {
	out := Label(t)
	maps.Copy(out, extra)
	return out
}

// Name returns "drover-test-<run id>-<suffix>": a name for a network or
// volume (or an owner tag) that Cleanup finds by its prefix.
func Name(t testing.TB, suffix string) string {
	if suffix == "" {
		return NamePrefix + runID
	}
	return NamePrefix + runID + "-" + suffix
}

// pidOfName returns the pid in a name made by Name, or 0.
func pidOfName(name string) int {
	rest, ok := strings.CutPrefix(name, NamePrefix)
	if !ok {
		return 0
	}
	num, _, _ := strings.Cut(rest, "-")
	n, err := strconv.Atoi(num)
	if err != nil {
		return 0
	}
	return n
}
