package plugins_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/vanilla"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/plugins"
	s "github.com/drover/drover/schema"
	"github.com/drover/drover/specs"
	"github.com/drover/drover/spierr"
)

// judge is an instance plugin whose Check says what its "verdict"
// property asks for, about the attribute its "attr" property names.
type judge struct{ *fake.Plugin }

func (j judge) Check(_ context.Context, props json.RawMessage) ([]spierr.Warning, error) {
	var p struct {
		Verdict string   `json:"verdict"`
		Attr    string   `json:"attr"`
		Items   []string `json:"items"`
		Token   string   `json:"token_echo"`
	}
	_ = json.Unmarshal(props, &p)
	switch p.Verdict {
	case "refuse":
		return nil, spierr.InvalidAttribute("judge.Validate", p.Attr, "refused %s", p.Token)
	case "unreachable":
		return nil, spierr.Unavailable("judge.Validate", "backend down")
	case "warn":
		return []spierr.Warning{{Attribute: p.Attr, Message: "risky"}}, nil
	case "flood":
		ws := make([]spierr.Warning, 100)
		for i := range ws {
			ws[i] = spierr.Warning{Message: strings.Repeat("w", 5000)}
		}
		return ws, nil
	}
	return nil, nil
}

func (j judge) Validate(ctx context.Context, props json.RawMessage) error {
	_, err := j.Check(ctx, props)
	return err
}

// judging is a registry with the judge instance plugin (its provider
// refuses mode = "bad") and the vanilla flavor.
func judging(t *testing.T) *plugins.Registry {
	t.Helper()
	r := plugins.NewRegistry()
	err := r.RegisterInstance("judge", plugins.InstancePlugin{
		ProviderSchema: &s.Block{Attributes: []s.Attribute{{Name: "mode", Type: s.String}, {Name: "token", Type: s.String, Sensitive: true}}},
		InstanceSchema: &s.Block{Attributes: []s.Attribute{
			{Name: "verdict", Type: s.String}, {Name: "attr", Type: s.String},
			{Name: "items", Type: s.ListOf(s.String)}, {Name: "token_echo", Type: s.String},
		}},
		New: func(_ context.Context, cfg json.RawMessage) (instance.Plugin, error) {
			if strings.Contains(string(cfg), `"bad"`) {
				return nil, spierr.InvalidAttribute("judge.New", "mode", "bad mode")
			}
			return judge{fake.New(nil)}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = r.RegisterFlavor(vanilla.PluginName, plugins.FlavorPlugin{
		Schema: vanilla.Schema(),
		New:    func(context.Context) (flavor.Plugin, error) { return vanilla.New(), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRegistryValidate: each verdict of a plugin lands where it should,
// with the severity it should, bounded, and without the spec's secrets.
func TestRegistryValidate(t *testing.T) {
	const secret = "s3cr3t-token-value"
	tests := []struct {
		name, provider, body string
		severity             hcl.DiagnosticSeverity
		line                 int // of the diagnostic; 0: none
		says                 string
	}{
		{"accepted", `mode = "ok"`, `verdict = "accept"`, 0, 0, ""},
		{"refused at the attribute", `mode = "ok"`, `verdict = "refuse"
    attr = "verdict"`, hcl.DiagError, 8, "refused"},
		{"refused at a list element", `mode = "ok"`, `verdict = "refuse"
    attr = "items[1]"
    items = [
      "a",
      "b",
    ]`, hcl.DiagError, 12, "refused"},
		{"an element the spec lacks: its list", `mode = "ok"`, `verdict = "refuse"
    attr = "items[7]"
    items = ["a"]`, hcl.DiagError, 10, "refused"},
		{"an attribute the spec lacks: the block", `mode = "ok"`, `verdict = "refuse"
    attr = "nowhere"`, hcl.DiagError, 7, "refused"},
		{"warning", `mode = "ok"`, `verdict = "warn"
    attr = "attr"`, hcl.DiagWarning, 9, "risky"},
		{"unreachable backend is a warning", `mode = "ok"`, `verdict = "unreachable"`, hcl.DiagWarning, 7, "could not check it: judge.Validate: backend down"},
		{"provider refused at its attribute", `mode = "bad"`, `verdict = "accept"`, hcl.DiagError, 2, "bad mode"},
		{"secret never shown", `mode = "ok"
  token = "` + secret + `"`, `verdict = "refuse"
    attr = "token_echo"
    token_echo = "` + secret + `"`, hcl.DiagError, 11, "(sensitive value)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags, files := validateSpec(t, judging(t), tt.provider, tt.body)
			if tt.line == 0 {
				if len(diags) != 0 {
					t.Fatalf("diagnostics: %v", diags)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("%d diagnostics, want 1: %v", len(diags), diags)
			}
			d := diags[0]
			if d.Severity != tt.severity || !strings.Contains(d.Detail, tt.says) || d.Subject == nil || d.Subject.Start.Line != tt.line {
				t.Errorf("diagnostic %v %q at %v, want severity %v saying %q at line %d\n%s", d.Severity, d.Detail, d.Subject, tt.severity, tt.says, tt.line, files)
			}
			if strings.Contains(d.Detail, secret) {
				t.Errorf("the diagnostic shows the secret: %s", d.Detail)
			}
		})
	}
	t.Run("a flood of warnings is bounded", func(t *testing.T) {
		diags, _ := validateSpec(t, judging(t), `mode = "ok"`, `verdict = "flood"`)
		if len(diags) != 21 {
			t.Errorf("%d diagnostics, want 20 and one saying how many more", len(diags))
		}
		for _, d := range diags {
			if len(d.Detail) > 2100 {
				t.Errorf("a detail of %d bytes", len(d.Detail))
			}
		}
	})
}

// validateSpec loads a spec of one provider and one group (the instance
// block's body from line 8) and runs r.Validate on it.
func validateSpec(t *testing.T, r *plugins.Registry, provider, body string) (hcl.Diagnostics, string) {
	t.Helper()
	src := fmt.Sprintf(`provider "judge" "p" {
  %s
}

group "g" {
  size = 1
  instance "judge" {
    %s
  }
  flavor "vanilla" {}
}
`, provider, body)
	path := filepath.Join(t.TempDir(), "spec.hcl")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := specs.NewLoader(specs.Options{Schemas: r, LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	spec, err := l.Load(path)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, src)
	}
	return r.Validate(t.Context(), spec), src
}
