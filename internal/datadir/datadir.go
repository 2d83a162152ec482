package datadir

import (
	"errors"
	"path/filepath"
)

// EnvVar names the data directory in the environment (the --data-dir
// setting's variable).
const EnvVar = "DROVER_DATA_DIR"

// ErrNone is Default's error when the environment names no directory.
var ErrNone = errors.New("no data directory: set --data-dir (or " + EnvVar + ", XDG_DATA_HOME or HOME)")

// Default is drover's data directory by the environment lookupEnv reads:
// $DROVER_DATA_DIR, else $XDG_DATA_HOME/drover, else
// $HOME/.local/share/drover. Relative values are passed over, so that the
// working directory never decides where drover's state lives.
func Default(lookupEnv func(string) (string, bool)) (string, error) {
	if d, ok := lookupEnv(EnvVar); ok && filepath.IsAbs(d) {
		return d, nil
	}
	if d, ok := lookupEnv("XDG_DATA_HOME"); ok && filepath.IsAbs(d) {
		return filepath.Join(d, "drover"), nil
	}
	if h, ok := lookupEnv("HOME"); ok && filepath.IsAbs(h) {
		return filepath.Join(h, ".local", "share", "drover"), nil
	}
	return "", ErrNone
}
