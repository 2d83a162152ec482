package schema

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"

	"github.com/zclconf/go-cty/cty"
)

// Redacted replaces sensitive values in every rendering.
const Redacted = "(sensitive)"

// ToJSON converts a decoded value to a tree of JSON values: maps, slices,
// strings, json.Number, bools and nil. Marshalled with encoding/json, whose
// maps are written in key order, it is the canonical form of the value.
// Null attributes are left out, so that a schema that gains an optional
// attribute does not change the canonical form of what was written before.
func ToJSON(v cty.Value) any {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Bool:
		return v.True()
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if i, acc := bf.Int64(); acc == big.Exact {
			return json.Number(strconv.FormatInt(i, 10)) // most numbers: far cheaper than Text
		}
		return json.Number(bf.Text('f', -1))
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, ToJSON(e))
		}
		return out
	case ty.IsMapType() || ty.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if !e.IsNull() {
				out[k.AsString()] = ToJSON(e)
			}
		}
		return out
	}
	panic(fmt.Sprintf("schema: cannot convert a %s to JSON", ty.FriendlyName()))
}

// Redact returns a copy of tree, a ToJSON result, in which the values at
// paths are replaced by Redacted. Paths that do not exist are ignored.
// Without paths it returns tree itself.
func Redact(tree any, paths []cty.Path) any {
	if len(paths) == 0 {
		return tree
	}
	out := deepCopy(tree)
	for _, p := range paths {
		out = redactAt(out, p)
	}
	return out
}

func redactAt(node any, p cty.Path) any {
	if len(p) == 0 {
		if node == nil {
			return nil
		}
		return Redacted
	}
	switch st := p[0].(type) {
	case cty.GetAttrStep:
		if m, ok := node.(map[string]any); ok {
			if child, ok := m[st.Name]; ok {
				m[st.Name] = redactAt(child, p[1:])
			}
		}
	case cty.IndexStep:
		switch n := node.(type) {
		case map[string]any:
			if st.Key.Type() == cty.String {
				if child, ok := n[st.Key.AsString()]; ok {
					n[st.Key.AsString()] = redactAt(child, p[1:])
				}
			}
		case []any:
			if st.Key.Type() == cty.Number {
				if i, acc := st.Key.AsBigFloat().Int64(); acc == 0 && i >= 0 && int(i) < len(n) {
					n[i] = redactAt(n[i], p[1:])
				}
			}
		}
	}
	return node
}

func deepCopy(node any) any {
	switch n := node.(type) {
	case map[string]any:
		m := make(map[string]any, len(n))
		for k, v := range n {
			m[k] = deepCopy(v)
		}
		return m
	case []any:
		s := make([]any, len(n))
		for i, v := range n {
			s[i] = deepCopy(v)
		}
		return s
	}
	return node
}

// TrimPaths returns the paths under prefix, with the prefix removed.
func TrimPaths(paths []cty.Path, prefix cty.Path) []cty.Path {
	var out []cty.Path
	for _, p := range paths {
		if len(p) >= len(prefix) && p[:len(prefix)].Equals(prefix) {
			out = append(out, p[len(prefix):].Copy())
		}
	}
	return out
}

// Collect returns the scalar values at paths of tree, a ToJSON result, as
// text: every string, number and bool under each path. It is how a caller
// learns which values are secrets without a rendering of them.
func Collect(tree any, paths []cty.Path) []string {
	var out []string
	for _, p := range paths {
		out = collectAt(tree, p, out)
	}
	return out
}

func collectAt(node any, p cty.Path, out []string) []string {
	if len(p) == 0 {
		return leaves(node, out)
	}
	switch st := p[0].(type) {
	case cty.GetAttrStep:
		if m, ok := node.(map[string]any); ok {
			return collectAt(m[st.Name], p[1:], out)
		}
	case cty.IndexStep:
		switch n := node.(type) {
		case map[string]any:
			if st.Key.Type() == cty.String {
				return collectAt(n[st.Key.AsString()], p[1:], out)
			}
		case []any:
			if st.Key.Type() == cty.Number {
				if i, acc := st.Key.AsBigFloat().Int64(); acc == 0 && i >= 0 && int(i) < len(n) {
					return collectAt(n[i], p[1:], out)
				}
			}
		}
	}
	return out
}

func leaves(node any, out []string) []string {
	switch n := node.(type) {
	case nil:
		return out
	case string:
		return append(out, n)
	case map[string]any:
		for _, v := range n {
			out = leaves(v, out)
		}
		return out
	case []any:
		for _, v := range n {
			out = leaves(v, out)
		}
		return out
	}
	return append(out, fmt.Sprint(node))
}
