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

// hostileEnv names the file of a hostile case for the child process that
// loads it.
const hostileEnv = "DROVER_TEST_HOSTILE_CASE"

// Each hostile spec is loaded in a child process (this test binary, run
// again), so that a crash, a hang or a memory blow-up is seen as such
// rather than taking the test run down with it.
const (
	hostileTimeout = 2 * time.Minute // the watchdog: a case takes at most seconds, ten times that under -race on a loaded machine
	hostileMaxRSS  = 1 << 30         // peak RSS of the child, in bytes (the race detector included)
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

func runHostileChild(caseFile string) int {
	debug.SetMemoryLimit(256 << 20)
	var c hostileCase
	b, err := os.ReadFile(caseFile)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
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
	caseFile := filepath.Join(t.TempDir(), "case.json") // too big for the environment
	write(t, caseFile, string(b))
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hostileEnv+"="+caseFile)
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

// TestHostileGenerated loads hostile specs too big to keep in the repo,
// and hostile variable inputs (-var, var files, DROVER_VAR_).
func TestHostileGenerated(t *testing.T) {
	const lim = "Spec limit exceeded: "
	deep := func(open, mid, close string, n int) string {
		return strings.Repeat(open, n) + mid + strings.Repeat(close, n)
	}
	local := func(e string) string { return "locals {\n  x = " + e + "\n}\n" }
	listVar := "variable \"v\" {\n  type = list(any)\n}\n"
	strVar := "variable \"v\" {\n  type = string\n}\n"
	big := strings.Repeat("x", 2<<20)
	for _, tc := range []struct {
		name    string
		file    string // the spec file's name
		src     string
		vars    []string
		varFile string // a var file's content, named vars.hcl or vars.json as varExt says
		varExt  string
		env     map[string]string
		want    string
		located bool
	}{
		{name: "parens-100k", src: local(deep("(", "1", ")", 100_000)), want: lim + "tokens", located: true},
		{name: "parens-129", src: local(deep("(", "1", ")", 129)), want: lim + "nesting depth", located: true},
		{name: "brackets-120k", src: local(deep("[", "", "]", 120_000)), want: lim + "tokens", located: true},
		{name: "minus-250k", src: local(strings.Repeat("-", 250_000) + "1"), want: lim, located: true},
		{name: "braces-blocks", src: deep("locals {\n", "", "}\n", 1) + deep("a = {", "1", "}", 300), want: lim + "nesting depth", located: true},
		{name: "interpolation-deep", src: local(`"` + deep(`${"`, "x", `"}`, 5000) + `"`), want: lim + "nesting depth", located: true},
		{name: "heredoc-deep", src: "locals {\n  x = <<EOT\n" + deep(`${"`, "x", `"}`, 5000) + "\nEOT\n}\n", want: lim + "nesting depth", located: true},
		{name: "source-too-big", src: "# " + strings.Repeat("x", specs.MaxSourceBytes) + "\n", want: lim + "source size", located: true},
		{name: "long-string-literal", src: local(`"` + strings.Repeat("x", 250_000) + `"`), want: "valid", located: true},
		{name: "long-identifier", src: "locals {\n  " + strings.Repeat("a", 250_000) + " = 1\n}\n", want: "valid", located: true},
		{name: "many-attributes", src: "locals {\n" + manyLines("  a%d = %d\n", 10_000) + "}\n", want: "valid", located: true},
		{name: "many-blocks", src: manyLines("swarm \"s%d\" {} # %d\n", 5_000), want: "any", located: true},
		{name: "long-list-literal", src: local("[" + strings.Repeat("1,", 20_000) + "1]"), want: lim + "collection length", located: true},
		{name: "json-deep", file: "spec.json", src: `{"locals": {"x": ` + deep("[", "", "]", 5000) + `}}`, want: lim + "nesting depth", located: true},
		{name: "json-template-for", file: "spec.json", src: `{"locals": {"x": "${[for a in range(1000): [for b in range(1000): a]]}"}}`, want: lim + "for in JSON", located: true},
		{name: "json-huge-number", file: "spec.json", src: `{"locals": {"x": 1e999999}}`, want: lim + "number", located: true},
		{name: "var-flag-huge", src: strVar, vars: []string{"v=" + big}, want: lim + "source size"},
		{name: "var-flag-deep", src: listVar, vars: []string{"v=" + deep("[", "", "]", 200)}, want: lim + "nesting depth"},
		{name: "var-flag-for", src: listVar, vars: []string{"v=" + nestedFor(6)}, want: lim},
		{name: "var-env-huge", src: strVar, env: map[string]string{"DROVER_VAR_v": big}, want: lim + "source size"},
		{name: "var-env-deep", src: listVar, env: map[string]string{"DROVER_VAR_v": deep("[", "", "]", 200)}, want: lim + "nesting depth"},
		{name: "var-file-deep", src: listVar, varFile: "v = " + deep("[", "", "]", 200) + "\n", varExt: "hcl", want: lim + "nesting depth", located: true},
		{name: "var-file-for", src: listVar, varFile: "v = " + nestedFor(6) + "\n", varExt: "hcl", want: lim, located: true},
		{name: "var-file-json-deep", src: listVar, varFile: `{"v": ` + deep("[", "", "]", 200) + `}`, varExt: "json", want: lim + "nesting depth", located: true},
		{name: "var-file-huge", src: strVar, varFile: "v = \"" + big + "\"\n", varExt: "hcl", want: "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			name := tc.file
			if name == "" {
				name = "spec.hcl"
			}
			c := hostileCase{Files: []string{filepath.Join(dir, name)}, Vars: tc.vars, Env: tc.env}
			write(t, c.Files[0], tc.src)
			if tc.varFile != "" {
				p := filepath.Join(dir, "vars."+tc.varExt)
				write(t, p, tc.varFile)
				c.VarFiles = []string{p}
			}
			checkOutcome(t, runHostile(t, c), tc.want, tc.located)
		})
	}
}

func manyLines(format string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i, i)
	}
	return b.String()
}

// nestedFor is n for expressions over ten-element tuples, nested: 10^n
// iterations written in a few hundred bytes, with no function to call.
func nestedFor(n int) string {
	e := `"x"`
	for i := range n {
		e = fmt.Sprintf("[for a%d in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]: %s]", i, e)
	}
	return e
}
