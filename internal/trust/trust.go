package trust

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// UntrustedError says why a path cannot be trusted. It names the path
// and its mode or owner, never the file's contents.
type UntrustedError struct {
	Path   string      // the file or directory at fault
	Mode   fs.FileMode // its mode
	Owner  int         // its owner's uid, -1 where unknown
	Reason string
}

func (e *UntrustedError) Error() string {
	return fmt.Sprintf("%s (mode %04o, owner uid %d) %s", e.Path, e.Mode.Perm(), e.Owner, e.Reason)
}

// Path checks path (followed through symlinks) and each directory above
// it up to the root, and the directory path itself sits in (for a
// symlink: where the link is): each must be owned by the user running
// drover or by root, and not writable by group or others. A directory
// writable by others but sticky (/tmp) passes: others cannot replace
// what they do not own in it. It returns an *UntrustedError, or the
// error of a path that cannot be looked at.
func Path(path string) error { return check(path, os.Getuid()) }

func check(path string, uid int) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return err
	}
	if err := checkChain(real, uid); err != nil {
		return err
	}
	// Where the path itself sits: the same directories as above unless
	// the path is a symbolic link (whoever can replace the link can
	// change what it names).
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil || dir == filepath.Dir(real) {
		return err
	}
	return checkChain(dir, uid)
}

// checkChain checks path and every directory above it.
func checkChain(path string, uid int) error {
	for p := path; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if err := checkOne(p, fi, uid); err != nil {
			return err
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

func checkOne(path string, fi fs.FileInfo, uid int) error {
	owner := Owner(fi)
	bad := func(reason string) error {
		return &UntrustedError{Path: path, Mode: fi.Mode(), Owner: owner, Reason: reason}
	}
	if owner >= 0 && owner != uid && owner != 0 {
		return bad(fmt.Sprintf("belongs to another user: only files and directories of uid %d or root are trusted", uid))
	}
	sticky := fi.IsDir() && fi.Mode()&fs.ModeSticky != 0
	if fi.Mode().Perm()&0o022 != 0 && !sticky {
		why := "is writable by its group or others"
		if fi.IsDir() {
			why += " and not sticky"
		}
		return bad(fmt.Sprintf("%s: run chmod go-w %s", why, path))
	}
	return nil
}
