package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain removes DROVER_* variables from the process environment, so that
// a developer's own settings cannot reach a test even if some code read the
// process environment instead of run's lookupEnv (TestValidateVariables-
// IgnoreProcessEnv checks that none does).
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "DROVER_") {
			os.Unsetenv(name)
		}
	}
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// fakeEnv is the environment run sees through its lookupEnv argument.
type fakeEnv map[string]string

func (e fakeEnv) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// result is the outcome of one CLI invocation.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("drover %q\nexit code: %d\n--- stdout ---\n%s\n--- stderr ---\n%s", r.args, r.code, r.stdout, r.stderr)
}

// runCLI runs the CLI with args, stdin as standard input and env as the
// environment for spec variables and env().
func runCLI(t *testing.T, env fakeEnv, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	if env == nil {
		env = fakeEnv{}
	}
	code := run(t.Context(), args, stdio{in: strings.NewReader(stdin), out: &out, err: &errOut}, env.lookup)
	return result{args: args, code: code, stdout: out.String(), stderr: errOut.String()}
}

// drover runs the CLI with an empty environment and no input.
func drover(t *testing.T, args ...string) result {
	t.Helper()
	return runCLI(t, nil, "", args...)
}

func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\n%s", r.code, code, r)
	}
}

// wantContains checks that the named stream of r holds every string.
func wantContains(t *testing.T, r result, stream string, subs ...string) {
	t.Helper()
	text := r.stream(t, stream)
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s does not contain %q\n%s", stream, s, r)
		}
	}
}

// wantNotContains checks that the named stream of r holds none of subs.
func wantNotContains(t *testing.T, r result, stream string, subs ...string) {
	t.Helper()
	text := r.stream(t, stream)
	for _, s := range subs {
		if strings.Contains(text, s) {
			t.Errorf("%s contains %q\n%s", stream, s, r)
		}
	}
}

func wantEmpty(t *testing.T, r result, stream string) {
	t.Helper()
	if text := r.stream(t, stream); text != "" {
		t.Errorf("%s is not empty\n%s", stream, r)
	}
}

func (r result) stream(t *testing.T, name string) string {
	t.Helper()
	switch name {
	case "stdout":
		return r.stdout
	case "stderr":
		return r.stderr
	}
	t.Fatalf("unknown stream %q", name)
	return ""
}

// writeFile writes content to dir/name, creating directories, and returns
// the file's path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
