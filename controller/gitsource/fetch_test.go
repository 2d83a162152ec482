package gitsource_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/drover/drover/controller/gitsource"
	"github.com/drover/drover/controller/gitsource/gittest"
)

func TestFetchFilesAndCommit(t *testing.T) {
	repo := gittest.NewRepo(t)
	repo.Commit(t, map[string]string{"old.hcl": "old"}, "first")
	files := map[string]string{
		"main.hcl":             "group \"a\" {}",
		"stacks/web.hcl":       "web",
		"stacks/db/db.hcl":     "db",
		"stacks/db/README.md":  "readme",
		"z-last/deep/x/y.json": "{}",
	}
	sha := repo.Commit(t, files, "second\n\nbody")
	dir := t.TempDir()
	c := newClient(t, gitsource.Options{Dir: dir})
	snap, err := c.Fetch(t.Context(), "src", gitsource.Remote{URL: repo.URL()}, sha)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	want := gitsource.Commit{SHA: sha, Author: "Test Author <test@example.com>", Message: "second\n\nbody",
		Time: gittest.Epoch.Add(time.Minute)}
	if got := snap.Commit; got.SHA != want.SHA || got.Author != want.Author || got.Message != want.Message || !got.Time.Equal(want.Time) {
		t.Fatalf("Commit = %+v, want %+v", got, want)
	}
	for p, content := range files {
		if got := readFile(t, snap.FS, p); got != content {
			t.Errorf("%s = %q, want %q", p, got, content)
		}
	}
	if _, err := fs.Stat(snap.FS, "old.hcl"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("old.hcl of the first commit: %v, want ErrNotExist", err)
	}
	glob, err := fs.Glob(snap.FS, "stacks/*.hcl")
	if err != nil || !slices.Equal(glob, []string{"stacks/web.hcl"}) {
		t.Errorf("Glob stacks/*.hcl = %v, %v", glob, err)
	}
	var names []string
	for _, e := range mustReadDir(t, snap.FS, ".") {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"main.hcl", "stacks", "z-last"}) {
		t.Errorf("ReadDir . = %v", names)
	}
	if err := fstest.TestFS(snap.FS, "main.hcl", "stacks/web.hcl", "stacks/db/db.hcl", "z-last/deep/x/y.json"); err != nil {
		t.Errorf("fstest: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "src", "shallow")); err != nil {
		t.Errorf("the cache is not shallow: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "src")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode: %v, %v; want 0700", fi.Mode().Perm(), err)
	}
}

func mustReadDir(t *testing.T, fsys fs.FS, name string) []fs.DirEntry {
	t.Helper()
	es, err := fs.ReadDir(fsys, name)
	if err != nil {
		t.Fatalf("ReadDir %s: %v", name, err)
	}
	return es
}

// TestFetchCachedDoesNotHitRemote moves the remote away: a cached commit is
// still served, a new one is not (so the first did not need the remote).
func TestFetchCachedDoesNotHitRemote(t *testing.T) {
	repo := gittest.NewRepo(t)
	first := repo.Commit(t, map[string]string{"a.hcl": "one"}, "one")
	c := newClient(t, gitsource.Options{})
	r := gitsource.Remote{URL: repo.URL()}
	if _, err := c.Fetch(t.Context(), "src", r, first); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	second := repo.Commit(t, map[string]string{"a.hcl": "two"}, "two")
	if err := os.Rename(repo.Dir, repo.Dir+".gone"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		source  string
		sha     string
		wantErr bool
	}{
		{"cached commit is served", "src", first, false},
		{"new commit needs the remote", "src", second, true},
		{"another source has its own cache", "other", first, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap, err := c.Fetch(t.Context(), tt.source, r, tt.sha)
			if tt.wantErr {
				if err == nil {
					t.Fatal("Fetch succeeded without the remote")
				}
				return
			}
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if got := readFile(t, snap.FS, "a.hcl"); got != "one" {
				t.Fatalf("a.hcl = %q", got)
			}
		})
	}
	if err := c.Forget("src"); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	if _, err := c.Fetch(t.Context(), "src", r, first); err == nil {
		t.Fatal("Fetch after Forget succeeded without the remote")
	}
}

func TestFetchNewCommitsIntoShallowCache(t *testing.T) {
	repo := gittest.NewRepo(t)
	c := newClient(t, gitsource.Options{})
	r := gitsource.Remote{URL: repo.URL()}
	for i, content := range []string{"one", "two", "three"} {
		sha := repo.Commit(t, map[string]string{"a.hcl": content, "keep.hcl": "same"}, content)
		snap, err := c.Fetch(t.Context(), "src", r, sha)
		if err != nil {
			t.Fatalf("Fetch %d: %v", i, err)
		}
		if got := readFile(t, snap.FS, "a.hcl"); got != content || snap.Commit.SHA != sha {
			t.Fatalf("Fetch %d: a.hcl = %q at %s", i, got, snap.Commit.SHA)
		}
	}
}

// TestFetchTrimsAGrownCache: a cache past MaxCacheBytes is dropped before
// the next fetch, so what it held is gone; under the bound it is kept.
func TestFetchTrimsAGrownCache(t *testing.T) {
	for _, tc := range []struct {
		name     string
		max      int64
		keepsOld bool
	}{
		{"under the bound", 0, true},
		{"past the bound", 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := gittest.NewRepo(t)
			c := newClient(t, gitsource.Options{MaxCacheBytes: tc.max})
			r := gitsource.Remote{URL: repo.URL()}
			var first, second string
			for i, sha := range []*string{&first, &second} {
				*sha = repo.Commit(t, map[string]string{"a.hcl": fmt.Sprint(i)}, fmt.Sprint(i))
				if _, err := c.Fetch(t.Context(), "src", r, *sha); err != nil {
					t.Fatalf("Fetch: %v", err)
				}
			}
			if err := os.Rename(repo.Dir, repo.Dir+".gone"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Fetch(t.Context(), "src", r, second); err != nil {
				t.Fatalf("the commit fetched last is always in the cache: %v", err)
			}
			if _, err := c.Fetch(t.Context(), "src", r, first); (err == nil) != tc.keepsOld {
				t.Fatalf("the first commit without the remote: err %v, want it cached: %v", err, tc.keepsOld)
			}
		})
	}
}

func TestFetchMovedRef(t *testing.T) {
	repo := gittest.NewRepo(t)
	old := repo.Commit(t, map[string]string{"a.hcl": "one"}, "one")
	repo.Commit(t, map[string]string{"a.hcl": "two"}, "two")
	c := newClient(t, gitsource.Options{})
	_, err := c.Fetch(t.Context(), "src", gitsource.Remote{URL: repo.URL()}, old)
	if !errors.Is(err, gitsource.ErrCommitNotFound) {
		t.Fatalf("Fetch of a commit behind the head: %v, want ErrCommitNotFound", err)
	}
}

func TestFetchRefusesBadInput(t *testing.T) {
	repo := gittest.NewRepo(t)
	sha := repo.Commit(t, map[string]string{"a.hcl": "one"}, "one")
	c := newClient(t, gitsource.Options{})
	tests := []struct {
		name, source, sha string
		remote            gitsource.Remote
	}{
		{"name escaping the cache", "../x", sha, gitsource.Remote{URL: repo.URL()}},
		{"empty name", "", sha, gitsource.Remote{URL: repo.URL()}},
		{"short sha", "src", sha[:12], gitsource.Remote{URL: repo.URL()}},
		{"branch and tag", "src", sha, gitsource.Remote{URL: repo.URL(), Branch: "main", Tag: "v1"}},
		{"bad ref name", "src", sha, gitsource.Remote{URL: repo.URL(), Branch: "a..b"}},
		{"bad URL", "src", sha, gitsource.Remote{URL: "ftp://host/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Fetch(t.Context(), tt.source, tt.remote, tt.sha); err == nil {
				t.Fatal("Fetch accepted it")
			}
		})
	}
}

func TestFetchConcurrent(t *testing.T) {
	repo := gittest.NewRepo(t)
	sha := repo.Commit(t, map[string]string{"a.hcl": "one"}, "one")
	c := newClient(t, gitsource.Options{})
	r := gitsource.Remote{URL: repo.URL()}
	names := []string{"a", "b", "a", "b", "c", "a"}
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			_, errs[i] = c.Fetch(t.Context(), name, r, sha)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Fetch %d (%s): %v", i, names[i], err)
		}
	}
}
