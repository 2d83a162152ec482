package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// examples returns the specs in the repository's examples directory.
func examples(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no examples found in ../../examples")
	}
	return paths
}

func TestValidateExamples(t *testing.T) {
	t.Parallel()
	paths := examples(t)
	// The empty environment has no DIGITALOCEAN_TOKEN: env() of an unset
	// variable must not make digitalocean.hcl invalid.
	r := runCLI(t, fakeEnv{}, "", append([]string{"validate"}, paths...)...)
	wantCode(t, r, exitOK)
	for _, p := range paths {
		wantContains(t, r, "stdout", p+": valid (")
	}
	if n := strings.Count(r.stdout, ": valid ("); n != len(paths) {
		t.Errorf("%d specs reported valid, want %d\n%s", n, len(paths), r)
	}
	wantNotContains(t, r, "stdout", "invalid")
	wantNotContains(t, r, "stderr", "Error")

	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			r := drover(t, "validate", p)
			wantCode(t, r, exitOK)
			wantContains(t, r, "stdout", p+": valid (")
		})
	}
}

func TestValidateExamplesJSON(t *testing.T) {
	t.Parallel()
	paths := examples(t)
	r := drover(t, append([]string{"validate", "--json"}, paths...)...)
	wantCode(t, r, exitOK)
	res := decodeValidate(t, r)
	if !*res.Valid || res.ErrorCount != 0 {
		t.Errorf("valid=%v error_count=%d, want true, 0\n%s", *res.Valid, res.ErrorCount, r)
	}
	// The only warnings are the docker plugin's about node mode.
	for _, d := range res.Diagnostics {
		if d.Severity != "warning" || !strings.Contains(d.Detail, "root-equivalent") {
			t.Errorf("diagnostic %+v, want only warnings that node mode is root-equivalent\n%s", d, r)
		}
	}
	if len(res.Specs) != len(paths) {
		t.Fatalf("%d specs, want %d\n%s", len(res.Specs), len(paths), r)
	}
	for i, s := range res.Specs {
		if s.Path != paths[i] || !s.Valid || len(s.Resources) == 0 {
			t.Errorf("specs[%d] = %+v, want path %s, valid, with resources\n%s", i, s, paths[i], r)
		}
	}
}

// badSpec has four errors, each under a token the diagnostics must point at.
const badSpec = `group "web" {
  instance "docker" {
    lables = { a = "b" }
    image  = "demo:1"
  }
  flavor "vanilla" {}
  sizee = 2
}

variable "replicas" { default = 2 }

group "api" {
  size = var.replicaz
  instance "docker" {
    image = "demo:1"
  }
  flavor "vanila" {}
}
`

// badSpecErrors maps the line of each error in badSpec to the text it
// highlights, the column where that starts and a word of its message.
var badSpecErrors = []struct {
	line, col   int
	token, hint string
}{
	{3, 5, "lables", `Did you mean "labels"?`},
	{7, 3, "sizee", `Did you mean "size"?`},
	{13, 10, "var.replicaz", "Did you mean var.replicas?"},
	{17, 10, `"vanila"`, `Did you mean "vanilla"?`},
}

func TestValidateReportsEveryError(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "bad.hcl", badSpec)
	t.Chdir(dir)

	r := drover(t, "validate", "bad.hcl")
	wantCode(t, r, exitError)
	wantContains(t, r, "stdout", "bad.hcl: invalid (4 errors)")
	if n := countPrefixed(r.stderr, "Error: "); n != len(badSpecErrors) {
		t.Errorf("%d errors in stderr, want %d\n%s", n, len(badSpecErrors), r)
	}
	for _, e := range badSpecErrors {
		wantContains(t, r, "stderr", fmt.Sprintf("--> bad.hcl:%d:%d", e.line, e.col), e.hint)
		wantSnippet(t, r, e.line, e.token)
	}
}

func TestValidateMissingPath(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope.hcl")
	r := drover(t, "validate", missing)
	wantCode(t, r, exitError)
	wantContains(t, r, "stdout", missing+": invalid (1 error)")
	wantContains(t, r, "stderr", "Error: Cannot load spec", "nope.hcl")
}

func TestValidateDirectoryAndDefault(t *testing.T) {
	dir := t.TempDir()
	// A directory is one spec: the group in a.hcl uses the variable of b.hcl.
	writeFile(t, dir, "a.hcl", `group "web" {
  size = var.n
  instance "docker" { image = "demo:1" }
  flavor "vanilla" {}
}
`)
	writeFile(t, dir, "b.hcl", "variable \"n\" { default = 1 }\n")

	r := drover(t, "validate", dir)
	wantCode(t, r, exitOK)
	wantContains(t, r, "stdout", dir+": valid (1 group,")

	t.Chdir(dir)
	r = drover(t, "validate")
	wantCode(t, r, exitOK)
	wantContains(t, r, "stdout", ".: valid (1 group,")
}

// Types of validate --json output, written from the documented format
// rather than reusing the command's own types.
type jsonValidate struct {
	FormatVersion string     `json:"format_version"`
	Valid         *bool      `json:"valid"`
	ErrorCount    int        `json:"error_count"`
	WarningCount  int        `json:"warning_count"`
	Diagnostics   []jsonDiag `json:"diagnostics"`
	Specs         []struct {
		Path      string            `json:"path"`
		Valid     bool              `json:"valid"`
		Resources map[string]string `json:"resources"`
	} `json:"specs"`
}

type jsonDiag struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Range    *struct {
		Filename string  `json:"filename"`
		Start    jsonPos `json:"start"`
		End      jsonPos `json:"end"`
	} `json:"range"`
	Snippet *struct {
		Context        string `json:"context"`
		Code           string `json:"code"`
		StartLine      int    `json:"start_line"`
		HighlightStart int    `json:"highlight_start_offset"`
		HighlightEnd   int    `json:"highlight_end_offset"`
	} `json:"snippet"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// decodeValidate parses the output of validate --json and checks that the
// fields every result has are present.
func decodeValidate(t *testing.T, r result) jsonValidate {
	t.Helper()
	var res jsonValidate
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r)
	}
	if res.Valid == nil || res.FormatVersion == "" || res.Diagnostics == nil {
		t.Fatalf("JSON lacks valid, format_version or diagnostics\n%s", r)
	}
	return res
}

func TestValidateJSONBroken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := writeFile(t, dir, "bad.hcl", badSpec)
	lines := strings.Split(badSpec, "\n")

	r := drover(t, "validate", "--json", path)
	wantCode(t, r, exitError)
	wantEmpty(t, r, "stderr")
	res := decodeValidate(t, r)
	if *res.Valid {
		t.Errorf("valid = true for a broken spec\n%s", r)
	}
	if res.ErrorCount != len(badSpecErrors) || len(res.Diagnostics) != len(badSpecErrors) {
		t.Fatalf("error_count %d with %d diagnostics, want %d\n%s", res.ErrorCount, len(res.Diagnostics), len(badSpecErrors), r)
	}
	if len(res.Specs) != 1 || res.Specs[0].Valid || res.Specs[0].Path != path {
		t.Errorf("specs = %+v, want one invalid spec %s", res.Specs, path)
	}
	for i, want := range badSpecErrors {
		d := res.Diagnostics[i]
		if d.Severity != "error" || !strings.Contains(d.Detail, want.hint) {
			t.Errorf("diagnostic %d: severity %q detail %q, want error with %q", i, d.Severity, d.Detail, want.hint)
		}
		if d.Range == nil || d.Snippet == nil {
			t.Fatalf("diagnostic %d has no range or snippet\n%s", i, r)
		}
		rg, sn := d.Range, d.Snippet
		if rg.Filename != path || rg.Start.Line != want.line || rg.Start.Column != want.col {
			t.Errorf("diagnostic %d at %s:%d:%d, want %s:%d:%d", i, rg.Filename, rg.Start.Line, rg.Start.Column, path, want.line, want.col)
		}
		if rg.End.Line != rg.Start.Line || rg.End.Column != rg.Start.Column+len(want.token) {
			t.Errorf("diagnostic %d ends at %d:%d, want %d:%d", i, rg.End.Line, rg.End.Column, want.line, want.col+len(want.token))
		}
		if got := badSpec[rg.Start.Byte:rg.End.Byte]; got != want.token {
			t.Errorf("diagnostic %d: range bytes cover %q, want %q", i, got, want.token)
		}
		if sn.StartLine != want.line || sn.Code != lines[want.line-1] {
			t.Errorf("diagnostic %d: snippet line %d %q, want %d %q", i, sn.StartLine, sn.Code, want.line, lines[want.line-1])
		}
		if sn.HighlightStart < 0 || sn.HighlightStart > sn.HighlightEnd || sn.HighlightEnd > len(sn.Code) {
			t.Fatalf("diagnostic %d: highlight %d..%d out of code %q", i, sn.HighlightStart, sn.HighlightEnd, sn.Code)
		}
		if got := sn.Code[sn.HighlightStart:sn.HighlightEnd]; got != want.token {
			t.Errorf("diagnostic %d: highlight %q, want %q", i, got, want.token)
		}
		if !strings.HasPrefix(sn.Context, "group ") {
			t.Errorf("diagnostic %d: context %q, want the enclosing group", i, sn.Context)
		}
	}
}

var hash16 = regexp.MustCompile(`^[0-9a-f]{16}$`)

func TestValidateJSONValid(t *testing.T) {
	t.Parallel()
	spec := filepath.Join("..", "..", "examples", "quickstart.hcl")
	r := drover(t, "validate", "--json", spec)
	wantCode(t, r, exitOK)
	res := decodeValidate(t, r)
	if !*res.Valid || res.ErrorCount != 0 || len(res.Diagnostics) != 0 || len(res.Specs) != 1 {
		t.Fatalf("want a valid result with one spec and no diagnostics\n%s", r)
	}
	if !strings.Contains(r.stdout, `"diagnostics": []`) {
		t.Errorf("diagnostics should be an empty array, not null\n%s", r)
	}
	s := res.Specs[0]
	if s.Path != spec || !s.Valid {
		t.Errorf("specs[0] = %+v, want %s valid", s, spec)
	}
	for _, addr := range []string{"group.web", "provider.docker.local"} {
		if h, ok := s.Resources[addr]; !ok || !hash16.MatchString(h) {
			t.Errorf("resources[%q] = %q, want 16 hex digits; resources: %v", addr, h, s.Resources)
		}
	}
	for addr, h := range s.Resources {
		if !hash16.MatchString(h) {
			t.Errorf("resources[%q] = %q, want 16 hex digits", addr, h)
		}
	}

	// Hashes are stable, and follow what the resource runs.
	image := writeFile(t, t.TempDir(), "image.hcl", `variable "image" { default = "demo:1" }

provider "docker" "local" {}

group "web" {
  size = 1
  instance "docker" { image = var.image }
  flavor "vanilla" {}
}
`)
	hashes := func(args ...string) map[string]string {
		t.Helper()
		r := drover(t, append(append([]string{"validate", "--json"}, args...), image)...)
		wantCode(t, r, exitOK)
		return decodeValidate(t, r).Specs[0].Resources
	}
	first, again, other := hashes(), hashes(), hashes("-var", "image=demo:2")
	if again["group.web"] != first["group.web"] {
		t.Errorf("group.web hash changed between runs: %s, %s", first["group.web"], again["group.web"])
	}
	if other["group.web"] == first["group.web"] {
		t.Errorf("group.web hash %s did not change with its image", first["group.web"])
	}
	if other["provider.docker.local"] != first["provider.docker.local"] {
		t.Errorf("provider hash changed with the group's image: %s, %s", first["provider.docker.local"], other["provider.docker.local"])
	}
}

func TestValidateJSONWarnings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.hcl", varsSpec)
	typo := writeFile(t, dir, "typo.hcl", "replica = 2\n")

	tests := []struct {
		name          string
		args          []string
		code          int
		errors, warns int
	}{
		{name: "warning only", args: []string{"-var-file", typo}, code: exitOK, warns: 1},
		{name: "warning and error", args: []string{"-var-file", typo, "-var", "replicas=5"}, code: exitError, errors: 1, warns: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := drover(t, append(append([]string{"validate", "-json"}, tt.args...), spec)...)
			wantCode(t, r, tt.code)
			res := decodeValidate(t, r)
			if *res.Valid != (tt.errors == 0) || res.ErrorCount != tt.errors || res.WarningCount != tt.warns || len(res.Diagnostics) != tt.errors+tt.warns {
				t.Fatalf("valid=%v error_count=%d warning_count=%d with %d diagnostics, want %d errors and %d warnings\n%s",
					*res.Valid, res.ErrorCount, res.WarningCount, len(res.Diagnostics), tt.errors, tt.warns, r)
			}
			var warning *jsonDiag
			for i, d := range res.Diagnostics {
				if d.Severity == "warning" {
					warning = &res.Diagnostics[i]
				}
			}
			if warning == nil || warning.Range == nil || warning.Snippet == nil {
				t.Fatalf("no warning with a range and a snippet\n%s", r)
			}
			if warning.Range.Filename != typo || warning.Range.Start.Line != 1 || warning.Range.Start.Column != 1 {
				t.Errorf("warning at %+v, want %s:1:1", warning.Range, typo)
			}
			sn := warning.Snippet
			if got := sn.Code[sn.HighlightStart:sn.HighlightEnd]; got != "replica" {
				t.Errorf("warning highlights %q, want %q", got, "replica")
			}
			if (tt.errors == 0) != (len(res.Specs[0].Resources) > 0) {
				t.Errorf("resources %v: want them exactly when the spec is valid", res.Specs[0].Resources)
			}
		})
	}
}

// varsSpec sizes a group with a number variable; a size outside 1..3 is an
// error, so the outcome shows which source won.
const varsSpec = `variable "replicas" {
  type    = number
  default = 2
}

provider "docker" "local" {}

group "web" {
  size = var.replicas
  instance "docker" {
    image = "demo:1"
  }
  flavor "vanilla" {}
  autoscale {
    min = 1
    max = 3
    metric "cpu" { target = 0.5 }
  }
}
`

func TestValidateVariables(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.hcl", varsSpec)
	file := func(n string) string { return writeFile(t, dir, "vars"+n+".hcl", "replicas = "+n+"\n") }
	two, five, seven := file("2"), file("5"), file("7")
	undeclared := writeFile(t, dir, "typo.hcl", "replica = 2\n")
	outside := func(n string) string { return "size = " + n + " is outside autoscale min..max (1..3)" }

	tests := []struct {
		name    string
		env     fakeEnv
		args    []string
		code    int
		want    []string
		notWant []string
	}{
		{name: "default", args: nil, code: exitOK},
		{name: "one-dash var", args: []string{"-var", "replicas=5"}, code: exitError, want: []string{"size outside autoscale bounds", outside("5"), "spec.hcl:9:10"}},
		{name: "one-dash var=", args: []string{"-var=replicas=5"}, code: exitError, want: []string{outside("5")}},
		{name: "two-dash var", args: []string{"--var", "replicas=5"}, code: exitError, want: []string{outside("5")}},
		{name: "var in range", args: []string{"-var", "replicas=3"}, code: exitOK},
		{name: "last var wins", args: []string{"-var", "replicas=5", "-var", "replicas=1"}, code: exitOK},
		{name: "not a number", args: []string{"-var", "replicas=many"}, code: exitError, want: []string{`Invalid value for variable "replicas"`, "-var replicas", "number"}},
		{name: "undeclared var", args: []string{"-var", "replica=2"}, code: exitError, want: []string{"Value for undeclared variable", `no variable "replica"`, "Did you mean replicas?"}},
		{name: "var without value", args: []string{"-var", "replicas"}, code: exitError, want: []string{"NAME=VALUE"}},
		{name: "env", env: fakeEnv{"DROVER_VAR_replicas": "7"}, code: exitError, want: []string{outside("7")}},
		{name: "env in range", env: fakeEnv{"DROVER_VAR_replicas": "1"}, code: exitOK},
		{name: "env not a number", env: fakeEnv{"DROVER_VAR_replicas": "x"}, code: exitError, want: []string{"DROVER_VAR_replicas"}},
		{name: "one-dash var-file=", args: []string{"-var-file=" + seven}, code: exitError, want: []string{outside("7")}},
		{name: "two-dash var-file", args: []string{"--var-file", seven}, code: exitError, want: []string{outside("7")}},
		{name: "later var-file wins", args: []string{"-var-file", seven, "-var-file", two}, code: exitOK},
		{name: "missing var-file", args: []string{"-var-file", filepath.Join(dir, "none.hcl")}, code: exitError, want: []string{"Cannot read variables file", "none.hcl"}},
		{name: "undeclared in var-file warns", args: []string{"-var-file", undeclared}, code: exitOK, want: []string{"Warning: Value for undeclared variable", "Did you mean replicas?"}},
		// Precedence: default < env < var-file < -var.
		{name: "env beats default", env: fakeEnv{"DROVER_VAR_replicas": "5"}, code: exitError, want: []string{outside("5")}},
		{name: "var-file beats env", env: fakeEnv{"DROVER_VAR_replicas": "5"}, args: []string{"-var-file", two}, code: exitOK},
		{name: "var-file beats env (bad)", env: fakeEnv{"DROVER_VAR_replicas": "2"}, args: []string{"-var-file", seven}, code: exitError, want: []string{outside("7")}, notWant: []string{outside("2")}},
		{name: "var beats var-file", args: []string{"-var-file", five, "-var", "replicas=3"}, code: exitOK},
		{name: "var beats var-file (bad)", args: []string{"-var", "replicas=5", "-var-file", two}, code: exitError, want: []string{outside("5")}},
		{name: "var beats all", env: fakeEnv{"DROVER_VAR_replicas": "7"}, args: []string{"-var-file", five, "-var", "replicas=1"}, code: exitOK},
		{name: "var beats all (bad)", env: fakeEnv{"DROVER_VAR_replicas": "1"}, args: []string{"-var-file", two, "-var", "replicas=7"}, code: exitError, want: []string{outside("7")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append(append([]string{"validate"}, tt.args...), spec)
			r := runCLI(t, tt.env, "", args...)
			wantCode(t, r, tt.code)
			wantContains(t, r, "stderr", tt.want...)
			wantNotContains(t, r, "stderr", tt.notWant...)
			if tt.code == exitOK {
				wantContains(t, r, "stdout", spec+": valid (1 group,")
				wantNotContains(t, r, "stderr", "Error")
			}
		})
	}
}

// Spec variables come from run's lookupEnv, never from the process
// environment, and DROVER_VAR and DROVER_VAR_FILE do not stand for --var and
// --var-file (they would be spec variables named "" and "FILE").
func TestValidateVariablesIgnoreProcessEnv(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.hcl", varsSpec)
	t.Setenv("DROVER_VAR_replicas", "5")
	t.Setenv("DROVER_VAR", "replicas=5")
	t.Setenv("DROVER_VAR_FILE", writeFile(t, dir, "vars.hcl", "replicas = 7\n"))
	r := drover(t, "validate", spec)
	wantCode(t, r, exitOK)
}

// countPrefixed counts the lines of text that start with prefix.
func countPrefixed(text, prefix string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// wantSnippet checks that stderr shows source line n and, under it, a caret
// line whose carets sit exactly under token.
func wantSnippet(t *testing.T, r result, n int, token string) {
	t.Helper()
	lines := strings.Split(r.stderr, "\n")
	prefix := fmt.Sprintf("%d | ", n)
	for i, l := range lines {
		if !strings.HasPrefix(strings.TrimLeft(l, " "), prefix) || i+1 == len(lines) {
			continue
		}
		col := strings.Index(l, token)
		if col < 0 {
			continue
		}
		caret := lines[i+1]
		want := strings.Repeat(" ", strings.Index(l, "|")) + "|" + strings.Repeat(" ", col-strings.Index(l, "|")-1) + strings.Repeat("^", len(token))
		if caret != want {
			t.Errorf("caret line under line %d:\n%s\n%s\nwant\n%s", n, l, caret, want)
		}
		return
	}
	t.Errorf("stderr shows no source line %d containing %q\n%s", n, token, r)
}

// A malformed -var is a diagnostic like any other, so --json still gives
// JSON.
func TestValidateJSONMalformedVar(t *testing.T) {
	t.Parallel()
	spec := writeFile(t, t.TempDir(), "spec.hcl", "swarm \"s\" {}\n")
	r := drover(t, "validate", "--json", "-var", "novalue", spec)
	wantCode(t, r, exitError)
	var out struct {
		Valid       bool `json:"valid"`
		ErrorCount  int  `json:"error_count"`
		Diagnostics []struct {
			Summary string `json:"summary"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r)
	}
	if out.Valid || out.ErrorCount < 1 || out.Diagnostics[0].Summary != "Invalid -var" {
		t.Errorf("unexpected result %+v\n%s", out, r)
	}
}
