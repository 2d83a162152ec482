package instance_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

func TestDecodeProperties(t *testing.T) {
	type props struct {
		Image string `json:"image"`
	}
	cases := []struct {
		in, want, err string
	}{
		{`{"image":"x"}`, "x", ""},
		{``, "", ""},
		{`null`, "", ""},
		{`{"imgae":"x"}`, "", "unknown field"},
		{`{"image":1}`, "", "cannot unmarshal"},
		{`{"image":"x"} {}`, "", "data after"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			var p props
			err := instance.DecodeProperties("test", json.RawMessage(tc.in), &p)
			if tc.err == "" && (err != nil || p.Image != tc.want) {
				t.Fatalf("got %+v, %v", p, err)
			}
			if tc.err != "" && (!errors.Is(err, spierr.ErrInvalid) || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("error %v, want an invalid error containing %q", err, tc.err)
			}
		})
	}
}

func TestCheckLabels(t *testing.T) {
	for labels, want := range map[string]string{`{"a":"1","b":""}`: "", `{"":"x"}`: "empty key", `{"drover.group":"x"}`: "drover's own"} {
		var m map[string]string
		json.Unmarshal([]byte(labels), &m)
		err := instance.CheckLabels(m)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckLabels(%s) = %v, want %q", labels, err, want)
		}
	}
}
