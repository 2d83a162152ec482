package format

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	messy = "group \"web\" {\nsize=3\n}\n"
	tidy  = "group \"web\" {\n  size = 3\n}\n"
	// broken has a syntax error at line 3, column 11.
	broken = "group \"web\" {\n  size = 3\n  image = \"demo\n}\n"
)

// writeTree creates files (slash-separated paths relative to root) with
// mode 0o644.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		writeFileT(t, filepath.Join(root, filepath.FromSlash(name)), text, 0o644)
	}
}

// resultPaths returns the results' paths relative to root, slash-separated.
func resultPaths(t *testing.T, root string, results []Result) []string {
	t.Helper()
	var paths []string
	for _, res := range results {
		rel, err := filepath.Rel(root, res.Path)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.ToSlash(rel))
	}
	return paths
}

func TestPathsExpansion(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"a.hcl":             messy,
		"b.hcl":             tidy,
		"notes.txt":         messy,
		"sub/c.hcl":         messy,
		"sub/deeper/d.hcl":  tidy,
		"sub/.hidden/e.hcl": messy,
		".git/f.hcl":        messy,
	})
	in := func(name string) string { return filepath.Join(root, filepath.FromSlash(name)) }

	tests := []struct {
		name      string
		recursive bool
		paths     []string
		want      []string
	}{
		{
			name:  "directory: only *.hcl directly inside",
			paths: []string{root},
			want:  []string{"a.hcl", "b.hcl"},
		},
		{
			name:      "recursive: subdirectories, hidden ones skipped",
			recursive: true,
			paths:     []string{root},
			want:      []string{"a.hcl", "b.hcl", "sub/c.hcl", "sub/deeper/d.hcl"},
		},
		{
			name:  "explicit file whatever its extension",
			paths: []string{in("notes.txt")},
			want:  []string{"notes.txt"},
		},
		{
			name:  "explicit file inside a hidden directory",
			paths: []string{in(".git/f.hcl")},
			want:  []string{".git/f.hcl"},
		},
		{
			name:      "hidden directory given as root",
			recursive: true,
			paths:     []string{in(".git")},
			want:      []string{".git/f.hcl"},
		},
		{
			name:  "sorted and de-duplicated",
			paths: []string{in("sub/c.hcl"), in("b.hcl"), root, in("./a.hcl")},
			want:  []string{"a.hcl", "b.hcl", "sub/c.hcl"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			results, diags, err := Paths(Options{Recursive: tc.recursive}, tc.paths)
			if err != nil || diags.HasErrors() {
				t.Fatalf("Paths: err %v, diags %v", err, diags)
			}
			if got := resultPaths(t, root, results); !slices.Equal(got, tc.want) {
				t.Errorf("paths = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPathsReportOnly(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{name: "zero options", opts: Options{}},
		{name: "check", opts: Options{Check: true}},
		{name: "check overrides write", opts: Options{Check: true, Write: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, map[string]string{"messy.hcl": messy, "tidy.hcl": tidy})

			results, _, err := Paths(tc.opts, []string{root})
			if err != nil {
				t.Fatal(err)
			}
			assertChanged(t, results, map[string]bool{"messy.hcl": true, "tidy.hcl": false})
			assertFile(t, filepath.Join(root, "messy.hcl"), messy)
			assertFile(t, filepath.Join(root, "tidy.hcl"), tidy)
		})
	}
}

func TestPathsWrite(t *testing.T) {
	modes := []os.FileMode{0o600, 0o640, 0o755}
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			root := t.TempDir()
			messyPath := filepath.Join(root, "messy.hcl")
			tidyPath := filepath.Join(root, "tidy.hcl")
			writeFileT(t, messyPath, messy, mode)
			writeFileT(t, tidyPath, tidy, mode)
			past := time.Now().Add(-time.Hour).Truncate(time.Second)
			for _, path := range []string{messyPath, tidyPath} {
				if err := os.Chtimes(path, past, past); err != nil {
					t.Fatal(err)
				}
			}

			results, _, err := Paths(Options{Write: true}, []string{root})
			if err != nil {
				t.Fatal(err)
			}
			assertChanged(t, results, map[string]bool{"messy.hcl": true, "tidy.hcl": false})
			assertFile(t, messyPath, tidy)
			assertFile(t, tidyPath, tidy)
			assertMode(t, messyPath, mode)
			if info := statT(t, tidyPath); !info.ModTime().Equal(past) {
				t.Errorf("unchanged %s was rewritten: mtime %v, want %v", tidyPath, info.ModTime(), past)
			}
			assertDirEntries(t, root, []string{"messy.hcl", "tidy.hcl"})
		})
	}
}

func TestPathsWriteThroughSymlink(t *testing.T) {
	root := t.TempDir()
	target := filepath.Join(root, "real.hcl")
	link := filepath.Join(root, "link.hcl")
	writeFileT(t, target, messy, 0o640)
	if err := os.Symlink("real.hcl", link); err != nil {
		t.Fatalf("cannot create a symlink: %v", err)
	}

	if _, _, err := Paths(Options{Write: true}, []string{link}); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symlink (err %v)", link, err)
	}
	assertFile(t, target, tidy)
	assertMode(t, target, 0o640)
}

func TestPathsSyntaxErrorDoesNotStopOthers(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"a.hcl": messy, "b.hcl": broken, "c.hcl": messy})

	results, diags, err := Paths(Options{Write: true}, []string{root})
	if err != nil {
		t.Fatal(err)
	}
	if got := resultPaths(t, root, results); !slices.Equal(got, []string{"a.hcl", "c.hcl"}) {
		t.Errorf("results for %q, want a.hcl and c.hcl", got)
	}
	assertFile(t, filepath.Join(root, "a.hcl"), tidy)
	assertFile(t, filepath.Join(root, "b.hcl"), broken)
	assertFile(t, filepath.Join(root, "c.hcl"), tidy)
	if !diags.HasErrors() {
		t.Fatal("no error diagnostics for b.hcl")
	}
	want := filepath.Join(root, "b.hcl") + ":3:16"
	if got := diagPos(diags[0]); got != want {
		t.Errorf("first diagnostic at %s, want %s", got, want)
	}
}

func TestPathsMissing(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"a.hcl": messy})
	missing := filepath.Join(root, "missing.hcl")

	results, _, err := Paths(Options{Write: true}, []string{filepath.Join(root, "a.hcl"), missing})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Paths error = %v, want fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), missing) {
		t.Errorf("error %q does not name %s", err, missing)
	}
	if results != nil {
		t.Errorf("results = %v, want none", results)
	}
	assertFile(t, filepath.Join(root, "a.hcl"), messy)
}

func TestPathsDiff(t *testing.T) {
	t.Chdir(t.TempDir())
	writeTree(t, ".", map[string]string{
		"web.hcl":   "group \"web\" {\n  size = 3\n  instance \"docker\" {\n  image=\"demo/whoami:1\"\n  }\n\n\n  # the end\n  # really\n  # really\n  # really\n}\n",
		"tail.hcl":  "a = 1\nb=2",
		"tidy.hcl":  tidy,
		"sub/x.hcl": messy,
	})
	tests := []struct {
		name string
		opts Options
		path string
		want string
	}{
		{
			name: "hunk with 3 lines of context",
			opts: Options{Diff: true},
			path: "web.hcl",
			want: "--- a/web.hcl\n+++ b/web.hcl\n" +
				"@@ -1,7 +1,7 @@\n" +
				" group \"web\" {\n" +
				"   size = 3\n" +
				"   instance \"docker\" {\n" +
				"-  image=\"demo/whoami:1\"\n" +
				"+    image = \"demo/whoami:1\"\n" +
				"   }\n" +
				" \n" +
				" \n",
		},
		{
			name: "missing final newline",
			opts: Options{Diff: true},
			path: "tail.hcl",
			want: "--- a/tail.hcl\n+++ b/tail.hcl\n" +
				"@@ -1,2 +1,2 @@\n" +
				" a = 1\n" +
				"-b=2\n" +
				"\\ No newline at end of file\n" +
				"+b = 2\n",
		},
		{
			name: "slash-separated path",
			opts: Options{Diff: true},
			path: filepath.Join("sub", "x.hcl"),
			want: "--- a/sub/x.hcl\n+++ b/sub/x.hcl\n" +
				"@@ -1,3 +1,3 @@\n" +
				" group \"web\" {\n" +
				"-size=3\n" +
				"+  size = 3\n" +
				" }\n",
		},
		{name: "unchanged file", opts: Options{Diff: true}, path: "tidy.hcl", want: ""},
		{name: "diff not asked for", opts: Options{}, path: "web.hcl", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			results, _, err := Paths(tc.opts, []string{tc.path})
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != 1 {
				t.Fatalf("got %d results, want 1", len(results))
			}
			if got := results[0].Diff; got != tc.want {
				t.Errorf("diff:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// assertChanged checks which results, by base name, report a change.
func assertChanged(t *testing.T, results []Result, want map[string]bool) {
	t.Helper()
	got := map[string]bool{}
	for _, res := range results {
		got[filepath.Base(res.Path)] = res.Changed
	}
	if len(got) != len(want) {
		t.Errorf("results %v, want %v", got, want)
	}
	for name, changed := range want {
		if c, ok := got[name]; !ok || c != changed {
			t.Errorf("%s: Changed = %v (present %v), want %v", name, c, ok, changed)
		}
	}
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	if got := string(readFileT(t, path)); got != want {
		t.Errorf("%s = %q, want %q", path, got, want)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	if got := statT(t, path).Mode().Perm(); got != want {
		t.Errorf("%s mode = %v, want %v", path, got, want)
	}
}

// assertDirEntries checks that dir holds exactly the named entries, such as
// no temporary file left behind.
func assertDirEntries(t *testing.T, dir string, want []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, entry := range entries {
		got = append(got, entry.Name())
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s holds %q, want %q", dir, got, want)
	}
}

func statT(t *testing.T, path string) os.FileInfo {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info
}
