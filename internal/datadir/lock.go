package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockName is the file in a data directory that the controller holding
// it locks.
const LockName = "controller.lock"

// Locked is a data directory held by this process's controller.
type Locked struct{ f *os.File }

// HeldError is the error of Lock when another process holds the data
// directory.
type HeldError struct {
	Dir string
	PID int // 0 when it could not be read
}

func (e *HeldError) Error() string {
	who := "another drover process"
	if e.PID > 0 {
		who = fmt.Sprintf("drover process %d", e.PID)
	}
	return fmt.Sprintf("%s acts on the data dir %s already (an apply --watch, a destroy or the daemon): two controllers would undo each other's changes; stop it, or run `drover run` and apply through it", who, e.Dir)
}

// Lock makes this process the one controller of data directory dir (an
// in-process apply or destroy, or the daemon), until Release or its exit:
// the lock is the kernel's (flock), so a killed process leaves none
// behind. Another holder is a *HeldError.
func Lock(dir string) (*Locked, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &HeldError{Dir: dir, PID: holder(path)}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0) // who holds it, for the error of the next; the lock is what counts
	}
	return &Locked{f: f}, nil
}

// holder is the PID written in the lock file at path, or 0.
func holder(path string) int {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 32 {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return max(pid, 0)
}

// Release gives the data directory up. It is safe to call on nil.
func (l *Locked) Release() {
	if l == nil || l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
	l.f = nil
}
