package resource_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/drover/drover/resource"
)

func TestParseKey(t *testing.T) {
	cases := []struct {
		in   string
		want resource.Key
		err  error
	}{
		{"group.web", resource.Group.KeyOf("web"), nil},
		{"provider.fake.default", resource.Kind("provider").KeyOf("fake.default"), nil},
		{"group", resource.Key{}, resource.ErrBadKey},
		{".web", resource.Key{}, resource.ErrBadKey},
		{"group.", resource.Key{}, resource.ErrBadKey},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := resource.ParseKey(tc.in)
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Fatalf("ParseKey(%q) = %v, %v; want %v, %v", tc.in, got, err, tc.want, tc.err)
			}
			if err == nil && got.String() != tc.in {
				t.Fatalf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestKeyJSON(t *testing.T) {
	e := resource.Event{Resource: resource.Service.KeyOf("api"), Kind: "created"}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back resource.Event
	if err := json.Unmarshal(b, &back); err != nil || back.Resource != e.Resource {
		t.Fatalf("round trip of %s: %+v, %v", b, back, err)
	}
	b, _ = json.Marshal(resource.Event{Kind: "applied", Revision: 3})
	if string(b) != `{"time":"0001-01-01T00:00:00Z","kind":"applied","revision":3}` {
		t.Fatalf("an event of no resource writes %s", b)
	}
	if err := json.Unmarshal([]byte(`{"resource":"nodot"}`), &back); !errors.Is(err, resource.ErrBadKey) {
		t.Fatalf("a bad key reads as %v", err)
	}
}
