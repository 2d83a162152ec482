package format

import (
	"slices"
	"testing"
)

func TestSplitLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{name: "empty", in: "", want: nil},
		{name: "final newline", in: "a\nb\n", want: []string{"a\n", "b\n"}},
		{name: "no final newline", in: "a\nb", want: []string{"a\n", "b" + noNewline}},
		{name: "blank lines", in: "a\n\n", want: []string{"a\n", "\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := splitLines(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("splitLines(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
