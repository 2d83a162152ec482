package archtest

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// rule is one rule of dependency: see rules.
type rule struct {
	name      string
	pkgs      []string // patterns of the packages the rule governs
	except    []string // patterns of packages it does not govern after all
	forbidden []string // patterns of the imports they must not have
	allowed   []string // patterns of imports forbidden matches but that are fine
	tests     bool     // the imports of _test files count too
	reason    string
}

// pkg is one package of the module and what it imports, every path
// relative to the module ("controller/api").
type pkg struct {
	path    string
	imports []string // by its own files
	tests   []string // by its _test files, in the package or beside it
}

// violation is one import that breaks one rule.
type violation struct {
	pkg, imp string
	rule     *rule
}

func (v violation) String() string {
	return fmt.Sprintf("%s imports %s, which rule %q forbids: %s", v.pkg, v.imp, v.rule.name, v.rule.reason)
}

// check returns every import of pkgs that breaks a rule, and an error for
// every rule that governs no package (its pattern has gone stale).
func check(rules []rule, pkgs []pkg) (found []violation, stale []error) {
	for i := range rules {
		r := &rules[i]
		governs := false
		for _, p := range pkgs {
			if !r.governs(p.path) {
				continue
			}
			governs = true
			for _, imp := range r.importsOf(p) {
				if r.forbids(imp) {
					found = append(found, violation{pkg: p.path, imp: imp, rule: r})
				}
			}
		}
		if !governs {
			stale = append(stale, fmt.Errorf("rule %q governs no package: patterns %q match none", r.name, r.pkgs))
		}
	}
	return found, stale
}

func (r *rule) governs(p string) bool { return matchAny(r.pkgs, p) && !matchAny(r.except, p) }

func (r *rule) forbids(imp string) bool {
	return matchAny(r.forbidden, imp) && !matchAny(r.allowed, imp)
}

// importsOf is what p imports that the rule looks at, each once.
func (r *rule) importsOf(p pkg) []string {
	if !r.tests {
		return p.imports
	}
	all := slices.Concat(p.imports, p.tests)
	slices.Sort(all)
	return slices.Compact(all)
}

func matchAny(patterns []string, p string) bool {
	return slices.ContainsFunc(patterns, func(pattern string) bool { return match(pattern, p) })
}

// match says whether package p matches pattern (see rules_test.go).
func match(pattern, p string) bool {
	switch {
	case pattern == "...":
		return true
	case strings.HasSuffix(pattern, "/..."):
		root := strings.TrimSuffix(pattern, "/...")
		return p == root || strings.HasPrefix(p, root+"/")
	case strings.HasPrefix(pattern, ".../"):
		ok, _ := path.Match(strings.TrimPrefix(pattern, ".../"), path.Base(p))
		return ok
	}
	ok, _ := path.Match(pattern, p)
	return ok
}
