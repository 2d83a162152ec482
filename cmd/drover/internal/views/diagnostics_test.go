package views

import (
	"bytes"
	"testing"
)

func TestAPIDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		name, raw, want string
		wantErr         bool
	}{
		{name: "with range and snippet", raw: `[{"severity":"error","summary":"Unsupported argument","detail":"Did you mean \"image\"?",
			"range":{"filename":"spec.hcl","start":{"line":5,"column":5,"byte":80},"end":{"line":5,"column":10,"byte":85}},
			"snippet":{"context":"group \"web\"","code":"    imgae = \"x\"","start_line":5}}]`,
			want: "Error: Unsupported argument\n\n  on spec.hcl line 5:\n  5:     imgae = \"x\"\n\nDid you mean \"image\"?\n\n"},
		{name: "bare warning", raw: `[{"severity":"warning","summary":"Host network"}]`, want: "Warning: Host network\n\n"},
		{name: "not diagnostics", raw: `{"severity":"error"}`, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := APIDiagnostics(&out, []byte(tc.raw))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tc.wantErr)
			}
			wantText(t, "out", out.String(), tc.want)
		})
	}
}
