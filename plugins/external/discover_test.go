package external

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Discover takes executable regular files named drover-plugin-<name>
// (and symlinks to them), ignores the rest, and lets the config map win.
func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("drover-plugin-a", 0o755)
	write("drover-plugin-noexec", 0o644)
	write("other-tool", 0o755)
	write("drover-plugin-", 0o755)
	write("drover-plugin-bad.name", 0o755)
	if err := os.Mkdir(filepath.Join(dir, "drover-plugin-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(a, filepath.Join(dir, "drover-plugin-link")); err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "mine")
	if err := os.WriteFile(elsewhere, nil, 0o755); err != nil {
		t.Fatal(err)
	}

	got, err := Discover(dir, map[string]string{"a": elsewhere, "x": elsewhere})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": elsewhere, "link": filepath.Join(dir, "drover-plugin-link"), "x": elsewhere}
	if len(got) != len(want) {
		t.Fatalf("Discover: %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("plugin %s: %q, want %q", k, got[k], v)
		}
	}

	if got, err := Discover(filepath.Join(dir, "missing"), nil); err != nil || len(got) != 0 {
		t.Errorf("a missing dir: %v %v", got, err)
	}
	_, err = Discover(dir, map[string]string{"y": filepath.Join(dir, "drover-plugin-noexec")})
	if err == nil || !strings.Contains(err.Error(), `plugin "y"`) || !strings.Contains(err.Error(), "not executable") {
		t.Errorf("a non-executable explicit plugin: %v", err)
	}
}

// A plugin directory, or a plugin binary, that others can write is
// refused with an error naming it and its mode; nothing is run.
func TestDiscoverRefusesWritableByOthers(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup makes the layout bad and returns the path at fault and
		// Discover's explicit map.
		setup func(t *testing.T, dir, bin string) (string, map[string]string)
		mode  string
	}{
		{"world-writable plugin directory", func(t *testing.T, dir, _ string) (string, map[string]string) {
			mustChmod(t, dir, 0o777)
			return dir, nil
		}, "0777"},
		{"group-writable plugin binary", func(t *testing.T, _, bin string) (string, map[string]string) {
			mustChmod(t, bin, 0o775)
			return bin, nil
		}, "0775"},
		{"config-named binary in a world-writable directory", func(t *testing.T, _, _ string) (string, map[string]string) {
			other := t.TempDir()
			p := filepath.Join(other, "mine")
			if err := os.WriteFile(p, nil, 0o755); err != nil {
				t.Fatal(err)
			}
			mustChmod(t, other, 0o777)
			return other, map[string]string{"mine": p}
		}, "0777"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "drover-plugin-a")
			if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			bad, explicit := tc.setup(t, dir, bin)
			got, err := Discover(dir, explicit)
			if err == nil || !strings.Contains(err.Error(), bad+" (mode "+tc.mode) || !strings.Contains(err.Error(), "writable by its group or others") {
				t.Fatalf("Discover: %v, %v; want an error naming %s and mode %s", got, err, bad, tc.mode)
			}
		})
	}
}

func mustChmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
