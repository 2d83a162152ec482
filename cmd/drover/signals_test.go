package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover/drover/internal/await"
	"github.com/drover/drover/internal/syncbuf"
)

func TestGraceFor(t *testing.T) {
	cases := []struct {
		args []string
		want time.Duration
	}{
		{[]string{"apply", "spec.hcl"}, drainGrace},
		{[]string{"--data-dir", "d", "destroy"}, drainGrace},
		{[]string{"run"}, drainGrace},
		{[]string{"dev", "fake-digitalocean"}, drainGrace},
		{[]string{"validate", "spec.hcl"}, readOnlyGrace},
		{[]string{"events", "-f"}, readOnlyGrace},
		{[]string{"fmt", "--", "apply"}, readOnlyGrace},
		{nil, readOnlyGrace},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			if got := graceFor(tc.args); got != tc.want {
				t.Fatalf("grace %s, want %s", got, tc.want)
			}
		})
	}
}

// The first signal cancels at once; the exit comes only at the second
// signal or when the grace is over, with 128+signal.
func TestWatchSignals(t *testing.T) {
	cases := []struct {
		name     string
		signals  []os.Signal
		fireTime bool // the grace runs out
		wantCode int
		wantSaid string
	}{
		{"SIGTERM, then the grace runs out", []os.Signal{syscall.SIGTERM}, true, 143, "did not end within 2s of SIGTERM"},
		{"interrupt, then the grace runs out", []os.Signal{os.Interrupt}, true, 130, "did not end within 2s of interrupt"},
		{"two interrupts", []os.Signal{os.Interrupt, os.Interrupt}, false, 130, "second interrupt: exiting at once"},
		{"SIGTERM, then an interrupt", []os.Signal{syscall.SIGTERM, os.Interrupt}, false, 143, "second SIGTERM"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sigs := make(chan os.Signal, 2)
			ctx, cancel := context.WithCancel(t.Context())
			asked := make(chan time.Duration, 1)
			timer := make(chan time.Time, 1)
			exited := make(chan int, 1)
			var said syncbuf.Buffer
			code := watchSignals(sigs, cancel, signalOptions{
				grace:  readOnlyGrace,
				after:  func(d time.Duration) <-chan time.Time { asked <- d; return timer },
				exit:   func(c int) { exited <- c },
				stderr: &said,
			})
			if code() != 0 || ctx.Err() != nil {
				t.Fatal("cancelled or interrupted before any signal")
			}
			sigs <- tc.signals[0]
			if d := <-asked; d != readOnlyGrace {
				t.Fatalf("waited %s, want the grace %s", d, readOnlyGrace)
			}
			// The grace timer is set after the cancel, and nothing has
			// fired yet: cancelled, not exited.
			if ctx.Err() == nil {
				t.Fatal("the first signal did not cancel")
			}
			select {
			case c := <-exited:
				t.Fatalf("exited %d before the grace ran out or a second signal", c)
			default:
			}
			if code() != tc.wantCode {
				t.Fatalf("code %d, want %d", code(), tc.wantCode)
			}
			if tc.fireTime {
				timer <- time.Time{}
			} else {
				sigs <- tc.signals[1]
			}
			if c := <-exited; c != tc.wantCode {
				t.Fatalf("exited %d, want %d", c, tc.wantCode)
			}
			if !strings.Contains(said.String(), tc.wantSaid) {
				t.Fatalf("said %q, want %q", said.String(), tc.wantSaid)
			}
		})
	}
}

// The built binary ends on a signal: a command blocked in a read that
// ignores its context (fmt of standard input that never comes, file() of
// a FIFO nobody writes) exits 143 or 130 once its grace is over, or at
// once on a second Ctrl-C; one waiting on a daemon that never answers
// ends at the first signal.
func TestSignalsEndCommands(t *testing.T) {
	bin := buildDrover(t)
	t.Run("blocked read, SIGTERM", func(t *testing.T) {
		p := startBlockedOnStdin(t, bin)
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.wantExit(t, 143, "did not end within 2s of SIGTERM")
	})
	t.Run("blocked read, two interrupts", func(t *testing.T) {
		p := startBlockedOnStdin(t, bin)
		p.cmd.Process.Signal(os.Interrupt)
		p.cmd.Process.Signal(os.Interrupt)
		p.wantExit(t, 130, "")
	})
	t.Run("file() of a FIFO, SIGINT", func(t *testing.T) {
		dir := t.TempDir()
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		spec := writeFile(t, dir, "spec.hcl", `variable "x" { default = file("fifo") }`+"\n")
		p := startProc(t, bin, nil, "validate", spec)
		blocked := false
		await.Until(t, time.Minute, func() (bool, error) {
			select {
			case err := <-p.done:
				p.done <- err
				return true, nil // refused at once: nothing to interrupt
			default:
			}
			blocked = sleepsIn(p.cmd.Process.Pid, "wait_for_partner", "fifo", "pipe_read")
			return blocked, errors.New("drover validate neither ended nor blocked on the FIFO")
		})
		if !blocked {
			// A build whose file() refuses what is not a regular file.
			p.wantExit(t, exitError, "fifo")
			return
		}
		p.cmd.Process.Signal(os.Interrupt)
		p.wantExit(t, 130, "did not end within 2s of interrupt")
	})
	t.Run("daemon that never answers, SIGTERM", func(t *testing.T) {
		dir, err := os.MkdirTemp("", "drvs")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		sock := filepath.Join(dir, "hung.sock")
		l, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		conns := make(chan net.Conn, 4)
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				conns <- c // held, never answered
			}
		}()
		p := startProc(t, bin, nil, "events", "-f", "--addr", sock)
		select {
		case c := <-conns:
			defer c.Close()
		case err := <-p.done:
			t.Fatalf("events -f ended before it connected: %v\n%s", err, p.out)
		case <-time.After(time.Minute):
			t.Fatalf("events -f never connected\n%s", p.out)
		}
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.wantExit(t, 143, "")
		if strings.Contains(p.out.String(), "did not end within") {
			t.Errorf("a command that honours its context needed the grace:\n%s", p.out)
		}
	})
}

type proc struct {
	cmd  *exec.Cmd
	out  *syncbuf.Buffer
	done chan error
}

func startProc(t *testing.T, bin string, stdin *os.File, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), out: &syncbuf.Buffer{}, done: make(chan error, 1)}
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = stdin, p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		p.done <- <-p.done
	})
	return p
}

// startBlockedOnStdin runs drover fmt - on a pipe the test never writes
// to, and waits until one of its threads sleeps in the pipe's read: by
// then main has set up its signal handling.
func startBlockedOnStdin(t *testing.T, bin string) *proc {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	p := startProc(t, bin, r, "fmt", "-")
	r.Close()
	await.Until(t, time.Minute, func() (bool, error) {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("drover fmt - ended without input: %v\n%s", err, p.out)
		default:
		}
		return sleepsIn(p.cmd.Process.Pid, "pipe_read"), errors.New("no thread of drover fmt - sleeps in a pipe read")
	})
	return p
}

// sleepsIn says whether a thread of pid sleeps in a kernel function whose
// name contains one of names.
func sleepsIn(pid int, names ...string) bool {
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "wchan"))
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, n := range names {
			if bytes.Contains(b, []byte(n)) {
				return true
			}
		}
	}
	return false
}

// wantExit waits for the process to end with code, its output saying said.
func (p *proc) wantExit(t *testing.T, code int, said string) {
	t.Helper()
	var err error
	select {
	case err = <-p.done:
		p.done <- err
	case <-time.After(time.Minute):
		t.Fatalf("still running a minute after the signal\n%s", p.out)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != code {
		t.Fatalf("ended with %v, want exit code %d\n%s", err, code, p.out)
	}
	if !strings.Contains(p.out.String(), said) {
		t.Fatalf("output lacks %q:\n%s", said, p.out)
	}
}
