package format

import (
	"errors"
	"strings"
	"testing"
)

func TestStream(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		in      string
		out     string
		changed bool
		errPos  string // FILE:LINE:COL of the first syntax error, if any
	}{
		{name: "formats", in: messy, out: tidy, changed: true},
		{name: "already formatted", in: tidy, out: tidy},
		{name: "write is ignored", opts: Options{Write: true}, in: messy, out: tidy, changed: true},
		{name: "check writes nothing", opts: Options{Check: true}, in: messy, out: "", changed: true},
		{
			name:    "diff",
			opts:    Options{Diff: true},
			in:      messy,
			changed: true,
			out: "--- a/<stdin>\n+++ b/<stdin>\n@@ -1,3 +1,3 @@\n" +
				" group \"web\" {\n-size=3\n+  size = 3\n }\n",
		},
		{name: "diff of formatted input is empty", opts: Options{Diff: true}, in: tidy, out: ""},
		{name: "syntax error writes nothing", in: broken, out: "", errPos: "<stdin>:3:16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w strings.Builder
			res, diags, err := Stream(strings.NewReader(tc.in), &w, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.String(); got != tc.out {
				t.Errorf("output %q, want %q", got, tc.out)
			}
			if tc.errPos != "" {
				if !diags.HasErrors() {
					t.Fatal("no error diagnostics")
				}
				if got := diagPos(diags[0]); got != tc.errPos {
					t.Errorf("first diagnostic at %s, want %s", got, tc.errPos)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("diagnostics: %s", diags.Error())
			}
			if res.Path != StdinName || res.Changed != tc.changed {
				t.Errorf("result %+v, want Path %q Changed %v", res, StdinName, tc.changed)
			}
		})
	}
}

type failingIO struct{}

var errIO = errors.New("broken pipe")

func (failingIO) Read([]byte) (int, error)  { return 0, errIO }
func (failingIO) Write([]byte) (int, error) { return 0, errIO }

func TestStreamIOErrors(t *testing.T) {
	t.Run("read", func(t *testing.T) {
		if _, _, err := Stream(failingIO{}, &strings.Builder{}, Options{}); !errors.Is(err, errIO) {
			t.Errorf("error = %v, want %v", err, errIO)
		}
	})
	t.Run("write", func(t *testing.T) {
		if _, _, err := Stream(strings.NewReader(messy), failingIO{}, Options{}); !errors.Is(err, errIO) {
			t.Errorf("error = %v, want %v", err, errIO)
		}
	})
}
