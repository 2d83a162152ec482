package schema

import (
	"fmt"
	"math/big"
	"strings"
	"time"
)

// ParseDuration reads a duration written with units, such as "30s", "5m" or
// "1h30m" (Go's syntax: ns, us, ms, s, m, h). "0" is allowed; other bare
// numbers and negative durations are not.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write a number with a unit (ms, s, m, h), such as \"30s\", \"5m\" or \"1h30m\"", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative; durations must be zero or more", s)
	}
	return d, nil
}

// FormatDuration writes d the way ParseDuration reads it, as short as Go
// writes it ("5m0s").
func FormatDuration(d time.Duration) string { return d.String() }

var sizeUnits = map[string]int64{
	"":    1,
	"b":   1,
	"kb":  1e3,
	"mb":  1e6,
	"gb":  1e9,
	"tb":  1e12,
	"kib": 1 << 10,
	"mib": 1 << 20,
	"gib": 1 << 30,
	"tib": 1 << 40,
}

// ParseSize reads a byte size: a number followed by B, KB, MB, GB, TB
// (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), in any case;
// a bare number is bytes. Docker's one-letter "m" and "g" are refused
// because they are ambiguous. The arithmetic is exact: "1.005KB" is 1005.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	r, ok := new(big.Rat).SetString(num)
	mult, known := sizeUnits[unit]
	if num == "" || !ok || !known {
		hint := ""
		if unit == "k" || unit == "m" || unit == "g" || unit == "t" {
			hint = fmt.Sprintf(" (write %s%siB for binary or %s%sB for decimal units)", num, strings.ToUpper(unit), num, strings.ToUpper(unit))
		}
		return 0, fmt.Errorf("%q is not a size: write a number with a unit, such as \"64MiB\", \"512KB\" or \"2GiB\"%s", s, hint)
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	if !r.IsInt() {
		return 0, fmt.Errorf("%q is not a whole number of bytes", s)
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return r.Num().Int64(), nil
}

// FormatSize writes n bytes in the largest binary unit that divides it.
func FormatSize(n int64) string {
	units := []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}
	for _, u := range units {
		if n != 0 && n%u.mult == 0 {
			return fmt.Sprintf("%d%s", n/u.mult, u.name)
		}
	}
	return fmt.Sprintf("%dB", n)
}
