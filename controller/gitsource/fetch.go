package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

var validSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// maxTagDepth bounds a chain of tags pointing at tags.
const maxTagDepth = 8

// Fetch fetches commit sha of r (shallow, depth 1, only when the local
// cache lacks it) into the cache of source name, and returns its snapshot.
func (c *Client) Fetch(ctx context.Context, name string, r Remote, sha string) (*Snapshot, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if !validSHA.MatchString(sha) {
		return nil, errors.New("gitsource: a commit id is 40 lowercase hex digits")
	}
	ref, auth, err := c.prepare(r)
	if err != nil {
		return nil, err
	}
	defer c.lock(name)()
	repo, err := c.openCache(name)
	if err != nil {
		return nil, err
	}
	hash := plumbing.NewHash(sha)
	if !cached(repo, hash) {
		if repo, err = c.trimmed(name, repo); err != nil {
			return nil, err
		}
		if err := c.fetch(ctx, repo, r, ref, auth, hash); err != nil {
			return nil, err
		}
	}
	commit, err := peelCommit(repo, hash)
	if err != nil {
		return nil, err
	}
	return c.snapshot(ctx, commit)
}

// trimmed returns repo, or a fresh cache of name when repo has grown past
// MaxCacheBytes. Callers hold name's lock.
func (c *Client) trimmed(name string, repo *git.Repository) (*git.Repository, error) {
	size, err := dirSize(c.cacheDir(name))
	if err != nil {
		return nil, fmt.Errorf("gitsource: cache of %s: %w", name, err)
	}
	if size <= c.opts.MaxCacheBytes {
		return repo, nil
	}
	if err := os.RemoveAll(c.cacheDir(name)); err != nil {
		return nil, fmt.Errorf("gitsource: drop the cache of %s: %w", name, err)
	}
	return c.openCache(name)
}

// dirSize is the total size of the regular files under dir.
func dirSize(dir string) (int64, error) {
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			size += fi.Size()
		}
		return err
	})
	return size, err
}

// openCache opens (creating it 0700) the bare repository caching name.
func (c *Client) openCache(name string) (*git.Repository, error) {
	dir := c.cacheDir(name)
	repo, err := git.PlainOpen(dir)
	if err == nil {
		return repo, nil
	}
	if !errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("gitsource: open cache of %s: %w", name, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("gitsource: cache of %s: %w", name, err)
	}
	repo, err = git.PlainInit(dir, true)
	if err != nil {
		return nil, fmt.Errorf("gitsource: init cache of %s: %w", name, err)
	}
	return repo, nil
}

// cached reports whether the commit (or tag) hash and its tree are in repo.
func cached(repo *git.Repository, hash plumbing.Hash) bool {
	commit, err := peelCommit(repo, hash)
	if err != nil {
		return false
	}
	_, err = commit.Tree()
	return err == nil
}

// peelCommit returns the commit hash is, or that the tag hash points at.
func peelCommit(repo *git.Repository, hash plumbing.Hash) (*object.Commit, error) {
	for range maxTagDepth {
		obj, err := repo.Object(plumbing.AnyObject, hash)
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrCommitNotFound, hash)
		}
		switch o := obj.(type) {
		case *object.Commit:
			return o, nil
		case *object.Tag:
			hash = o.Target
		default:
			return nil, fmt.Errorf("gitsource: %s is a %s, not a commit", hash, obj.Type())
		}
	}
	return nil, fmt.Errorf("gitsource: %s: tags nested too deep", hash)
}

// fetch brings hash into repo: the ref at depth 1 first (hash is its head
// in the common case), then hash itself when the ref has moved on.
func (c *Client) fetch(ctx context.Context, repo *git.Repository, r Remote, ref plumbing.ReferenceName, auth transport.AuthMethod, hash plumbing.Hash) error {
	local := plumbing.ReferenceName("refs/remotes/origin/" + strings.TrimPrefix(ref.String(), "refs/"))
	spec := config.RefSpec("+" + ref.String() + ":" + local.String())
	if err := c.fetchSpec(ctx, repo, r, auth, spec); err != nil {
		return err
	}
	if cached(repo, hash) {
		return nil
	}
	byID := config.RefSpec("+" + hash.String() + ":refs/gitsource/wanted")
	err := c.fetchSpec(ctx, repo, r, auth, byID)
	if errors.Is(err, git.ErrExactSHA1NotSupported) {
		return fmt.Errorf("%w: %s is not the head of %s and the remote does not serve commits by id",
			ErrCommitNotFound, hash, ref.Short())
	}
	if err != nil {
		return err
	}
	if !cached(repo, hash) {
		return fmt.Errorf("%w: %s", ErrCommitNotFound, hash)
	}
	return nil
}

func (c *Client) fetchSpec(ctx context.Context, repo *git.Repository, r Remote, auth transport.AuthMethod, spec config.RefSpec) error {
	rem := git.NewRemote(repo.Storer, &config.RemoteConfig{Name: "origin", URLs: []string{r.URL}})
	proxyOpts, end := sshProxy(ctx, r.URL)
	defer end()
	err := rem.FetchContext(ctx, &git.FetchOptions{
		ProxyOptions: proxyOpts,
		RemoteName:   "origin",
		RefSpecs:     []config.RefSpec{spec},
		Depth:        1,
		Auth:         auth,
		Tags:         git.NoTags,
		Force:        true,
	})
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	if errors.Is(err, git.ErrExactSHA1NotSupported) {
		return err
	}
	return c.wrap(ctx, "fetch", err, r)
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
