package gitsource_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/drover/drover/controller/gitsource"
	"github.com/drover/drover/controller/gitsource/gittest"
)

func TestBounds(t *testing.T) {
	manyFiles := map[string]string{}
	for i := range 6 {
		manyFiles[fmt.Sprintf("d/f%d.hcl", i)] = "x"
	}
	tests := []struct {
		name  string
		opts  gitsource.Options
		files map[string]string
		bound string // "" when within the bounds
	}{
		{"within", gitsource.Options{MaxFiles: 6, MaxFileBytes: 4, MaxBytes: 8}, map[string]string{"a": "1234", "b/c": "1234"}, ""},
		{"too many files", gitsource.Options{MaxFiles: 5}, manyFiles, "MaxFiles"},
		{"too many directories", gitsource.Options{MaxFiles: 3}, map[string]string{"a/f": "1", "b/f": "2", "c/f": "3"}, "directories"},
		{"too big a file", gitsource.Options{MaxFileBytes: 4}, map[string]string{"a": "12345"}, "MaxFileBytes"},
		{"too many bytes", gitsource.Options{MaxFileBytes: 4, MaxBytes: 7}, map[string]string{"a": "1234", "b/c": "1234"}, "MaxBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := gittest.NewRepo(t)
			sha := repo.Commit(t, tt.files, "files")
			c := newClient(t, tt.opts)
			_, err := c.Fetch(t.Context(), "src", gitsource.Remote{URL: repo.URL()}, sha)
			if tt.bound == "" {
				if err != nil {
					t.Fatalf("Fetch within the bounds: %v", err)
				}
				return
			}
			if !errors.Is(err, gitsource.ErrTooLarge) || !strings.Contains(err.Error(), tt.bound) {
				t.Fatalf("Fetch: %v, want ErrTooLarge naming %s", err, tt.bound)
			}
		})
	}
}

func TestSymlinksAndSubmodulesNotFollowed(t *testing.T) {
	repo := gittest.NewRepo(t)
	sha := repo.CommitEntries(t, map[string]gittest.Entry{
		"main.hcl":      {Content: "main", Mode: filemode.Regular},
		"run.sh":        {Content: "#!/bin/sh", Mode: filemode.Executable},
		"link.hcl":      {Content: "/etc/passwd", Mode: filemode.Symlink},
		"dir/up.hcl":    {Content: "../../secret", Mode: filemode.Symlink},
		"vendor/module": {Content: strings.Repeat("ab", 20), Mode: filemode.Submodule},
	}, "links")
	c := newClient(t, gitsource.Options{})
	snap, err := c.Fetch(t.Context(), "src", gitsource.Remote{URL: repo.URL()}, sha)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	for _, p := range []string{"link.hcl", "dir/up.hcl", "vendor/module"} {
		t.Run(p, func(t *testing.T) {
			if _, err := fs.ReadFile(snap.FS, p); !errors.Is(err, gitsource.ErrNotFollowed) {
				t.Fatalf("ReadFile: %v, want ErrNotFollowed", err)
			}
			if _, err := snap.FS.Open(p); !errors.Is(err, gitsource.ErrNotFollowed) {
				t.Fatalf("Open: %v, want ErrNotFollowed", err)
			}
		})
	}
	matches, err := fs.Glob(snap.FS, "*.hcl")
	if err != nil || strings.Join(matches, ",") != "link.hcl,main.hcl" {
		t.Fatalf("Glob *.hcl = %v, %v: a symlink is listed, not followed", matches, err)
	}
	fi, err := fs.Stat(snap.FS, "link.hcl")
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Stat link.hcl = %v, %v; want a symlink", fi, err)
	}
	if got := readFile(t, snap.FS, "main.hcl"); got != "main" {
		t.Fatalf("main.hcl = %q", got)
	}
	if got := readFile(t, snap.FS, "run.sh"); got != "#!/bin/sh" {
		t.Fatalf("run.sh = %q", got)
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name string
		opts gitsource.Options
	}{
		{"no dir", gitsource.Options{}},
		{"negative bound", gitsource.Options{Dir: t.TempDir(), MaxFiles: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := gitsource.New(tt.opts); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}
