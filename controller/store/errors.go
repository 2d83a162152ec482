package store

import (
	"errors"
	"fmt"
	"path/filepath"
)

// ErrNotFound is matched (errors.Is) by the error of Get for a revision the
// store does not hold, and of PutSource for a source it does not hold.
var ErrNotFound = errors.New("not found")

// LockedError is returned by Open when another process holds the store.
type LockedError struct {
	// Path is the store file; the message names its directory, the data dir.
	Path string
	// PID is the holder's process id, read from the store's pid file; 0
	// when unknown.
	PID int
}

func (e *LockedError) Error() string {
	who := "another drover daemon"
	if e.PID != 0 {
		who = fmt.Sprintf("%s (pid %d)", who, e.PID)
	}
	return fmt.Sprintf("data dir %s is in use by %s: stop it, or give this one another --data-dir",
		filepath.Dir(e.Path), who)
}

// CorruptError is returned when the file cannot be read as a drover store.
// The file is never modified when this is returned.
type CorruptError struct {
	// Path is the store file.
	Path string
	// Err is the cause.
	Err error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("store %s is unreadable (%v); it was left as it is for inspection: move it aside to start with an empty store",
		e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }
