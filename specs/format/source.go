package format

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Source returns src in canonical HCL layout. filename is used only in
// diagnostics.
//
// Line endings are normalised to LF, and a non-empty result ends with
// exactly one newline; trailing blank lines and trailing whitespace at the
// end of the file are dropped. If src has syntax errors, Source returns nil
// and the parser's diagnostics, because formatting broken input can mangle
// it. Warnings, if any, are returned together with the formatted text.
func Source(filename string, src []byte) ([]byte, hcl.Diagnostics) {
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	_, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	return finalNewline(hclwrite.Format(src)), diags
}

// finalNewline trims trailing whitespace and blank lines from b and, unless
// nothing is left, ends it with a single newline. Nothing at the end of a
// syntactically valid file is significant whitespace: strings and heredocs
// are closed by then.
func finalNewline(b []byte) []byte {
	b = bytes.TrimRight(b, " \t\n")
	if len(b) == 0 {
		return []byte{}
	}
	return append(b, '\n')
}
