package gittest

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Author is the author and committer of every commit.
var Author = object.Signature{Name: "Test Author", Email: "test@example.com"}

// Epoch is the time of a repository's first commit; each next one is a
// minute later.
var Epoch = time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)

// Repo is a bare repository in a test's temporary directory whose branch
// main (unborn until the first Commit) is written to directly, as a push
// would.
type Repo struct {
	// Dir is the bare repository's directory.
	Dir     string
	repo    *git.Repository
	commits int
	parent  plumbing.Hash
}

// Entry is a tree entry: Content with a Mode (filemode.Regular,
// filemode.Executable, filemode.Symlink: Content is the target;
// filemode.Submodule: Content is the commit id).
type Entry struct {
	Content string
	Mode    filemode.FileMode
}

// NewRepo makes a bare repository with branch main and no commit.
func NewRepo(t testing.TB) *Repo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "origin.git")
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		Bare:        true,
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		t.Fatalf("gittest: init: %v", err)
	}
	return &Repo{Dir: dir, repo: repo}
}

// URL is the repository's file:// URL.
func (r *Repo) URL() string { return "file://" + filepath.ToSlash(r.Dir) }

// Commit replaces the whole tree with files (path -> content), commits it on
// main as Author, and returns its id.
func (r *Repo) Commit(t testing.TB, files map[string]string, msg string) string {
	t.Helper()
	entries := make(map[string]Entry, len(files))
	for p, c := range files {
		entries[p] = Entry{Content: c, Mode: filemode.Regular}
	}
	return r.CommitEntries(t, entries, msg)
}

// CommitEntries is Commit with modes: symlinks, submodules, executables.
func (r *Repo) CommitEntries(t testing.TB, entries map[string]Entry, msg string) string {
	t.Helper()
	tree, err := r.writeTree(entries, "")
	if err != nil {
		t.Fatalf("gittest: tree: %v", err)
	}
	sig := Author
	sig.When = Epoch.Add(time.Duration(r.commits) * time.Minute)
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree}
	if !r.parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{r.parent}
	}
	h, err := r.store(c)
	if err != nil {
		t.Fatalf("gittest: commit: %v", err)
	}
	ref := plumbing.NewHashReference(plumbing.NewBranchReferenceName("main"), h)
	if err := r.repo.Storer.SetReference(ref); err != nil {
		t.Fatalf("gittest: update main: %v", err)
	}
	r.commits++
	r.parent = h
	return h.String()
}

// Tag tags sha as name: lightweight, or annotated (a tag object by Author).
func (r *Repo) Tag(t testing.TB, name, sha string, annotated bool) {
	t.Helper()
	target := plumbing.NewHash(sha)
	if annotated {
		sig := Author
		sig.When = Epoch
		tag := &object.Tag{Name: name, Tagger: sig, Message: "tag " + name + "\n",
			TargetType: plumbing.CommitObject, Target: target}
		h, err := r.store(tag)
		if err != nil {
			t.Fatalf("gittest: tag: %v", err)
		}
		target = h
	}
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewTagReferenceName(name), target)); err != nil {
		t.Fatalf("gittest: tag ref: %v", err)
	}
}

type encoder interface {
	Encode(plumbing.EncodedObject) error
}

func (r *Repo) store(o encoder) (plumbing.Hash, error) {
	obj := r.repo.Storer.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.repo.Storer.SetEncodedObject(obj)
}

// writeTree writes the entries under dir (paths relative to the root) as a
// tree, subtrees first, and returns its id.
func (r *Repo) writeTree(entries map[string]Entry, dir string) (plumbing.Hash, error) {
	here := map[string]Entry{}
	subdirs := map[string]bool{}
	for p, e := range entries {
		rel, ok := strings.CutPrefix(p, dir)
		if !ok {
			continue
		}
		if name, _, nested := strings.Cut(rel, "/"); nested {
			subdirs[name] = true
		} else {
			here[rel] = e
		}
	}
	tree := &object.Tree{}
	for name := range subdirs {
		h, err := r.writeTree(entries, dir+name+"/")
		if err != nil {
			return plumbing.ZeroHash, err
		}
		tree.Entries = append(tree.Entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
	}
	for name, e := range here {
		h, err := r.entryHash(e)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%s: %w", path.Join(dir, name), err)
		}
		tree.Entries = append(tree.Entries, object.TreeEntry{Name: name, Mode: e.Mode, Hash: h})
	}
	// git orders a tree's entries by name, a directory's as if it ended in "/".
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(tree.Entries, func(i, j int) bool { return key(tree.Entries[i]) < key(tree.Entries[j]) })
	return r.store(tree)
}

func (r *Repo) entryHash(e Entry) (plumbing.Hash, error) {
	if e.Mode == filemode.Submodule {
		return plumbing.NewHash(e.Content), nil
	}
	obj := r.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write([]byte(e.Content)); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.repo.Storer.SetEncodedObject(obj)
}
