package specs

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

// snippetLines bounds the source lines shown for one diagnostic.
const snippetLines = 3

// WriteDiagnostics writes diagnostics for people:
//
//	Error: Unsupported argument
//	  --> spec.hcl:3:5 (in group "web")
//	   |
//	 3 |     imgae = "x"
//	   |     ^^^^^
//	An argument named "imgae" is not expected here. Did you mean "image"?
func WriteDiagnostics(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File) error {
	var buf bytes.Buffer
	for i, d := range diags {
		if i > 0 {
			buf.WriteByte('\n')
		}
		writeDiagnostic(&buf, d, files)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func writeDiagnostic(buf *bytes.Buffer, d *hcl.Diagnostic, files map[string]*hcl.File) {
	fmt.Fprintf(buf, "%s: %s\n", severityWord(d.Severity), d.Summary)
	if d.Subject != nil {
		s := d.Subject
		fmt.Fprintf(buf, "  --> %s:%d:%d", s.Filename, s.Start.Line, s.Start.Column)
		if f := files[s.Filename]; f != nil {
			if ctx := hcled.ContextString(f, s.Start.Byte); ctx != "" {
				fmt.Fprintf(buf, " (in %s)", ctx)
			}
			buf.WriteByte('\n')
			writeSnippet(buf, f.Bytes, *s)
		} else {
			buf.WriteByte('\n')
		}
	}
	if d.Detail != "" {
		buf.WriteString(d.Detail)
		buf.WriteByte('\n')
	}
}

func writeSnippet(buf *bytes.Buffer, src []byte, rng hcl.Range) {
	lines := strings.Split(string(src), "\n")
	if rng.Start.Line < 1 || rng.Start.Line > len(lines) {
		return
	}
	last := min(rng.End.Line, rng.Start.Line+snippetLines-1, len(lines))
	width := len(fmt.Sprint(last))
	gutter := strings.Repeat(" ", width+1) + " |"
	fmt.Fprintln(buf, gutter)
	for n := rng.Start.Line; n <= last; n++ {
		line := strings.TrimRight(lines[n-1], "\r")
		fmt.Fprintf(buf, " %*d | %s\n", width, n, strings.ReplaceAll(line, "\t", tabSpaces))
		if n == rng.Start.Line {
			from := displayCol(line, rng.Start.Column)
			to := displayCol(line, utf8.RuneCountInString(line)+1)
			if rng.End.Line == n {
				to = displayCol(line, rng.End.Column)
			}
			fmt.Fprintf(buf, "%s %s%s\n", gutter, strings.Repeat(" ", from), strings.Repeat("^", max(1, to-from)))
		}
	}
}

// tabSpaces is what a tab is shown as in snippets, so carets line up.
const tabSpaces = "    "

// displayCol is the width of line before the 1-based column col, with tabs
// shown as tabSpaces.
func displayCol(line string, col int) int {
	w := 0
	for i, r := range []rune(line) {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			w += len(tabSpaces)
		} else {
			w++
		}
	}
	return w
}

func severityWord(s hcl.DiagnosticSeverity) string {
	if s == hcl.DiagWarning {
		return "Warning"
	}
	return "Error"
}

// JSONDiagnostic is a diagnostic for programs, in the shape Terraform's
// `validate -json` uses.
type JSONDiagnostic struct {
	Severity string       `json:"severity"` // "error" or "warning"
	Summary  string       `json:"summary"`
	Detail   string       `json:"detail,omitempty"`
	Range    *JSONRange   `json:"range,omitempty"`
	Snippet  *JSONSnippet `json:"snippet,omitempty"`
}

// JSONRange is a source range; lines and columns count from 1, bytes from 0.
type JSONRange struct {
	Filename string  `json:"filename"`
	Start    JSONPos `json:"start"`
	End      JSONPos `json:"end"`
}

// JSONPos is a position in a source file.
type JSONPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// JSONSnippet is the source line of a diagnostic and the highlighted part.
type JSONSnippet struct {
	Context   string `json:"context,omitempty"`
	Code      string `json:"code"`
	StartLine int    `json:"start_line"`
	// HighlightStartOffset and HighlightEndOffset are byte offsets into Code.
	HighlightStartOffset int `json:"highlight_start_offset"`
	HighlightEndOffset   int `json:"highlight_end_offset"`
}

// DiagnosticsJSON converts diagnostics for JSON output.
func DiagnosticsJSON(diags hcl.Diagnostics, files map[string]*hcl.File) []JSONDiagnostic {
	out := make([]JSONDiagnostic, 0, len(diags))
	for _, d := range diags {
		jd := JSONDiagnostic{Severity: strings.ToLower(severityWord(d.Severity)), Summary: d.Summary, Detail: d.Detail}
		if s := d.Subject; s != nil {
			jd.Range = &JSONRange{
				Filename: s.Filename,
				Start:    JSONPos{s.Start.Line, s.Start.Column, s.Start.Byte},
				End:      JSONPos{s.End.Line, s.End.Column, s.End.Byte},
			}
			if f := files[s.Filename]; f != nil {
				jd.Snippet = snippet(f, *s)
			}
		}
		out = append(out, jd)
	}
	return out
}

func snippet(f *hcl.File, rng hcl.Range) *JSONSnippet {
	src := f.Bytes
	if rng.Start.Byte > len(src) || rng.End.Byte > len(src) || rng.Start.Byte > rng.End.Byte {
		return nil
	}
	lineStart := bytes.LastIndexByte(src[:rng.Start.Byte], '\n') + 1
	lineEnd := len(src)
	if i := bytes.IndexByte(src[rng.Start.Byte:], '\n'); i >= 0 {
		lineEnd = rng.Start.Byte + i
	}
	code := strings.TrimRight(string(src[lineStart:lineEnd]), "\r")
	return &JSONSnippet{
		Context:              hcled.ContextString(f, rng.Start.Byte),
		Code:                 code,
		StartLine:            rng.Start.Line,
		HighlightStartOffset: rng.Start.Byte - lineStart,
		HighlightEndOffset:   min(rng.End.Byte-lineStart, len(code)),
	}
}

// withheldDetail replaces the message of a diagnostic that could show a
// value read from outside the spec or a sensitive one.
const withheldDetail = "The message is withheld: the expression involves a value read by env() or file(), a variable set outside the spec, or a sensitive value, and the message could show it."

// inputFunctions are the functions whose results are marked.
var inputFunctions = map[string]bool{"env": true, "file": true, "sensitive": true}

// redactDiagnostics withholds the detail of every diagnostic about an
// expression that involves a marked value (see inputs.go): cty functions
// and hcl print the values they fail on (parseint, tonumber, a duplicate
// key of a for expression), and such a value may be a secret.
func redactDiagnostics(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Expression == nil || !involvesInput(failedExpr(d), d.EvalContext) {
			continue
		}
		d.Detail = withheldDetail
		d.Expression, d.EvalContext = nil, nil
	}
}

// holdsInput reports whether v or a value in it carries an input's mark.
func holdsInput(v cty.Value) bool {
	_, pvm := v.UnmarkDeepWithPaths()
	return schema.Hidden(pvm)
}

// failedExpr is the expression whose values d may show: for a call of
// env() or file() that failed itself (a file that does not exist), its
// arguments, which name the input and are shown; else d's expression.
func failedExpr(d *hcl.Diagnostic) hcl.Expression {
	c, ok := d.Expression.(*hclsyntax.FunctionCallExpr)
	if !ok || d.Summary != "Error in function call" || !inputFunctions[c.Name] {
		return d.Expression
	}
	return &hclsyntax.TupleConsExpr{Exprs: c.Args, SrcRange: c.Range()}
}

// involvesInput reports whether expr calls env(), file() or sensitive(),
// or refers to a value that ctx holds marked.
func involvesInput(expr hcl.Expression, ctx *hcl.EvalContext) bool {
	for _, trav := range expr.Variables() {
		if ctx == nil {
			break // no values: none to show
		}
		if v, ds := trav.TraverseAbs(ctx); !ds.HasErrors() && holdsInput(v) {
			return true
		}
	}
	se, ok := expr.(hclsyntax.Expression)
	if !ok {
		return false
	}
	found := false
	hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && inputFunctions[c.Name] {
			found = true
		}
		return nil
	})
	return found
}
