package format

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.hcl from the formatter's output")

// goldenCases lists the testdata/NAME.hcl.in inputs and what each covers.
// Each has a NAME.golden.hcl holding its formatted text.
var goldenCases = []struct {
	name      string
	unchanged bool // the input is already canonical
}{
	{name: "align_equals"},               // misaligned "=" in attributes
	{name: "nested_blocks"},              // indentation of nested blocks, tabs
	{name: "maps_objects"},               // object keys, one-line and nested objects
	{name: "lists"},                      // spacing in one-line and multi-line lists
	{name: "comments"},                   // line, block and trailing comments
	{name: "heredocs"},                   // heredoc bodies are kept verbatim
	{name: "crlf"},                       // CRLF line endings become LF
	{name: "no_final_newline"},           // a final newline is added
	{name: "blank_lines"},                // blank lines kept inside, trimmed at the end
	{name: "empty"},                      // whitespace only formats to nothing
	{name: "formatted", unchanged: true}, // canonical input is left as is
}

func TestSourceGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			inPath := filepath.Join("testdata", tc.name+".hcl.in")
			goldenPath := filepath.Join("testdata", tc.name+".golden.hcl")
			in := readFileT(t, inPath)

			got, diags := Source(inPath, in)
			if diags.HasErrors() {
				t.Fatalf("Source(%s): %s", inPath, diags.Error())
			}
			assertCanonical(t, got)
			if *update {
				writeFileT(t, goldenPath, string(got), 0o644)
			}
			want := readFileT(t, goldenPath)
			assertSameText(t, goldenPath, got, want)
			if tc.unchanged {
				assertSameText(t, inPath, got, in)
			}

			again, diags := Source(goldenPath, want)
			if diags.HasErrors() {
				t.Fatalf("Source(%s): %s", goldenPath, diags.Error())
			}
			assertSameText(t, goldenPath+" formatted again", again, want)
		})
	}
}

// TestGoldenCasesComplete keeps goldenCases and testdata in step, so that no
// input is silently left untested.
func TestGoldenCasesComplete(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.hcl.in"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk, listed []string
	for _, path := range paths {
		onDisk = append(onDisk, strings.TrimSuffix(filepath.Base(path), ".hcl.in"))
	}
	for _, tc := range goldenCases {
		listed = append(listed, tc.name)
	}
	slices.Sort(listed)
	if !slices.Equal(onDisk, listed) {
		t.Errorf("testdata inputs %q, goldenCases %q", onDisk, listed)
	}
}

func TestSourceSyntaxError(t *testing.T) {
	tests := []struct {
		name string
		src  string
		pos  string // FILE:LINE:COL of the first error
	}{
		{
			name: "unclosed block",
			src:  "group \"web\" {\n  size = 3\n",
			pos:  "spec.hcl:1:13",
		},
		{
			name: "missing value",
			src:  "group \"web\" {\n  size =\n}\n",
			pos:  "spec.hcl:2:9",
		},
		{
			name: "crlf keeps line numbers",
			src:  "group \"web\" {\r\n  size = 3\r\n  image = \"demo\r\n}\r\n",
			pos:  "spec.hcl:3:16",
		},
		{
			name: "unterminated heredoc",
			src:  "script = <<EOT\necho hi\n",
			pos:  "spec.hcl:3:1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, diags := Source("spec.hcl", []byte(tc.src))
			if !diags.HasErrors() {
				t.Fatalf("Source: no error diagnostics; formatted to %q", got)
			}
			if got != nil {
				t.Errorf("Source returned %q with syntax errors, want nil", got)
			}
			if pos := diagPos(diags[0]); pos != tc.pos {
				t.Errorf("first diagnostic at %s, want %s (%s)", pos, tc.pos, diags.Error())
			}
		})
	}
}

// assertCanonical checks the invariants of every formatted text: LF line
// endings and exactly one final newline unless empty.
func assertCanonical(t *testing.T, b []byte) {
	t.Helper()
	if bytes.Contains(b, []byte("\r")) {
		t.Errorf("formatted text contains CR: %q", b)
	}
	if len(b) > 0 && (!bytes.HasSuffix(b, []byte("\n")) || bytes.HasSuffix(b, []byte("\n\n"))) {
		t.Errorf("formatted text does not end with exactly one newline: %q", b)
	}
}

// assertSameText reports a diff when got and want differ.
func assertSameText(t *testing.T, name string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	diff, err := unifiedDiff(name, want, got)
	if err != nil {
		t.Fatal(err)
	}
	t.Errorf("%s: formatted text differs from want (-want +got):\n%s", name, diff)
}

func readFileT(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFileT(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // not subject to umask
		t.Fatal(err)
	}
}

// diagPos renders where a diagnostic points as FILE:LINE:COL.
func diagPos(d *hcl.Diagnostic) string {
	if d.Subject == nil {
		return "(no position)"
	}
	return fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
}
