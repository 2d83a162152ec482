package api

import (
	"errors"
	"time"
)

// DefaultStack is the stack of an apply or destroy that names none.
const DefaultStack = "default"

// SourceSpec is a git source as drover source add sends it. Its secrets
// (SSHKey, Token, WebhookSecret and Env's values) are read by the client
// from the files and environment the user named, and are never returned
// by the API, logged, or stored in a revision.
type SourceSpec struct {
	// Name names the source and its stack: [a-z0-9][a-z0-9_-]{0,62}.
	Name string `json:"name"`
	// URL is the repository: https://, ssh:// or user@host:path, or
	// file:// (a repository on the daemon's host). Credentials in it are
	// refused: use SSHKey or Token.
	URL string `json:"url"`
	// Branch or Tag is what is followed; neither: the branch main.
	Branch string `json:"branch,omitempty"`
	Tag    string `json:"tag,omitempty"`
	// Path is the directory of the repository whose *.hcl files are the
	// spec. Default: the repository's root.
	Path string `json:"path,omitempty"`
	// Interval is how often the remote's head is asked for. Default 1m,
	// at least 10s.
	Interval time.Duration `json:"interval,omitempty"`
	// Timeout bounds one poll: asking for the head, fetching, loading.
	// Default 60s.
	Timeout time.Duration `json:"timeout,omitempty"`
	// Prune retires the groups and removes the services that leave the
	// source. Without it they are orphaned: kept as last applied, and
	// reported.
	Prune bool `json:"prune,omitempty"`
	// Env are the only environment variables the source's specs may read
	// with env(), with their values. Secret.
	Env map[string]string `json:"env,omitempty"`
	// SSHKey is a PEM private key for ssh:// URLs. Secret.
	SSHKey string `json:"ssh_key,omitempty"`
	// Token is an HTTPS access token. Secret.
	Token string `json:"token,omitempty"`
	// WebhookSecret verifies the source's webhook deliveries (POST
	// /hooks/NAME on the daemon's webhook listener); empty: the source
	// takes none. Secret.
	WebhookSecret string `json:"webhook_secret,omitempty"`
	// Notify is a URL that is POSTed a JSON SourceNotice when a commit is
	// applied, fails or is held. Optional.
	Notify string `json:"notify,omitempty"`
}

// SourceInfo is what the API shows of a source: its settings without
// their secrets, and its state.
type SourceInfo struct {
	Name     string        `json:"name"`
	URL      string        `json:"url"`
	Branch   string        `json:"branch,omitempty"`
	Tag      string        `json:"tag,omitempty"`
	Path     string        `json:"path,omitempty"`
	Interval time.Duration `json:"interval"`
	Timeout  time.Duration `json:"timeout"`
	Prune    bool          `json:"prune"`
	// EnvNames are the names of Env; their values are never shown.
	EnvNames []string `json:"env_names,omitempty"`
	// Auth is "ssh-key", "token" or "" (none).
	Auth      string `json:"auth,omitempty"`
	Webhook   bool   `json:"webhook"`
	Notify    bool   `json:"notify"`
	Suspended bool   `json:"suspended"`
	// Added is when the source was added.
	Added  time.Time    `json:"added"`
	Status SourceStatus `json:"status"`
}

// Source states.
const (
	SourceReady     = "ready"     // the newest commit is applied
	SourceFailed    = "failed"    // the newest commit (or the fetch) failed; an older one may be applied
	SourceHeld      = "held"      // the newest commit would prune too much: sync --allow-prune applies it
	SourceSuspended = "suspended" // not polled
	SourcePending   = "pending"   // not polled yet
)

// SourceStatus is what a source last did.
type SourceStatus struct {
	State string `json:"state"`
	// Seen is the newest commit the remote's ref pointed at.
	Seen string `json:"seen,omitempty"`
	// Applied is the commit of the source's stack's current revision, and
	// Revision that revision.
	Applied  string `json:"applied,omitempty"`
	Revision int64  `json:"revision,omitempty"`
	// LastFetch is when the remote was last asked; LastError why the last
	// poll failed (a load error names file:line), empty after a success.
	LastFetch time.Time `json:"last_fetch,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	// Held is the commit held, and why, when State is held.
	Held       string `json:"held,omitempty"`
	HeldReason string `json:"held_reason,omitempty"`
	// Orphans are the resources that left the source without prune:
	// kept as last applied, no longer following git.
	Orphans []string `json:"orphans,omitempty"`
}

// SyncRequest asks a source to poll now and apply what it finds.
type SyncRequest struct {
	// AllowPrune applies a held commit: its removals are confirmed.
	AllowPrune bool `json:"allow_prune,omitempty"`
}

// RemoveSourceRequest removes a source.
type RemoveSourceRequest struct {
	// Destroy also destroys the source's stack. Without it, a source whose
	// stack still declares resources is not removed.
	Destroy bool `json:"destroy,omitempty"`
}

// SourceNotice is the body POSTed to a source's Notify URL.
type SourceNotice struct {
	Source   string    `json:"source"`
	Event    string    `json:"event"` // the event's kind: "applied", "apply_failed" or "held"
	Commit   string    `json:"commit"`
	Revision int64     `json:"revision,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Time     time.Time `json:"time"`
}

// CommitInfo is the git commit a revision was applied from.
type CommitInfo struct {
	Source  string `json:"source"`
	SHA     string `json:"sha"`
	Author  string `json:"author,omitempty"`
	Message string `json:"message,omitempty"`
}

// StackInfo is one stack of the desired state: the revision that last
// changed it and what it declares.
type StackInfo struct {
	Name      string      `json:"name"`
	Revision  int64       `json:"revision"`
	Commit    *CommitInfo `json:"commit,omitempty"`
	Resources []string    `json:"resources"`
	// Orphans are resources kept without their source declaring them.
	Orphans []string `json:"orphans,omitempty"`
}

// ErrSourceExists is returned when adding a source whose name is taken.
var ErrSourceExists = errors.New("a source of that name exists")
