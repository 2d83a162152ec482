package trust

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// layout is dir/sub/file, each with a mode the test sets.
type layout struct{ dir, sub, file string }

func newLayout(t *testing.T) layout {
	t.Helper()
	dir := t.TempDir()
	l := layout{dir: dir, sub: filepath.Join(dir, "sub"), file: filepath.Join(dir, "sub", "file")}
	if err := os.Mkdir(l.sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(l.file, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return l
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestPathModes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, l layout) string // returns the path checked
		bad   string                              // "" for trusted, else the layout field at fault
		mode  string
	}{
		{name: "private", setup: func(t *testing.T, l layout) string { return l.file }},
		{name: "read-only for others", setup: func(t *testing.T, l layout) string { chmod(t, l.file, 0o555); return l.file }},
		{name: "group-writable file", setup: func(t *testing.T, l layout) string { chmod(t, l.file, 0o775); return l.file }, bad: "file", mode: "0775"},
		{name: "world-writable file", setup: func(t *testing.T, l layout) string { chmod(t, l.file, 0o757); return l.file }, bad: "file", mode: "0757"},
		{name: "world-writable directory", setup: func(t *testing.T, l layout) string { chmod(t, l.sub, 0o777); return l.file }, bad: "sub", mode: "0777"},
		{name: "group-writable directory higher up", setup: func(t *testing.T, l layout) string { chmod(t, l.dir, 0o770); return l.file }, bad: "dir", mode: "0770"},
		{name: "sticky world-writable directory", setup: func(t *testing.T, l layout) string {
			chmod(t, l.sub, 0o777|os.ModeSticky)
			return l.file
		}},
		{name: "symlink to a bad file", setup: func(t *testing.T, l layout) string {
			chmod(t, l.file, 0o777)
			link := filepath.Join(l.dir, "link")
			if err := os.Symlink(l.file, link); err != nil {
				t.Fatal(err)
			}
			return link
		}, bad: "file", mode: "0777"},
		{name: "symlink in a bad directory", setup: func(t *testing.T, l layout) string {
			other := t.TempDir()
			chmod(t, other, 0o777)
			link := filepath.Join(other, "link")
			if err := os.Symlink(l.file, link); err != nil {
				t.Fatal(err)
			}
			return link
		}, bad: "other", mode: "0777"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLayout(t)
			path := tc.setup(t, l)
			err := Path(path)
			if tc.bad == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ue *UntrustedError
			if !errors.As(err, &ue) {
				t.Fatalf("got %v, want an UntrustedError", err)
			}
			want := map[string]string{"file": l.file, "sub": l.sub, "dir": l.dir}[tc.bad]
			if tc.bad == "other" {
				want = filepath.Dir(path)
			}
			if ue.Path != want || !strings.Contains(err.Error(), "mode "+tc.mode) || !strings.Contains(err.Error(), "chmod go-w "+want) {
				t.Fatalf("got %v, want %s named with mode %s", err, want, tc.mode)
			}
		})
	}
}

// A file of another user is refused; one of root is not. As root the
// test gives the file away; otherwise it checks as if drover ran under
// another uid.
func TestPathOwners(t *testing.T) {
	l := newLayout(t)
	uid, other := os.Getuid(), os.Getuid()+4242
	if uid == 0 {
		if err := os.Chown(l.file, 4242, 4242); err != nil {
			t.Fatal(err)
		}
		other = 4242
	} else {
		uid = other
	}
	err := check(l.file, uid)
	var ue *UntrustedError
	if !errors.As(err, &ue) || ue.Path != l.file || !strings.Contains(err.Error(), "another user") {
		t.Fatalf("a file of uid %d checked for uid %d: %v", other, uid, err)
	}
	if os.Getuid() == 0 {
		if err := os.Chown(l.file, 0, 0); err != nil {
			t.Fatal(err)
		}
		if err := check(l.file, 1000); err != nil {
			t.Fatalf("a file of root refused: %v", err)
		}
	}
}

func TestPathMissing(t *testing.T) {
	if err := Path(filepath.Join(t.TempDir(), "nothing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a missing file: %v", err)
	}
}
