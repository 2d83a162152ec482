package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/gitsource"
	"github.com/drover/drover/controller/store"
	"github.com/drover/drover/specs"
)

// outcome is what one poll of a source came to.
type outcome struct {
	state    string // api.SourceReady, SourceFailed or SourceHeld
	seen     string // the head commit, when the remote answered
	err      error  // why it failed
	held     string // why the commit is held
	revision int64  // the revision recorded, if one was
	commit   *gitsource.Commit
}

// poll asks src's remote for its head and, when it is not the commit its
// stack serves, fetches, loads and applies it; allowPrune applies the
// commit the prune guard holds (only that one: a newer commit is judged
// anew). One poll runs at a time per source.
func (d *Daemon) poll(ctx context.Context, src *source, allowPrune bool) {
	src.pollMu.Lock()
	defer src.pollMu.Unlock()
	if d.sources.get(src.config().Name) != src {
		return // removed meanwhile
	}
	cfg := src.config()
	pctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	out := d.pollOnce(pctx, cfg, src, allowPrune)
	outcome, at := sourceEvents[out.state], time.Time{}
	switch {
	case out.revision != 0:
		at = d.opts.Clock.Now()
	case out.state == api.SourceReady:
		outcome = "unchanged"
	}
	d.metrics.SourcePolled(cfg.Name, outcome, at)
	d.report(ctx, src, out)
}

func (d *Daemon) pollOnce(ctx context.Context, cfg sourceConfig, src *source, allowPrune bool) outcome {
	head, err := d.git.Head(ctx, cfg.remote())
	src.mu.Lock()
	src.status.LastFetch = d.opts.Clock.Now().UTC()
	src.mu.Unlock()
	if err != nil {
		return outcome{state: api.SourceFailed, err: fmt.Errorf("ask %s for %s: %w", gitsource.Redact(cfg.URL), cfg.ref(), err)}
	}
	out := outcome{seen: head}
	applied, err := d.appliedCommit(ctx, cfg.Name)
	if err != nil {
		out.state, out.err = api.SourceFailed, err
		return out
	}
	if head == applied {
		out.state = api.SourceReady
		return out
	}
	snap, err := d.git.Fetch(ctx, cfg.Name, cfg.remote(), head)
	if err != nil {
		out.state, out.err = api.SourceFailed, fmt.Errorf("fetch commit %s: %w", shortSHA(head), err)
		return out
	}
	out.commit = &snap.Commit
	src.mu.Lock()
	allowPrune = allowPrune && src.status.State == api.SourceHeld && src.status.Held == head // the commit confirmed, not a newer one
	src.mu.Unlock()
	return d.applyCommit(ctx, cfg, snap, allowPrune, out)
}

// appliedCommit is the commit the source's stack serves; "" for none.
func (d *Daemon) appliedCommit(ctx context.Context, name string) (string, error) {
	n, ok := d.state.Load().stacks[name]
	if !ok {
		return "", nil
	}
	rec, err := d.store.Head(ctx, n)
	if err != nil || rec.Commit == nil {
		return "", err
	}
	return rec.Commit.SHA, nil
}

// applyCommit loads the commit of snap and records it as the source's
// stack, unless it does not load, a plugin refuses it, or the prune guard
// holds it.
func (d *Daemon) applyCommit(ctx context.Context, cfg sourceConfig, snap *gitsource.Snapshot, allowPrune bool, out outcome) outcome {
	spec, bundle, err := d.loadCommit(cfg, snap.FS)
	if err != nil {
		out.state, out.err = api.SourceFailed, fmt.Errorf("commit %s: %w", shortSHA(snap.Commit.SHA), err)
		return out
	}
	d.changeMu.Lock()
	defer d.changeMu.Unlock()
	cur := d.state.Load()
	prev := cur.byStack[cfg.Name]
	if prev == nil {
		prev = &specs.Spec{}
	}
	gone := departed(prev, spec)
	msg := bounded(strings.TrimSpace(snap.Commit.Message), maxSourceMessage)
	rec := store.Record{Kind: api.KindApply, Stack: cfg.Name, Bundle: bundle, Author: snap.Commit.Author, Message: msg,
		Commit: &store.Commit{Source: cfg.Name, SHA: snap.Commit.SHA, Author: snap.Commit.Author, Message: msg}}
	switch {
	case len(gone) > 0 && !cfg.Prune:
		rec.Carried, rec.CarriedFrom = gone, cur.stacks[cfg.Name]
		spec = carry(spec, prev, gone)
	case len(gone) > 0 && !allowPrune:
		if why := pruneGuard(prev, spec, gone); why != "" {
			out.state, out.held = api.SourceHeld, why
			return out
		}
	}
	resp, err := d.recordLocked(ctx, rec, spec)
	if err != nil {
		out.state, out.err = api.SourceFailed, fmt.Errorf("commit %s: %w", shortSHA(snap.Commit.SHA), err)
		return out
	}
	out.state, out.revision = api.SourceReady, resp.Revision.Number
	return out
}

// loadCommit loads the spec of a commit's tree: confined to it, with the
// source's environment, refusing what the daemon would not serve. A
// directory without spec files is an empty spec.
func (d *Daemon) loadCommit(cfg sourceConfig, fsys fs.FS) (*specs.Spec, specs.Bundle, error) {
	if files, err := fs.Glob(fsys, path.Join(cfg.Path, "*.hcl")); err == nil && len(files) == 0 {
		return &specs.Spec{}, specs.Bundle{}, nil
	}
	spec, bundle, err := d.loader.CaptureFS(fsys, cfg.Path, cfg.Env)
	if err != nil {
		return nil, specs.Bundle{}, err
	}
	if err := spec.RefuseUnimplemented(); err != nil {
		return nil, specs.Bundle{}, err
	}
	sealed := bundle.Seal(spec.SecretSources())
	for _, w := range sealed.Withheld {
		if w.Kind == "file" {
			return nil, specs.Bundle{}, fmt.Errorf("%s holds a secret: a secret in a repository is not kept secret; read it with env() from a variable the source names (drover source add --env)", w.Name)
		}
	}
	return spec, sealed, nil
}

// pruneGuard says why a commit that removes gone from prev, leaving next,
// must be confirmed: it removes more than half of what the stack runs,
// or all of it. "" when it need not be.
func pruneGuard(prev, next *specs.Spec, gone []string) string {
	had := len(managed(prev))
	switch {
	case len(managed(next)) == 0:
		return fmt.Sprintf("it removes everything the source runs (%d resources)", had)
	case 2*len(gone) > had:
		return fmt.Sprintf("it removes %d of the %d resources the source runs: %s", len(gone), had, strings.Join(gone, ", "))
	}
	return ""
}

func bounded(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// report records a poll's outcome in src's status, and announces a change
// of state (or of error) with an event and a notification.
func (d *Daemon) report(ctx context.Context, src *source, out outcome) {
	src.mu.Lock()
	prev := src.status
	st := prev
	st.State = out.state
	if out.seen != "" {
		st.Seen = out.seen
	}
	st.LastError, st.Held, st.HeldReason = "", "", ""
	if out.err != nil {
		st.LastError = out.err.Error()
	}
	if out.held != "" {
		st.Held, st.HeldReason = out.seen, out.held
	}
	src.status = st
	cfg := src.cfg
	src.mu.Unlock()
	if out.revision == 0 && st.State == prev.State && st.LastError == prev.LastError && st.Held == prev.Held {
		return // events on changes only
	}
	if errors.Is(ctx.Err(), context.Canceled) && out.err != nil {
		return // the daemon is stopping: not news
	}
	d.announceSource(ctx, cfg, st, out)
}
