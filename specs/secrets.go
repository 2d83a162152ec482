package specs

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/specs/schema"
)

// Secrets returns the values of the spec that are sensitive: those at the
// sensitive attributes of every block (a provider's token) and the values of
// variables declared sensitive. They are what Bundle.Seal keeps out of a
// stored bundle.
func (s *Spec) Secrets() []string {
	var out []string
	add := func(r *Resource) { out = append(out, r.secrets...) }
	for _, p := range s.Providers {
		add(&p.Resource)
	}
	for _, sw := range s.Swarms {
		add(&sw.Resource)
	}
	for _, n := range s.Networks {
		add(&n.Resource)
	}
	for _, g := range s.Groups {
		add(&g.Resource)
	}
	for _, svc := range s.Services {
		add(&svc.Resource)
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

// minSecret is the shortest secret looked for inside longer text; shorter
// ones only match text equal to them, so that a secret "1" does not
// withhold every file that has a 1 in it.
const minSecret = 6

// Seal returns b without the environment values, files and -var
// assignments that hold one of secrets (or are part of one), each recorded
// in Withheld instead, so that b can be stored without them. b itself is
// not changed.
func (b Bundle) Seal(secrets []string) Bundle {
	secrets = slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return s == "" })
	if len(secrets) == 0 {
		return b
	}
	out := b
	out.Env, out.Files = maps.Clone(b.Env), maps.Clone(b.Files)
	out.Withheld = slices.Clone(b.Withheld)
	for _, name := range slices.Sorted(maps.Keys(b.Env)) {
		if holdsSecret(b.Env[name], secrets) {
			delete(out.Env, name)
			out.Withheld = append(out.Withheld, Withheld{Kind: "env", Name: name})
		}
	}
	for _, path := range slices.Sorted(maps.Keys(b.Files)) {
		if holdsSecret(string(b.Files[path]), secrets) {
			delete(out.Files, path)
			out.Withheld = append(out.Withheld, Withheld{Kind: "file", Name: path})
		}
	}
	out.Vars = nil
	for _, v := range b.Vars {
		name, value, _ := strings.Cut(v, "=")
		if holdsSecret(value, secrets) {
			out.Withheld = append(out.Withheld, Withheld{Kind: "var", Name: name})
			continue
		}
		out.Vars = append(out.Vars, v)
	}
	return out
}

// holdsSecret reports whether text contains a secret or is a part of one
// (a token assembled from two variables).
func holdsSecret(text string, secrets []string) bool {
	t := strings.TrimSpace(text)
	if t == "" {
		return false
	}
	for _, s := range secrets {
		switch {
		case t == s, len(s) >= minSecret && strings.Contains(text, s), len(t) >= minSecret && strings.Contains(s, t):
			return true
		}
	}
	return false
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
