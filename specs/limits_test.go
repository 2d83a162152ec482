package specs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/specs"
)

// The limits refuse what is hostile, not what a large honest spec does.
func TestLimitsAcceptHonestSpecs(t *testing.T) {
	group := func(body string) string {
		return "group \"g\" {\n" + body + "\n  instance \"docker\" { image = \"x\" }\n  flavor \"vanilla\" {}\n}\n"
	}
	for _, tc := range []struct{ name, src string }{
		{"10000 logical ids from a for", group(`  logical_ids = flatten([for a in range(10): [for b in range(1000): "m${a * 1000 + b}"]])`)},
		{"10000 logical ids written out", group("  logical_ids = [" + manyLines(`"m%d", # %d`+"\n", 10_000) + "]")},
		{"group of 10000", group("  size = 10000")},
		{"100 nested parentheses", "locals {\n  x = " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + "\n}\n"},
		{"a sum of 100 terms", "locals {\n  x = " + strings.Repeat("1 + ", 99) + "1\n}\n"},
		{"5000 interpolations in one string", "locals {\n  a = \"x\"\n  x = \"" + strings.Repeat("${local.a}", 5000) + "\"\n}\n"},
		{"element in a loop over 1000", "locals {\n  l = [for i in range(1000): i]\n  x = [for i in range(1000): element(local.l, i)]\n}\n"},
		{"for over for, 100 by 100", "locals {\n  x = flatten([for a in range(100): [for b in range(100): a * b]])\n}\n"},
		{"a 100 KiB heredoc", "locals {\n  x = <<EOT\n" + strings.Repeat("echo hello world\n", 6000) + "EOT\n}\n"},
		{"1e308", "locals {\n  x = 1e308\n}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := load(t, tc.src, frozenClock)
			if diags.HasErrors() {
				t.Fatalf("refused: %v", diags)
			}
		})
	}
}

// Each limit is refused at the place it was exceeded.
func TestLimitsRefuseAtTheirPlace(t *testing.T) {
	for _, tc := range []struct {
		name, src, summary string
		line               int
	}{
		{"nesting", "locals {\n  a = 1\n  x = " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n}\n", "nesting depth", 3},
		{"operators", "locals {\n  x = " + strings.Repeat("-", 200) + "1\n}\n", "nesting depth", 2},
		{"number", "locals {\n\n  x = 1e309\n}\n", "number", 3},
		{"for", "locals {\n  x = [\n    for a in range(1000): [for b in range(1000): b]]\n}\n", "evaluation iterations", 3},
		{"string", "locals {\n  x = format(\"%9999999d\", 1)\n}\n", "string length", 2},
		{"collection", "locals {\n  x = setproduct(range(200), range(200))\n}\n", "collection length", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := load(t, tc.src, frozenClock)
			assertDiag(t, diags, wantDiag{summary: "Spec limit exceeded: " + tc.summary, line: tc.line})
		})
	}
}

func TestLimitsMarkdownListsEveryLimit(t *testing.T) {
	var b strings.Builder
	if err := specs.WriteLimitsMarkdown(&b, 2); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Limits", "| nesting depth | 128 |", "| group size | 10000 |", "| service replicas | 100000 |", "| evaluation time | 10s |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the Limits section lacks %q:\n%s", want, b.String())
		}
	}
}

// frozenClock stops the clock of a load, so that only the budgets, not the
// machine's load, decide (MaxLoadTime is their backstop).
func frozenClock(o *specs.Options) {
	t0 := time.Unix(0, 0)
	o.Now = func() time.Time { return t0 }
}
