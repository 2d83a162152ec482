package gitsource

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// node is one entry of a memFS.
type node struct {
	name    string
	mode    fs.FileMode
	data    []byte
	kind    string // "symlink", "submodule": not followed
	modTime time.Time
	entries []fs.DirEntry // of a directory, sorted by name
}

func (n *node) Name() string       { return n.name }
func (n *node) Size() int64        { return int64(len(n.data)) }
func (n *node) Mode() fs.FileMode  { return n.mode }
func (n *node) ModTime() time.Time { return n.modTime }
func (n *node) IsDir() bool        { return n.mode.IsDir() }
func (n *node) Sys() any           { return nil }

// memFS is a read-only in-memory fs.FS over a commit's tree.
type memFS struct {
	nodes   map[string]*node
	modTime time.Time
}

var (
	_ fs.ReadDirFS  = (*memFS)(nil)
	_ fs.ReadFileFS = (*memFS)(nil)
	_ fs.StatFS     = (*memFS)(nil)
)

func newMemFS(modTime time.Time) *memFS {
	return &memFS{nodes: map[string]*node{}, modTime: modTime}
}

func (m *memFS) add(p string, n *node) {
	m.nodes[p] = n
	if p == "." {
		return
	}
	parent := m.nodes[path.Dir(p)]
	parent.entries = append(parent.entries, fs.FileInfoToDirEntry(n))
}

// addDir adds directory p; its parent is added first (the tree walk's order).
func (m *memFS) addDir(p string) {
	m.add(p, &node{name: path.Base(p), mode: fs.ModeDir | 0o755, modTime: m.modTime})
}

func (m *memFS) addFile(p string, mode fs.FileMode, data []byte) {
	m.add(p, &node{name: path.Base(p), mode: mode, data: data, modTime: m.modTime})
}

func (m *memFS) addSpecial(p string, mode fs.FileMode, kind string) {
	m.add(p, &node{name: path.Base(p), mode: mode, kind: kind, modTime: m.modTime})
}

func (m *memFS) lookup(op, name string) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n, ok := m.nodes[name]
	if !ok {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return n, nil
}

// Open opens a regular file or a directory; a symlink or a submodule fails
// with ErrNotFollowed.
func (m *memFS) Open(name string) (fs.File, error) {
	n, err := m.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if n.kind != "" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("a %s, %w", n.kind, ErrNotFollowed)}
	}
	if n.IsDir() {
		return &dirFile{node: n}, nil
	}
	return &file{node: n, r: bytes.NewReader(n.data)}, nil
}

func (m *memFS) ReadFile(name string) ([]byte, error) {
	f, err := m.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if ff, ok := f.(*file); ok {
		return slices.Clone(ff.data), nil
	}
	return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("is a directory")}
}

func (m *memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := m.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !n.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fmt.Errorf("not a directory")}
	}
	return sorted(n.entries), nil
}

// Stat describes any entry, a symlink or submodule included (not followed).
func (m *memFS) Stat(name string) (fs.FileInfo, error) {
	return m.lookup("stat", name)
}

func sorted(entries []fs.DirEntry) []fs.DirEntry {
	out := slices.Clone(entries)
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

// file is an open regular file.
type file struct {
	*node
	r *bytes.Reader
}

func (f *file) Stat() (fs.FileInfo, error) { return f.node, nil }
func (f *file) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *file) Close() error               { return nil }
func (f *file) Seek(off int64, whence int) (int64, error) {
	return f.r.Seek(off, whence)
}
func (f *file) ReadAt(b []byte, off int64) (int, error) { return f.r.ReadAt(b, off) }

// dirFile is an open directory.
type dirFile struct {
	*node
	off int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.node, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: fmt.Errorf("is a directory")}
}

func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	all := sorted(d.entries)
	rest := all[d.off:]
	if n <= 0 {
		d.off = len(all)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return rest[:n], nil
}
