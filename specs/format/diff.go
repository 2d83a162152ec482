package format

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// noNewline marks a last line that lacks a newline, as git and GNU diff do.
const noNewline = "\n\\ No newline at end of file\n"

// unifiedDiff returns the unified diff from before to after, with
// "--- a/PATH" and "+++ b/PATH" headers and 3 lines of context. It returns
// "" when the two are equal.
func unifiedDiff(path string, before, after []byte) (string, error) {
	name := filepath.ToSlash(path)
	diff, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        splitLines(string(before)),
		B:        splitLines(string(after)),
		FromFile: "a/" + name,
		ToFile:   "b/" + name,
		Context:  3,
	})
	if err != nil {
		return "", fmt.Errorf("diff %s: %w", path, err)
	}
	return diff, nil
}

// splitLines splits s after each newline. Unlike difflib.SplitLines it adds
// no phantom empty line, and it marks a missing final newline so that the
// diff shows it instead of hiding it.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	last := len(lines) - 1
	if lines[last] == "" {
		return lines[:last]
	}
	lines[last] += noNewline
	return lines
}
