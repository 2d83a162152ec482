package specs

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

// Secrets returns the values of the spec that are sensitive: those at the
// sensitive attributes of every block (a provider's token) and the values of
// variables declared sensitive.
func (s *Spec) Secrets() []string {
	var out []string
	for r := range s.Resources() {
		out = append(out, r.secrets...)
	}
	for _, v := range s.Variables {
		if v.Sensitive && v.Value.IsKnown() && !v.Value.IsNull() {
			out = append(out, schema.Collect(schema.ToJSON(v.Value), []cty.Path{nil})...)
		}
	}
	return out
}

// Withheld names what a sealed bundle does not hold because it carried a
// secret: an environment variable, a file, or a -var assignment. Loading
// the bundle reads withheld variables and files from the loading host.
type Withheld struct {
	Kind string `json:"kind"` // "env", "file" or "var"
	Name string `json:"name"` // the variable's name or the file's path
}

// String is what may be shown of it: "env DIGITALOCEAN_TOKEN".
func (w Withheld) String() string { return w.Kind + " " + w.Name }

// SecretSources are where the spec's secrets were read from: every source
// (an environment variable, a file, a -var) of a value that reached a
// sensitive attribute or was marked sensitive, however it was transformed
// on the way (cty marks follow values through every function), and every
// source of a sensitive variable. A secret written in a spec file's own
// text makes that file a source. They are what Bundle.Seal withholds.
func (s *Spec) SecretSources() []Withheld {
	set := map[Withheld]bool{}
	each := func(r *Resource) {
		if r.decoded == nil {
			return
		}
		for m := range r.decoded.SecretMarks {
			switch m := m.(type) {
			case Withheld:
				set[m] = true
			case schema.Literal:
				set[Withheld{Kind: "file", Name: m.File}] = true
			}
		}
		for _, rng := range r.decoded.SecretLiterals {
			set[Withheld{Kind: "file", Name: rng.Filename}] = true
		}
	}
	for r := range s.Resources() {
		each(r)
	}
	for _, v := range s.Variables {
		if !v.Sensitive {
			continue
		}
		for _, w := range v.inputs {
			set[w] = true
		}
		if v.Source == "default" && !schema.Empty(v.Value) {
			set[Withheld{Kind: "file", Name: v.DeclRange.Filename}] = true
		}
	}
	return slices.SortedFunc(maps.Keys(set), compareWithheld)
}

func compareWithheld(a, b Withheld) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
}

// Seal returns b without the sources (from Spec.SecretSources), each
// recorded in Withheld instead, so that b can be stored without them: an
// environment variable, a file (recorded by its absolute path, so that
// the daemon reads that file whatever its working directory) or the -var
// assignments of a variable. b itself is not changed.
func (b Bundle) Seal(sources []Withheld) Bundle {
	out := b
	out.Env, out.Files = maps.Clone(b.Env), maps.Clone(b.Files)
	out.Withheld = slices.Clone(b.Withheld)
	for _, w := range sources {
		switch w.Kind {
		case "env":
			if _, ok := out.Env[w.Name]; !ok {
				continue
			}
			delete(out.Env, w.Name)
		case "file":
			if _, ok := out.Files[w.Name]; !ok {
				continue
			}
			delete(out.Files, w.Name)
			w.Name = b.abs(w.Name)
		case "var":
			n := len(out.Vars)
			out.Vars = slices.DeleteFunc(slices.Clone(out.Vars), func(v string) bool { return strings.HasPrefix(v, w.Name+"=") })
			if len(out.Vars) == n {
				continue
			}
		default:
			continue
		}
		if !slices.Contains(out.Withheld, w) {
			out.Withheld = append(out.Withheld, w)
		}
	}
	return out
}

// withheldError explains a sealed bundle that did not load: its secrets
// must come from the loading host.
func withheldError(err error, w []Withheld) error {
	var need []string
	for _, x := range w {
		switch x.Kind {
		case "env":
			need = append(need, "environment variable "+x.Name)
		case "file":
			need = append(need, "file "+x.Name)
		case "var":
			need = append(need, "environment variable DROVER_VAR_"+x.Name+" (it was given with -var)")
		}
	}
	return fmt.Errorf("%w (the secrets of this revision are not stored; this host must provide: %s)", err, strings.Join(need, ", "))
}

// Unsealed returns the entries of b.Withheld that are not the source of a
// secret of spec, loaded from b: entries Seal would not have made (a
// bundle recorded from a client that listed them), which had the loader
// read this host for values nobody needed kept secret, and which may show.
func (b Bundle) Unsealed(spec *Spec) []Withheld {
	sources := map[Withheld]bool{}
	for _, w := range spec.SecretSources() {
		switch w.Kind {
		case "file":
			w.Name = b.abs(w.Name)
		case "env":
			// A -var read again as DROVER_VAR_NAME.
			if name, ok := strings.CutPrefix(w.Name, EnvVarPrefix); ok {
				sources[Withheld{Kind: "var", Name: name}] = true
			}
		}
		sources[w] = true
	}
	var out []Withheld
	for _, w := range b.Withheld {
		if w.Kind == "file" {
			w.Name = b.abs(w.Name)
		}
		if !sources[w] {
			out = append(out, w)
		}
	}
	return out
}
