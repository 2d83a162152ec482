package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/controller/store"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

var _ api.Backend = (*Daemon)(nil)

// Apply implements api.Backend: the bundle's spec replaces its stack.
func (d *Daemon) Apply(ctx context.Context, req api.ApplyRequest) (api.ApplyResponse, error) {
	stack := cmp.Or(req.Stack, api.DefaultStack)
	if err := d.handApplicable(stack); err != nil {
		return api.ApplyResponse{}, err
	}
	spec, err := d.loadClientBundle(req.Bundle)
	if err != nil {
		return api.ApplyResponse{}, err
	}
	// The store never holds a secret: the variables and files that carry
	// one are withheld, and read from the daemon's host when the revision
	// is loaded again (a restart, a rollback).
	sealed := req.Bundle.Seal(spec.SecretSources())
	for _, w := range sealed.Withheld {
		if w.Kind == "file" && !filepath.IsAbs(w.Name) {
			// Read again from the daemon's working directory, it would
			// be another file.
			return api.ApplyResponse{}, &api.InvalidError{Err: fmt.Errorf("file %s holds a secret and must be withheld, but the bundle does not say which directory its relative paths are in (dir): send an absolute path, or the directory", w.Name)}
		}
	}
	return d.record(ctx, store.Record{Kind: api.KindApply, Stack: stack, Bundle: sealed, Author: req.Author, Message: req.Message}, spec)
}

// errClientWithheld refuses a bundle that names withheld entries: only the
// daemon withholds (Seal, before it stores a bundle), and loading such a
// bundle would read the daemon host's files and environment for a client.
var errClientWithheld = errors.New("the bundle lists withheld entries: only the daemon withholds secrets; send the spec's values in the bundle (drover plan and apply capture them)")

// loadClientBundle loads a bundle a client sent, refusing what the daemon
// would not act on (blocks no code implements yet).
func (d *Daemon) loadClientBundle(b specs.Bundle) (*specs.Spec, error) {
	if len(b.Withheld) > 0 {
		return nil, &api.InvalidError{Err: errClientWithheld}
	}
	spec, err := d.loader.LoadBundle(b)
	if err != nil {
		return nil, err
	}
	return spec, spec.RefuseUnimplemented()
}

// Rollback implements api.Backend: revision N's stack as N left it,
// recorded anew.
func (d *Daemon) Rollback(ctx context.Context, req api.RollbackRequest) (api.ApplyResponse, error) {
	old, err := d.store.Get(ctx, req.Revision)
	if errors.Is(err, store.ErrNotFound) {
		return api.ApplyResponse{}, fmt.Errorf("revision %d: %w", req.Revision, api.ErrNotFound)
	}
	if err != nil {
		return api.ApplyResponse{}, err
	}
	stack := stackOf(old)
	if err := d.pinnable(stack, "roll it back"); err != nil {
		return api.ApplyResponse{}, err
	}
	rec := store.Record{Kind: api.KindRollback, Stack: stack, RollbackOf: old.Number, Author: req.Author, Message: req.Message}
	if _, ok := stacksOf(old)[stack]; !ok { // it removed the stack
		rec.Kind = api.KindDestroy
		return d.record(ctx, rec, nil)
	}
	rec.Bundle, rec.Commit, rec.Carried, rec.CarriedFrom = old.Bundle, old.Commit, old.Carried, old.CarriedFrom
	if old.Kind == api.KindDestroy {
		rec.Kind, rec.Resources = api.KindDestroy, old.Resources
	}
	d.changeMu.Lock()
	defer d.changeMu.Unlock()
	spec, err := d.reload(ctx, old)
	if err == nil {
		err = spec.RefuseUnimplemented()
	}
	if err != nil {
		return api.ApplyResponse{}, &api.InvalidError{Err: err}
	}
	return d.recordLocked(ctx, rec, spec)
}

// Destroy implements api.Backend: a stack removed, every group of it
// retired; or, when req names resources, the stack without them (see
// destroySome).
func (d *Daemon) Destroy(ctx context.Context, req api.DestroyRequest) (api.ApplyResponse, error) {
	stack := cmp.Or(req.Stack, api.DefaultStack)
	cur := d.state.Load()
	if cur.rec.Number == 0 {
		return api.ApplyResponse{}, api.ErrNoRevision
	}
	if _, ok := cur.stacks[stack]; !ok {
		return api.ApplyResponse{}, &api.InvalidError{Err: fmt.Errorf("stack %s declares nothing: %w", stack, api.ErrNoRevision)}
	}
	if len(req.Resources) > 0 {
		return d.destroySome(ctx, stack, req)
	}
	if err := d.pinnable(stack, "destroy it"); err != nil {
		return api.ApplyResponse{}, err
	}
	return d.record(ctx, store.Record{Kind: api.KindDestroy, Stack: stack, Author: req.Author, Message: req.Message}, nil)
}

// record makes spec, loaded from rec's bundle, the spec of rec's stack
// (nil: the stack is removed): it builds the plugins first (each checks
// its blocks), then appends to the store, then switches the runner, so
// that a spec that cannot be served is refused whole and never recorded.
// (A plan's observations of the world, which may fail for a while, are
// not asked for: a desired state is recorded while a provider's API is
// down.)
func (d *Daemon) record(ctx context.Context, rec store.Record, spec *specs.Spec) (api.ApplyResponse, error) {
	d.changeMu.Lock()
	defer d.changeMu.Unlock()
	return d.recordLocked(ctx, rec, spec)
}

// recordLocked is record for a caller that holds changeMu.
func (d *Daemon) recordLocked(ctx context.Context, rec store.Record, spec *specs.Spec) (api.ApplyResponse, error) {
	cur := d.state.Load()
	stack := stackOf(rec)
	if rec.Resources == nil && spec != nil {
		rec.Resources = slices.Sorted(maps.Keys(resources(spec)))
	}
	rec.Hash = specHash(cmp.Or(spec, &specs.Spec{}))
	if rec.Kind == api.KindApply && rec.Commit == nil && cur.err == nil && cur.stacks[stack] != 0 && cur.hashes[stack] == rec.Hash {
		return api.ApplyResponse{Revision: info(cur.rec, true), Unchanged: true}, nil
	}
	// The other stacks as they are: loaded again (from the cache) rather
	// than taken from cur, which lacks those a restart could not load.
	rec.Stacks = stacksOf(cur.rec)
	delete(rec.Stacks, stack)
	byStack, err := d.stackSpecs(ctx, rec.Stacks)
	if err != nil {
		return api.ApplyResponse{}, &api.InvalidError{Err: fmt.Errorf("%w: fix that stack first, or destroy it", err)}
	}
	if spec != nil {
		byStack[stack] = spec
		rec.Stacks[stack] = 0 // this revision: Append numbers it
	}
	merged, err := merge(byStack)
	if err != nil {
		return api.ApplyResponse{}, &api.InvalidError{Err: err}
	}
	retired := nextRetired(cur.retired, cur.spec, cur.rec.Number, merged)
	eff, err := effective(ctx, merged, retired, d.loadRevision)
	if err != nil {
		return api.ApplyResponse{}, err
	}
	var saved store.Record
	err = d.runner.Update(ctx, eff, func() (err error) {
		if saved, err = d.store.Append(ctx, rec, retired); err != nil {
			return err
		}
		// The new desired state is in force before the runner switches:
		// the first passes on the new spec are seen against it.
		d.state.Store(newDesired(withoutBundle(saved), merged, byStack, retired))
		return nil
	})
	var be *runner.BuildError
	if errors.As(err, &be) {
		return api.ApplyResponse{}, &api.InvalidError{Err: err}
	}
	if err != nil {
		return api.ApplyResponse{}, err
	}
	if spec != nil {
		d.cache[saved.Number] = spec
	}
	d.merged[saved.Number] = merged
	d.hub.Publish(resource.Event{Kind: "applied", Revision: saved.Number, Reason: appliedReason(saved)})
	return api.ApplyResponse{Revision: info(saved, true)}, nil
}

func appliedReason(rec store.Record) string {
	why := "apply"
	switch rec.Kind {
	case api.KindRollback:
		why = fmt.Sprintf("rollback to revision %d", rec.RollbackOf)
	case api.KindDestroy:
		why = "destroy"
	}
	if rec.Commit != nil {
		why += " of commit " + shortSHA(rec.Commit.SHA)
	}
	if s := stackOf(rec); s != api.DefaultStack {
		why += ", stack " + s
	}
	return why
}

// Plan implements api.Backend.
func (d *Daemon) Plan(ctx context.Context, req api.PlanRequest) (api.PlanResponse, error) {
	cur := d.state.Load()
	if req.Bundle == nil {
		if cur.rec.Number == 0 {
			return api.PlanResponse{}, api.ErrNoRevision
		}
		return plansOf(ctx, d.runner, cur.rec.Number)
	}
	spec, err := d.loadClientBundle(*req.Bundle)
	if err != nil {
		return api.PlanResponse{}, err
	}
	eff, err := d.planned(ctx, cur, cmp.Or(req.Stack, api.DefaultStack), spec)
	if err != nil {
		return api.PlanResponse{}, err
	}
	return d.plan(ctx, eff, cur.rec.Number)
}

// planned is the spec the runner would reconcile were spec to replace
// stack: merged with the other stacks, with the groups it would retire.
func (d *Daemon) planned(ctx context.Context, cur *desired, stack string, spec *specs.Spec) (*specs.Spec, error) {
	d.changeMu.Lock()
	defer d.changeMu.Unlock()
	others := stacksOf(cur.rec)
	delete(others, stack)
	byStack, err := d.stackSpecs(ctx, others)
	if err != nil {
		return nil, &api.InvalidError{Err: err}
	}
	byStack[stack] = spec
	merged, err := merge(byStack)
	if err != nil {
		return nil, &api.InvalidError{Err: err}
	}
	return effective(ctx, merged, nextRetired(cur.retired, cur.spec, cur.rec.Number, merged), d.loadRevision)
}

// plan plans eff with a runner of its own, which reconciles nothing.
func (d *Daemon) plan(ctx context.Context, eff *specs.Spec, rev int64) (api.PlanResponse, error) {
	opts := d.runnerOptions()
	opts.Events, opts.WrapProvider, opts.WrapReconciler = nil, nil, nil
	r, err := runner.New(ctx, eff, opts)
	if be := (*runner.BuildError)(nil); errors.As(err, &be) {
		return api.PlanResponse{}, &api.InvalidError{Err: err}
	}
	if err != nil {
		return api.PlanResponse{}, err
	}
	return plansOf(ctx, r, rev)
}

func plansOf(ctx context.Context, r *runner.Runner, rev int64) (api.PlanResponse, error) {
	groups, err := r.Plan(ctx)
	if err != nil {
		return api.PlanResponse{}, err
	}
	services, err := r.ServicePlans(ctx)
	return api.PlanResponse{Revision: rev, Groups: groups, Services: services}, err
}

// History implements api.Backend.
func (d *Daemon) History(ctx context.Context) ([]api.RevisionInfo, error) {
	recs, err := d.store.List(ctx)
	if err != nil {
		return nil, err
	}
	cur := d.state.Load().rec.Number
	out := make([]api.RevisionInfo, 0, len(recs))
	for _, r := range recs {
		out = append(out, info(r, r.Number == cur))
	}
	return out, nil
}

// Revision implements api.Backend. Environment values stay in the store;
// withheld secrets are named, never shown (the store does not have them).
func (d *Daemon) Revision(ctx context.Context, n int64) (api.RevisionDetail, error) {
	rec, err := d.store.Get(ctx, n)
	if errors.Is(err, store.ErrNotFound) {
		return api.RevisionDetail{}, fmt.Errorf("revision %d: %w", n, api.ErrNotFound)
	}
	if err != nil {
		return api.RevisionDetail{}, err
	}
	files := map[string]string{}
	for name, b := range rec.Bundle.Files {
		files[name] = string(b)
	}
	return api.RevisionDetail{
		RevisionInfo: info(rec, rec.Number == d.state.Load().rec.Number),
		Specs:        rec.Bundle.Specs, Files: files, Vars: rec.Bundle.Vars, VarFiles: rec.Bundle.VarFiles,
		EnvNames: rec.Bundle.EnvNames(), Withheld: withheldNames(rec.Bundle.Withheld),
	}, nil
}

// Subscribe implements api.Backend.
func (d *Daemon) Subscribe(ctx context.Context, since int64) ([]resource.Event, <-chan resource.Event) {
	return d.hub.Subscribe(ctx, since)
}

// Ready implements api.Backend.
func (d *Daemon) Ready() error {
	if !d.running.Load() {
		return errors.New("starting")
	}
	return d.state.Load().err
}

// specOf loads a revision's spec. A revision that withholds what holds
// none of its secrets was not sealed by this daemon (an older one took
// withheld entries from clients): what it read from this host for them
// is not used.
func (d *Daemon) specOf(rec store.Record) (*specs.Spec, error) {
	if len(rec.Bundle.Specs) == 0 && (rec.Kind == api.KindDestroy || rec.Commit != nil) {
		return &specs.Spec{}, nil // a destroy of everything, or a source's commit without spec files
	}
	loader, err := d.loaderFor(rec)
	if err != nil {
		return nil, err
	}
	spec, err := loader.LoadBundle(rec.Bundle)
	if err != nil {
		return nil, err
	}
	if extra := rec.Bundle.Unsealed(spec); len(extra) > 0 {
		return nil, fmt.Errorf("it withholds %s, which holds no secret of it: this daemon did not withhold it, and does not read it from its host for a client", strings.Join(withheldNames(extra), ", "))
	}
	if rec.Kind == api.KindDestroy {
		return destroyedSpec(spec, rec.Resources), nil
	}
	return spec, nil
}

// reload loads a recorded revision's stack to serve it again (at start,
// for a rollback). Callers hold changeMu.
func (d *Daemon) reload(ctx context.Context, rec store.Record) (*specs.Spec, error) {
	spec, err := d.stackSpec(ctx, rec.Number)
	if err != nil {
		return nil, fmt.Errorf("revision %d no longer loads: %w", rec.Number, err)
	}
	return spec, nil
}

// sameSpec checks that a recorded revision loaded to the spec that was
// applied. A difference comes from what the revision withheld, read from
// this host again (a changed secret file or environment variable) or from
// a drover that decodes the spec differently; serving it silently would
// serve what nobody applied.
func sameSpec(rec store.Record, spec *specs.Spec) error {
	h := specHash(spec)
	if rec.Hash == "" || h == rec.Hash {
		return nil
	}
	from := "the way this drover reads it"
	if len(rec.Bundle.Withheld) > 0 {
		from = "what this host provides for its withheld secrets (" + strings.Join(withheldNames(rec.Bundle.Withheld), ", ") + ") or " + from
	}
	return fmt.Errorf("revision %d loads to a different spec than was applied (hash %s, applied %s): %s changed; apply the spec again to serve it as it is now", rec.Number, h, rec.Hash, from)
}

func withheldNames(w []specs.Withheld) []string {
	var out []string
	for _, x := range w {
		out = append(out, x.String())
	}
	return out
}

func withoutBundle(r store.Record) store.Record {
	r.Bundle = specs.Bundle{}
	return r
}

func info(r store.Record, current bool) api.RevisionInfo {
	out := api.RevisionInfo{
		Number: r.Number, Kind: r.Kind, Hash: r.Hash, Author: r.Author, Time: r.Time,
		Message: r.Message, RollbackOf: r.RollbackOf, Resources: r.Resources, Current: current, Stack: stackOf(r),
	}
	if c := r.Commit; c != nil {
		out.Commit = &api.CommitInfo{Source: c.Source, SHA: c.SHA, Author: c.Author, Message: c.Message}
	}
	return out
}

// shortSHA is the first 12 characters of a commit's SHA.
func shortSHA(sha string) string { return sha[:min(len(sha), 12)] }
