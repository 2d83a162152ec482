package schema

import (
	"fmt"
	"math"
	"regexp"
)

// Kind names the type of an attribute as the spec author writes it.
type Kind string

// The kinds an attribute can have. Durations and sizes are written as strings
// with units and decoded to whole numbers (nanoseconds and bytes), so that
// "5m" and "300s" are the same value everywhere, hashes included.
const (
	KindString   Kind = "string"
	KindNumber   Kind = "number"
	KindInt      Kind = "int"
	KindBool     Kind = "bool"
	KindDuration Kind = "duration" // "30s", "5m", "1h30m" -> int64 nanoseconds
	KindSize     Kind = "size"     // "64MiB", "1GB", or a number of bytes -> int64 bytes
	KindList     Kind = "list"     // of Elem
	KindMap      Kind = "map"      // string keys, values of Elem
	KindRef      Kind = "ref"      // a reference such as swarm.prod -> "prod"
)

// Type is an attribute's type. It is plain data so that a schema can be
// declared by a plugin in another process.
type Type struct {
	Kind Kind  `json:"kind"`
	Elem *Type `json:"elem,omitempty"`
	// Ref is the resource kind a reference points to: "provider", "swarm",
	// "network" or "service".
	Ref string `json:"ref,omitempty"`
}

// The scalar types, ready to use in schema declarations.
var (
	String   = Type{Kind: KindString}
	Number   = Type{Kind: KindNumber}
	Int      = Type{Kind: KindInt}
	Bool     = Type{Kind: KindBool}
	Duration = Type{Kind: KindDuration}
	Size     = Type{Kind: KindSize}
)

// ListOf is a list of elem.
func ListOf(elem Type) Type { return Type{Kind: KindList, Elem: &elem} }

// MapOf is a map from strings to elem.
func MapOf(elem Type) Type { return Type{Kind: KindMap, Elem: &elem} }

// RefTo is a reference to a resource of the given kind.
func RefTo(kind string) Type { return Type{Kind: KindRef, Ref: kind} }

// Describe says what a value of the type is, for messages: "a duration".
func (t Type) Describe() string {
	switch t.Kind {
	case KindString:
		return "a string"
	case KindNumber:
		return "a number"
	case KindInt:
		return "a whole number"
	case KindBool:
		return "true or false"
	case KindDuration:
		return `a duration such as "30s"`
	case KindSize:
		return `a size such as "64MiB"`
	case KindList:
		return "a list of " + plural(*t.Elem)
	case KindMap:
		return "a map of " + plural(*t.Elem)
	case KindRef:
		return fmt.Sprintf("a reference to a %s (%s.NAME)", t.Ref, t.Ref)
	}
	return t.String()
}

func plural(t Type) string {
	switch t.Kind {
	case KindBool:
		return "bools"
	case KindRef:
		return t.Ref + " references"
	}
	return string(t.Kind) + "s"
}

func (t Type) String() string {
	switch t.Kind {
	case KindList, KindMap:
		if t.Elem == nil {
			return string(t.Kind) + "(?)"
		}
		return fmt.Sprintf("%s(%s)", t.Kind, t.Elem)
	case KindRef:
		return t.Ref + " reference"
	}
	return string(t.Kind)
}

// Attribute is one argument of a block.
type Attribute struct {
	Name        string `json:"name"`
	Type        Type   `json:"type"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
	// Sensitive values (tokens, passwords) are never rendered: plans, status,
	// JSON output and logs show "(sensitive)" instead.
	Sensitive bool `json:"sensitive,omitempty"`
	// Default is used when the attribute is absent, written as the author
	// would write it ("30s" for a duration). nil means no default: an absent
	// optional attribute is null.
	Default any `json:"default"`
	// OneOf lists the allowed values of a string attribute.
	OneOf []string `json:"one_of,omitempty"`
	// Min and Max bound a number, int, duration (in seconds) or size (in bytes).
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
}

// Block is the schema of a block body: the root of a resource or plugin, or a
// nested block.
type Block struct {
	// Type is the block type name; empty for a root body.
	Type        string      `json:"type,omitempty"`
	Labels      []string    `json:"labels,omitempty"`
	Description string      `json:"description,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
	Blocks      []Block     `json:"blocks,omitempty"`
	// Repeated blocks may appear any number of times and decode to a list.
	Repeated bool `json:"repeated,omitempty"`
	// Required blocks must appear (at least once).
	Required bool `json:"required,omitempty"`
	// Implicit single blocks, when absent, decode as if written empty so
	// that their defaults apply. Other absent single blocks are null.
	Implicit bool `json:"implicit,omitempty"`
	// Plugin, when set, makes the body a plugin's: the schema of its
	// properties is looked up by (Plugin, first label). The block decodes to
	// an object holding the labels, the attributes declared here and a
	// "properties" object decoded against the plugin's schema.
	Plugin string `json:"plugin,omitempty"`
}

// Ptr returns a pointer to f, for Min and Max.
func Ptr(f float64) *float64 { return &f }

var nameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Validate reports a schema that cannot be used to decode: bad names,
// duplicates, incomplete types, or a default that does not fit its type.
// Schemas that arrive from external plugins are validated before use.
func (b *Block) Validate() error {
	seen := map[string]bool{}
	for _, a := range b.Attributes {
		if !nameRe.MatchString(a.Name) {
			return fmt.Errorf("block %q: attribute name %q is not a lowercase identifier", b.Type, a.Name)
		}
		if seen[a.Name] {
			return fmt.Errorf("block %q: attribute %q declared twice", b.Type, a.Name)
		}
		seen[a.Name] = true
		if err := a.Type.validate(); err != nil {
			return fmt.Errorf("block %q: attribute %q: %w", b.Type, a.Name, err)
		}
		if err := a.validateBounds(); err != nil {
			return fmt.Errorf("block %q: attribute %q: %w", b.Type, a.Name, err)
		}
		if a.Default != nil {
			if a.Required {
				return fmt.Errorf("block %q: attribute %q is required and has a default", b.Type, a.Name)
			}
			if _, err := a.defaultValue(); err != nil {
				return fmt.Errorf("block %q: attribute %q: default: %w", b.Type, a.Name, err)
			}
		}
	}
	for _, l := range b.Labels {
		if !nameRe.MatchString(l) {
			return fmt.Errorf("block %q: label name %q is not a lowercase identifier", b.Type, l)
		}
		if seen[l] {
			return fmt.Errorf("block %q: label %q has the name of an attribute", b.Type, l)
		}
		seen[l] = true
	}
	for i := range b.Blocks {
		nb := &b.Blocks[i]
		if !nameRe.MatchString(nb.Type) {
			return fmt.Errorf("block %q: nested block type %q is not a lowercase identifier", b.Type, nb.Type)
		}
		if seen[nb.Type] {
			return fmt.Errorf("block %q: nested block %q clashes with another name", b.Type, nb.Type)
		}
		seen[nb.Type] = true
		if nb.Implicit && nb.hasRequired() {
			return fmt.Errorf("block %q: implicit block %q cannot have required contents", b.Type, nb.Type)
		}
		if nb.Plugin != "" && len(nb.Labels) == 0 {
			return fmt.Errorf("block %q: plugin block %q needs a label naming the plugin", b.Type, nb.Type)
		}
		if err := nb.Validate(); err != nil {
			return err
		}
	}
	if b.Plugin != "" && seen[PropertiesKey] {
		return fmt.Errorf("block %q: %q is reserved in plugin blocks", b.Type, PropertiesKey)
	}
	return nil
}

// PropertiesKey is the key under which a plugin block's properties decode.
const PropertiesKey = "properties"

func (t Type) validate() error {
	switch t.Kind {
	case KindString, KindNumber, KindInt, KindBool, KindDuration, KindSize:
		return nil
	case KindList, KindMap:
		if t.Elem == nil {
			return fmt.Errorf("%s type without an element type", t.Kind)
		}
		if t.Elem.Kind == KindList || t.Elem.Kind == KindMap {
			return fmt.Errorf("nested collections are not supported")
		}
		return t.Elem.validate()
	case KindRef:
		if t.Ref == "" {
			return fmt.Errorf("reference type without a resource kind")
		}
		return nil
	}
	return fmt.Errorf("unknown type kind %q", t.Kind)
}

// Attribute returns the attribute with the given name.
func (b *Block) Attribute(name string) (*Attribute, bool) {
	for i := range b.Attributes {
		if b.Attributes[i].Name == name {
			return &b.Attributes[i], true
		}
	}
	return nil, false
}

// NestedBlock returns the nested block schema with the given type.
func (b *Block) NestedBlock(typ string) (*Block, bool) {
	for i := range b.Blocks {
		if b.Blocks[i].Type == typ {
			return &b.Blocks[i], true
		}
	}
	return nil, false
}

func (b *Block) hasRequired() bool {
	for _, a := range b.Attributes {
		if a.Required {
			return true
		}
	}
	for _, nb := range b.Blocks {
		if nb.Required {
			return true
		}
	}
	return false
}

// validateBounds refuses NaN or infinite bounds and defaults, Min above Max,
// and OneOf on anything but a string.
func (a *Attribute) validateBounds() error {
	for _, f := range []*float64{a.Min, a.Max} {
		if f != nil && (math.IsNaN(*f) || math.IsInf(*f, 0)) {
			return fmt.Errorf("bounds must be finite numbers")
		}
	}
	if d, ok := a.Default.(float64); ok && (math.IsNaN(d) || math.IsInf(d, 0)) {
		return fmt.Errorf("the default must be a finite number")
	}
	if a.Min != nil && a.Max != nil && *a.Min > *a.Max {
		return fmt.Errorf("min %v is greater than max %v", *a.Min, *a.Max)
	}
	if len(a.OneOf) > 0 && a.Type.Kind != KindString {
		return fmt.Errorf("one_of applies to strings, not %s", a.Type)
	}
	return nil
}
