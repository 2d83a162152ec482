// Package gittest builds local bare git repositories for tests of
// gitsource and its callers: commits and tags are written with go-git, in
// process (no git CLI). It is only for tests.
package gittest
