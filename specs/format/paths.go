package format

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Options selects what Paths and Stream do besides formatting. The zero
// value only reports which files would change.
type Options struct {
	// Check reports which files would change without rewriting any of them,
	// even when Write is set; `drover fmt --check` exits 3 if any would.
	// Default false.
	Check bool
	// Diff fills Result.Diff with a unified diff of each change (Stream
	// writes it instead of the formatted text). Default false: no diff.
	Diff bool
	// Recursive makes Paths descend into the subdirectories of directory
	// arguments, skipping hidden ones such as .git. Default false: only the
	// *.hcl files directly inside a directory argument.
	Recursive bool
	// Write rewrites changed files in place. Default false: files are only
	// read. The CLI sets it unless --check is given or the input is stdin;
	// Check overrides it and Stream ignores it.
	Write bool
}

// Result is the outcome for one file that parsed.
type Result struct {
	// Path is the file's cleaned path, as given or as found under a
	// directory argument; StdinName for Stream.
	Path string
	// Changed reports whether formatting changes the file's text (and, with
	// Options.Write, that the file was rewritten).
	Changed bool
	// Diff is the unified diff from the file to its formatted text, with
	// "--- a/PATH" and "+++ b/PATH" headers. It is empty unless Options.Diff
	// is set and Changed is true.
	Diff string
}

// Paths formats the files named by paths. A directory stands for the *.hcl
// files directly inside it, or anywhere below it with opts.Recursive
// (hidden directories are skipped, and so are symlinks); a file is
// formatted whatever its extension. Pass "." for the current directory and
// use Stream for "-".
//
// Files are processed once each, in sorted order, and with opts.Write
// (unless opts.Check) each changed file is rewritten atomically, keeping its
// mode. Paths returns a Result for every file that parsed; a file with
// syntax errors is left alone and its diagnostics are returned with those of
// the other files. A missing path is an error before any file is read; an
// I/O error on one file does not stop the others, and all of them are
// joined in the returned error.
func Paths(opts Options, paths []string) ([]Result, hcl.Diagnostics, error) {
	files, err := expand(paths, opts.Recursive)
	if err != nil {
		return nil, nil, err
	}
	var (
		results []Result
		diags   hcl.Diagnostics
		errs    []error
	)
	for _, path := range files {
		res, fileDiags, err := formatFile(opts, path)
		diags = append(diags, fileDiags...)
		switch {
		case err != nil:
			errs = append(errs, err)
		case !fileDiags.HasErrors():
			results = append(results, res)
		}
	}
	return results, diags, errors.Join(errs...)
}

// expand turns path arguments into the sorted, de-duplicated list of files
// to format.
func expand(paths []string, recursive bool) ([]string, error) {
	var files []string
	for _, path := range paths {
		found, err := expandPath(path, recursive)
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

// expandPath returns path itself if it is a file, or the spec files in it if
// it is a directory.
func expandPath(path string, recursive bool) ([]string, error) {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, pathError("read", path, err)
	case !info.IsDir():
		return []string{filepath.Clean(path)}, nil
	case recursive:
		return walkDir(path)
	default:
		return readDir(path)
	}
}

// readDir returns the spec files directly inside dir.
func readDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, pathError("read", dir, err)
	}
	var files []string
	for _, entry := range entries {
		if isSpec(entry) {
			files = append(files, filepath.Join(dir, entry.Name()))
		}
	}
	return files, nil
}

// walkDir returns the spec files anywhere below root, skipping hidden
// directories other than root itself.
func walkDir(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return pathError("read", path, err)
		case entry.IsDir() && path != root && strings.HasPrefix(entry.Name(), "."):
			return filepath.SkipDir
		case isSpec(entry):
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

// isSpec reports whether a directory entry is a spec file: a regular file
// named *.hcl. Symlinks are not followed, so a directory walk never
// formats a file outside the tree or twice.
func isSpec(entry fs.DirEntry) bool {
	return entry.Type().IsRegular() && strings.HasSuffix(entry.Name(), ".hcl")
}

// formatFile formats one file and, if asked to and it changed, rewrites it.
func formatFile(opts Options, path string) (Result, hcl.Diagnostics, error) {
	src, mode, err := readFile(path)
	if err != nil {
		return Result{}, nil, err
	}
	out, diags := Source(path, src)
	if diags.HasErrors() {
		return Result{}, diags, nil
	}
	res, err := newResult(opts, path, src, out)
	if err != nil {
		return Result{}, diags, err
	}
	if res.Changed && opts.Write && !opts.Check {
		if err := writeFile(path, out, mode); err != nil {
			return Result{}, diags, err
		}
	}
	return res, diags, nil
}

// newResult compares a file's text before and after formatting.
func newResult(opts Options, path string, before, after []byte) (Result, error) {
	res := Result{Path: path, Changed: !bytes.Equal(before, after)}
	if !opts.Diff || !res.Changed {
		return res, nil
	}
	diff, err := unifiedDiff(path, before, after)
	if err != nil {
		return Result{}, err
	}
	res.Diff = diff
	return res, nil
}

// readFile returns the contents and mode of the file at path.
func readFile(path string) ([]byte, fs.FileMode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, pathError("read", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, pathError("read", path, err)
	}
	src, err := io.ReadAll(f)
	if err != nil {
		return nil, 0, pathError("read", path, err)
	}
	return src, info.Mode(), nil
}

// writeFile replaces the file at path with data, keeping mode's permission
// bits. It writes a temporary file in the same directory and renames it over
// the original, so a reader sees either the old or the new text, never a
// mix. A symlink is resolved first, so the link stays and its target is
// rewritten.
func writeFile(path string, data []byte, mode fs.FileMode) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return pathError("write", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return pathError("write", path, err)
	}
	err = fillTemp(tmp, data, mode&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
	if err == nil {
		err = os.Rename(tmp.Name(), target)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return pathError("write", path, err)
	}
	return nil
}

// fillTemp writes data to f, sets its mode, flushes it to disk and closes
// it.
func fillTemp(f *os.File, data []byte, mode fs.FileMode) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// pathError wraps err as "op path: reason". An *fs.PathError is unwrapped
// first so that its own copy of the path is not repeated; errors.Is still
// matches the reason, such as fs.ErrNotExist.
func pathError(op, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s %s: %w", op, path, err)
}
