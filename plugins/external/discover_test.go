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
