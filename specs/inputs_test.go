package specs_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/drover/drover/specs"
)

// inputSecret is a secret as every source gives it; the forms a function
// may turn it into are what no diagnostic may show.
const inputSecret = "s3cr3tTOKENvalue"

var secretForms = []string{inputSecret, reverse(inputSecret), strings.ToUpper(inputSecret), strings.ToLower(inputSecret), "s3cr3t", "3rc3s"}

// secretSpec is a spec whose slot EXPR is where an expression under test
// goes: a group's size (a number) or a service's mode (one of two words).
func secretSpec(slot, expr string) string {
	size, mode := "1", `"replicated"`
	if slot == "size" {
		size = expr
	} else {
		mode = expr
	}
	return `
variable "tok" {
  default = ""
}
variable "hidden" {
  default   = "x"
  sensitive = true
}
locals {
  m      = { a = 1 }
  fromenv = strrev(env("TOK"))
  lit     = "` + inputSecret + `"
}
provider "digitalocean" "main" {
  token  = "x"
  region = "fra1"
}
swarm "prod" {}
group "web" {
  size = ` + size + `
  instance "digitalocean" {
    size  = "s-1vcpu-1gb"
    image = "ubuntu-24-04-x64"
  }
  flavor "swarm" {
    role  = "manager"
    swarm = swarm.prod
  }
}
service "db" {
  image = "postgres"
  mode  = ` + mode + `
  swarm = swarm.prod
}`
}

// No diagnostic shows a value read by env() or file(), set by -var or
// DROVER_VAR_, or marked sensitive, nor anything derived from one: not
// in its summary, its detail, nor its rendered text or JSON form.
func TestDiagnosticsNeverShowInputs(t *testing.T) {
	dir := t.TempDir()
	tokFile := writeFile(t, dir, "tok", inputSecret)
	sources := map[string]string{
		"env":              `env("TOK")`,
		"file":             fmt.Sprintf(`file(%q)`, tokFile),
		"-var":             `var.tok`,
		"DROVER_VAR_":      `var.hidden`,
		"sensitive()":      `sensitive(local.lit)`,
		"local from env":   `strrev(local.fromenv)`,
		"default of env()": `env("UNSET", env("TOK"))`,
	}
	exprs := []struct{ slot, expr string }{
		{"size", "tonumber(X)"},
		{"size", "tonumber(strrev(X))"},
		{"size", "parseint(X, 10)"},
		{"size", "parseint(upper(X), 16)"},
		{"size", "tobool(X) ? 1 : 2"},
		{"size", "X ? 1 : 2"},
		{"size", "X + 1"},
		{"size", "-X"},
		{"size", "length(regex(X, \"zz\"))"},
		{"size", "length(regex(\"[\", X))"},
		{"size", "length(formatdate(X, \"2020-01-01T00:00:00Z\"))"},
		{"size", "length(formatdate(\"YYYY\", X))"},
		{"size", "length(timeadd(X, \"1h\"))"},
		{"size", "length(timeadd(\"2020-01-01T00:00:00Z\", X))"},
		{"size", "length(jsondecode(X))"},
		{"size", "jsondecode(\"{\\\"a\\\": \\\"${X}\\\"}\").a"},
		{"size", "length(csvdecode(\"a,b\\n${X}\"))"},
		{"size", "lookup({a = 1}, X)"},
		{"size", "index([\"a\"], X)"},
		{"size", "local.m[X]"},
		{"size", "{a = 1}[strrev(X)]"},
		{"size", "length({for k in [X, X] : k => 1})"},
		{"size", "length({for k in [X] : k => 1 if k})"},
		{"size", "length([for k in [X] : k if X])"},
		{"size", "length(format(\"%d\", X))"},
		{"size", "length(format(X, 1))"},
		{"size", "length(substr(X, X, 1))"},
		{"size", "element(X, 0)"},
		{"size", "length(\"%{ for c in X }${c}%{ endfor }\")"},
		{"size", "length(\"%{ if X }a%{ endif }\")"},
		{"size", "length(split(X, 1) + X)"},
		{"size", "max(X, 1)"},
		{"size", "pow(X, 2)"},
		{"size", "length(setproduct(X, [1]))"},
		{"size", "length(zipmap([X], [1, 2]))"},
		{"size", "length(join(X, X))"},
		{"size", "length(replace(X, \"/(/\", \"\"))"},
		{"size", "length(regex_replace(X, \"(\", \"\"))"},
		{"size", "X"},
		{"size", "\"${X}-${strrev(X)}\""},
		{"size", "[X]"},
		{"size", "{ k = X }"},
		{"mode", "X"},
		{"mode", "strrev(X)"},
		{"mode", "upper(X)"},
		{"mode", "tonumber(X)"},
	}
	for srcName, src := range sources {
		for _, e := range exprs {
			expr := strings.ReplaceAll(e.expr, "X", src)
			t.Run(srcName+"/"+e.slot+"="+e.expr, func(t *testing.T) {
				text := secretSpec(e.slot, expr)
				_, diags := load(t, text, withEnv(env{"TOK": inputSecret, "DROVER_VAR_hidden": inputSecret}), withVars("tok="+inputSecret))
				if !errorOnSlot(diags, text, e.slot) {
					t.Fatalf("%s: no error on the %s line to check:\n%s", expr, e.slot, render(diags))
				}
				files := map[string]*hcl.File{}
				if f, ds := parseFile(text); !ds.HasErrors() {
					files["spec.hcl"] = f
				}
				checkNoSecret(t, diags, files)
			})
		}
	}
}

// errorOnSlot reports whether an error diagnostic is on the slot's line.
func errorOnSlot(diags hcl.Diagnostics, text, slot string) bool {
	line := 0
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), slot+" ") && strings.Contains(l, "=") && line == 0 && (slot == "mode" || strings.HasPrefix(l, "  size")) {
			line = i + 1
		}
	}
	for _, d := range diags.Errs() {
		if d, ok := d.(*hcl.Diagnostic); ok && d.Subject != nil && d.Subject.Start.Line == line {
			return true
		}
	}
	return false
}

func parseFile(src string) (*hcl.File, hcl.Diagnostics) {
	return hclsyntax.ParseConfig([]byte(src), "spec.hcl", hcl.InitialPos)
}

func checkNoSecret(t *testing.T, diags hcl.Diagnostics, files map[string]*hcl.File) {
	t.Helper()
	var rendered bytes.Buffer
	if err := specs.WriteDiagnostics(&rendered, diags, files); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(specs.DiagnosticsJSON(diags, files))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		for _, form := range secretForms {
			if strings.Contains(d.Summary, form) || strings.Contains(d.Detail, form) {
				t.Errorf("a diagnostic shows the secret (as %q): %s: %s", form, d.Summary, d.Detail)
			}
		}
	}
	for _, form := range secretForms {
		if strings.Contains(rendered.String(), form) || strings.Contains(string(js), form) {
			t.Errorf("the rendered diagnostics show the secret (as %q):\n%s", form, rendered.String())
		}
	}
}

// A diagnostic about a value from the spec's own text still says what is
// wrong, and so does one about a failed file() read.
func TestDiagnosticsOfPlainValuesKeepTheirMessage(t *testing.T) {
	cases := map[string]struct{ expr, want string }{
		"tonumber":     {`tonumber("abc")`, `"abc"`},
		"missing file": {`length(file("/nonexistent/x"))`, "/nonexistent/x"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, diags := load(t, secretSpec("size", c.expr))
			if !strings.Contains(render(diags), c.want) {
				t.Errorf("diagnostics lack %q:\n%s", c.want, render(diags))
			}
		})
	}
}

// The decoder's own messages about a marked value say what is allowed,
// never what was given.
func TestDecoderMessageOfInputSaysWhatIsAllowed(t *testing.T) {
	_, diags := load(t, secretSpec("mode", `env("TOK")`), withEnv(env{"TOK": inputSecret}))
	out := render(diags)
	if strings.Contains(out, inputSecret) || !strings.Contains(out, `"replicated", "global"`) {
		t.Errorf("diagnostics:\n%s", out)
	}
}

// A file() path is resolved against the spec file's directory, and the
// secrets it reads are withheld by that absolute path.
func TestWithheldFileIsAbsolute(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "tok", reverse(inputSecret))
	if err := os.Mkdir(filepath.Join(dir, "specs"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "specs"), "main.hcl", `
provider "digitalocean" "main" {
  token  = strrev(file("../tok"))
  region = "fra1"
}`)
	t.Chdir(dir)
	l, spec, sealed := captureSealed(t, specs.Options{Schemas: builtins(), LookupEnv: env{}.lookup}, "specs/main.hcl")
	want := specs.Withheld{Kind: "file", Name: filepath.Join(dir, "tok")}
	if len(sealed.Withheld) != 1 || sealed.Withheld[0] != want {
		t.Fatalf("withheld %v, want %v", sealed.Withheld, want)
	}
	stored, _ := json.Marshal(sealed)
	if bytes.Contains(stored, []byte(reverse(inputSecret))) || bytes.Contains(stored, []byte(inputSecret)) {
		t.Fatalf("the sealed bundle holds the secret: %s", stored)
	}
	// Another working directory (the daemon's) reads the same file.
	t.Chdir(t.TempDir())
	again, err := l.LoadBundle(sealed)
	if err != nil {
		t.Fatal(err)
	}
	if again.Providers[0].Hash != spec.Providers[0].Hash {
		t.Error("the reloaded provider differs")
	}
}

// Seal withholds every source of a sensitive variable (each may hold the
// secret) and of a value that reached a sensitive attribute, and nothing
// else: an env() value in a plain attribute stays in the bundle.
func TestSealWithholdsSourcesOnly(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "secret.tfvars", `pw = "`+inputSecret+`"`)
	writeFile(t, dir, "main.hcl", `
variable "pw" {
  default   = ""
  sensitive = true
}
provider "digitalocean" "main" {
  token  = env("TOKEN")
  region = "fra1"
}
group "web" {
  size = 1
  instance "digitalocean" {
    size  = "s-1vcpu-1gb"
    image = env("IMAGE")
  }
  flavor "vanilla" {}
}`)
	environ := env{"TOKEN": inputSecret, "IMAGE": "ubuntu-24-04-x64", "DROVER_VAR_pw": inputSecret}
	_, _, sealed := captureSealed(t, specs.Options{Schemas: builtins(), LookupEnv: environ.lookup,
		Vars: []string{"pw=" + inputSecret}, VarFiles: []string{"secret.tfvars"}}, "main.hcl")
	want := []specs.Withheld{{Kind: "env", Name: "DROVER_VAR_pw"}, {Kind: "env", Name: "TOKEN"},
		{Kind: "file", Name: filepath.Join(dir, "secret.tfvars")}, {Kind: "var", Name: "pw"}}
	if fmt.Sprint(sealed.Withheld) != fmt.Sprint(want) {
		t.Errorf("withheld %v, want %v", sealed.Withheld, want)
	}
	if sealed.Env["IMAGE"] != "ubuntu-24-04-x64" || len(sealed.Vars) != 0 {
		t.Errorf("sealed env %v, vars %v", sealed.EnvNames(), sealed.Vars)
	}
	stored, _ := json.Marshal(sealed)
	if bytes.Contains(stored, []byte(inputSecret)) {
		t.Fatalf("the sealed bundle holds the secret: %s", stored)
	}
}

// Marked values evaluate as any other: the marks change no result.
func TestInputsEvaluateLikeOtherValues(t *testing.T) {
	exprs := map[string]string{
		"for":          `length([for c in split(",", env("LIST")) : c])`,
		"conditional":  `env("N") == "3" ? 3 : 1`,
		"index":        `{ a = 3 }[env("K")]`,
		"template":     `tonumber("${env("N")}")`,
		"template for": `length(split(",", "%{ for c in split(",", env("LIST")) }${c},%{ endfor }")) - 1`,
		"variable":     `tonumber(var.tok)`,
		"local":        `length(split("", local.fromenv)) - 13`,
		"arithmetic":   `env("N") * 1`,
	}
	for name, expr := range exprs {
		t.Run(name, func(t *testing.T) {
			spec := mustLoad(t, secretSpec("size", expr), withEnv(env{"LIST": "a,b,c", "N": "3", "K": "a", "TOK": inputSecret}), withVars("tok=3"))
			if g := group(spec, "web"); g.Size != 3 {
				t.Errorf("size %d, want 3", g.Size)
			}
		})
	}
}

// captureSealed captures the spec at path as the CLI does and seals the
// bundle as the daemon does.
func captureSealed(t *testing.T, opts specs.Options, path string) (*specs.Loader, *specs.Spec, specs.Bundle) {
	t.Helper()
	l, err := specs.NewLoader(opts)
	if err != nil {
		t.Fatal(err)
	}
	spec, b, err := l.Capture(path)
	if err != nil {
		t.Fatal(err)
	}
	return l, spec, b.Seal(spec.SecretSources())
}

// A secret written in a local withholds the file the local is written in,
// not the file that uses it; a plain local is shown in messages as before.
func TestLiteralSecretInALocal(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "locals.hcl", `locals {
  tok  = "`+inputSecret+`"
  word = "abc"
}`)
	writeFile(t, dir, "main.hcl", `
provider "digitalocean" "main" {
  token  = local.tok
  region = "fra1"
}`)
	_, _, sealed := captureSealed(t, specs.Options{Schemas: builtins(), LookupEnv: env{}.lookup}, dir)
	want := []specs.Withheld{{Kind: "file", Name: filepath.Join(dir, "locals.hcl")}}
	if fmt.Sprint(sealed.Withheld) != fmt.Sprint(want) {
		t.Errorf("withheld %v, want %v", sealed.Withheld, want)
	}
	_, diags := load(t, `
locals {
  word = "abc"
}
group "web" {
  size = tonumber(local.word)
  instance "digitalocean" {
    size  = "s-1vcpu-1gb"
    image = "x"
  }
  flavor "vanilla" {}
}`)
	if !strings.Contains(render(diags), `"abc"`) {
		t.Errorf("the message about a plain local lost its value:\n%s", render(diags))
	}
}

// A -var-file is an input: a diagnostic about it shows its line with the
// value masked.
func TestVarFileNeverShown(t *testing.T) {
	path := writeFile(t, t.TempDir(), "secret.tfvars", `n = "`+inputSecret+`"`)
	var out bytes.Buffer
	l, _ := specs.NewLoader(specs.Options{Schemas: builtins(), LookupEnv: env{}.lookup, VarFiles: []string{path}})
	_, err := l.LoadSources(specs.Source{Name: "spec.hcl", Src: []byte(`variable "n" { type = number }`)})
	var le *specs.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("load: %v", err)
	}
	if err := specs.WriteDiagnostics(&out, le.Diagnostics, le.Files); err != nil {
		t.Fatal(err)
	}
	masked := "n = " + strings.Repeat("*", len(inputSecret)+2)
	if strings.Contains(out.String(), inputSecret) || !strings.Contains(out.String(), "secret.tfvars:1:5") || !strings.Contains(out.String(), masked) {
		t.Errorf("diagnostics:\n%s", out.String())
	}
}
