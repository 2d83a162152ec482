package external

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
)

// junkPrefix starts go-plugin's error when the first line a plugin prints
// on stdout is not its handshake (pinned by TestJunkOnStdout against the
// go-plugin in go.mod).
const junkPrefix = "Unrecognized remote plugin message: "

// startError turns go-plugin's error for a plugin that failed to start
// into one that names the plugin and its binary, with the last lines the
// plugin wrote on stderr.
func startError(name, path string, err error, stderr string) error {
	msg := err.Error()
	var out error
	if rest, ok := strings.CutPrefix(msg, junkPrefix); ok {
		line, _, _ := strings.Cut(rest, "\n")
		if line == "" {
			out = fmt.Errorf("plugin %q (%s): exited before the handshake, printing nothing on stdout", name, path)
		} else {
			out = fmt.Errorf("plugin %q (%s): printed %q on stdout before the handshake; plugins must not write to stdout before serving", name, path, line)
		}
	} else {
		out = fmt.Errorf("plugin %q (%s): start: %w", name, path, err)
	}
	if stderr = strings.TrimSpace(stderr); stderr != "" {
		out = fmt.Errorf("%w; its stderr ended with:\n%s", out, stderr)
	}
	return out
}

// tail is an io.Writer keeping the last lines written to it: a plugin's
// stderr, for start errors.
type tail struct {
	mu    sync.Mutex
	max   int
	lines []string
	part  []byte
}

func newTail(max int) *tail { return &tail{max: max} }

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.part = append(t.part, p...)
	for {
		i := bytes.IndexByte(t.part, '\n')
		if i < 0 {
			break
		}
		t.lines = append(t.lines, string(t.part[:i]))
		t.part = t.part[i+1:]
		if len(t.lines) > t.max {
			t.lines = t.lines[len(t.lines)-t.max:]
		}
	}
	if len(t.part) > 4096 {
		t.part = t.part[:4096]
	}
	return len(p), nil
}

// String returns the kept lines, and an unfinished last line.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.Join(t.lines, "\n")
	if len(t.part) > 0 {
		s += "\n" + string(t.part)
	}
	return s
}
