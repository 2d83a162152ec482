package metric_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/drover/drover/metric"
	"github.com/drover/drover/resource"
)

// TestBuiltinsOfStats: cpu, memory and digitalocean_cpu are builtins with
// a valid schema whose target is required, for the kinds they measure.
func TestBuiltinsOfStats(t *testing.T) {
	want := map[string][]resource.Kind{
		"cpu":              {resource.Service, resource.Group},
		"memory":           {resource.Service},
		"digitalocean_cpu": {resource.Group},
	}
	all := metric.Builtins()
	for name, kinds := range want {
		t.Run(name, func(t *testing.T) {
			p, ok := all[name]
			if !ok {
				t.Fatal("not a builtin")
			}
			if !slices.Equal(p.Kinds, kinds) {
				t.Errorf("Kinds = %v, want %v", p.Kinds, kinds)
			}
			if err := p.Schema.Validate(); err != nil {
				t.Errorf("schema: %v", err)
			}
			if len(p.Schema.Attributes) != 1 || p.Schema.Attributes[0].Name != "target" || !p.Schema.Attributes[0].Required {
				t.Errorf("attributes = %+v, want a required target only", p.Schema.Attributes)
			}
		})
	}
}

// TestTargetProps: New takes a target greater than 0 and nothing else,
// and its errors never echo a value.
func TestTargetProps(t *testing.T) {
	const secret = "hunter2-secret"
	tests := []struct {
		props string
		want  string // "" is no error
	}{
		{`{"target":0.5}`, ""},
		{`{"target":3}`, ""},
		{`{}`, "target is required"},
		{``, "target is required"},
		{`{"target":null}`, "target is required"},
		{`{"target":0}`, "greater than 0"},
		{`{"target":-0.5}`, "greater than 0"},
		{`{"target":"` + secret + `"}`, "property target: want a number"},
		{`{"target":0.5,"token":"` + secret + `"}`, `unknown property "token"`},
		{`{"target":0.5}{"x":"` + secret + `"}`, "not a JSON object"},
		{`["` + secret + `"]`, "not a JSON object"},
		{`{"target":` + secret + `}`, "not a JSON object"},
	}
	for _, name := range []string{"cpu", "memory", "digitalocean_cpu"} {
		p := metric.Builtins()[name]
		for _, tt := range tests {
			t.Run(name+" "+tt.props, func(t *testing.T) {
				_, err := p.New(json.RawMessage(tt.props), metric.Options{})
				switch {
				case tt.want == "" && err != nil:
					t.Fatalf("New: %v", err)
				case tt.want == "":
					return
				case err == nil:
					t.Fatalf("New succeeded, want %q", tt.want)
				case !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), name):
					t.Errorf("New: %q, want %q about metric %s", err, tt.want, name)
				case strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "0.5"):
					t.Errorf("New: %q echoes a value", err)
				}
			})
		}
	}
}
