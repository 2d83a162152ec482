package plugins_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

var update = flag.Bool("update", false, "rewrite docs/reference.md from the schemas")

const referencePath = "../docs/reference.md"

// docs/reference.md is generated from the schemas, so that the defaults it
// quotes are the defaults drover applies. Run
// `go test ./plugins -run TestReference -update` after changing a schema.
func TestReferenceUpToDate(t *testing.T) {
	got := reference(t)
	if *update {
		if err := os.WriteFile(referencePath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatalf("%v (generate it with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date: run go test ./plugins -run TestReference -update", referencePath)
	}
}

func reference(t *testing.T) []byte {
	var b bytes.Buffer
	b.WriteString("<!-- Generated from the schemas by `go test ./plugins -run TestReference -update`. Do not edit. -->\n")
	b.WriteString("# Spec reference\n\nEvery block and attribute drover accepts, with its type and default.\n")
	b.WriteString("Durations are strings with units (`\"30s\"`, `\"5m\"`, `\"1h30m\"`); sizes are strings with units\n")
	b.WriteString("(`\"64MiB\"` binary, `\"64MB\"` decimal) or a number of bytes. `—` means no default (unset).\n\n")
	b.WriteString("## Resources\n\n")
	for _, s := range specs.BlockSchemas() {
		title := "`" + s.Type
		for _, l := range s.Labels {
			title += " " + l
		}
		if err := s.WriteMarkdown(&b, title+"`", 3); err != nil {
			t.Fatal(err)
		}
	}
	reg := plugins.Builtins(plugins.BuiltinOptions{})
	for _, kind := range []string{specs.PluginProvider, specs.PluginInstance, specs.PluginFlavor, specs.PluginMetric} {
		b.WriteString("## " + kind + " plugins\n\n")
		for _, name := range reg.Names(kind) {
			s, _ := reg.Schema(kind, name)
			if err := s.WriteMarkdown(&b, "`"+kind+" \""+name+"\"`", 3); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := specs.WriteLimitsMarkdown(&b, 2); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The built-in schemas are valid: defaults fit their types and names are
// unique. Register would refuse them otherwise; this also covers specs'
// own blocks, which are not registered.
func TestBuiltinSchemasValid(t *testing.T) {
	for _, s := range specs.BlockSchemas() {
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", s.Type, err)
		}
	}
	_ = plugins.Builtins(plugins.BuiltinOptions{}) // panics on an invalid built-in
}
