package gitsource

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// Remote is what is followed.
type Remote struct {
	// URL is https://, http://, ssh://, user@host:path or file://; see
	// CheckURL.
	URL string
	// Branch or Tag is followed; neither: the branch "main". Not both.
	Branch, Tag string
	Auth        Auth
}

// Commit describes a commit.
type Commit struct {
	SHA string
	// Author is "Name <email>".
	Author  string
	Message string
	// Time is the author's time.
	Time time.Time
}

// Options configure a Client.
type Options struct {
	// Dir is where fetched objects are cached, one subdirectory per source
	// name (created 0700). Required.
	Dir string
	// MaxFiles bounds the files (symlinks and submodules included) of a
	// snapshot's tree, and separately its directories. Default 10000.
	MaxFiles int
	// MaxBytes bounds the total bytes of a snapshot's files. Default 64 MiB.
	MaxBytes int64
	// MaxFileBytes bounds one file. Default 1 MiB.
	MaxFileBytes int64
	// MaxCacheBytes bounds a source's cache: before a fetch, a cache that
	// has grown past it (every commit fetched adds its objects) is
	// dropped, and the commit fetched into a fresh one. Default 256 MiB.
	MaxCacheBytes int64
	// SSHKnownHosts is a known_hosts file checking ssh remotes' host keys.
	// Default: go-git's ($SSH_KNOWN_HOSTS, ~/.ssh/known_hosts,
	// /etc/ssh/ssh_known_hosts).
	SSHKnownHosts string
}

// Client asks remotes for heads and fetches commits into its cache.
type Client struct {
	opts  Options
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// validName is a source name (api.SourceSpec's rule): it names a directory.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// New applies Options' defaults, validates them and creates Dir.
func New(opts Options) (*Client, error) {
	if opts.Dir == "" {
		return nil, errors.New("gitsource: Options.Dir is required")
	}
	if opts.MaxFiles == 0 {
		opts.MaxFiles = 10000
	}
	if opts.MaxBytes == 0 {
		opts.MaxBytes = 64 << 20
	}
	if opts.MaxFileBytes == 0 {
		opts.MaxFileBytes = 1 << 20
	}
	if opts.MaxCacheBytes == 0 {
		opts.MaxCacheBytes = 256 << 20
	}
	if opts.MaxFiles < 0 || opts.MaxBytes < 0 || opts.MaxFileBytes < 0 || opts.MaxCacheBytes < 0 {
		return nil, errors.New("gitsource: Options' bounds must not be negative")
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("gitsource: cache dir: %w", err)
	}
	return &Client{opts: opts, locks: map[string]*sync.Mutex{}}, nil
}

// lock serialises the work on one source's cache.
func (c *Client) lock(name string) func() {
	c.mu.Lock()
	l, ok := c.locks[name]
	if !ok {
		l = &sync.Mutex{}
		c.locks[name] = l
	}
	c.mu.Unlock()
	l.Lock()
	return l.Unlock
}

func checkName(name string) error {
	if !validName.MatchString(name) {
		return errors.New("gitsource: source name must match [a-z0-9][a-z0-9_-]{0,62}")
	}
	return nil
}

func (c *Client) cacheDir(name string) string { return filepath.Join(c.opts.Dir, name) }

// Forget removes the cache of a source.
func (c *Client) Forget(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	defer c.lock(name)()
	if err := os.RemoveAll(c.cacheDir(name)); err != nil {
		return fmt.Errorf("gitsource: forget %s: %w", name, err)
	}
	return nil
}
