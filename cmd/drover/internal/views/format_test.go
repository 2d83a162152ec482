package views

import (
	"errors"
	"testing"
)

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Format
		wantErr error
	}{
		{in: "text", want: Text},
		{in: "table", want: Text},
		{in: "json", want: JSON},
		{in: "JSON", wantErr: ErrFormat},
		{in: "yaml", wantErr: ErrFormat},
		{in: "", wantErr: ErrFormat},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			if !errors.Is(err, tc.wantErr) || (err == nil && got != tc.want) {
				t.Fatalf("ParseFormat(%q) = %v, %v; want %v, %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestFormatString(t *testing.T) {
	for f, want := range map[Format]string{Text: "text", JSON: "json"} {
		t.Run(want, func(t *testing.T) {
			if f.String() != want {
				t.Fatalf("String() = %q, want %q", f.String(), want)
			}
			if back, err := ParseFormat(f.String()); err != nil || back != f {
				t.Fatalf("ParseFormat(String()) = %v, %v", back, err)
			}
		})
	}
}
