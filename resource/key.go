package resource

import (
	"errors"
	"strings"
)

// Kind is a kind of resource, as a spec's block type names it.
type Kind string

// The kinds a spec declares and the controller reconciles. A swarm's key
// names its sweep of undeclared services and networks.
const (
	Group   Kind = "group"
	Network Kind = "network"
	Service Kind = "service"
	Swarm   Kind = "swarm"
	// Source is a git source the daemon follows: its events say which
	// commit it applied, refused or held.
	Source Kind = "source"
)

// Key names one resource: its kind and its name. Its text form, in JSON
// and on the command line, is "kind.name" ("group.web"); ParseKey is the
// one place that reads it.
type Key struct {
	Kind Kind
	Name string
}

// KeyOf is the key of resource name of kind k.
func (k Kind) KeyOf(name string) Key { return Key{Kind: k, Name: name} }

// String is the key's text form, "kind.name"; "" for the zero key.
func (k Key) String() string {
	if k == (Key{}) {
		return ""
	}
	return string(k.Kind) + "." + k.Name
}

// IsZero reports whether k names nothing (an event of no one resource).
func (k Key) IsZero() bool { return k == Key{} }

// ErrBadKey is the error of a key that is not kind.name.
var ErrBadKey = errors.New("want kind.name, such as group.web")

// ParseKey reads "kind.name". The kind is not checked against any list:
// what kinds exist is the business of whoever registered them.
func ParseKey(s string) (Key, error) {
	kind, name, ok := strings.Cut(s, ".")
	if !ok || kind == "" || name == "" {
		return Key{}, ErrBadKey
	}
	return Key{Kind: Kind(kind), Name: name}, nil
}

// MarshalText writes the key as "kind.name".
func (k Key) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads "kind.name"; empty text is the zero key.
func (k *Key) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*k = Key{}
		return nil
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return err
	}
	*k = key
	return nil
}
