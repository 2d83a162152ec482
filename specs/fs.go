package specs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
)

// ErrOutsideRoot is matched by the error of a read that a confined load
// (CaptureFS) refused: a path outside its file system.
var ErrOutsideRoot = errors.New("outside the repository")

// CaptureFS loads the spec in directory dir of fsys (its *.hcl files, in
// name order), as Capture loads files, recording what it read into a
// Bundle. It is the load of an untrusted tree, a git commit: every file it
// reads comes from fsys, file() included, and a path that leaves fsys
// (absolute, or climbing out with ..) is refused; env() and
// DROVER_VAR_NAME read env only, never the process's environment. Paths
// are fsys's, slash-separated: what diagnostics show and what the bundle
// records.
func (l *Loader) CaptureFS(fsys fs.FS, dir string, env map[string]string) (*Spec, Bundle, error) {
	dir = path.Clean("./" + filepath.ToSlash(dir))
	if !fs.ValidPath(dir) {
		return nil, Bundle{}, fmt.Errorf("read spec: directory %s: %w", dir, ErrOutsideRoot)
	}
	opts := l.opts
	opts.Vars, opts.VarFiles = nil, nil
	opts.ReadFile = confinedReader(fsys)
	opts.LookupEnv = func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	files, err := fs.Glob(fsys, path.Join(dir, "*.hcl"))
	if err != nil {
		return nil, Bundle{}, fmt.Errorf("read spec %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, Bundle{}, fmt.Errorf("read spec: directory %s holds no *.hcl files", dir)
	}
	return (&Loader{opts: opts}).capture(files, "")
}

// confinedReader reads files of fsys by their slash-separated path,
// refusing paths that leave it and files over MaxFileSize.
func confinedReader(fsys fs.FS) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		p := filepath.ToSlash(name)
		if path.IsAbs(p) || filepath.IsAbs(name) {
			return nil, fmt.Errorf("%s: %w (an absolute path)", name, ErrOutsideRoot)
		}
		if p = path.Clean(p); !fs.ValidPath(p) {
			return nil, fmt.Errorf("%s: %w", name, ErrOutsideRoot)
		}
		f, err := fsys.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file", name)
		}
		b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
		if err == nil && len(b) > MaxFileSize {
			err = fmt.Errorf("%s: larger than %d bytes", name, MaxFileSize)
		}
		return b, err
	}
}
