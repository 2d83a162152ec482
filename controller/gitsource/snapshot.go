package gitsource

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Snapshot is the tree of one commit: FS is an io/fs.FS over its regular
// files (paths relative to the repository's root, slash-separated;
// directories listable with fs.ReadDir and fs.Glob, fs.ReadFile works).
// Symlinks and submodules are listed but not followed: opening one fails
// with ErrNotFollowed. It is held in memory, bounded by Options.
type Snapshot struct {
	Commit Commit
	FS     fs.FS
}

// maxPathLen bounds one path in a tree.
const maxPathLen = 4096

// walker reads a tree into a memFS, counting against the bounds.
type walker struct {
	ctx   context.Context
	opts  *Options
	fs    *memFS
	files int
	dirs  int
	bytes int64
}

func (c *Client) snapshot(ctx context.Context, commit *object.Commit) (*Snapshot, error) {
	tree, err := commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("gitsource: tree of %s: %w", commit.Hash, err)
	}
	w := &walker{ctx: ctx, opts: &c.opts, fs: newMemFS(commit.Author.When)}
	if err := w.walk(tree, "."); err != nil {
		return nil, err
	}
	return &Snapshot{
		Commit: Commit{
			SHA:     commit.Hash.String(),
			Author:  fmt.Sprintf("%s <%s>", commit.Author.Name, commit.Author.Email),
			Message: commit.Message,
			Time:    commit.Author.When,
		},
		FS: w.fs,
	}, nil
}

func (w *walker) walk(tree *object.Tree, dir string) error {
	if err := w.ctx.Err(); err != nil {
		return fmt.Errorf("gitsource: reading the tree: %w", err)
	}
	w.dirs++
	if w.dirs > w.opts.MaxFiles {
		return fmt.Errorf("%w: more than MaxFiles (%d) directories", ErrTooLarge, w.opts.MaxFiles)
	}
	w.fs.addDir(dir)
	for _, e := range tree.Entries {
		p := path.Join(dir, e.Name)
		if len(p) > maxPathLen || !fs.ValidPath(p) {
			return fmt.Errorf("gitsource: the tree has an invalid or too long path")
		}
		if e.Mode == filemode.Dir {
			sub, err := tree.Tree(e.Name)
			if err != nil {
				return fmt.Errorf("gitsource: tree %s: %w", p, err)
			}
			if err := w.walk(sub, p); err != nil {
				return err
			}
			continue
		}
		if err := w.entry(tree, e, p); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) entry(tree *object.Tree, e object.TreeEntry, p string) error {
	w.files++
	if w.files > w.opts.MaxFiles {
		return fmt.Errorf("%w: more than MaxFiles (%d) files", ErrTooLarge, w.opts.MaxFiles)
	}
	switch e.Mode {
	case filemode.Symlink:
		w.fs.addSpecial(p, fs.ModeSymlink|0o777, "symlink")
		return nil
	case filemode.Submodule:
		w.fs.addSpecial(p, fs.ModeIrregular, "submodule")
		return nil
	case filemode.Regular, filemode.Executable, filemode.Deprecated:
	default:
		return fmt.Errorf("gitsource: %s has an unknown mode %o", p, uint32(e.Mode))
	}
	blob, err := tree.TreeEntryFile(&e)
	if err != nil {
		return fmt.Errorf("gitsource: file %s: %w", p, err)
	}
	if blob.Size > w.opts.MaxFileBytes {
		return fmt.Errorf("%w: %s is over MaxFileBytes (%d bytes)", ErrTooLarge, p, w.opts.MaxFileBytes)
	}
	w.bytes += blob.Size
	if w.bytes > w.opts.MaxBytes {
		return fmt.Errorf("%w: the files are over MaxBytes (%d bytes)", ErrTooLarge, w.opts.MaxBytes)
	}
	data, err := readBlob(blob, blob.Size)
	if err != nil {
		return fmt.Errorf("gitsource: file %s: %w", p, err)
	}
	mode := fs.FileMode(0o644)
	if e.Mode == filemode.Executable {
		mode = 0o755
	}
	w.fs.addFile(p, mode, data)
	return nil
}

func readBlob(f *object.File, size int64) ([]byte, error) {
	rc, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, size+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != size {
		return nil, fmt.Errorf("size %d differs from its header's %d", len(data), size)
	}
	return data, nil
}
