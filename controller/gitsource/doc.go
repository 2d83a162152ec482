// Package gitsource is drover's git layer for GitOps: it asks a remote which
// commit a branch or tag points at (Head), fetches that one commit shallowly
// into a per-source cache (Fetch) and hands back its tree as a bounded,
// in-memory io/fs.FS (Snapshot).
//
// Transports are go-git's. https/http use basic auth with Auth.Token, ssh
// uses Auth.SSHKey. file:// URLs are served by go-git's file transport,
// which does not run in process: it execs git-upload-pack (found through
// `git --exec-path`, so a git installation is needed on the host for
// file:// sources only). Shallow (depth 1) fetches work over it, so file://
// is fetched shallowly like the other schemes.
//
// A commit is fetched by fetching its ref (branch or tag) at depth 1; when
// the ref has moved on since Head, the commit is asked for by id, which only
// remotes advertising allow-tip/allow-reachable-sha1-in-want serve
// (ErrCommitNotFound otherwise).
//
// Secrets (Auth's values, a URL's userinfo) never appear in an error.
package gitsource
