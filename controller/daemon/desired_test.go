package daemon

import (
	"testing"

	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

func TestSpecHash(t *testing.T) {
	load := func(src string) *specs.Spec {
		t.Helper()
		l, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), LookupEnv: func(string) (string, bool) { return "", false }})
		s, err := l.LoadSources(specs.Source{Name: "t.hcl", Src: []byte(src)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// spec writes groups a and b; b only when withB.
	spec := func(aSize, aImage string, withB bool) string {
		src := `group "a" {
  size = ` + aSize + `
  instance "docker" { image = "` + aImage + `" }
  flavor "vanilla" {}
}
`
		if withB {
			src += `group "b" {
  instance "docker" {
    image = "x:1"
  }
  flavor "vanilla" {}
  size = 1
}
`
		}
		return src
	}
	h := specHash(load(spec("2", "x:1", true)))
	cases := []struct {
		name string
		src  string
		same bool
	}{
		{"the same, size as an expression", spec("1 + 1", "x:1", true), true},
		{"reordered", "group \"b\" {\n  size = 1\n  instance \"docker\" { image = \"x:1\" }\n  flavor \"vanilla\" {}\n}\n" + spec("2", "x:1", false), true},
		{"resized", spec("3", "x:1", true), false},
		{"new image", spec("2", "x:2", true), false},
		{"a group fewer", spec("2", "x:1", false), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := specHash(load(tc.src)) == h; got != tc.same {
				t.Fatalf("same hash = %v, want %v", got, tc.same)
			}
		})
	}
}
