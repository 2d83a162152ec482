package schema

import (
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// errWithheld stands for a message that would show a marked value: one
// read by env() or file(), set from outside the spec, or sensitive.
var errWithheld = errors.New("the value is not shown, as it comes from env(), file(), a variable set outside the spec or a sensitive value")

// Literal marks a value written in a spec file's own text (File), away
// from where it is used, such as a local: not secret by itself, and shown
// in messages, but a secret made of it is written in File.
type Literal struct{ File string }

// Hidden reports whether a value carrying marks must not be shown: it
// carries a mark other than Literal (an input's, or sensitive()).
func Hidden(marks []cty.PathValueMarks) bool {
	for _, pm := range marks {
		for m := range pm.Marks {
			if _, ok := m.(Literal); !ok {
				return true
			}
		}
	}
	return false
}

// rule says what an attribute's check allows, without the value checked.
func (a *Attribute) rule() string {
	switch {
	case len(a.OneOf) > 0:
		return "it must be one of " + quoteList(a.OneOf)
	case a.Min != nil || a.Max != nil:
		return fmt.Sprintf("it must be from %s to %s", bound(a.Min, "-∞"), bound(a.Max, "∞"))
	}
	return "it is not allowed here"
}

func bound(b *float64, none string) string {
	if b == nil {
		return none
	}
	return fmt.Sprint(*b)
}

// noteSecrets records, for an attribute decoded from the marked values
// marks, the marks carried by its secret parts (the whole attribute when
// the schema makes it sensitive, else the values marked sensitive), and
// the range of each non-empty secret part that carries no mark but
// sensitive: a secret written in the spec's own text.
func (res *Result) noteSecrets(a *Attribute, ha *hcl.Attribute, marks []cty.PathValueMarks, v cty.Value) {
	var roots []cty.Path
	if a.Sensitive {
		roots = []cty.Path{nil}
	}
	for _, pm := range marks {
		if _, ok := pm.Marks[sensitive]; ok {
			roots = append(roots, pm.Path)
		}
	}
	for _, root := range roots {
		found := false
		for _, pm := range marks {
			if !hasPrefix(pm.Path, root) {
				continue
			}
			for m := range pm.Marks {
				if m == sensitive {
					continue
				}
				if res.SecretMarks == nil {
					res.SecretMarks = make(cty.ValueMarks)
				}
				res.SecretMarks[m] = struct{}{}
				found = true
			}
		}
		if !found && !emptyAt(v, root) {
			res.SecretLiterals = append(res.SecretLiterals, ha.Expr.Range())
		}
	}
}

func hasPrefix(p, prefix cty.Path) bool {
	return len(p) >= len(prefix) && prefix.Equals(p[:len(prefix)])
}

// Empty reports whether v holds nothing: null, "" or an empty collection.
func Empty(v cty.Value) bool { return emptyAt(v, nil) }

// emptyAt reports whether v holds nothing at path: null, "" or an empty
// collection.
func emptyAt(v cty.Value, path cty.Path) bool {
	x, err := path.Apply(v)
	if err != nil || x.IsNull() || !x.IsKnown() {
		return true
	}
	switch {
	case x.Type() == cty.String:
		return x.AsString() == ""
	case x.CanIterateElements():
		return x.LengthInt() == 0
	}
	return false
}
