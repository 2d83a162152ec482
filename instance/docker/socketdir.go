package docker

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/drover/drover/internal/trust"
)

// NodesDirName is the directory under drover's data directory where node
// containers' engine sockets appear unless socket_dir says otherwise:
// <data-dir>/nodes/<name>/docker.sock.
const NodesDirName = "nodes"

// ensureSocketDir makes the socket directory exist (mode 0700, as are the
// parents it makes) and checks that no one but this user can change what
// is in it, as ssh checks a key's directory: whoever can swap a node's
// socket directory gets drover's engine calls, swarm join tokens
// included. The directory must be a directory, not a symbolic link, owned
// by this user and writable by no one else; drover's own (the default)
// must be exactly 0700. Every directory above it must be owned by this
// user or root and, if others may write to it, sticky (as /tmp is).
func (p *Plugin) ensureSocketDir() error {
	if err := os.MkdirAll(p.socketDir, 0o700); err != nil {
		return err
	}
	return checkPrivateDir(p.socketDir, !p.socketDirSet)
}

// checkPrivateDir checks dir and the directories above it (see
// ensureSocketDir); exact requires mode 0700.
func checkPrivateDir(dir string, exact bool) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link; name the directory itself", dir)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if uid := trust.Owner(fi); uid != os.Getuid() {
		return fmt.Errorf("%s is owned by uid %d, not by this user (uid %d)", dir, uid, os.Getuid())
	}
	perm := fi.Mode().Perm()
	if exact && perm != 0o700 {
		return fmt.Errorf("%s has mode %04o; drover's socket directory must be 0700 (chmod 700 it)", dir, perm)
	}
	if perm&0o022 != 0 {
		return fmt.Errorf("%s has mode %04o: group or others can write to it", dir, perm)
	}
	// The directories above it: owned by this user or root, and sticky
	// where others may write (as for plugin directories).
	if err := trust.Path(dir); err != nil {
		return fmt.Errorf("socket directory %s: %w", dir, err)
	}
	return nil
}
