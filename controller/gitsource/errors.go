package gitsource

import (
	"errors"
	"strings"
)

var (
	// ErrRefNotFound is returned when the branch or tag does not exist on
	// the remote (an empty remote has no branch either).
	ErrRefNotFound = errors.New("gitsource: ref not found on the remote")
	// ErrCommitNotFound is returned when the commit asked for is neither
	// the ref's head nor served by id by the remote.
	ErrCommitNotFound = errors.New("gitsource: commit not found on the remote")
	// ErrNotFollowed is the error of opening a symlink or a submodule in
	// a Snapshot's FS: they are not followed.
	ErrNotFollowed = errors.New("not followed by gitsource")
	// ErrTooLarge is returned (wrapped, naming the bound) when a tree is
	// over one of Options' bounds.
	ErrTooLarge = errors.New("gitsource: tree over a bound")
)

// AuthError is returned when the remote refuses the credentials (or asks
// for some when none were given), or when they are not usable.
type AuthError struct {
	// Reason is why, free of any secret.
	Reason string
	err    error
}

func (e *AuthError) Error() string { return "gitsource: authentication failed: " + e.Reason }

// Unwrap returns the transport's error (already free of secrets).
func (e *AuthError) Unwrap() error { return e.err }

// redactedError is an error whose text had secrets replaced. It does not
// unwrap to the original (whose text holds them) but answers errors.Is for
// it (context.Canceled, go-git's sentinels).
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

// scrub returns err with every secret in its text replaced by "[redacted]".
func scrub(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := msg
	for _, s := range secrets {
		if s != "" {
			clean = strings.ReplaceAll(clean, s, "[redacted]")
		}
	}
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

// secretsOf lists the strings of r that must never appear in an error:
// the token, the key and its lines, the URL's userinfo.
func secretsOf(r Remote) []string {
	s := []string{r.Auth.Token}
	if len(r.Auth.SSHKey) > 0 {
		s = append(s, string(r.Auth.SSHKey))
		for _, line := range strings.Split(string(r.Auth.SSHKey), "\n") {
			line = strings.TrimSpace(line)
			if len(line) >= 8 && !strings.HasPrefix(line, "-----") {
				s = append(s, line)
			}
		}
	}
	if ui := userinfo(r.URL); strings.Contains(ui, ":") || (ui != "" && strings.HasPrefix(strings.ToLower(r.URL), "http")) {
		s = append(s, ui)
	}
	return s
}
