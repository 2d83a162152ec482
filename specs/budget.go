package specs

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// budget bounds the evaluation of one load: elements, string bytes and
// regex work counted as they are produced, and a deadline. Once a limit is
// exceeded every later charge fails too, so that evaluation unwinds fast.
type budget struct {
	deadline time.Time
	now      func() time.Time
	iters    int64
	elements int64
	bytes    int64
	regex    int64
	err      *LimitError
}

func newBudget(now func() time.Time) *budget {
	return &budget{deadline: now().Add(MaxLoadTime), now: now}
}

// charge counts work and reports the first limit exceeded.
func (b *budget) charge(elements, bytes int64) error {
	if b.err != nil {
		return b.err
	}
	b.elements += elements
	b.bytes += bytes
	switch {
	case b.iters > MaxLoadIterations:
		b.err = limitf("evaluation iterations", "The for expressions of the spec went past %d iterations together.", MaxLoadIterations)
	case b.elements > MaxLoadElements:
		b.err = elementsLimit()
	case b.bytes > MaxLoadBytes:
		b.err = limitf("evaluation bytes", "Evaluating the spec produced more than %d bytes of strings.", MaxLoadBytes)
	case b.now().After(b.deadline):
		b.err = limitf("evaluation time", "Evaluating the spec took longer than %s.", MaxLoadTime)
	}
	if b.err != nil {
		return b.err
	}
	return nil
}

// chargeRegex counts the work of one regular-expression match.
func (b *budget) chargeRegex(work int64) error {
	if b.err == nil {
		b.regex += work
		if b.regex > MaxRegexWork {
			b.err = limitf("regex work", "The regular expressions of the spec went past %d units of work (subject length times pattern size, and pattern bytes compiled).", MaxRegexWork)
		}
	}
	return b.charge(0, 0)
}

// chargeValue checks v against the size limits and charges its elements
// and string bytes.
func (b *budget) chargeValue(v cty.Value) error {
	if b.err != nil {
		return b.err
	}
	var s valueSize
	if err := s.walk(v, MaxLoadElements-b.elements+1); err != nil {
		if err.Limit == "evaluation elements" {
			b.err = err // the budget is spent: stop everything, as charge does
		}
		return err
	}
	return b.charge(s.elements, s.bytes)
}

// valueSize measures a value, checking every string, collection and number
// in it against the limits.
type valueSize struct {
	elements, bytes int64
}

// walk adds v to s; it stops with an error at the first value over a limit
// or once more than capElements elements were seen.
func (s *valueSize) walk(v cty.Value, capElements int64) *LimitError {
	v, _ = v.Unmark()
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	s.elements++
	if s.elements > capElements {
		return elementsLimit()
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		n := len(v.AsString())
		if n > MaxStringBytes {
			return stringLimit(n)
		}
		s.bytes += int64(n)
	case ty == cty.Number:
		return checkNumber(v.AsBigFloat())
	case ty.IsCollectionType() || ty.IsTupleType() || ty.IsObjectType():
		if n := v.LengthInt(); n > MaxCollectionLength {
			return collectionLimit(n)
		}
		// AsValueSlice and AsValueMap, not ElementIterator, which
		// allocates a number for the key of every element.
		if ty.IsMapType() || ty.IsObjectType() {
			for _, e := range v.AsValueMap() {
				if err := s.walk(e, capElements); err != nil {
					return err
				}
			}
			return nil
		}
		for _, e := range v.AsValueSlice() {
			if err := s.walk(e, capElements); err != nil {
				return err
			}
		}
	}
	return nil
}

func elementsLimit() *LimitError {
	return limitf("evaluation elements", "Evaluating the spec went past %d elements (of the values functions take and give and for expressions produce, counted each time).", MaxLoadElements)
}

// iterate counts n iterations of a for expression.
func (b *budget) iterate(n int64) error {
	if b.err == nil {
		b.iters += n
	}
	return b.charge(0, 0)
}

var maxNumber = new(big.Float).SetFloat64(MaxNumber)

func checkNumber(f *big.Float) *LimitError {
	if f.IsInf() || f.MantExp(nil) < 1024 { // |f| < 2^1023: the common case, without allocating
		return nil
	}
	if new(big.Float).Abs(f).Cmp(maxNumber) > 0 {
		return limitf("number", "A number is out of range: numbers are at most %g in magnitude.", MaxNumber)
	}
	return nil
}

func stringLimit(n int) *LimitError {
	return limitf("string length", "A string of %d bytes; the limit is %d.", n, MaxStringBytes)
}

func collectionLimit(n int) *LimitError {
	return limitf("collection length", "A collection of %d elements; the limit is %d.", n, MaxCollectionLength)
}

// The hooks the loader inserts into every expression, as calls to
// functions whose names no source can write: each returns its argument
// after checking and charging it.
const (
	hookIterate = "for expression" // the collection of a for: charges its length
	hookValue   = "value check"    // a for's key or value, a template part: charges its size
	hookList    = "list argument"  // a list argument of a standard function: see homogeneousList
)

// hookFunctions are the hooks bound to b.
func hookFunctions(b *budget) map[string]function.Function {
	param := []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowMarked: true, AllowDynamicType: true}}
	typ := func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil }
	return map[string]function.Function{
		hookIterate: function.New(&function.Spec{
			Params: param, Type: typ,
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				v, _ := args[0].Unmark()
				if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
					return args[0], b.iterate(1)
				}
				n := v.LengthInt()
				if n > MaxCollectionLength {
					return cty.DynamicVal, limitf("collection length", "The for expression iterates over %d elements; the limit is %d.", n, MaxCollectionLength)
				}
				return args[0], b.iterate(int64(n) + 1)
			},
		}),
		hookList: function.New(&function.Spec{
			Params: param,
			Type: func(args []cty.Value) (cty.Type, error) {
				if ty, ok := homogeneousElem(args[0]); ok {
					return cty.List(ty), nil
				}
				return args[0].Type(), nil
			},
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				if l, ok := homogeneousList(args[0]); ok {
					return l, nil
				}
				v, _ := args[0].Unmark()
				if v.IsKnown() && !v.IsNull() && v.Type().IsTupleType() {
					n := int64(v.LengthInt())
					return args[0], b.charge(n*n/2, 0) // cty unifies mixed types pairwise
				}
				return args[0], nil
			},
		}),
		hookValue: function.New(&function.Spec{
			Params: param, Type: typ,
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				if err := b.chargeValue(args[0]); err != nil {
					return cty.DynamicVal, err
				}
				return args[0], nil
			},
		}),
	}
}

// instrument inserts the hooks into every for expression, template and
// computed object key of a parsed body. HCL evaluates those itself, so the
// hooks are what lets the budget see their work.
func instrument(body hcl.Body) {
	if sb, ok := body.(*hclsyntax.Body); ok {
		instrumentNode(sb)
	}
}

// instrumentNode inserts the hooks below n.
func instrumentNode(n any) {
	node, ok := n.(hclsyntax.Node)
	if !ok {
		return
	}
	hclsyntax.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
		switch e := n.(type) {
		case *hclsyntax.ForExpr:
			e.CollExpr = hook(hookIterate, e.CollExpr)
			e.ValExpr = hook(hookValue, e.ValExpr)
			if e.KeyExpr != nil {
				e.KeyExpr = hook(hookValue, e.KeyExpr)
			}
		case *hclsyntax.TemplateExpr:
			for i, p := range e.Parts {
				if _, lit := p.(*hclsyntax.LiteralValueExpr); !lit {
					e.Parts[i] = hook(hookValue, p)
				}
			}
		case *hclsyntax.FunctionCallExpr:
			hookListArgs(e)
		case *hclsyntax.TemplateWrapExpr:
			e.Wrapped = hook(hookValue, e.Wrapped)
		case *hclsyntax.ObjectConsKeyExpr:
			if hcl.ExprAsKeyword(e.Wrapped) == "" {
				e.Wrapped = hook(hookValue, e.Wrapped)
			}
		}
		return nil
	})
}

func hook(name string, e hclsyntax.Expression) hclsyntax.Expression {
	rng := e.Range()
	return &hclsyntax.FunctionCallExpr{Name: name, Args: []hclsyntax.Expression{e}, NameRange: rng, OpenParenRange: rng, CloseParenRange: rng}
}

// limitDiagnostics rewrites the diagnostics of function calls that failed
// on a limit to say so plainly, and keeps one diagnostic per limit and
// kind: a for expression over the limit fails once per element, and
// every later hook fails once the budget is spent.
func limitDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := map[string]bool{}
	out := diags[:0]
	for _, d := range diags {
		var le *LimitError
		if x, ok := d.Extra.(hclsyntax.FunctionCallDiagExtra); ok && errors.As(x.FunctionCallError(), &le) {
			d.Summary = fmt.Sprintf("Spec limit exceeded: %s", le.Limit)
			d.Detail = le.Detail
		} else if !strings.HasPrefix(d.Summary, "Spec limit exceeded") {
			out = append(out, d)
			continue
		}
		if !seen[d.Summary] {
			seen[d.Summary] = true
			out = append(out, d)
		}
	}
	return out
}

// hookListArgs hooks the arguments of a standard function call that the
// function takes as a list or set: cty converts a tuple (what a for
// expression or a bracketed list gives) to a list by comparing the types of
// every pair of elements, quadratic in its length; homogeneousList does it
// in linear time when the elements share one type, as they nearly always do.
func hookListArgs(e *hclsyntax.FunctionCallExpr) {
	f, ok := stdFunctions[e.Name]
	if !ok {
		return
	}
	params := f.Params()
	for i, arg := range e.Args {
		if e.ExpandFinal && i == len(e.Args)-1 {
			return
		}
		p := f.VarParam()
		if i < len(params) {
			p = &params[i]
		}
		if p != nil && (p.Type.IsListType() || p.Type.IsSetType()) || e.Name == "tolist" || e.Name == "toset" {
			e.Args[i] = hook(hookList, arg)
		}
	}
}

// homogeneousList is a known tuple whose elements all have one type, as a
// list of that type.
func homogeneousList(v cty.Value) (cty.Value, bool) {
	if _, ok := homogeneousElem(v); !ok {
		return v, false
	}
	u, marks := v.Unmark()
	return cty.ListVal(u.AsValueSlice()).WithMarks(marks), true
}

// homogeneousElem is the one type of the elements of a known, non-empty
// tuple, if they share one: the element type of homogeneousList's list.
func homogeneousElem(v cty.Value) (cty.Type, bool) {
	u, _ := v.Unmark()
	if !u.IsKnown() || u.IsNull() || !u.Type().IsTupleType() || u.LengthInt() == 0 {
		return cty.NilType, false
	}
	elems := u.Type().TupleElementTypes()
	ty := elems[0]
	for _, e := range elems[1:] {
		if !e.Equals(ty) {
			return cty.NilType, false
		}
	}
	return ty, ty != cty.DynamicPseudoType
}

// asListFor is val as homogeneousList makes it when ty, what val is to be
// converted to, is a list or set type: the conversion is then linear where
// cty's of a tuple is quadratic. Otherwise it is val.
func asListFor(val cty.Value, ty cty.Type) cty.Value {
	if ty.IsListType() || ty.IsSetType() {
		val, _ = homogeneousList(val)
	}
	return val
}
