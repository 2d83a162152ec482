package specs

import (
	"math"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// bound replaces, in fns, every standard function by one that checks the
// limits and charges b, and adds the evaluation hooks.
func bound(fns map[string]function.Function, b *budget) {
	for name, f := range fns {
		if _, std := stdFunctions[name]; std {
			fns[name] = boundFunc(name, f, b)
		}
	}
	for name, f := range hookFunctions(b) {
		fns[name] = f
	}
}

// boundFunc wraps f: its arguments are charged and checked, then a
// function that can produce far more than it takes is checked for what it
// would produce before it runs, and its result is charged and checked.
func boundFunc(name string, f function.Function, b *budget) function.Function {
	pre := preChecks[name]
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			if err := chargePattern(name, args, b); err != nil {
				return cty.NilType, err
			}
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for _, a := range args {
				// hcl walks every argument deeply (for marks) on every
				// call, so a call costs the size of its arguments.
				if err := b.chargeValue(a); err != nil {
					return cty.NilVal, err
				}
			}
			if pre != nil {
				if err := pre(args, b); err != nil {
					return cty.NilVal, err
				}
			}
			out, err := f.Call(args)
			if err != nil {
				return cty.NilVal, err
			}
			if err := b.chargeValue(out); err != nil {
				return cty.NilVal, err
			}
			return out, nil
		},
	})
}

// preCheck refuses a call whose result would exceed a limit, or charges
// work the result does not show (comparisons, regex steps).
type preCheck func(args []cty.Value, b *budget) error

var preChecks = map[string]preCheck{
	"range":         checkRange,
	"setproduct":    checkSetProduct,
	"concat":        checkSumLength,
	"merge":         checkSumLength,
	"setunion":      checkSumLength,
	"flatten":       checkFlatten,
	"distinct":      checkDistinct,
	"join":          checkJoin,
	"format":        func(args []cty.Value, _ *budget) error { return checkFormat(args[0], 1) },
	"formatlist":    checkFormatList,
	"indent":        checkIndent,
	"replace":       checkReplace,
	"regex_replace": checkRegexReplace,
	"regex":         func(args []cty.Value, b *budget) error { return checkRegex(args[0], args[1], b, false) },
	"regexall":      func(args []cty.Value, b *budget) error { return checkRegex(args[0], args[1], b, true) },
	"split":         checkSplit,
	"csvdecode":     checkCSV,
	"jsondecode":    checkJSON,
	"parseint":      func(args []cty.Value, _ *budget) error { return checkDigits(args[0]) },
	"tonumber":      func(args []cty.Value, _ *budget) error { return checkDigits(args[0]) },
}

func num(v cty.Value) float64 {
	f, _ := v.AsBigFloat().Float64()
	return f
}

func length(v cty.Value) int {
	v, _ = v.Unmark()
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return 0
	}
	return v.LengthInt()
}

func checkRange(args []cty.Value, _ *budget) error {
	start, end, step := 0.0, 0.0, 1.0
	switch len(args) {
	case 1:
		end = num(args[0])
	case 2:
		start, end = num(args[0]), num(args[1])
	default:
		start, end, step = num(args[0]), num(args[1]), num(args[2])
	}
	if step == 0 {
		return nil // range reports it
	}
	if n := math.Ceil((end - start) / step); n > MaxCollectionLength {
		return limitf("collection length", "This range would hold %.0f elements; the limit is %d.", n, MaxCollectionLength)
	}
	return nil
}

func checkSetProduct(args []cty.Value, _ *budget) error {
	n := 1.0
	for _, a := range args {
		n *= float64(length(a))
	}
	if n > MaxCollectionLength {
		return limitf("collection length", "This product would hold %.0f elements; the limit is %d.", n, MaxCollectionLength)
	}
	return nil
}

func checkSumLength(args []cty.Value, _ *budget) error {
	n := 0
	for _, a := range args {
		n += length(a)
	}
	if n > MaxCollectionLength {
		return collectionLimit(n)
	}
	return nil
}

func checkFlatten(args []cty.Value, _ *budget) error {
	if n := leaves(args[0], 0); n > MaxCollectionLength {
		return limitf("collection length", "This flatten would hold more than %d elements.", MaxCollectionLength)
	}
	return nil
}

// leaves counts, from n, the elements flatten would give for v, stopping
// past the collection limit.
func leaves(v cty.Value, n int) int {
	v, _ = v.Unmark()
	ty := v.Type()
	if !v.IsKnown() || v.IsNull() || !(ty.IsListType() || ty.IsTupleType() || ty.IsSetType()) {
		return n + 1
	}
	for _, e := range v.AsValueSlice() {
		if n = leaves(e, n); n > MaxCollectionLength {
			return n
		}
	}
	return n
}

// checkDistinct charges distinct's comparisons: it compares every element
// with those kept before it.
func checkDistinct(args []cty.Value, b *budget) error {
	n := int64(length(args[0]))
	return b.charge(n*n/2, 0)
}

func checkJoin(args []cty.Value, _ *budget) error {
	sep := len(args[0].AsString())
	total := 0
	for _, l := range args[1:] {
		for it := l.ElementIterator(); it.Next(); {
			_, e := it.Element()
			e, _ = e.Unmark()
			if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
				total += len(e.AsString())
			}
			total += sep
		}
	}
	return checkLen(total)
}

func checkLen(n int) error {
	if n > MaxStringBytes {
		return stringLimit(n)
	}
	return nil
}

// formatWidth sums the widths and precisions written in a format string:
// "%1000000d" asks for a million characters.
func formatWidth(f string) int {
	total := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		for i++; i < len(f) && strings.IndexByte("+-# 0[]123456789.", f[i]) >= 0; i++ {
			if f[i] == '[' { // an argument index, not a width
				for i < len(f) && f[i] != ']' {
					i++
				}
				continue
			}
			if f[i] >= '1' && f[i] <= '9' {
				n := 0
				for ; i < len(f) && f[i] >= '0' && f[i] <= '9'; i++ {
					n = min(n*10+int(f[i]-'0'), MaxStringBytes+1)
				}
				total = min(total+n, math.MaxInt32)
				i--
			}
		}
	}
	return total
}

func checkFormat(f cty.Value, times int) error {
	s := f.AsString()
	per := len(s) + formatWidth(s)
	if per > MaxStringBytes {
		return stringLimit(per)
	}
	if total := per * times; times > 1 && total > MaxLoadBytes {
		return limitf("evaluation bytes", "This formatlist would produce about %d bytes; the limit per load is %d.", total, MaxLoadBytes)
	}
	return nil
}

func checkFormatList(args []cty.Value, _ *budget) error {
	n := 1
	for _, a := range args[1:] {
		if a.Type().IsListType() || a.Type().IsTupleType() || a.Type().IsSetType() {
			n = max(n, length(a))
		}
	}
	return checkFormat(args[0], n)
}

func checkIndent(args []cty.Value, _ *budget) error {
	spaces := num(args[0])
	s := args[1].AsString()
	if n := float64(len(s)) + spaces*float64(strings.Count(s, "\n")); n > MaxStringBytes {
		return stringLimit(int(min(n, math.MaxInt32)))
	}
	return nil
}

func checkReplace(args []cty.Value, b *budget) error {
	s, old, repl := args[0].AsString(), args[1].AsString(), args[2].AsString()
	if len(old) > 1 && old[0] == '/' && old[len(old)-1] == '/' {
		return checkRegexOut(s, old[1:len(old)-1], repl, b)
	}
	count := strings.Count(s, old)
	return checkLen(len(s) + count*(len(repl)-len(old)))
}

func checkRegexReplace(args []cty.Value, b *budget) error {
	return checkRegexOut(args[0].AsString(), args[1].AsString(), args[2].AsString(), b)
}

// checkRegexOut bounds what replacing every match of pattern in s by repl
// produces: each match gives repl, whose $n references add at most the
// match's own length each.
func checkRegexOut(s, pattern, repl string, b *budget) error {
	re, err := compile(pattern, len(s), b)
	if re == nil {
		return err // the function reports a bad pattern
	}
	matches := re.FindAllStringIndex(s, MaxCollectionLength+1)
	if len(matches) > MaxCollectionLength {
		return collectionLimit(len(matches))
	}
	refs := strings.Count(repl, "$")
	total := len(s)
	for _, m := range matches {
		total += len(repl) + refs*(m[1]-m[0])
		if total > MaxStringBytes {
			return stringLimit(total)
		}
	}
	return nil
}

func checkRegex(pattern, subject cty.Value, b *budget, all bool) error {
	s := subject.AsString()
	re, err := compile(pattern.AsString(), len(s), b)
	if re == nil || !all {
		return err
	}
	if n := len(re.FindAllStringIndex(s, MaxCollectionLength+1)); n > MaxCollectionLength {
		return collectionLimit(n)
	}
	return nil
}

// compile compiles pattern and charges the work of matching it against a
// subject of n bytes (twice: the check and the function both match). A
// nil regexp with a nil error is a pattern the function will refuse.
func compile(pattern string, n int, b *budget) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, nil
	}
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, nil
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, nil
	}
	return re, b.chargeRegex(2 * int64(n+1) * int64(len(prog.Inst)))
}

func checkSplit(args []cty.Value, _ *budget) error {
	sep, s := args[0].AsString(), args[1].AsString()
	n := utf8.RuneCountInString(s)
	if sep != "" {
		n = strings.Count(s, sep) + 1
	}
	if n > MaxCollectionLength {
		return collectionLimit(n)
	}
	return nil
}

func checkCSV(args []cty.Value, _ *budget) error {
	s := args[0].AsString()
	if n := strings.Count(s, ",") + strings.Count(s, "\n") + 1; n > MaxCollectionLength {
		return limitf("collection length", "This CSV holds up to %d cells; the limit is %d.", n, MaxCollectionLength)
	}
	return nil
}

func checkJSON(args []cty.Value, _ *budget) error {
	if err := scanJSON([]byte(args[0].AsString()), nil); err != nil {
		return err.LimitError
	}
	return nil
}

func checkDigits(v cty.Value) error {
	if v.Type() != cty.String {
		return nil
	}
	if n := len(v.AsString()); n > MaxParseIntDigits {
		return limitf("parseint/tonumber input", "The string to read as a number is %d characters long; the limit is %d.", n, MaxParseIntDigits)
	}
	return nil
}

// patternArg is the index of the regular expression a function takes.
var patternArg = map[string]int{"regex": 0, "regexall": 0, "regex_replace": 1, "replace": 1}

// chargePattern charges compiling a function's regular expression: the
// regex functions compile it to find their result type, on every call,
// before any argument is checked.
func chargePattern(name string, args []cty.Value, b *budget) error {
	i, ok := patternArg[name]
	if !ok || i >= len(args) {
		return nil
	}
	p, _ := args[i].Unmark()
	if !p.IsKnown() || p.IsNull() || p.Type() != cty.String {
		return nil
	}
	return b.chargeRegex(int64(len(p.AsString())) * regexCompileCost)
}

// regexCompileCost is the regex work charged per byte of a pattern
// compiled, in the units of MaxRegexWork.
const regexCompileCost = 1000
