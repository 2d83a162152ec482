package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/drover/drover/controller/api"
)

// isUnix says whether a listen address is a unix socket path.
func isUnix(addr string) bool {
	return strings.HasPrefix(addr, "unix://") || strings.ContainsRune(addr, '/')
}

func socketPath(addr string) string { return strings.TrimPrefix(addr, "unix://") }

// maxSocketPath is what sockaddr_un holds on Linux, less the final NUL.
const maxSocketPath = 107

// MinTokenLength is the shortest bearer token the daemon takes.
const MinTokenLength = 16

// checkToken says what is wrong with the API token of a daemon listening
// on addr, never echoing it: TCP needs one, and a token must be at least
// MinTokenLength characters with no spaces or control characters (a
// blank one, or one a header cannot carry, protects nothing).
func checkToken(addr, token string) error {
	if token == "" {
		if !isUnix(addr) {
			return fmt.Errorf("listen %s: the API on TCP needs a bearer token: set --token or DROVER_TOKEN (or listen on a unix socket)", addr)
		}
		return nil
	}
	if strings.IndexFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return errors.New("the API token (--token or DROVER_TOKEN) holds spaces or control characters; use a random string, e.g. from `openssl rand -hex 32`")
	}
	if n := utf8.RuneCountInString(token); n < MinTokenLength {
		return fmt.Errorf("the API token (--token or DROVER_TOKEN) is %d characters long; it must have at least %d, e.g. from `openssl rand -hex 32`", n, MinTokenLength)
	}
	return nil
}

// listen binds the API's address, capping its connections at
// lim.MaxConns. A unix socket left by a daemon that died is replaced; one
// that a live process serves is refused.
func listen(addr string, lim api.Limits) (net.Listener, error) {
	l, err := bind(addr)
	if err != nil {
		return nil, err
	}
	return lim.Listener(l), nil
}

func bind(addr string) (net.Listener, error) {
	if !isUnix(addr) {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("listen %s: %w", addr, err)
		}
		return l, nil
	}
	path := socketPath(addr)
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("listen %s: a unix socket path may be at most %d bytes; choose a shorter --listen", path, maxSocketPath)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("listen %s: %w", path, err)
	}
	if err := clearStaleSocket(path); err != nil {
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("listen %s: %w", path, err)
	}
	return l, nil
}

func clearStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listen %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("listen %s: the path exists and is not a socket; not touching it", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("listen %s: another process serves this socket (another drover daemon?)", path)
	}
	return os.Remove(path)
}

// removeSocket removes the socket file of a unix listen address.
func removeSocket(addr string) error {
	if !isUnix(addr) {
		return nil
	}
	if err := os.Remove(socketPath(addr)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
