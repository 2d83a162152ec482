package group

import (
	"strconv"
	"strings"
)

// nameKey orders names the way people count: "web-9" before "web-10".
// Names that end in a number after the same prefix compare by that number;
// others compare as strings.
type nameKey struct {
	name, prefix string
	n            int
	numbered     bool
}

func keyOf(name string) nameKey {
	k := nameKey{name: name}
	i := strings.LastIndexFunc(name, func(r rune) bool { return r < '0' || r > '9' })
	if i < len(name)-1 {
		if n, err := strconv.Atoi(name[i+1:]); err == nil {
			k.prefix, k.n, k.numbered = name[:i+1], n, true
		}
	}
	return k
}

func (a nameKey) less(b nameKey) bool {
	if a.numbered && b.numbered && a.prefix == b.prefix && a.n != b.n {
		return a.n < b.n
	}
	return a.name < b.name
}

// lessName compares two names by their nameKeys.
func lessName(a, b string) bool { return keyOf(a).less(keyOf(b)) }
