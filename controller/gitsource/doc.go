// Package gitsource is drover's git layer for GitOps: it asks a remote which
// commit a branch or tag points at (Head), fetches that one commit shallowly
// into a per-source cache (Fetch) and hands back its tree as a bounded,
// in-memory io/fs.FS (Snapshot).
//
// Transports are go-git's. https/http use basic auth with Auth.Token, ssh
// uses Auth.SSHKey with host keys checked against Options.SSHKnownHosts (or
// go-git's default known_hosts files).
//
// file:// is served by go-git's file transport, which does not run in
// process: it execs git-upload-pack (found through `git --exec-path`), so
// file:// sources need a git installation on the daemon's host. Shallow
// (depth 1) fetches work over it, so file:// is fetched shallowly like the
// other schemes; no full-fetch fallback is needed.
//
// A commit is fetched by fetching its ref (branch or tag) at depth 1. When
// the ref has moved on since Head, the commit is asked for by id, which
// only remotes advertising allow-tip-sha1-in-want or
// allow-reachable-sha1-in-want serve (git-upload-pack does not by default):
// ErrCommitNotFound otherwise, and the caller asks Head again.
//
// ctx aborts every remote call. go-git's ssh transport connects and shakes
// hands without a context, so ssh connections are dialed through a private
// proxy scheme (see sshdial.go) that closes them when ctx ends.
//
// Secrets (Auth's values, a URL's userinfo) never appear in an error.
//
// Limits: the size of what a remote sends is bounded only by the caller's
// ctx deadline (go-git offers no pack-size limit); snapshots are bounded by
// Options. A source's cache keeps every commit it fetched until Forget.
package gitsource
