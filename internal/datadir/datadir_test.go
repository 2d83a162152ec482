package datadir

import (
	"errors"
	"testing"
)

func TestDefault(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
		err  error
	}{
		{"DROVER_DATA_DIR first", map[string]string{EnvVar: "/d", "XDG_DATA_HOME": "/x", "HOME": "/h"}, "/d", nil},
		{"then XDG_DATA_HOME", map[string]string{"XDG_DATA_HOME": "/x", "HOME": "/h"}, "/x/drover", nil},
		{"then HOME", map[string]string{"HOME": "/h"}, "/h/.local/share/drover", nil},
		{"relative values are passed over", map[string]string{EnvVar: "d", "XDG_DATA_HOME": "x", "HOME": "/h"}, "/h/.local/share/drover", nil},
		{"empty values are passed over", map[string]string{EnvVar: "", "XDG_DATA_HOME": "", "HOME": "/h"}, "/h/.local/share/drover", nil},
		{"nothing", map[string]string{"HOME": "h"}, "", ErrNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Default(func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
			if got != c.want || !errors.Is(err, c.err) {
				t.Errorf("Default = %q, %v; want %q, %v", got, err, c.want, c.err)
			}
		})
	}
}
