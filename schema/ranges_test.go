package schema_test

import (
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/drover/drover/schema"
)

func TestRanges(t *testing.T) {
	src := `image = "nginx"
ports = [80, 443]
health {
  grace = "5s"
}
metric "cpu" {
  target = 0.5
}
metric "mem" {
  target = 0.8
}
instance "docker" {
  count = 2
  image = "busybox"
  mount {
    source = "/a"
    target = "/b"
  }
}
env = { HOME = "/root" }
`
	res := mustDecode(t, src, richSchema(), nil)
	tests := []struct {
		path      string
		line, col int
	}{
		{"image", 1, 9},
		{"ports", 2, 9},
		{"ports[0]", 2, 10},
		{"ports[1]", 2, 14},
		{"health", 3, 1},
		{"health.grace", 4, 11},
		{"metric[0]", 6, 1},
		{"metric[0].target", 7, 12},
		{"metric[1]", 9, 1},
		{"metric[1].target", 10, 12},
		{"instance", 12, 1},
		{"instance.count", 13, 11},
		{"instance.properties.image", 14, 11},
		{"instance.properties.mount[0]", 15, 3},
		{"instance.properties.mount[0].target", 17, 14},
		{"env", 20, 7},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rng, ok := res.Ranges[tt.path]
			if !ok {
				t.Fatalf("Ranges[%q] missing; have %v", tt.path, keys(res.Ranges))
			}
			if rng.Filename != "test.hcl" || rng.Start.Line != tt.line || rng.Start.Column != tt.col {
				t.Errorf("Ranges[%q] starts at %s:%d:%d, want test.hcl:%d:%d", tt.path, rng.Filename, rng.Start.Line, rng.Start.Column, tt.line, tt.col)
			}
		})
	}
	// Values that were not written have no range.
	for _, p := range []string{"replicas", "timeout", "health.interval", "update", "ports[2]", "instance.properties.cpus", `env["HOME"]`} {
		if rng, ok := res.Ranges[p]; ok {
			t.Errorf("Ranges[%q] = %v, want no entry", p, rng)
		}
	}
}

func TestRangeEnd(t *testing.T) {
	res := mustDecode(t, "ports = [80, 443]\n", richSchema(), nil)
	rng := res.Ranges["ports[1]"]
	if rng.End.Line != 1 || rng.End.Column != 17 {
		t.Errorf("Ranges[ports[1]] ends at %d:%d, want 1:17", rng.End.Line, rng.End.Column)
	}
	whole := res.Ranges["ports"]
	if whole.Start.Column != 9 || whole.End.Column != 18 {
		t.Errorf("Ranges[ports] = %d-%d, want columns 9-18", whole.Start.Column, whole.End.Column)
	}
}

// Attribute values that are not written as a list still get a range, but no
// element ranges.
func TestRangesNonLiteralList(t *testing.T) {
	res := mustDecode(t, "ports = [for p in [1, 2] : p]\n", richSchema(), nil)
	if _, ok := res.Ranges["ports"]; !ok {
		t.Errorf("Ranges[ports] missing")
	}
	if rng, ok := res.Ranges["ports[0]"]; ok {
		t.Errorf("Ranges[ports[0]] = %v, want no entry for a for expression", rng)
	}
}

// Ranges are recorded even for values that fail, so that later checks can
// point at them.
func TestRangesOnError(t *testing.T) {
	res, diags := decode(t, "replicas = 1.5\n", richSchema())
	if !diags.HasErrors() {
		t.Fatal("got no error for replicas = 1.5")
	}
	if rng, ok := res.Ranges["replicas"]; !ok || rng.Start.Column != 12 {
		t.Errorf("Ranges[replicas] = %v, %v; want a range at column 12", rng, ok)
	}
}

func TestResultRangeFallback(t *testing.T) {
	res := mustDecode(t, "image = \"nginx\"\n", richSchema(), nil)
	fallback := hcl.Range{Filename: "fallback.hcl", Start: hcl.Pos{Line: 42, Column: 1}, End: hcl.Pos{Line: 42, Column: 5}}
	if got := res.Range("image", fallback); got.Filename != "test.hcl" || got.Start.Line != 1 {
		t.Errorf("Range(image) = %v, want the recorded range at test.hcl:1", got)
	}
	if got := res.Range("timeout", fallback); got != fallback {
		t.Errorf("Range(timeout) = %v, want the fallback %v", got, fallback)
	}
	var empty schema.Result
	if got := empty.Range("image", fallback); got != fallback {
		t.Errorf("Range(image) of an empty Result = %v, want the fallback %v", got, fallback)
	}
}

func keys(m map[string]hcl.Range) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
