package placement

import (
	"regexp"
	"strings"
)

// Constraint key prefixes swarm knows; the prefixes match in any case,
// the label names after them exactly.
const (
	nodeLabelPrefix   = "node.labels."
	engineLabelPrefix = "engine.labels."
)

// Swarm's syntax of a constraint's key and value.
var (
	keyPattern   = regexp.MustCompile(`^(?i)[a-z_][a-z0-9\-_.]+$`)
	valuePattern = regexp.MustCompile(`^(?i)[a-z0-9:\-_\s.*()?+\[\]\\^$|/]+$`)
)

// constraint is one parsed "key == value" or "key != value".
type constraint struct {
	key, value string
	not        bool
}

// parseConstraint parses one constraint as swarm does: the first of "=="
// and "!=" that the text holds splits it, key and value trimmed. ok is
// false for text swarm would refuse.
func parseConstraint(s string) (c constraint, ok bool) {
	for _, op := range []string{"==", "!="} {
		key, value, found := strings.Cut(s, op)
		if !found {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !keyPattern.MatchString(key) || !valuePattern.MatchString(value) {
			return constraint{}, false
		}
		return constraint{key: key, value: value, not: op == "!="}, true
	}
	return constraint{}, false
}

// holds says whether the constraint holds for a node attribute whose
// value is what: values compare without regard to case.
func (c constraint) holds(what string) bool {
	return strings.EqualFold(c.value, what) != c.not
}

// attribute is the node's value for the constraint's key; known is false
// for a key swarm does not know or placement does not model (node.ip).
func (c constraint) attribute(n Node) (what string, known bool) {
	k := c.key
	switch {
	case strings.EqualFold(k, "node.id"):
		return n.ID, true
	case strings.EqualFold(k, "node.hostname"):
		return n.Hostname, true
	case strings.EqualFold(k, "node.role"):
		return n.Role, true
	case strings.EqualFold(k, "node.platform.os"):
		return n.OS, true
	case strings.EqualFold(k, "node.platform.arch"):
		return n.Arch, true
	case hasPrefixFold(k, nodeLabelPrefix):
		return n.Labels[k[len(nodeLabelPrefix):]], true
	case hasPrefixFold(k, engineLabelPrefix):
		return n.EngineLabels[k[len(engineLabelPrefix):]], true
	}
	return "", false
}

// hasPrefixFold says whether s is longer than prefix and begins with it,
// in any case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) > len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Unmet is the first of constraints that node n does not meet, as
// written, or "" when it meets them all. Swarm's semantics: "==" and
// "!=" compare values in any case; node.labels.X and engine.labels.X
// name labels exactly, an absent label being the empty value; node.id,
// node.hostname, node.role, node.platform.os and node.platform.arch are
// the node's. A constraint that does not parse, or whose key placement
// does not model (node.ip), is never met: a task that has one is never
// placed by the simulation, which errs on the side of keeping nodes and
// of not adding useless ones.
func Unmet(n Node, constraints []string) string {
	for _, s := range constraints {
		c, ok := parseConstraint(s)
		if !ok {
			return s
		}
		what, known := c.attribute(n)
		if !known || !c.holds(what) {
			return s
		}
	}
	return ""
}

// Matches says whether node n meets every one of constraints (see Unmet).
func Matches(n Node, constraints []string) bool { return Unmet(n, constraints) == "" }
