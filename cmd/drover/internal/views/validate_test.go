package views

import (
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/drover/drover/specs"
)

// validation is three specs: one valid with a warning, one that did not
// load, one that loaded but a plugin refused.
var validation = Validation{Specs: []ValidatedSpec{
	{Path: "ok.hcl", Spec: &specs.Spec{
		Groups:   []*specs.Group{{Resource: specs.Resource{Kind: "group", Name: "web", Hash: "g1"}}},
		Services: []*specs.Service{{Resource: specs.Resource{Kind: "service", Name: "api", Hash: "s1"}}},
	}, Diagnostics: hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Host network", Detail: "The container shares the host's network."}}},
	{Path: "missing.hcl", Diagnostics: hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot load spec", Detail: "no such file"}}},
	{Path: "refused.hcl", Spec: &specs.Spec{Networks: []*specs.Network{{Resource: specs.Resource{Kind: "network", Name: "front", Hash: "n1"}}}},
		Diagnostics: hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Bad image"}, {Severity: hcl.DiagError, Summary: "Bad port"}}},
}}

func TestValidation(t *testing.T) {
	for _, tc := range []struct {
		name      string
		val       Validation
		f         Format
		wantValid bool
		wantOut   string
		wantErr   string
	}{
		{name: "text", val: validation, f: Text, wantOut: "ok.hcl: valid (1 group, 1 service, 0 networks, 0 swarms)\n" +
			"missing.hcl: invalid (1 error)\n" +
			"refused.hcl: invalid (2 errors)\n",
			wantErr: "Warning: Host network\nThe container shares the host's network.\n\n" +
				"Error: Cannot load spec\nno such file\n\n" +
				"Error: Bad image\n\nError: Bad port\n\n"},
		{name: "json", val: validation, f: JSON, wantOut: `{
  "format_version": "1.0",
  "valid": false,
  "error_count": 3,
  "warning_count": 1,
  "diagnostics": [
    {
      "severity": "warning",
      "summary": "Host network",
      "detail": "The container shares the host's network."
    },
    {
      "severity": "error",
      "summary": "Cannot load spec",
      "detail": "no such file"
    },
    {
      "severity": "error",
      "summary": "Bad image"
    },
    {
      "severity": "error",
      "summary": "Bad port"
    }
  ],
  "specs": [
    {
      "path": "ok.hcl",
      "valid": true,
      "resources": {
        "group.web": "g1",
        "service.api": "s1"
      }
    },
    {
      "path": "missing.hcl",
      "valid": false
    },
    {
      "path": "refused.hcl",
      "valid": false,
      "resources": {
        "network.front": "n1"
      }
    }
  ]
}
`},
		{name: "text, valid", val: Validation{Specs: validation.Specs[:1]}, f: Text, wantValid: true,
			wantOut: "ok.hcl: valid (1 group, 1 service, 0 networks, 0 swarms)\n",
			wantErr: "Warning: Host network\nThe container shares the host's network.\n\n"},
		{name: "json, nothing", f: JSON, wantValid: true, wantOut: `{
  "format_version": "1.0",
  "valid": true,
  "error_count": 0,
  "warning_count": 0,
  "diagnostics": [],
  "specs": null
}
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut := render(t, tc.f, func(v *View) error { return v.Validation(tc.val) })
			wantText(t, "out", out, tc.wantOut)
			wantText(t, "err", errOut, tc.wantErr)
			if tc.val.Valid() != tc.wantValid {
				t.Errorf("Valid() = %v, want %v", tc.val.Valid(), tc.wantValid)
			}
		})
	}
}
