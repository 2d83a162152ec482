package external

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/drover/drover/internal/trust"
)

// BinaryPrefix starts the file name of every external plugin:
// drover-plugin-<name> serves the plugins called <name>.
const BinaryPrefix = "drover-plugin-"

// DirName is the plugin directory under drover's data directory, the
// default of --plugin-dir.
const DirName = "plugins"

// Discover returns the plugin binaries by name: every executable regular
// file (or symlink to one) named drover-plugin-<name> in dir, then the
// binaries of explicit (name to path, from the drover config file), which
// win over the directory's. Other files of dir are ignored; a dir that
// does not exist holds no plugins. An explicit path must be an executable
// regular file, or Discover fails naming it.
//
// drover runs what it finds, so it trusts only what no other user can
// change (see package trust): the plugin directory, each plugin binary
// (through its symlinks) and every directory above them must belong to
// the user or root and be writable by nobody else. Discover fails naming
// the path and its mode otherwise, as ssh refuses a key others can write.
func Discover(dir string, explicit map[string]string) (map[string]string, error) {
	found, err := discoverDir(dir)
	if err != nil {
		return nil, err
	}
	for name, path := range explicit {
		if !validName(name) {
			return nil, fmt.Errorf("plugin %q: a name is letters, digits, _ and -", name)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("plugin %q: %w", name, err)
		}
		if err := executable(abs); err != nil {
			return nil, fmt.Errorf("plugin %q: %w", name, err)
		}
		if err := trust.Path(abs); err != nil {
			return nil, fmt.Errorf("plugin %q: refusing to run it: %w", name, err)
		}
		found[name] = abs
	}
	return found, nil
}

// discoverDir returns the plugin binaries of dir by name.
func discoverDir(dir string) (map[string]string, error) {
	found := map[string]string{}
	if dir == "" {
		return found, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return found, nil
	}
	if err != nil {
		return nil, fmt.Errorf("plugin directory: %w", err)
	}
	if err := trust.Path(dir); err != nil {
		return nil, fmt.Errorf("plugin directory: refusing its plugins: %w", err)
	}
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), BinaryPrefix)
		if !ok || !validName(name) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if executable(path) != nil {
			continue
		}
		if err := trust.Path(path); err != nil {
			return nil, fmt.Errorf("plugin %q: refusing to run it: %w", name, err)
		}
		found[name] = path
	}
	return found, nil
}

// executable says why path is not an executable regular file, or nil.
func executable(path string) error {
	fi, err := os.Stat(path) // follows symlinks
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not executable", path)
	}
	return nil
}

// validName is a plugin name as specs write it: a non-empty run of
// letters, digits, '_' and '-'.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		ok := r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}
