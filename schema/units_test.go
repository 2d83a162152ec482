package schema_test

import (
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/schema"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"30s", 30 * time.Second},
		{"5m", 5 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"0", 0},
		{"  10s ", 10 * time.Second},
		{"250ms", 250 * time.Millisecond},
		{"1.5h", 90 * time.Minute},
		{"100us", 100 * time.Microsecond},
		{"7ns", 7},
		{"0s", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := schema.ParseDuration(tt.in)
			if err != nil {
				t.Fatalf("ParseDuration(%q): got error %v, want %v", tt.in, err, tt.want)
			}
			if got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{"5", "is not a duration"},
		{"5 minutes", "is not a duration"},
		{"-1s", "negative"},
		{"", "is not a duration"},
		{"   ", "is not a duration"},
		{"abc", "is not a duration"},
		{"10d", "is not a duration"},
		{"1h-5m", "is not a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := schema.ParseDuration(tt.in)
			if err == nil {
				t.Fatalf("ParseDuration(%q) = %v, want an error containing %q", tt.in, got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseDuration(%q) error = %q, want it to contain %q", tt.in, err, tt.wantErr)
			}
			if got != 0 {
				t.Errorf("ParseDuration(%q) = %v with an error, want 0", tt.in, got)
			}
		})
	}
}

func TestFormatDurationRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{0, time.Nanosecond, 250 * time.Millisecond, 30 * time.Second, 5 * time.Minute, 90 * time.Minute, 49 * time.Hour} {
		s := schema.FormatDuration(d)
		got, err := schema.ParseDuration(s)
		if err != nil || got != d {
			t.Errorf("ParseDuration(FormatDuration(%d) = %q) = %v, %v; want %v, nil", int64(d), s, got, err, d)
		}
	}
	if got, want := schema.FormatDuration(5*time.Minute), "5m0s"; got != want {
		t.Errorf("FormatDuration(5m) = %q, want %q", got, want)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"64MiB", 67108864},
		{"1GB", 1000000000},
		{"512kb", 512000},
		{"512KB", 512000},
		{"512Kb", 512000},
		{"100B", 100},
		{"100b", 100},
		{"1.5KiB", 1536},
		{"7", 7},
		{"0", 0},
		{"0B", 0},
		{"64mib", 64 << 20},
		{"64MIB", 64 << 20},
		{"2GiB", 2 << 30},
		{"3TiB", 3 << 40},
		{"2TB", 2e12},
		{"5MB", 5e6},
		{"1KiB", 1024},
		{" 64MiB ", 64 << 20},
		{"64 MiB", 64 << 20},
		{"0.5MiB", 512 << 10},
		{"8.2KB", 8200},
		{"1099511627776", 1 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := schema.ParseSize(tt.in)
			if err != nil {
				t.Fatalf("ParseSize(%q): got error %v, want %d", tt.in, err, tt.want)
			}
			if got != tt.want {
				t.Errorf("ParseSize(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseSizeErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr []string
	}{
		{"docker m", "64m", []string{"is not a size", "64MiB", "64MB"}},
		{"docker g", "2g", []string{"is not a size", "2GiB", "2GB"}},
		{"docker k upper", "512K", []string{"512KiB", "512KB"}},
		{"docker t", "1t", []string{"1TiB", "1TB"}},
		{"not whole", "1.3B", []string{"not a whole number of bytes"}},
		{"not whole bare", "2.5", []string{"not a whole number of bytes"}},
		{"letters", "abc", []string{"is not a size"}},
		{"empty", "", []string{"is not a size"}},
		{"unit only", "MiB", []string{"is not a size"}},
		{"unknown unit", "5PB", []string{"is not a size"}},
		{"negative", "-5MiB", []string{"is not a size"}},
		{"two dots", "1.2.3KB", []string{"is not a size"}},
		{"exponent", "1e3", []string{"is not a size"}},
		{"overflow", "99999999TiB", []string{"too large"}},
		{"overflow bytes", "99999999999999999999", []string{"too large"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := schema.ParseSize(tt.in)
			if err == nil {
				t.Fatalf("ParseSize(%q) = %d, want an error containing %q", tt.in, got, tt.wantErr)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("ParseSize(%q) error = %q, want it to contain %q", tt.in, err, s)
				}
			}
			if got != 0 {
				t.Errorf("ParseSize(%q) = %d with an error, want 0", tt.in, got)
			}
		})
	}
}

func TestParseSizeHintOnlyForDockerUnits(t *testing.T) {
	_, err := schema.ParseSize("abc")
	if err == nil {
		t.Fatal(`ParseSize("abc"): got no error`)
	}
	if strings.Contains(err.Error(), "for binary") {
		t.Errorf(`ParseSize("abc") error = %q, want no binary/decimal hint`, err)
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0B"},
		{1, "1B"},
		{1000, "1000B"},
		{1023, "1023B"},
		{1024, "1KiB"},
		{1536, "1536B"},
		{3072, "3KiB"},
		{67108864, "64MiB"},
		{1 << 30, "1GiB"},
		{1536 << 20, "1536MiB"},
		{5 << 40, "5TiB"},
		{1 << 50, "1024TiB"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := schema.FormatSize(tt.in); got != tt.want {
				t.Errorf("FormatSize(%d) = %q, want %q", tt.in, got, tt.want)
			}
			back, err := schema.ParseSize(tt.want)
			if err != nil || back != tt.in {
				t.Errorf("ParseSize(FormatSize(%d)) = %d, %v; want %d, nil", tt.in, back, err, tt.in)
			}
		})
	}
}
