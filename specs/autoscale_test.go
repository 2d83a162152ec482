package specs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/specs"
)

// autoscaled is base and one autoscaled resource of kind ("service" or
// "group") whose autoscale block holds bounds (min 1 and max 3 when
// empty), attrs and a metric.
func autoscaled(kind, bounds, attrs string) string {
	if bounds == "" {
		bounds = "    min = 1\n    max = 3"
	}
	body := `  swarm = swarm.prod
  image = "x:1"
`
	if kind == "group" {
		body = `  instance "docker" { image = "x" }
  flavor "vanilla" {}
`
	}
	return base + fmt.Sprintf(`
%s "web" {
%s  autoscale {
%s
%s
    metric "cpu" { target = 0.5 }
  }
}`, kind, body, bounds, attrs)
}

// valueAt is where the value of the assignment (`interval = "1s"`) starts
// in src: its line and column, as a diagnostic's subject reports them.
func valueAt(t *testing.T, src, assignment string) (line, col int) {
	t.Helper()
	i := strings.Index(src, assignment)
	if i < 0 {
		t.Fatalf("%q is not in the source", assignment)
	}
	i += strings.Index(assignment, "= ") + 2
	line = strings.Count(src[:i], "\n") + 1
	return line, i - strings.LastIndex(src[:i], "\n")
}

func TestAutoscaleTimingChecks(t *testing.T) {
	const tooShort, converge = "Autoscale interval too short", "Autoscale converge_timeout shorter than interval"
	cases := []struct {
		name   string
		kind   string
		bounds string
		attrs  string
		// want are the expected errors: a summary and the assignment at
		// whose value it points; none when the spec loads.
		want []struct{ summary, at, detail string }
	}{
		{name: "sub-second interval of a service", kind: "service", attrs: `    interval = "500ms"`,
			want: []struct{ summary, at, detail string }{{tooShort, `interval = "500ms"`, `interval = 500ms is shorter than 1s`}}},
		{name: "zero interval of a group", kind: "group", attrs: `    interval = "0s"`,
			want: []struct{ summary, at, detail string }{{tooShort, `interval = "0s"`, `Set interval = "1s" or more`}}},
		{name: "one-second interval", kind: "service", attrs: `    interval = "1s"`},
		{name: "converge_timeout shorter than interval", kind: "service", attrs: "    interval = \"10s\"\n    converge_timeout = \"5s\"",
			want: []struct{ summary, at, detail string }{{converge, `converge_timeout = "5s"`, "converge_timeout = 5s is shorter than interval = 10s"}}},
		{name: "interval longer than the default converge_timeout", kind: "group", attrs: `    interval = "10m"`,
			want: []struct{ summary, at, detail string }{{converge, `interval = "10m"`, "converge_timeout = 5m0s is shorter than interval = 10m0s"}}},
		{name: "converge_timeout equal to interval", kind: "group", attrs: "    interval = \"30s\"\n    converge_timeout = \"30s\""},
		{name: "max_step 0", kind: "service", attrs: `    max_step = 0`},
		{name: "defaults", kind: "group"},
		{name: "every problem at once", kind: "service", bounds: "    min = 5\n    max = 3", attrs: `    interval = "100ms"`,
			want: []struct{ summary, at, detail string }{
				{"Autoscale min is greater than max", `max = 3`, "min = 5 is greater than max = 3"},
				{tooShort, `interval = "100ms"`, "100ms"},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := autoscaled(c.kind, c.bounds, c.attrs)
			spec, diags := load(t, src)
			if len(c.want) == 0 {
				if diags.HasErrors() || spec == nil {
					t.Fatalf("spec did not load:\n%s", render(diags))
				}
				return
			}
			for _, w := range c.want {
				line, col := valueAt(t, src, w.at)
				assertDiag(t, diags, wantDiag{summary: w.summary, line: line, col: col, detail: w.detail})
			}
			if got := len(diags.Errs()); got != len(c.want) {
				t.Errorf("%d errors, want %d:\n%s", got, len(c.want), render(diags))
			}
		})
	}
}

// The timing attributes reach the spec as written.
func TestAutoscaleTimingDecoded(t *testing.T) {
	spec := mustLoad(t, autoscaled("service", "", "    interval = \"15s\"\n    converge_timeout = \"2m\"\n    max_step = 2"))
	var a *specs.Autoscale
	for _, svc := range spec.Services {
		a = svc.Autoscale
	}
	if a == nil {
		t.Fatal("the service has no autoscale policy")
	}
	if a.Interval != 15*time.Second || a.ConvergeTimeout != 2*time.Minute || a.MaxStep != 2 {
		t.Fatalf("interval %v, converge_timeout %v, max_step %d; want 15s, 2m0s, 2", a.Interval, a.ConvergeTimeout, a.MaxStep)
	}
}
