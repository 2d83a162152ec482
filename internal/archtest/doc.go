// Package archtest holds the test that keeps drover's packages in their
// rooms: a table of dependency rules (docs/architecture.md explains each)
// checked against what `go list` says every package imports.
package archtest
