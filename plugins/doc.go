// Package plugins connects drover to its plugins: the registry of what each
// plugin declares (starting with the built-ins) and, in sub-packages, the
// typed errors and transport they share.
package plugins
