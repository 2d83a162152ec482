package specs_test

import (
	"encoding/json"
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
	l, err := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), LookupEnv: environ.lookup, VarFiles: []string{varFile}})
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
	bare, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), LookupEnv: env{}.lookup,
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
	l, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{})})
	_, err := l.LoadBundle(specs.Bundle{Specs: []string{"a.hcl"}})
	if err == nil || !strings.Contains(err.Error(), "not in the applied bundle") {
		t.Fatalf("missing spec file: %v", err)
	}
	if _, err := l.LoadBundle(specs.Bundle{}); err == nil {
		t.Fatal("an empty bundle loaded")
	}
}

// A sealed bundle holds no secret, wherever the secret came from, and
// loads again where the host provides what it withheld.
func TestSealedBundleHoldsNoSecret(t *testing.T) {
	const token = "dop_v1_0123456789abcdef"
	cases := []struct {
		name     string
		src      string
		environ  env
		files    map[string]string
		vars     []string
		withheld []specs.Withheld
	}{
		{name: "env", src: `token = env("DIGITALOCEAN_TOKEN")`, environ: env{"DIGITALOCEAN_TOKEN": token},
			withheld: []specs.Withheld{{Kind: "env", Name: "DIGITALOCEAN_TOKEN"}}},
		{name: "file", src: `token = trimspace(file("TOKENFILE"))`, files: map[string]string{"TOKENFILE": token + "\n"},
			withheld: []specs.Withheld{{Kind: "file", Name: "TOKENFILE"}}},
		{name: "reversed in its file", src: `token = strrev(trimspace(file("sub/TOKENFILE")))`,
			files:    map[string]string{"sub/TOKENFILE": reverse(token)},
			withheld: []specs.Withheld{{Kind: "file", Name: "sub/TOKENFILE"}}},
		{name: "transformed", src: `token = join("", [lower(upper(env("TOKEN")))])`, environ: env{"TOKEN": token},
			withheld: []specs.Withheld{{Kind: "env", Name: "TOKEN"}}},
		{name: "literal in the spec", src: `token = "` + token + `"`,
			withheld: []specs.Withheld{{Kind: "file", Name: "main.hcl"}}},
		{name: "sensitive variable from -var", src: `token = var.do_token`, vars: []string{"do_token=" + token},
			withheld: []specs.Withheld{{Kind: "var", Name: "do_token"}}},
		{name: "sensitive variable from env", src: `token = var.do_token`, environ: env{"DROVER_VAR_do_token": token},
			withheld: []specs.Withheld{{Kind: "env", Name: "DROVER_VAR_do_token"}}},
		{name: "assembled from two halves", src: `token = "${env("TOKEN_A")}${env("TOKEN_B")}"`,
			environ:  env{"TOKEN_A": token[:11], "TOKEN_B": token[11:]},
			withheld: []specs.Withheld{{Kind: "env", Name: "TOKEN_A"}, {Kind: "env", Name: "TOKEN_B"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"main.hcl": `
variable "do_token" {
  default   = ""
  sensitive = true
}
provider "digitalocean" "main" {
  ` + c.src + `
  region = "fra1"
}
group "web" {
  size = 1
  instance "digitalocean" {
    size  = "s-1vcpu-1gb"
    image = "ubuntu-24-04-x64"
  }
  flavor "vanilla" {}
}`}
			maps.Copy(files, c.files)
			for name, src := range files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			l, err := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), LookupEnv: c.environ.lookup, Vars: c.vars})
			if err != nil {
				t.Fatal(err)
			}
			spec, b, err := l.Capture("main.hcl")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(spec.Secrets(), token) {
				t.Fatalf("the token is not among the spec's secrets")
			}
			sealed := b.Seal(spec.SecretSources())
			for i, w := range c.withheld {
				if w.Kind == "file" { // recorded by absolute path
					c.withheld[i].Name = filepath.Join(dir, w.Name)
				}
			}
			if !slices.Equal(sealed.Withheld, c.withheld) {
				t.Errorf("withheld %v, want %v", sealed.Withheld, c.withheld)
			}
			stored, _ := json.Marshal(sealed)
			if strings.Contains(string(stored), token) || strings.Contains(string(stored), token[:11]) || strings.Contains(string(stored), token[11:]) {
				t.Fatalf("the sealed bundle holds the token: %s", stored)
			}
			// A host that provides what was withheld loads the same spec.
			host := env{}
			maps.Copy(host, c.environ)
			for _, v := range c.vars {
				name, value, _ := strings.Cut(v, "=")
				host["DROVER_VAR_"+name] = value
			}
			hl, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), LookupEnv: host.lookup})
			again, err := hl.LoadBundle(sealed)
			if err != nil {
				t.Fatal(err)
			}
			if again.Providers[0].Hash != spec.Providers[0].Hash {
				t.Errorf("reloaded provider differs")
			}
			// A host that does not says what it lacks, wherever it runs.
			for _, w := range c.withheld {
				if w.Kind == "file" {
					if err := os.Remove(w.Name); err != nil {
						t.Fatal(err)
					}
				}
			}
			t.Chdir(t.TempDir())
			bare, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), LookupEnv: env{}.lookup})
			_, err = bare.LoadBundle(sealed)
			if err == nil || !strings.Contains(err.Error(), "this host must provide") || !strings.Contains(err.Error(), c.withheld[0].Name) {
				t.Errorf("a host without the secret: %v", err)
			}
		})
	}
}

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}
