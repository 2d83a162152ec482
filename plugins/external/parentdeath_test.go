//go:build linux

package external

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// SIGKILL a drover (a helper process of the test binary) that started a
// plugin: the plugin dies with it, by Pdeathsig. The plugin never reaches
// the handshake, so no watchdog of the SDK is involved, and it stays alive
// as long as its parent does, although other goroutines come and go.
func TestParentDeathLeavesNoOrphan(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	file := t.TempDir() + "/pid"
	parent := exec.Command(self)
	parent.Env = append(os.Environ(), envMode+"=parent", envFile+"="+file)
	parent.Stderr = os.Stderr
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { parent.Wait(); close(done) }()
	t.Cleanup(func() { parent.Process.Kill(); <-done })
	var pid int
	waitFor(t, 30*time.Second, "the plugin wrote its pid", func() bool {
		b, _ := os.ReadFile(file)
		pid, _ = strconv.Atoi(string(trimNL(b)))
		return pid > 0
	})
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	time.Sleep(200 * time.Millisecond) // the plugin must outlive this moment with its parent alive
	if gone(pid) {
		t.Fatalf("plugin %d died while its parent lives", pid)
	}
	if err := parent.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	waitFor(t, 30*time.Second, "the orphaned plugin is gone", func() bool { return gone(pid) })
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
