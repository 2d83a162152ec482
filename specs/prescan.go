package specs

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// HCL's parsers are recursive: a source nested a million levels deep
// overflows the stack, and one that is merely huge exhausts memory. The
// pre-scans below read a source with HCL's own (iterative) scanner, or a
// byte loop for JSON, and refuse what exceeds the limits before a parser
// sees it.

// lexMode says how a source is lexed: a config file, one expression (a
// -var value) or a template (a string in a JSON source).
type lexMode int

const (
	lexConfig lexMode = iota
	lexExpression
	lexTemplate
)

// sourceSize refuses a source over MaxSourceBytes, at its start.
func sourceSize(src []byte, filename string, start hcl.Pos) hcl.Diagnostics {
	if len(src) <= MaxSourceBytes {
		return nil
	}
	return limitDiag(hcl.Range{Filename: filename, Start: start, End: start},
		limitf("source size", "The source is %d bytes long; the limit is %d bytes.", len(src), MaxSourceBytes))
}

// prescanHCL checks an HCL source's size, tokens, nesting and number
// literals.
func prescanHCL(src []byte, filename string, start hcl.Pos, mode lexMode) hcl.Diagnostics {
	if diags := sourceSize(src, filename, start); diags.HasErrors() {
		return diags
	}
	var toks hclsyntax.Tokens
	switch mode {
	case lexExpression:
		toks, _ = hclsyntax.LexExpression(src, filename, start)
	case lexTemplate:
		toks, _ = hclsyntax.LexTemplate(src, filename, start)
	default:
		toks, _ = hclsyntax.LexConfig(src, filename, start)
	}
	if len(toks) > MaxTokens {
		return limitDiag(toks[MaxTokens].Range,
			limitf("tokens", "The source has %d tokens; the limit is %d.", len(toks), MaxTokens))
	}
	var d depth
	d.push(mode == lexTemplate) // a template's top level is template text
	for i, tok := range toks {
		if err := d.token(toks, i); err != nil {
			return limitDiag(tok.Range, err)
		}
	}
	return nil
}

// depth follows the nesting of a token stream. Every frame (a bracket, a
// quote, an interpolation) adds one level, and every operator adds one to
// the level of the item it is in: HCL parses operator chains and
// conditionals into trees as deep as they are long.
type depth struct {
	frames []frame
}

type frame struct {
	base     int  // the depth at which the frame opened
	item     int  // operators (and, in templates, open directives) since the last separator
	elems    int  // items separated so far
	template bool // a quoted string or heredoc: separators do not reset
}

func (d *depth) level() int {
	f := d.frames[len(d.frames)-1]
	return f.base + f.item
}

func (d *depth) push(template bool) {
	base := 0
	if len(d.frames) > 0 {
		top := &d.frames[len(d.frames)-1]
		if top.template {
			base = d.level() + 1
		} else {
			top.item++ // the opener is the level, counted in its item so that a chain of them adds up
			base = d.level()
		}
	}
	d.frames = append(d.frames, frame{base: base, template: template})
}

func (d *depth) pop() {
	if len(d.frames) > 1 {
		d.frames = d.frames[:len(d.frames)-1]
	}
}

func (d *depth) token(toks hclsyntax.Tokens, i int) *LimitError {
	top := &d.frames[len(d.frames)-1]
	switch tok := toks[i]; tok.Type {
	case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
		hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
		d.push(false)
		if tok.Type == hclsyntax.TokenTemplateControl {
			d.directive(toks, i)
		}
	case hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc:
		d.push(true)
	case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
		hclsyntax.TokenTemplateSeqEnd, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
		d.pop()
	case hclsyntax.TokenComma:
		top.item = 0
		if top.elems++; top.elems > MaxCollectionLength {
			return limitf("collection length", "More than %d elements are written here; the limit is %d.", top.elems, MaxCollectionLength)
		}
	case hclsyntax.TokenNewline:
		if !top.template {
			top.item = 0
		}
	case hclsyntax.TokenPlus, hclsyntax.TokenMinus, hclsyntax.TokenStar, hclsyntax.TokenSlash,
		hclsyntax.TokenPercent, hclsyntax.TokenBang, hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual,
		hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq, hclsyntax.TokenGreaterThan,
		hclsyntax.TokenGreaterThanEq, hclsyntax.TokenAnd, hclsyntax.TokenOr, hclsyntax.TokenQuestion:
		top.item++
	case hclsyntax.TokenNumberLit:
		if err := checkNumberLiteral(string(tok.Bytes)); err != nil {
			return err
		}
	}
	if lv := d.level(); lv > MaxNestingDepth {
		return limitf("nesting depth", "The nesting here is %d levels deep; the limit is %d (every bracket, quote, interpolation, template directive and operator counts one).", lv, MaxNestingDepth)
	}
	return nil
}

// directive adjusts the enclosing template's nesting for %{if}, %{for} and
// their ends: the parser nests the text between them.
func (d *depth) directive(toks hclsyntax.Tokens, i int) {
	if len(d.frames) < 2 {
		return
	}
	tmpl := &d.frames[len(d.frames)-2]
	for j := i + 1; j < len(toks) && j < i+3; j++ {
		if toks[j].Type != hclsyntax.TokenIdent {
			continue
		}
		switch string(toks[j].Bytes) {
		case "if", "for":
			tmpl.item++
			d.frames[len(d.frames)-1].base++
		case "endif", "endfor":
			if tmpl.item > 0 {
				tmpl.item--
			}
		}
		return
	}
}

func checkNumberLiteral(s string) *LimitError {
	if len(s) > MaxNumberLiteral {
		return limitf("number literal", "This number is written with %d characters; the limit is %d.", len(s), MaxNumberLiteral)
	}
	if _, err := strconv.ParseFloat(s, 64); err != nil && strings.Contains(err.Error(), "range") {
		return limitf("number", "This number is out of range: numbers are at most %g in magnitude.", MaxNumber)
	}
	return nil
}

// prescanJSON checks a JSON source's size, nesting and numbers, and every
// string in it that HCL will read as a template.
func prescanJSON(src []byte, filename string) hcl.Diagnostics {
	if diags := sourceSize(src, filename, hcl.InitialPos); diags.HasErrors() {
		return diags
	}
	lines := newLineIndex(src)
	var diags hcl.Diagnostics
	err := scanJSON(src, func(off int, quoted []byte) bool {
		var s string
		if json.Unmarshal(quoted, &s) != nil || !strings.Contains(s, "{") {
			return true
		}
		pos := lines.pos(off + 1)
		diags = append(diags, prescanHCL([]byte(s), filename, pos, lexTemplate)...)
		if !diags.HasErrors() {
			diags = append(diags, noForInJSON(s, filename, pos)...)
		}
		return !diags.HasErrors()
	})
	if err != nil {
		p := lines.pos(err.off)
		diags = append(diags, limitDiag(hcl.Range{Filename: filename, Start: p, End: p}, err.LimitError)...)
	}
	return diags
}

// noForInJSON refuses for expressions and %{for} in a JSON string: HCL
// parses those strings when it evaluates them, out of reach of the
// evaluation budget that bounds them in HCL sources.
func noForInJSON(s, filename string, pos hcl.Pos) hcl.Diagnostics {
	expr, diags := hclsyntax.ParseTemplate([]byte(s), filename, pos)
	if diags.HasErrors() {
		return nil // HCL reports it when it reads the string
	}
	var found *hcl.Range
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		if fe, ok := n.(*hclsyntax.ForExpr); ok && found == nil {
			found = fe.SrcRange.Ptr()
		}
		return nil
	})
	if found == nil {
		return nil
	}
	return limitDiag(*found, limitf("for in JSON", "for expressions and %%{for} directives are not supported in JSON sources: write the spec in HCL."))
}

// jsonError is a limit exceeded at a byte offset of a JSON text.
type jsonError struct {
	*LimitError
	off int
}

// scanJSON walks a JSON text's brackets, numbers and strings (calling str,
// when not nil, with each string's offset and quoted bytes; it returns
// false to stop) and stops at the first limit exceeded. It does not
// validate: the JSON parser reports syntax.
func scanJSON(src []byte, str func(off int, quoted []byte) bool) *jsonError {
	level, n := 0, 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '[' || c == '{':
			level++
			n++
			if level > MaxNestingDepth {
				return &jsonError{limitf("nesting depth", "The JSON here is nested %d levels deep; the limit is %d.", level, MaxNestingDepth), i}
			}
		case c == ']' || c == '}':
			level--
		case c == ',':
			n++
		case c == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if str != nil && !str(i, src[i:min(j+1, len(src))]) {
				return nil
			}
			i = j
		case c == '-' || c >= '0' && c <= '9':
			j := i
			for j < len(src) && strings.IndexByte("+-.eE0123456789", src[j]) >= 0 {
				j++
			}
			if err := checkNumberLiteral(string(src[i:j])); err != nil {
				return &jsonError{err, i}
			}
			i = j - 1
		}
		if n > MaxCollectionLength {
			return &jsonError{limitf("collection length", "The JSON holds more than %d elements.", MaxCollectionLength), i}
		}
	}
	return nil
}

// lineIndex finds the position of a byte offset.
type lineIndex struct{ starts []int }

func newLineIndex(src []byte) lineIndex {
	li := lineIndex{starts: []int{0}}
	for i, c := range src {
		if c == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

// pos is the position of byte off (columns count bytes).
func (li lineIndex) pos(off int) hcl.Pos {
	line := sort.SearchInts(li.starts, off+1) - 1
	return hcl.Pos{Line: line + 1, Column: off - li.starts[line] + 1, Byte: off}
}

// limitDiag is the diagnostic of a limit exceeded at rng.
func limitDiag(rng hcl.Range, err *LimitError) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Spec limit exceeded: %s", err.Limit),
		Detail:   err.Detail,
		Subject:  rng.Ptr(),
	}}
}
