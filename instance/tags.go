package instance

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/drover/drover/spierr"
)

// drover's own tag keys.
const (
	TagOwner = "drover.owner" // the drover installation that owns the instance
	TagGroup = "drover.group" // the group the instance belongs to
	// TagConfig is the hash of the configuration a resource was made
	// with: for a machine, its group's (the instance and flavor blocks:
	// specs.Group's Hash); for a swarm service or network, what drover
	// set on it (a service's replicas included).
	TagConfig    = "drover.config"
	TagLogicalID = "drover.logical-id" // the instance's LogicalID, if any
	TagRequest   = "drover.request"    // unique id of the create request
	// TagEngine holds the address of a machine's own Docker engine as the
	// controller reaches it, e.g. "unix:///tmp/drover/nodes/web-1/docker.sock"
	// for a node container; set by the provider that runs the machine.
	TagEngine = "drover.engine"
)

// DefaultOwner is the TagOwner of the instances of a drover installation
// that names no owner.
const DefaultOwner = "drover"

// MaxTagLen is the longest encoded tag: DigitalOcean's limit.
const MaxTagLen = 255

// The encoding of a key=value tag into a single string that backends with
// restrictive tags (DigitalOcean: ^[a-zA-Z0-9_\-:]+$, case-insensitive)
// store unchanged. Key and value are encoded alike and joined by ':':
//
//	a-z 0-9 -   themselves
//	.           "__"
//	other byte  "_" and two lowercase hex digits ("A" is "_41", "_" is "_5f",
//	            ":" is "_3a")
//
// so "drover.group"="workers" is "drover__group:workers". The encoding is a
// bijection: DecodeTag accepts only what EncodeTag produces.
const (
	tagSep    = ':'
	tagEscape = '_'
	hexDigits = "0123456789abcdef"
)

// plainTagByte reports whether b stands for itself in an encoded tag.
func plainTagByte(b byte) bool {
	return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-'
}

// EncodeTag encodes key=value as a single tag. It returns a spierr.ErrInvalid
// error if the key is empty, the key or value is not valid UTF-8, or the
// result would be longer than MaxTagLen.
func EncodeTag(key, value string) (string, error) {
	const op = "instance.EncodeTag"
	if key == "" {
		return "", spierr.Invalid(op, "empty tag key")
	}
	if !utf8.ValidString(key) || !utf8.ValidString(value) {
		return "", spierr.Invalid(op, "tag %q: key and value must be valid UTF-8", short(key))
	}
	var b strings.Builder
	encodeTagPart(&b, key)
	b.WriteByte(tagSep)
	encodeTagPart(&b, value)
	if b.Len() > MaxTagLen {
		return "", spierr.Invalid(op, "tag %q: encodes to %d characters, more than %d", short(key), b.Len(), MaxTagLen)
	}
	return b.String(), nil
}

func encodeTagPart(b *strings.Builder, s string) {
	for i := range len(s) {
		switch c := s[i]; {
		case plainTagByte(c):
			b.WriteByte(c)
		case c == '.':
			b.WriteString("__")
		default:
			b.WriteByte(tagEscape)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
}

// DecodeTag decodes a tag made by EncodeTag. It returns a spierr.ErrInvalid
// error for anything EncodeTag cannot produce: a missing or repeated ':', an
// empty key, characters outside [a-z0-9_:-], a bad or needless escape, a
// result that is not valid UTF-8, or more than MaxTagLen characters.
func DecodeTag(s string) (key, value string, err error) {
	const op = "instance.DecodeTag"
	if len(s) > MaxTagLen {
		return "", "", spierr.Invalid(op, "tag of %d characters: longer than %d", len(s), MaxTagLen)
	}
	encKey, encValue, ok := strings.Cut(s, string(tagSep))
	if !ok {
		return "", "", spierr.Invalid(op, "tag %q: no ':' between key and value", s)
	}
	if encKey == "" {
		return "", "", spierr.Invalid(op, "tag %q: empty key", s)
	}
	if key, err = decodeTagPart(encKey); err != nil {
		return "", "", spierr.Invalid(op, "tag %q: key: %w", s, err)
	}
	if value, err = decodeTagPart(encValue); err != nil {
		return "", "", spierr.Invalid(op, "tag %q: value: %w", s, err)
	}
	return key, value, nil
}

func decodeTagPart(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case plainTagByte(c):
			b.WriteByte(c)
		case c == tagEscape:
			d, err := decodeEscape(s[i+1:])
			if err != nil {
				return "", fmt.Errorf("offset %d: %w", i, err)
			}
			b.WriteByte(d.b)
			i += d.n
		default:
			return "", fmt.Errorf("offset %d: character %q not allowed", i, c)
		}
	}
	if !utf8.ValidString(b.String()) {
		return "", fmt.Errorf("decodes to invalid UTF-8")
	}
	return b.String(), nil
}

type escaped struct {
	b byte // the decoded byte
	n int  // how many bytes after the escape character it used
}

// decodeEscape decodes what follows an escape character: "_" for '.', or two
// lowercase hex digits for a byte that EncodeTag would have escaped.
func decodeEscape(rest string) (escaped, error) {
	if strings.HasPrefix(rest, "_") {
		return escaped{'.', 1}, nil
	}
	if len(rest) < 2 {
		return escaped{}, fmt.Errorf("escape %q truncated", "_"+rest)
	}
	hi, lo := strings.IndexByte(hexDigits, rest[0]), strings.IndexByte(hexDigits, rest[1])
	if hi < 0 || lo < 0 {
		return escaped{}, fmt.Errorf("bad escape %q: want two lowercase hex digits", "_"+rest[:2])
	}
	c := byte(hi<<4 | lo)
	if plainTagByte(c) || c == '.' {
		return escaped{}, fmt.Errorf("needless escape %q for %q", "_"+rest[:2], c)
	}
	return escaped{c, 2}, nil
}

// EncodeTags encodes every pair of tags and returns the tags sorted. It
// fails on the first pair (in key order) that EncodeTag rejects.
func EncodeTags(tags map[string]string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		t, err := EncodeTag(k, tags[k])
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return out, nil
}

// DecodeTags decodes tags made by EncodeTags. It returns a spierr.ErrInvalid
// error naming the first tag that DecodeTag rejects or that gives a key a
// second, different value. Callers that share tags with others should pick
// out drover's tags (they contain ':') before decoding.
func DecodeTags(tags []string) (map[string]string, error) {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v, err := DecodeTag(t)
		if err != nil {
			return nil, err
		}
		if old, dup := out[k]; dup && old != v {
			return nil, spierr.Invalid("instance.DecodeTags", "tag %q: key %q already has value %q", t, k, old)
		}
		out[k] = v
	}
	return out, nil
}

// short shortens s for an error message.
func short(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Matches reports whether tags include every pair in selector. An empty
// selector matches any tags.
func Matches(tags, selector map[string]string) bool {
	for k, want := range selector {
		if got, ok := tags[k]; !ok || got != want {
			return false
		}
	}
	return true
}
