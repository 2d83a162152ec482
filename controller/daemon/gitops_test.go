package daemon_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/gitsource/gittest"
	"github.com/drover/drover/instance/fake"
)

// groupsHCL is a spec file of groups "name=size" on the fake plugin.
func groupsHCL(groups ...string) string {
	return string(bundle(groups...).Files["t.hcl"])
}

// gitHarness is a daemon whose sources may poll as often as every 10ms.
func gitHarness(t testing.TB, webhooks bool) *harness {
	h := &harness{t: t, resync: time.Hour, plugin: fake.New(nil), dir: shortTempDir(t)}
	opts := h.options()
	opts.MinSourceInterval = 10 * time.Millisecond
	if webhooks {
		opts.WebhookListen = "127.0.0.1:0"
	}
	h.startWith(opts)
	t.Cleanup(h.stop)
	return h
}

func (h *harness) addSource(spec api.SourceSpec) {
	h.t.Helper()
	if spec.Interval == 0 {
		spec.Interval = 10 * time.Minute // tests sync by hand unless they poll
	}
	if _, err := h.d.AddSource(h.t.Context(), spec); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) sync(name string, allowPrune bool) api.SourceInfo {
	h.t.Helper()
	info, err := h.d.SyncSource(h.t.Context(), name, api.SyncRequest{AllowPrune: allowPrune})
	if err != nil {
		h.t.Fatal(err)
	}
	return info
}

// awaitSource waits until the named source's info satisfies ok.
func (h *harness) awaitSource(name, what string, ok func(api.SourceInfo) bool) api.SourceInfo {
	h.t.Helper()
	var info api.SourceInfo
	h.await(what, func(api.Status) bool {
		var err error
		info, err = h.d.Source(h.t.Context(), name)
		return err == nil && ok(info)
	})
	return info
}

func applied(sha string) func(api.SourceInfo) bool {
	return func(i api.SourceInfo) bool { return i.Status.Applied == sha && i.Status.State == api.SourceReady }
}

// sourceRevisions are the commits of the history's revisions of a
// source's stack, oldest first.
func (h *harness) sourceRevisions(stack string) []string {
	h.t.Helper()
	revs, err := h.d.History(h.t.Context())
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, r := range slices.Backward(revs) {
		if r.Stack == stack && r.Commit != nil {
			out = append(out, r.Commit.SHA)
		}
	}
	return out
}

// TestSourceAppliesEachGoodCommit: commits pushed in turn are applied in
// order by polling; a broken one is refused at file:line while the one
// before keeps running, and the next good one applies.
func TestSourceAppliesEachGoodCommit(t *testing.T) {
	h := gitHarness(t, false)
	repo := gittest.NewRepo(t)
	c1 := repo.Commit(t, map[string]string{"deploy/main.hcl": groupsHCL("web=1")}, "first")
	h.addSource(api.SourceSpec{Name: "app", URL: repo.URL(), Path: "deploy", Interval: 20 * time.Millisecond})
	h.awaitSource("app", "commit 1 applied", applied(c1))
	h.await("web converged", func(st api.Status) bool { return st.Converged && countByGroup(h.plugin)["web"] == 1 })

	c2 := repo.Commit(t, map[string]string{"deploy/main.hcl": "group \"web\" {\n  size = \n}\n"}, "broken")
	info := h.awaitSource("app", "commit 2 refused", func(i api.SourceInfo) bool { return i.Status.Seen == c2 && i.Status.State == api.SourceFailed })
	if !strings.Contains(info.Status.LastError, "deploy/main.hcl:2") || info.Status.Applied != c1 {
		t.Fatalf("a broken commit: state %+v, want its error at deploy/main.hcl:2 and commit 1 still applied", info.Status)
	}

	c3 := repo.Commit(t, map[string]string{"deploy/main.hcl": groupsHCL("web=2", "api=1")}, "third")
	h.awaitSource("app", "commit 3 applied", applied(c3))
	h.await("commit 3 converged", func(st api.Status) bool {
		n := countByGroup(h.plugin)
		return st.Converged && n["web"] == 2 && n["api"] == 1
	})
	if got := h.sourceRevisions("app"); !slices.Equal(got, []string{c1, c3}) {
		t.Fatalf("revisions of the source: %v, want commits 1 and 3 in order", got)
	}
	revs, _ := h.d.History(t.Context())
	if r := revs[0]; r.Commit.Author == "" || r.Commit.Message != "third" || r.Stack != "app" {
		t.Fatalf("the newest revision says %+v, want its commit's author and message", r)
	}
}

// sign is the generic webhook signature of body.
func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func deliver(t testing.TB, addr, name, sig, id string, body []byte) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+addr+"/hooks/"+name, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if sig != "" {
		req.Header.Set("X-Drover-Signature", sig)
	}
	req.Header.Set("X-Drover-Delivery", id)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestWebhookTriggersPoll: with a 10 minute interval, a signed delivery
// gets the new commit applied; a bad or missing signature gets 401 and
// nothing; a replayed delivery is refused.
func TestWebhookTriggersPoll(t *testing.T) {
	const secret = "s3cret-s3cret-s3cret"
	h := gitHarness(t, true)
	repo := gittest.NewRepo(t)
	c1 := repo.Commit(t, map[string]string{"main.hcl": groupsHCL("web=1")}, "first")
	h.addSource(api.SourceSpec{Name: "app", URL: repo.URL(), WebhookSecret: secret})
	h.awaitSource("app", "commit 1 applied", applied(c1))

	c2 := repo.Commit(t, map[string]string{"main.hcl": groupsHCL("web=2")}, "second")
	body := []byte(`{"ref":"refs/heads/main"}`)
	for _, tc := range []struct{ name, sig string }{{"missing", ""}, {"bad", sign("wrong-wrong-wrong-wrong", body)}} {
		if code := deliver(t, h.d.WebhookAddr(), "app", tc.sig, "d-"+tc.name, body); code != http.StatusUnauthorized {
			t.Fatalf("%s signature: HTTP %d, want 401", tc.name, code)
		}
	}
	if info, _ := h.d.Source(t.Context(), "app"); info.Status.Seen != c1 {
		t.Fatalf("an unsigned delivery made the source poll: it saw %s", info.Status.Seen)
	}
	if code := deliver(t, h.d.WebhookAddr(), "app", sign(secret, body), "d-1", body); code != http.StatusAccepted {
		t.Fatalf("signed delivery: HTTP %d, want 202", code)
	}
	h.awaitSource("app", "commit 2 applied by the webhook", applied(c2))
	if code := deliver(t, h.d.WebhookAddr(), "app", sign(secret, body), "d-1", body); code != http.StatusConflict {
		t.Fatalf("replayed delivery: HTTP %d, want 409", code)
	}
}

// TestPruneAndHold: without prune a group that leaves git is orphaned and
// kept; with prune it is retired, unless the commit removes most of what
// the source runs (or all), which is held until allowed.
func TestPruneAndHold(t *testing.T) {
	h := gitHarness(t, false)
	keep, prune := gittest.NewRepo(t), gittest.NewRepo(t)
	k1 := keep.Commit(t, map[string]string{"main.hcl": groupsHCL("ka=1", "kb=1")}, "two groups")
	p1 := prune.Commit(t, map[string]string{"main.hcl": groupsHCL("pa=1", "pb=1", "pc=1")}, "three groups")
	h.addSource(api.SourceSpec{Name: "keep", URL: keep.URL()})
	h.addSource(api.SourceSpec{Name: "prune", URL: prune.URL(), Prune: true})
	h.awaitSource("keep", "keep applied", applied(k1))
	h.awaitSource("prune", "prune applied", applied(p1))

	k2 := keep.Commit(t, map[string]string{"main.hcl": groupsHCL("ka=1")}, "drop kb")
	if info := h.sync("keep", false); info.Status.Applied != k2 || !slices.Equal(info.Status.Orphans, []string{"group.kb"}) {
		t.Fatalf("without prune: %+v, want commit 2 applied and group.kb orphaned", info.Status)
	}
	p2 := prune.Commit(t, map[string]string{"main.hcl": groupsHCL("pa=1", "pb=1")}, "drop pc")
	if info := h.sync("prune", false); info.Status.Applied != p2 {
		t.Fatalf("with prune, removing 1 of 3: %+v, want it applied", info.Status)
	}
	h.await("pc retired, kb kept", func(st api.Status) bool {
		n := countByGroup(h.plugin)
		return st.Converged && n["pc"] == 0 && n["kb"] == 1 && n["pa"] == 1
	})

	p3 := prune.Commit(t, map[string]string{"README": "nothing here"}, "empty it")
	info := h.sync("prune", false)
	if info.Status.State != api.SourceHeld || info.Status.Held != p3 || info.Status.Applied != p2 || !strings.Contains(info.Status.HeldReason, "everything") {
		t.Fatalf("a commit that empties the source: %+v, want it held", info.Status)
	}
	if n := countByGroup(h.plugin); n["pa"] != 1 || n["pb"] != 1 {
		t.Fatalf("a held commit removed machines: %v", n)
	}
	// A newer commit than the one held is not confirmed with it.
	p4 := prune.Commit(t, map[string]string{"README": "still nothing"}, "empty it again")
	if info := h.sync("prune", true); info.Status.State != api.SourceHeld || info.Status.Held != p4 || info.Status.Applied != p2 {
		t.Fatalf("allow-prune with a newer commit than the one held: %+v, want the newer one held", info.Status)
	}
	if info := h.sync("prune", true); info.Status.Applied != p4 || info.Status.State != api.SourceReady {
		t.Fatalf("allowed: %+v, want the emptying commit applied", info.Status)
	}
	h.await("the prune source's groups retired", func(st api.Status) bool {
		n := countByGroup(h.plugin)
		return st.Converged && n["pa"] == 0 && n["pb"] == 0 && n["ka"] == 1 && n["kb"] == 1
	})
}

// TestStacksSideBySide: two sources and a stack applied by hand each keep
// their own; one source removing its group leaves the others alone; a
// name declared by two stacks is refused, naming both places.
func TestStacksSideBySide(t *testing.T) {
	h := gitHarness(t, false)
	one, two := gittest.NewRepo(t), gittest.NewRepo(t)
	o1 := one.Commit(t, map[string]string{"main.hcl": groupsHCL("one-a=1", "one-b=1")}, "one")
	t1 := two.Commit(t, map[string]string{"main.hcl": groupsHCL("two-a=1")}, "two")
	h.apply(bundle("hand=1"))
	h.addSource(api.SourceSpec{Name: "one", URL: one.URL(), Prune: true})
	h.addSource(api.SourceSpec{Name: "two", URL: two.URL(), Prune: true})
	h.awaitSource("one", "one applied", applied(o1))
	h.awaitSource("two", "two applied", applied(t1))
	st := h.await("all converged", func(st api.Status) bool {
		n := countByGroup(h.plugin)
		return st.Converged && n["hand"] == 1 && n["one-a"] == 1 && n["one-b"] == 1 && n["two-a"] == 1
	})
	owners := map[string]string{}
	for _, s := range st.Stacks {
		for _, r := range s.Resources {
			owners[r] = s.Name
		}
	}
	if owners["group.hand"] != "default" || owners["group.one-a"] != "one" || owners["group.two-a"] != "two" {
		t.Fatalf("stacks: %+v", st.Stacks)
	}
	plan, err := h.d.Plan(t.Context(), api.PlanRequest{Bundle: new(bundle("hand=2"))})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plan.Groups {
		if (p.Group == "hand") != (len(p.Changes) > 0) {
			t.Fatalf("plan of the default stack: group %s changes %v: only hand should change", p.Group, p.Changes)
		}
	}
	if _, err := h.d.Apply(t.Context(), api.ApplyRequest{Bundle: bundle("x=1"), Stack: "one"}); err == nil {
		t.Fatal("an apply by hand to a source's stack was taken")
	}

	o2 := one.Commit(t, map[string]string{"main.hcl": groupsHCL("one-a=1")}, "drop one-b")
	if info := h.sync("one", false); info.Status.Applied != o2 {
		t.Fatalf("%+v", info.Status)
	}
	h.await("one-b retired, the rest kept", func(st api.Status) bool {
		n := countByGroup(h.plugin)
		return st.Converged && n["one-b"] == 0 && n["one-a"] == 1 && n["two-a"] == 1 && n["hand"] == 1
	})

	t2 := two.Commit(t, map[string]string{"main.hcl": groupsHCL("two-a=1", "hand=1")}, "claim hand")
	info := h.sync("two", false)
	if info.Status.State != api.SourceFailed || info.Status.Seen != t2 || info.Status.Applied != t1 ||
		!strings.Contains(info.Status.LastError, "group.hand is declared by stack default (t.hcl:") ||
		!strings.Contains(info.Status.LastError, "by stack two (main.hcl:") {
		t.Fatalf("a name two stacks declare: %+v, want it refused naming both places", info.Status)
	}
	res, err := h.d.Destroy(t.Context(), api.DestroyRequest{Stack: "default"})
	if err != nil {
		t.Fatal(err)
	}
	h.await("the hand stack destroyed, the sources kept", func(st api.Status) bool {
		n := countByGroup(h.plugin)
		return st.Revision == res.Revision.Number && st.Converged && n["hand"] == 0 && n["one-a"] == 1 && n["two-a"] == 1
	})
}

// TestSourceReadOutsideCheckoutRefused: a spec in the repository reading a
// file outside it, or a variable the source does not name, gets nothing.
func TestSourceReadOutsideCheckoutRefused(t *testing.T) {
	h := gitHarness(t, false)
	repo := gittest.NewRepo(t)
	hcl := `group "web" {
  size = 1
  instance "fake" { image = %s }
  flavor "vanilla" {}
}
`
	c1 := repo.Commit(t, map[string]string{"deploy/main.hcl": fmt.Sprintf(hcl, `file("../../etc/hostname")`)}, "escape")
	h.addSource(api.SourceSpec{Name: "app", URL: repo.URL(), Path: "deploy"})
	info := h.sync("app", false)
	if info.Status.State != api.SourceFailed || info.Status.Seen != c1 || !strings.Contains(info.Status.LastError, "outside the repository") {
		t.Fatalf("a read outside the checkout: %+v, want it refused", info.Status)
	}
	t.Setenv("DROVER_TEST_HOST_SECRET", "host-value")
	c2 := repo.Commit(t, map[string]string{"deploy/main.hcl": fmt.Sprintf(hcl, `env("DROVER_TEST_HOST_SECRET", "unset")`)}, "host env")
	if info = h.sync("app", false); info.Status.Applied != c2 {
		t.Fatalf("%+v", info.Status)
	}
	rev, err := h.d.Revision(t.Context(), info.Status.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.EnvNames) != 0 {
		t.Fatalf("the commit read the daemon's environment: %v", rev.EnvNames)
	}
}

// TestSourceResumesAfterRestart: a daemon restarted with a commit pushed
// while it was down applies that commit once, and nothing again after.
func TestSourceResumesAfterRestart(t *testing.T) {
	h := gitHarness(t, false)
	repo := gittest.NewRepo(t)
	c1 := repo.Commit(t, map[string]string{"main.hcl": groupsHCL("web=1")}, "first")
	h.addSource(api.SourceSpec{Name: "app", URL: repo.URL()})
	h.awaitSource("app", "commit 1 applied", applied(c1))
	h.stop()
	c2 := repo.Commit(t, map[string]string{"main.hcl": groupsHCL("web=2")}, "while down")

	restart := func() {
		opts := h.options()
		opts.MinSourceInterval = 10 * time.Millisecond
		h.startWith(opts)
	}
	restart()
	h.awaitSource("app", "commit 2 applied after the restart", applied(c2))
	h.stop()
	restart()
	h.awaitSource("app", "the restarted source polled", func(i api.SourceInfo) bool { return !i.Status.LastFetch.IsZero() })
	if got := h.sourceRevisions("app"); !slices.Equal(got, []string{c1, c2}) {
		t.Fatalf("revisions: %v, want commits 1 and 2 once each", got)
	}
}

// TestSourceLifecycle: notifications on each change of state, suspend
// pins the stack (a rollback is then taken), remove needs destroy while
// the stack runs anything.
func TestSourceLifecycle(t *testing.T) {
	notices := make(chan api.SourceNotice, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n api.SourceNotice
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
			t.Error(err)
		}
		notices <- n
	}))
	t.Cleanup(srv.Close)
	next := func() api.SourceNotice {
		t.Helper()
		select {
		case n := <-notices:
			return n
		case <-time.After(time.Minute):
			t.Fatal("no notification within a minute")
		}
		return api.SourceNotice{}
	}

	h := gitHarness(t, false)
	repo := gittest.NewRepo(t)
	c1 := repo.Commit(t, map[string]string{"main.hcl": groupsHCL("web=1")}, "first")
	h.addSource(api.SourceSpec{Name: "app", URL: repo.URL(), Notify: srv.URL, Prune: true})
	h.awaitSource("app", "commit 1 applied", applied(c1))
	if n := next(); n.Event != "applied" || n.Commit != c1 || n.Revision == 0 {
		t.Fatalf("notice %+v, want commit 1 applied", n)
	}
	c2 := repo.Commit(t, map[string]string{"main.hcl": "oops"}, "broken")
	h.sync("app", false)
	h.sync("app", false) // the same failure again: no second notice
	if n := next(); n.Event != "apply_failed" || n.Commit != c2 || !strings.Contains(n.Reason, "main.hcl:1") {
		t.Fatalf("notice %+v, want commit 2 failed at main.hcl:1", n)
	}
	c3 := repo.Commit(t, map[string]string{"main.hcl": groupsHCL("web=2")}, "fixed")
	h.sync("app", false)
	if n := next(); n.Event != "applied" || n.Commit != c3 {
		t.Fatalf("notice %+v, want commit 3 applied (nothing in between)", n)
	}

	first := h.sourceRevisionNumber("app", c1)
	if _, err := h.d.Rollback(t.Context(), api.RollbackRequest{Revision: first}); err == nil || !strings.Contains(err.Error(), "suspend it first") {
		t.Fatalf("rollback of a followed source's stack: %v, want it refused", err)
	}
	if _, err := h.d.SuspendSource(t.Context(), "app", true); err != nil {
		t.Fatal(err)
	}
	if _, err := h.d.SyncSource(t.Context(), "app", api.SyncRequest{}); err == nil {
		t.Fatal("a suspended source synced")
	}
	if _, err := h.d.Rollback(t.Context(), api.RollbackRequest{Revision: first}); err != nil {
		t.Fatalf("rollback of a suspended source's stack: %v", err)
	}
	h.await("pinned at commit 1", func(st api.Status) bool { return st.Converged && countByGroup(h.plugin)["web"] == 1 })

	if err := h.d.RemoveSource(t.Context(), "app", api.RemoveSourceRequest{}); err == nil {
		t.Fatal("a source whose stack runs a group was removed without destroy")
	}
	if err := h.d.RemoveSource(t.Context(), "app", api.RemoveSourceRequest{Destroy: true}); err != nil {
		t.Fatal(err)
	}
	h.await("its group retired", func(st api.Status) bool { return st.Converged && countByGroup(h.plugin)["web"] == 0 })
	if _, err := h.d.Source(t.Context(), "app"); !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("removed source: %v", err)
	}
	if rev, err := h.d.Revision(t.Context(), first); err != nil || rev.Commit == nil || rev.Commit.SHA != c1 {
		t.Fatalf("its revisions stay in the history: %+v %v", rev, err)
	}
}

// sourceRevisionNumber is the revision that applied commit sha.
func (h *harness) sourceRevisionNumber(stack, sha string) int64 {
	h.t.Helper()
	revs, err := h.d.History(h.t.Context())
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range revs {
		if r.Stack == stack && r.Commit != nil && r.Commit.SHA == sha && r.Kind == api.KindApply {
			return r.Number
		}
	}
	h.t.Fatalf("no revision applied commit %s", sha)
	return 0
}

// TestUnloadableStackBlocksNoOther: after a restart that cannot load the
// hand-applied stack (its secret is gone from the host), a source's new
// commit is refused naming that stack, rather than recorded without it;
// once that stack is destroyed the commit applies.
func TestUnloadableStackBlocksNoOther(t *testing.T) {
	h := gitHarness(t, false)
	h.apply(tokenBundle("tok-unloadable"))
	repo := gittest.NewRepo(t)
	c1 := repo.Commit(t, map[string]string{"main.hcl": groupsHCL("web=1")}, "first")
	h.addSource(api.SourceSpec{Name: "app", URL: repo.URL()})
	h.awaitSource("app", "commit 1 applied", applied(c1))
	h.stop()

	opts := h.options()
	opts.MinSourceInterval = 10 * time.Millisecond
	h.startWith(opts) // without FAKE_TOKEN in its environment
	h.await("the missing secret reported", func(st api.Status) bool { return strings.Contains(st.Error, "FAKE_TOKEN") })
	c2 := repo.Commit(t, map[string]string{"main.hcl": groupsHCL("web=2")}, "second")
	info := h.sync("app", false)
	if info.Status.State != api.SourceFailed || info.Status.Applied != c1 || !strings.Contains(info.Status.LastError, "stack default") {
		t.Fatalf("a commit while another stack cannot load: %+v, want it refused naming stack default", info.Status)
	}
	if _, err := h.d.Destroy(t.Context(), api.DestroyRequest{Stack: "default"}); err != nil {
		t.Fatal(err)
	}
	if info := h.sync("app", false); info.Status.Applied != c2 {
		t.Fatalf("after the broken stack is destroyed: %+v, want commit 2 applied", info.Status)
	}
	st, err := h.d.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Stacks) != 1 || st.Stacks[0].Name != "app" || st.Error != "" {
		t.Fatalf("stacks %+v, error %q: want app alone, served", st.Stacks, st.Error)
	}
}

// TestSourceUpdate: new settings (here another repository) keep the stack
// and its history; the source polls at once with them.
func TestSourceUpdate(t *testing.T) {
	h := gitHarness(t, false)
	a, b := gittest.NewRepo(t), gittest.NewRepo(t)
	a1 := a.Commit(t, map[string]string{"main.hcl": groupsHCL("web=1")}, "a")
	b1 := b.Commit(t, map[string]string{"main.hcl": groupsHCL("web=2")}, "b")
	h.addSource(api.SourceSpec{Name: "app", URL: a.URL()})
	h.awaitSource("app", "a's commit applied", applied(a1))
	if _, err := h.d.UpdateSource(t.Context(), api.SourceSpec{Name: "app", URL: b.URL(), Interval: 10 * time.Minute, Prune: true}); err != nil {
		t.Fatal(err)
	}
	info := h.awaitSource("app", "b's commit applied", applied(b1))
	if !info.Prune || info.URL != b.URL() {
		t.Fatalf("settings after the update: %+v", info)
	}
	if got := h.sourceRevisions("app"); !slices.Equal(got, []string{a1, b1}) {
		t.Fatalf("revisions: %v", got)
	}
	if _, err := h.d.UpdateSource(t.Context(), api.SourceSpec{Name: "nope", URL: b.URL()}); !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("update of no source: %v", err)
	}
	var invalid *api.InvalidError
	if _, err := h.d.UpdateSource(t.Context(), api.SourceSpec{Name: "app", URL: b.URL(), Interval: time.Millisecond}); !errors.As(err, &invalid) {
		t.Fatalf("update with a bad interval: %v", err)
	}
}
