// Package datadir says where drover keeps its state when nobody said: the
// one definition of the default data directory, for the CLI and for the
// built-in plugins that keep files there.
package datadir
