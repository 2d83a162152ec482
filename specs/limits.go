package specs

import (
	"fmt"
	"io"
	"time"
)

// The limits of the spec language. A spec is input from whoever can write
// it (a git repository, an API client), so reading one must end quickly and
// in bounded memory whatever it says. Exceeding a limit is an error
// diagnostic at the place in the source where it happened.
//
// Every limit is listed in the "Limits" section of docs/reference.md,
// written by WriteLimitsMarkdown from limitDocs below: add a limit there
// when you add one here.
const (
	// MaxSourceBytes bounds one spec file or variables file.
	MaxSourceBytes = 256 << 10
	// MaxSpecBytes bounds all the files of one spec together.
	MaxSpecBytes = 2 << 20
	// MaxTokens bounds the tokens (names, numbers, operators, brackets,
	// pieces of strings) of one source.
	MaxTokens = 100_000
	// MaxNestingDepth bounds how deep an expression or a body nests: every
	// open bracket, brace, parenthesis, quote, heredoc, interpolation and
	// template %{if}/%{for} counts one level, and so does every operator
	// (unary or binary) of an expression within its enclosing item. JSON
	// sources and jsondecode count their brackets.
	MaxNestingDepth = 128
	// MaxNumberLiteral bounds the characters of a number written in a
	// source, and MaxNumber the magnitude of every number: that of a
	// float64, the range of every number a plugin or the API reads.
	MaxNumberLiteral = 400
	// MaxStringBytes bounds every string a spec computes (function
	// results, templates, values of variables) and what file() reads.
	MaxStringBytes = 1 << 20
	// MaxFileSize bounds what the default ReadFile reads: a spec file, a
	// variables file or a file() argument, which must be a regular file.
	MaxFileSize = MaxStringBytes
	// MaxCollectionLength bounds the elements of every list, set, tuple,
	// map or object a spec computes, and the iterations of one for
	// expression, and the elements written in one list or object in a
	// source. (cty converts a tuple to a list in time quadratic in its
	// length, so this stays small.)
	MaxCollectionLength = 10_000
	// MaxLoadIterations bounds the iterations of every for expression and
	// template %{for} while loading one spec, counted together.
	MaxLoadIterations = 50_000
	// MaxLoadElements bounds the elements of the values that functions
	// take and give, and that for expressions and templates produce, while
	// loading one spec, counted each time.
	MaxLoadElements = 2_000_000
	// MaxLoadBytes bounds the string bytes that functions, templates and
	// for expressions produce while loading one spec, counted each time.
	MaxLoadBytes = 64 << 20
	// MaxRegexWork bounds the work of the regular-expression functions
	// while loading one spec: the length of each subject times the size
	// of the compiled pattern, summed.
	MaxRegexWork = 200_000_000
	// MaxParseIntDigits bounds the string parseint and tonumber read.
	MaxParseIntDigits = 400
	// MaxLoadTime bounds the wall-clock time spent evaluating one spec.
	MaxLoadTime = 10 * time.Second

	// MaxDiagnostics bounds the diagnostics one load reports; the rest are
	// counted in one more.
	MaxDiagnostics = 100

	// MaxGroupSize bounds a group's size, its logical_ids and its
	// autoscale max.
	MaxGroupSize = 10_000
	// MaxReplicas bounds a service's replicas.
	MaxReplicas = 100_000
	// MaxServiceAutoscale bounds a service's autoscale max.
	MaxServiceAutoscale = 10_000
)

// MaxNumber is the largest magnitude of a number in a spec.
const MaxNumber = 1.7976931348623157e308

// LimitError is a spec that exceeded one of the limits above.
type LimitError struct {
	// Limit names what was exceeded ("nesting depth", "string length").
	Limit string
	// Detail says what happened and what the limit is.
	Detail string
}

func (e *LimitError) Error() string { return e.Detail }

func limitf(limit, format string, args ...any) *LimitError {
	return &LimitError{Limit: limit, Detail: fmt.Sprintf(format, args...)}
}

// limitDocs lists every limit for the reference, in the order it shows them.
var limitDocs = []struct{ name, value, what string }{
	{"source size", fmt.Sprint(MaxSourceBytes), "bytes in one spec or variables file (also every -var or DROVER_VAR_ value)"},
	{"spec size", fmt.Sprint(MaxSpecBytes), "bytes in all the files of one spec"},
	{"tokens", fmt.Sprint(MaxTokens), "tokens (names, numbers, operators, brackets, string pieces) in one file"},
	{"nesting depth", fmt.Sprint(MaxNestingDepth), "levels of nesting: each bracket, brace, parenthesis, quote, heredoc, interpolation, template `%{if}`/`%{for}` and each operator of an expression counts one; JSON and `jsondecode` count brackets"},
	{"number literal", fmt.Sprint(MaxNumberLiteral), "characters in a number written in the source"},
	{"number", "1.7976931348623157e308", "magnitude of any number (the range of a float64)"},
	{"string length", fmt.Sprint(MaxStringBytes), "bytes in any string a spec computes, and in what `file()` reads (regular files only)"},
	{"collection length", fmt.Sprint(MaxCollectionLength), "elements of any list, set, tuple, map or object, iterations of one `for`, and elements written in one list or object"},
	{"evaluation iterations", fmt.Sprint(MaxLoadIterations), "per load: iterations of every `for` expression and template `%{for}`, together"},
	{"evaluation elements", fmt.Sprint(MaxLoadElements), "per load: elements of the values functions take and give and `for` expressions and templates produce, counted each time"},
	{"evaluation bytes", fmt.Sprint(MaxLoadBytes), "per load: string bytes functions, templates and `for` expressions produce, counted each time"},
	{"regex work", fmt.Sprint(MaxRegexWork), "per load: subject length times compiled pattern size, plus 1000 per pattern byte compiled, summed over `regex`, `regexall`, `regex_replace` and `replace` with a /pattern/"},
	{"parseint/tonumber input", fmt.Sprint(MaxParseIntDigits), "characters of the string `parseint` or `tonumber` reads"},
	{"evaluation time", MaxLoadTime.String(), "wall-clock time to evaluate one spec"},
	{"diagnostics", fmt.Sprint(MaxDiagnostics), "diagnostics reported by one load; one more counts the rest"},
	{"group size", fmt.Sprint(MaxGroupSize), "a group's `size`, number of `logical_ids` and `autoscale.max`"},
	{"service replicas", fmt.Sprint(MaxReplicas), "a service's `replicas`"},
	{"service autoscale", fmt.Sprint(MaxServiceAutoscale), "a service's `autoscale.max`"},
}

// WriteLimitsMarkdown writes the "Limits" section of the spec reference.
func WriteLimitsMarkdown(w io.Writer, heading int) error {
	h := ""
	for range heading {
		h += "#"
	}
	out := h + " Limits\n\nA spec is read in bounded time and memory whatever it says. Going past one of\n" +
		"these limits is an error at the file and line where it happened, never a crash or a hang.\n\n" +
		"| limit | value | what it bounds |\n|---|---|---|\n"
	for _, l := range limitDocs {
		out += fmt.Sprintf("| %s | %s | %s |\n", l.name, l.value, l.what)
	}
	_, err := io.WriteString(w, out+"\n")
	return err
}
