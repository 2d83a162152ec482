package specs_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// TestBundleLoadsAlike captures a spec that reads the environment, a file
// and a var file, and loads the bundle with nothing else to read: the
// specs must be alike, hash for hash.
func TestBundleLoadsAlike(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("init.sh", "#!/bin/sh\necho hi\n")
	varFile := write("sizes.vars", `size = 3`)
	write("main.hcl", `
variable "size" {}
variable "image" {}
group "web" {
  size = var.size
  instance "docker" {
    image = var.image
    env   = { TOKEN = env("SECRET_TOKEN"), SCRIPT = file("init.sh") }
  }
  flavor "vanilla" {}
}`)
	environ := env{"SECRET_TOKEN": "s3cret", "DROVER_VAR_image": "demo:1", "UNRELATED": "x"}
	l, err := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(), LookupEnv: environ.lookup, VarFiles: []string{varFile}})
	if err != nil {
		t.Fatal(err)
	}
	spec, b, err := l.Capture(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.EnvNames(); !slices.Equal(got, []string{"DROVER_VAR_image", "SECRET_TOKEN"}) {
		t.Errorf("env captured: %v", got)
	}
	if len(b.Files) != 3 || !slices.Equal(b.Specs, []string{filepath.Join(dir, "main.hcl")}) {
		t.Errorf("files captured: %v, specs %v", slices.Sorted(maps.Keys(b.Files)), b.Specs)
	}
	// The bundle alone: no environment, no file system.
	bare, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(), LookupEnv: env{}.lookup,
		ReadFile: func(p string) ([]byte, error) { t.Fatalf("read %s outside the bundle", p); return nil, nil }})
	again, err := bare.LoadBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	if spec.Groups[0].Hash != again.Groups[0].Hash || again.Groups[0].Size != 3 {
		t.Errorf("bundle loaded to a different group: %+v vs %+v", again.Groups[0], spec.Groups[0])
	}
}

func TestBundleMissingFile(t *testing.T) {
	l, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins()})
	_, err := l.LoadBundle(specs.Bundle{Specs: []string{"a.hcl"}})
	if err == nil || !strings.Contains(err.Error(), "not in the applied bundle") {
		t.Fatalf("missing spec file: %v", err)
	}
	if _, err := l.LoadBundle(specs.Bundle{}); err == nil {
		t.Fatal("an empty bundle loaded")
	}
}
