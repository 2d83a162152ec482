package external

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/internal/await"
	"github.com/drover/drover/internal/syncbuf"
)

// fake is a plugin binary of the test binary in a mode, found by Discover
// under the plugin's name, and its started manager.
type fake struct {
	m    *Manager
	sup  *Supervisor
	path string
	log  *syncbuf.Buffer
	file string // envFile of the plugin
}

func newFake(t *testing.T, name, mode string, opts Options) *fake {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(self, filepath.Join(dir, BinaryPrefix+name)); err != nil {
		t.Fatal(err)
	}
	bins, err := Discover(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fake{path: bins[name], log: &syncbuf.Buffer{}, file: filepath.Join(t.TempDir(), "out")}
	if f.path == "" {
		t.Fatalf("Discover found %v, not %s", bins, name)
	}
	opts.Logger = slog.New(slog.NewTextHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Env = append(opts.Env, envMode+"="+mode, envFile+"="+f.file)
	f.m = NewManager(bins, opts)
	f.m.Start(t.Context())
	t.Cleanup(f.m.Close)
	f.sup, _ = f.m.Supervisor(name)
	return f
}

// lines returns what the plugin wrote to its file.
func (f *fake) lines() []string {
	b, _ := os.ReadFile(f.file)
	return strings.Fields(string(b))
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	await.Until(t, timeout, func() (bool, error) { return cond(), errors.New(what) })
}

// gone says whether pid has exited: absent, or a zombie nobody reaped.
func gone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// pid (comm) S ...: the state follows the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && (s[i+2] == 'Z' || s[i+2] == 'X')
}
