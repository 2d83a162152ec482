package instance

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/drover/drover/spierr"
)

// doTag is DigitalOcean's tag name rule.
var doTag = regexp.MustCompile(`^[a-zA-Z0-9_\-:]+$`)

// encodedAlphabet is the stricter alphabet EncodeTag promises.
var encodedAlphabet = regexp.MustCompile(`^[a-z0-9_\-]+:[a-z0-9_\-]*$`)

func TestEncodeTagExamples(t *testing.T) {
	tests := []struct {
		key, value, want string
	}{
		{TagGroup, "workers", "drover__group:workers"},
		{TagOwner, "prod-1", "drover__owner:prod-1"},
		{TagLogicalID, "manager-0", "drover__logical-id:manager-0"},
		{TagConfig, "3f9a", "drover__config:3f9a"},
		{"k", "", "k:"},
		{"Env", "Prod", "_45nv:_50rod"},
		{"a_b", "c:d", "a_5fb:c_3ad"},
		{"path", "/var/lib", "path:_2fvar_2flib"},
		{"eq", "a=b c", "eq:a_3db_20c"},
		{"é", "ü", "_c3_a9:_c3_bc"},
		{"..", "...", "____:______"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			got, err := EncodeTag(tt.key, tt.value)
			if err != nil {
				t.Fatalf("EncodeTag: %v", err)
			}
			if got != tt.want {
				t.Errorf("EncodeTag(%q, %q) = %q, want %q", tt.key, tt.value, got, tt.want)
			}
		})
	}
}

func TestTagRoundTrip(t *testing.T) {
	tests := []struct {
		name, key, value string
	}{
		{"drover group", TagGroup, "workers"},
		{"request id", TagRequest, "01J9Z8K3QF7N2M4P5R6S7T8V9W"},
		{"empty value", TagConfig, ""},
		{"uppercase", "Owner", "ACME Corp"},
		{"dots", "a.b.c", "1.2.3"},
		{"underscores", "_a__b_", "__"},
		{"colons", "a:b", "c::d:"},
		{"slash and equals", "k8s.io/role", "a=b/c"},
		{"unicode", "名前", "値 ✓ 🐳"},
		{"spaces and quotes", `"k" 'v'`, " \t\n"},
		{"all plain", "abc-xyz-0123456789", "-"},
		{"escape lookalikes", "_2e", "_5f_3a__"},
		{"control bytes", "\x00\x01", "\x7f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := EncodeTag(tt.key, tt.value)
			if err != nil {
				t.Fatalf("EncodeTag: %v", err)
			}
			checkAlphabet(t, enc)
			k, v, err := DecodeTag(enc)
			if err != nil {
				t.Fatalf("DecodeTag(%q): %v", enc, err)
			}
			if k != tt.key || v != tt.value {
				t.Errorf("round trip of %q=%q gave %q=%q via %q", tt.key, tt.value, k, v, enc)
			}
		})
	}
}

func checkAlphabet(t *testing.T, enc string) {
	t.Helper()
	if !doTag.MatchString(enc) || len(enc) > MaxTagLen {
		t.Errorf("%q is not a valid DigitalOcean tag", enc)
	}
	if !encodedAlphabet.MatchString(enc) {
		t.Errorf("%q is outside the encoded alphabet", enc)
	}
}

func TestEncodeTagRejects(t *testing.T) {
	tests := []struct {
		name, key, value string
	}{
		{"empty key", "", "v"},
		{"too long value", "k", strings.Repeat("a", MaxTagLen-1)},
		{"too long after escaping", "k", strings.Repeat("A", 90)},
		{"invalid utf8 key", "\xff", "v"},
		{"invalid utf8 value", "k", "\xc3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeTag(tt.key, tt.value)
			if !errors.Is(err, spierr.ErrInvalid) {
				t.Fatalf("EncodeTag = %q, %v; want a spierr.ErrInvalid error", got, err)
			}
		})
	}
}

func TestEncodeTagLengthLimit(t *testing.T) {
	fits := strings.Repeat("a", MaxTagLen-2) // "k:" + value
	enc, err := EncodeTag("k", fits)
	if err != nil || len(enc) != MaxTagLen {
		t.Fatalf("EncodeTag of exactly %d characters = %d chars, %v", MaxTagLen, len(enc), err)
	}
	if _, err := EncodeTag("k", fits+"a"); !errors.Is(err, spierr.ErrInvalid) {
		t.Fatalf("EncodeTag of %d characters: err = %v, want invalid", MaxTagLen+1, err)
	}
}

func TestDecodeTagRejects(t *testing.T) {
	tests := []struct {
		name, in, wantMsg string
	}{
		{"empty", "", "no ':'"},
		{"no separator", "drover__group", "no ':'"},
		{"two separators", "a:b:c", "character ':'"},
		{"empty key", ":v", "empty key"},
		{"uppercase", "Drover:x", "character 'D'"},
		{"dot", "a.b:c", "character '.'"},
		{"space", "a:b c", "character ' '"},
		{"trailing escape", "a_:b", "truncated"},
		{"short escape", "a:b_4", "truncated"},
		{"non-hex escape", "a:_zz", "bad escape"},
		{"uppercase hex", "a:_2F", "bad escape"},
		{"needless escape letter", "_61:b", "needless escape"},
		{"needless escape dot", "a:_2e", "needless escape"},
		{"needless escape dash", "a:_2d", "needless escape"},
		{"invalid utf8", "a:_ff", "invalid UTF-8"},
		{"too long", "k:" + strings.Repeat("a", MaxTagLen), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, v, err := DecodeTag(tt.in)
			if !errors.Is(err, spierr.ErrInvalid) {
				t.Fatalf("DecodeTag(%q) = %q, %q, %v; want a spierr.ErrInvalid error", tt.in, k, v, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestEncodeTags(t *testing.T) {
	tags := map[string]string{TagGroup: "workers", TagOwner: "prod", "Z": "1", "a": "2"}
	got, err := EncodeTags(tags)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"_5a:1", "a:2", "drover__group:workers", "drover__owner:prod"}
	if !slices.Equal(got, want) {
		t.Errorf("EncodeTags = %q, want %q", got, want)
	}
	back, err := DecodeTags(got)
	if err != nil {
		t.Fatal(err)
	}
	if !Matches(back, tags) || len(back) != len(tags) {
		t.Errorf("DecodeTags = %v, want %v", back, tags)
	}
	if _, err := EncodeTags(map[string]string{"ok": "", "": "empty key"}); !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("EncodeTags with an empty key: err = %v, want invalid", err)
	}
}

func TestDecodeTags(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    map[string]string
		wantErr string // substring of the error; "" for success
	}{
		{"none", nil, map[string]string{}, ""},
		{"two", []string{"a:1", "b:2"}, map[string]string{"a": "1", "b": "2"}, ""},
		{"same tag twice", []string{"a:1", "a:1"}, map[string]string{"a": "1"}, ""},
		{"foreign tag named", []string{"a:1", "k8s", "B"}, nil, `"k8s"`},
		{"conflicting values", []string{"a:1", "a:2"}, nil, `"a:2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeTags(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, spierr.ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("DecodeTags = %v, %v; want an invalid error naming %s", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) || !Matches(got, tt.want) {
				t.Errorf("DecodeTags = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	tags := map[string]string{TagGroup: "workers", TagOwner: "prod", "empty": ""}
	tests := []struct {
		name     string
		tags     map[string]string
		selector map[string]string
		want     bool
	}{
		{"nil selector", tags, nil, true},
		{"empty selector, nil tags", nil, map[string]string{}, true},
		{"one pair", tags, map[string]string{TagGroup: "workers"}, true},
		{"all pairs", tags, map[string]string{TagGroup: "workers", TagOwner: "prod"}, true},
		{"empty value present", tags, map[string]string{"empty": ""}, true},
		{"empty value absent", tags, map[string]string{"missing": ""}, false},
		{"wrong value", tags, map[string]string{TagGroup: "managers"}, false},
		{"one wrong", tags, map[string]string{TagGroup: "workers", TagOwner: "dev"}, false},
		{"nil tags", nil, map[string]string{TagGroup: "workers"}, false},
		{"case matters", tags, map[string]string{TagGroup: "Workers"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Matches(tt.tags, tt.selector); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

// FuzzTagRoundTrip checks that every encodable pair encodes into the
// DigitalOcean alphabet and decodes back, and that whatever DecodeTag
// accepts is exactly what EncodeTag produces.
func FuzzTagRoundTrip(f *testing.F) {
	seeds := [][2]string{
		{TagGroup, "workers"}, {"Env", "Prod"}, {"a_b", "c:d"}, {"名前", "値 🐳"},
		{"", ""}, {"k", ""}, {"..", "_"}, {"\xff", "v"}, {"k", strings.Repeat("Z", 100)},
		{"drover__group:workers", "a:_2e"}, {"_5f:_", "x"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		checkEncode(t, key, value)
		checkDecode(t, key)
		checkDecode(t, key+":"+value)
	})
}

func checkEncode(t *testing.T, key, value string) {
	enc, err := EncodeTag(key, value)
	valid := key != "" && utf8.ValidString(key) && utf8.ValidString(value) &&
		encodedLen(key)+1+encodedLen(value) <= MaxTagLen
	if err != nil {
		if valid || !errors.Is(err, spierr.ErrInvalid) {
			t.Fatalf("EncodeTag(%q, %q) = %v; valid pair: %v", key, value, err, valid)
		}
		return
	}
	if !valid {
		t.Fatalf("EncodeTag(%q, %q) accepted an invalid pair as %q", key, value, enc)
	}
	checkAlphabet(t, enc)
	k, v, err := DecodeTag(enc)
	if err != nil || k != key || v != value {
		t.Fatalf("round trip of %q=%q via %q gave %q=%q, %v", key, value, enc, k, v, err)
	}
}

// encodedLen is the length EncodeTag should give s, computed independently.
func encodedLen(s string) int {
	n := 0
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
			n++
		case c == '.':
			n += 2
		default:
			n += 3
		}
	}
	return n
}

func checkDecode(t *testing.T, s string) {
	k, v, err := DecodeTag(s)
	if err != nil {
		if !errors.Is(err, spierr.ErrInvalid) {
			t.Fatalf("DecodeTag(%q): error %v is not invalid", s, err)
		}
		return
	}
	enc, err := EncodeTag(k, v)
	if err != nil || enc != s {
		t.Fatalf("DecodeTag(%q) = %q, %q but that encodes to %q, %v", s, k, v, enc, err)
	}
}
