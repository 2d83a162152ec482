package swarm_test

import (
	"strings"
	"testing"

	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// An absent engine stays out of the flavor's properties and so out of the
// group's config hash: swarms made before the attribute existed are not
// replaced for it. Saying "tls" is a change.
func TestEngineInConfigHash(t *testing.T) {
	load := func(engine string) *specs.Group {
		t.Helper()
		src := `swarm "s" {}
group "m" {
  size = 1
  instance "docker" {
    image = "drover/node:bookworm"
    node  = true
  }
  flavor "swarm" {
    swarm = swarm.s
    role  = "manager"
    ` + engine + `
  }
}`
		l, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{})})
		spec, err := l.LoadSources(specs.Source{Name: "s.hcl", Src: []byte(src)})
		if err != nil {
			t.Fatal(err)
		}
		return spec.Groups[0]
	}
	absent, tls := load(""), load(`engine = "tls"`)
	if props := string(absent.Flavor.Properties.Reveal()); strings.Contains(props, "engine") {
		t.Errorf("an absent engine is in the properties: %s", props)
	}
	if absent.Hash == tls.Hash {
		t.Error(`engine = "tls" does not change the group's hash`)
	}
}
