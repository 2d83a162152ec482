package enginestream_test

import (
	"strings"
	"testing"

	"github.com/drover/drover/instance/docker/internal/enginestream"
)

func TestErr(t *testing.T) {
	cases := map[string]string{
		`{"stream":"Loaded image"}{"stream":"done"}`: "",
		`{"stream":"a"}{"error":"no space left"}`:    "no space left",
		`{"stream":"a"`: "unexpected EOF",
		``:              "",
	}
	for in, want := range cases {
		err := enginestream.Err(strings.NewReader(in))
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("Err(%q) = %v, want %q", in, err, want)
		}
	}
}
