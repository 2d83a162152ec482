package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	ugly      = "a=1\nbb = \"x\"\n"
	formatted = "a  = 1\nbb = \"x\"\n"
	broken    = "a = {\n"
)

// fmtDir makes a directory of specs to format and makes it the current
// directory, so that fmt prints short relative names.
func fmtDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, dir, name, content)
	}
	t.Chdir(dir)
	return dir
}

func wantFile(t *testing.T, path, content string) {
	t.Helper()
	if got := readFile(t, path); got != content {
		t.Errorf("%s holds\n%q\nwant\n%q", path, got, content)
	}
}

func TestFmtRewrites(t *testing.T) {
	for _, args := range [][]string{{"fmt"}, {"fmt", "."}, {"fmt", "ugly.hcl"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			fmtDir(t, map[string]string{"ugly.hcl": ugly, "ok.hcl": formatted})
			r := drover(t, args...)
			wantCode(t, r, exitOK)
			if r.stdout != "ugly.hcl\n" {
				t.Errorf("stdout %q, want only the changed file\n%s", r.stdout, r)
			}
			wantEmpty(t, r, "stderr")
			wantFile(t, "ugly.hcl", formatted)
			wantFile(t, "ok.hcl", formatted)

			// A second run has nothing to do.
			r = drover(t, args...)
			wantCode(t, r, exitOK)
			wantEmpty(t, r, "stdout")
		})
	}
}

func TestFmtKeepsMode(t *testing.T) {
	fmtDir(t, map[string]string{"ugly.hcl": ugly})
	if err := os.Chmod("ugly.hcl", 0o600); err != nil {
		t.Fatal(err)
	}
	wantCode(t, drover(t, "fmt"), exitOK)
	fi, err := os.Stat("ugly.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after fmt, want 0600", fi.Mode().Perm())
	}
}

func TestFmtCheck(t *testing.T) {
	tests := []struct {
		name string
		args []string
		out  []string // in stdout, besides the file name
	}{
		{name: "two dashes", args: []string{"fmt", "--check"}},
		{name: "one dash", args: []string{"fmt", "-check"}},
		{name: "one dash with value", args: []string{"fmt", "-check=true"}},
		{name: "explicit file", args: []string{"fmt", "--check", "ugly.hcl"}},
		{name: "diff", args: []string{"fmt", "--check", "--diff"}, out: []string{
			"--- a/ugly.hcl\n", "+++ b/ugly.hcl\n", "@@ -1,2 +1,2 @@\n", "-a=1\n", "+a  = 1\n", " bb = \"x\"\n"}},
		{name: "one-dash diff", args: []string{"fmt", "-check", "-diff"}, out: []string{"--- a/ugly.hcl", "+++ b/ugly.hcl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fmtDir(t, map[string]string{"ugly.hcl": ugly, "ok.hcl": formatted})
			r := drover(t, tt.args...)
			wantCode(t, r, exitChanges)
			if !strings.HasPrefix(r.stdout, "ugly.hcl\n") {
				t.Errorf("stdout does not start with the unformatted file\n%s", r)
			}
			wantContains(t, r, "stdout", tt.out...)
			wantNotContains(t, r, "stdout", "ok.hcl")
			wantEmpty(t, r, "stderr")
			wantFile(t, "ugly.hcl", ugly)
		})
	}
}

func TestFmtDiffWrites(t *testing.T) {
	fmtDir(t, map[string]string{"ugly.hcl": ugly})
	r := drover(t, "fmt", "--diff")
	wantCode(t, r, exitOK)
	wantContains(t, r, "stdout", "ugly.hcl\n--- a/ugly.hcl\n+++ b/ugly.hcl\n")
	wantFile(t, "ugly.hcl", formatted)
}

func TestFmtCheckFormatted(t *testing.T) {
	fmtDir(t, map[string]string{"a.hcl": formatted, "b.hcl": "x = 1\n", "notes.txt": "a=1\n"})
	for _, args := range [][]string{{"fmt", "--check"}, {"fmt", "--check", "--diff", "--recursive", "."}} {
		r := drover(t, args...)
		wantCode(t, r, exitOK)
		wantEmpty(t, r, "stdout")
		wantEmpty(t, r, "stderr")
	}
}

func TestFmtSyntaxError(t *testing.T) {
	fmtDir(t, map[string]string{"broken.hcl": broken, "ugly.hcl": ugly})
	r := drover(t, "fmt")
	wantCode(t, r, exitError)
	wantContains(t, r, "stderr", "Error: ", "broken.hcl:2:1", " 2 | ", "^")
	wantFile(t, "broken.hcl", broken)
	// The other files are still formatted.
	wantContains(t, r, "stdout", "ugly.hcl")
	wantFile(t, "ugly.hcl", formatted)

	r = drover(t, "fmt", "--check", "broken.hcl")
	wantCode(t, r, exitError)
	wantContains(t, r, "stderr", "broken.hcl:2:1")
}

func TestFmtMissingPath(t *testing.T) {
	fmtDir(t, nil)
	r := drover(t, "fmt", "nope.hcl")
	wantCode(t, r, exitError)
	wantContains(t, r, "stderr", "Error: ", "nope.hcl")
}

func TestFmtStdin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		in     string
		code   int
		stdout string
		stderr string
	}{
		{name: "format", args: []string{"fmt", "-"}, in: ugly, code: exitOK, stdout: formatted},
		{name: "formatted", args: []string{"fmt", "-"}, in: formatted, code: exitOK, stdout: formatted},
		{name: "check", args: []string{"fmt", "--check", "-"}, in: ugly, code: exitChanges},
		{name: "check formatted", args: []string{"fmt", "-check", "-"}, in: formatted, code: exitOK},
		{name: "diff", args: []string{"fmt", "--diff", "-"}, in: ugly, code: exitOK,
			stdout: "--- a/<stdin>\n+++ b/<stdin>\n@@ -1,2 +1,2 @@\n-a=1\n+a  = 1\n bb = \"x\"\n"},
		{name: "syntax error", args: []string{"fmt", "-"}, in: broken, code: exitError, stderr: "<stdin>:2:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, tt.in, tt.args...)
			wantCode(t, r, tt.code)
			if r.stdout != tt.stdout {
				t.Errorf("stdout %q, want %q\n%s", r.stdout, tt.stdout, r)
			}
			if tt.stderr == "" {
				wantEmpty(t, r, "stderr")
			} else {
				wantContains(t, r, "stderr", tt.stderr)
			}
		})
	}
}

func TestFmtRecursive(t *testing.T) {
	files := map[string]string{
		"top.hcl":             ugly,
		"sub/inner.hcl":       ugly,
		"sub/deeper/low.hcl":  ugly,
		".hidden/secret.hcl":  ugly,
		"sub/.git/config.hcl": ugly,
	}

	t.Run("without", func(t *testing.T) {
		fmtDir(t, files)
		r := drover(t, "fmt")
		wantCode(t, r, exitOK)
		if r.stdout != "top.hcl\n" {
			t.Errorf("stdout %q, want only top.hcl\n%s", r.stdout, r)
		}
		wantFile(t, filepath.Join("sub", "inner.hcl"), ugly)
	})

	t.Run("with", func(t *testing.T) {
		fmtDir(t, files)
		r := drover(t, "fmt", "--recursive")
		wantCode(t, r, exitOK)
		want := strings.Join([]string{
			filepath.Join("sub", "deeper", "low.hcl"),
			filepath.Join("sub", "inner.hcl"),
			"top.hcl",
		}, "\n") + "\n"
		if r.stdout != want {
			t.Errorf("stdout %q, want %q\n%s", r.stdout, want, r)
		}
		wantFile(t, filepath.Join("sub", "deeper", "low.hcl"), formatted)
		// Hidden directories are skipped.
		wantFile(t, filepath.Join(".hidden", "secret.hcl"), ugly)
		wantFile(t, filepath.Join("sub", ".git", "config.hcl"), ugly)
	})

	t.Run("check one dash", func(t *testing.T) {
		fmtDir(t, files)
		r := drover(t, "fmt", "-recursive", "-check", "sub")
		wantCode(t, r, exitChanges)
		wantContains(t, r, "stdout", filepath.Join("sub", "inner.hcl"), filepath.Join("sub", "deeper", "low.hcl"))
		wantNotContains(t, r, "stdout", "top.hcl")
		wantFile(t, filepath.Join("sub", "inner.hcl"), ugly)
	})
}
