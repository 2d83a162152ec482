package specs_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover/drover/specs"
)

// hostileEnv carries a hostile case to the child process that loads it.
const hostileEnv = "DROVER_TEST_HOSTILE_CASE"

// Each hostile spec is loaded in a child process (this test binary, run
// again), so that a crash, a hang or a memory blow-up is seen as such
// rather than taking the test run down with it.
const (
	hostileTimeout = 60 * time.Second // the watchdog; a case takes well under a second
	hostileMaxRSS  = 1 << 30          // peak RSS of the child, in bytes (the race detector included)
)

func TestMain(m *testing.M) {
	if c := os.Getenv(hostileEnv); c != "" {
		os.Exit(runHostileChild(c))
	}
	os.Exit(m.Run())
}

// hostileCase is a spec to load: its files and variable inputs.
type hostileCase struct {
	Files    []string          `json:"files"`
	Vars     []string          `json:"vars"`
	VarFiles []string          `json:"var_files"`
	Env      map[string]string `json:"env"`
}

// hostileResult is what the child reports.
type hostileResult struct {
	Valid bool          `json:"valid"`
	Err   string        `json:"err"` // a failure without diagnostics
	Diags []hostileDiag `json:"diags"`
}

type hostileDiag struct {
	Summary string `json:"summary"`
	Detail  string `json:"detail"`
	File    string `json:"file"`
	Line    int    `json:"line"`
}

func runHostileChild(spec string) int {
	debug.SetMemoryLimit(256 << 20)
	var c hostileCase
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	// A clock that stands still: the budgets alone must end every case,
	// however loaded the machine (the deadline is their backstop).
	frozen := time.Unix(0, 0)
	l, err := specs.NewLoader(specs.Options{
		Schemas: builtins(), Vars: c.Vars, VarFiles: c.VarFiles, LookupEnv: env(c.Env).lookup,
		Now: func() time.Time { return frozen },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var res hostileResult
	_, err = l.Load(c.Files...)
	var le *specs.LoadError
	switch {
	case err == nil:
		res.Valid = true
	case errors.As(err, &le):
		for _, d := range le.Diagnostics {
			hd := hostileDiag{Summary: d.Summary, Detail: d.Detail}
			if d.Subject != nil {
				hd.File, hd.Line = d.Subject.Filename, d.Subject.Start.Line
			}
			res.Diags = append(res.Diags, hd)
		}
	default:
		res.Err = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return 2
	}
	return 0
}

// runHostile loads c in a child process and checks that it ended in time,
// within the memory cap, without crashing.
func runHostile(t *testing.T, c hostileCase) hostileResult {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), hostileTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hostileEnv+"="+string(b))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("still running after %s: killed", hostileTimeout)
	}
	if err != nil {
		t.Fatalf("child failed after %s: %v\n%s", took, err, tail(stderr.String()))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		if rss := ru.Maxrss * 1024; rss > hostileMaxRSS {
			t.Errorf("peak RSS %d MiB, above %d MiB", rss>>20, hostileMaxRSS>>20)
		}
		t.Logf("took %s, peak RSS %d MiB", took.Round(time.Millisecond), ru.Maxrss>>10)
	}
	var res hostileResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("child output: %v: %s", err, tail(string(out)))
	}
	return res
}

func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}

// hostileFixtures makes what the corpus's file() calls read: a FIFO, a
// symlink to /dev/zero, a file over the size cap and a small file.
func hostileFixtures(t *testing.T, dir string) {
	t.Helper()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "big"), strings.Repeat("x", specs.MaxFileSize+1))
	write(t, filepath.Join(dir, "small"), strings.Repeat("0123456789", 1000))
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantOf reads a corpus file's "# want: ..." line: "valid", "any", or text
// that an error diagnostic's summary or detail must contain.
func wantOf(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	want, ok := strings.CutPrefix(strings.TrimSpace(line), "# want: ")
	if !ok {
		t.Fatalf("%s: the first line must be # want: ...", path)
	}
	return want
}

// checkOutcome checks a child's result against want; located says that
// every error must name a file and line.
func checkOutcome(t *testing.T, res hostileResult, want string, located bool) {
	t.Helper()
	if res.Err != "" {
		if want != "any" && !strings.Contains(res.Err, want) {
			t.Errorf("failed with %q, want %q", res.Err, want)
		}
		return
	}
	switch want {
	case "valid":
		if !res.Valid {
			t.Errorf("refused, want valid: %+v", res.Diags)
		}
		return
	case "any":
	default:
		found := false
		for _, d := range res.Diags {
			found = found || strings.Contains(d.Summary+": "+d.Detail, want)
		}
		if !found {
			t.Errorf("want a diagnostic with %q, got valid=%v %+v", want, res.Valid, res.Diags)
		}
	}
	for _, d := range res.Diags {
		if located && (d.File == "" || d.Line < 1) {
			t.Errorf("diagnostic without file:line: %+v", d)
		}
	}
}

// TestHostileCorpus loads every spec of testdata/hostile: each ends within
// the watchdog and the memory cap, never crashes, and names file:line.
func TestHostileCorpus(t *testing.T) {
	paths, err := filepath.Glob("testdata/hostile/*.hcl")
	if err != nil || len(paths) < 60 {
		t.Fatalf("the corpus holds %d specs (%v)", len(paths), err)
	}
	dir := t.TempDir()
	hostileFixtures(t, dir)
	for _, p := range paths {
		name := filepath.Base(p)
		t.Run(strings.TrimSuffix(name, ".hcl"), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, name)
			write(t, path, string(src))
			checkOutcome(t, runHostile(t, hostileCase{Files: []string{path}}), wantOf(t, p), true)
		})
	}
}
