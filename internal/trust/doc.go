// Package trust decides whether a file drover reads its settings from or
// runs (the config file, an external plugin) can be trusted, the way ssh's
// StrictModes decides for a key: the file and every directory above it
// must belong to the user or to root and be writable by nobody else, so
// that no other user can change or replace what drover runs.
package trust
