package views

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/drover/drover/specs"
)

// APIDiagnostics writes, for people, the diagnostics of a spec the daemon
// refused (api.Error's diagnostics, in validate's JSON shape).
func APIDiagnostics(w io.Writer, raw json.RawMessage) error {
	var diags []specs.JSONDiagnostic
	if err := json.Unmarshal(raw, &diags); err != nil {
		return fmt.Errorf("the daemon sent diagnostics that do not decode: %w", err)
	}
	for _, d := range diags {
		fmt.Fprintf(w, "%s: %s\n", strings.ToUpper(d.Severity[:1])+d.Severity[1:], d.Summary)
		if r := d.Range; r != nil {
			fmt.Fprintf(w, "\n  on %s line %d:\n", r.Filename, r.Start.Line)
		}
		if d.Snippet != nil {
			fmt.Fprintf(w, "  %d: %s\n", d.Range.Start.Line, d.Snippet.Code)
		}
		if d.Detail != "" {
			fmt.Fprintf(w, "\n%s\n", d.Detail)
		}
		fmt.Fprintln(w)
	}
	return nil
}
