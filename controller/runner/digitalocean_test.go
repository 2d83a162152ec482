package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/instance/digitalocean/dofake"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/specs"
)

const doToken = "dop_v1_secret-token-that-must-never-show"

// doWorld is three groups of five droplets on the fake DigitalOcean API.
type doWorld struct {
	t      *testing.T
	fake   *dofake.Server
	url    string
	data   string
	events *recorder
}

// newDOWorld serves a fake API, through wrap when given.
func newDOWorld(t *testing.T, opts dofake.Options, wrap ...func(http.Handler) http.Handler) *doWorld {
	opts.Token = doToken
	fake := dofake.New(opts)
	var h http.Handler = fake
	for _, w := range wrap {
		h = w(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &doWorld{t: t, fake: fake, url: ts.URL + "/", data: t.TempDir(), events: &recorder{}}
}

func (w *doWorld) spec() *specs.Spec { return w.specWith("") }

// specWith is spec with more attributes in the provider block.
func (w *doWorld) specWith(provider string) *specs.Spec {
	w.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "provider \"digitalocean\" \"fake\" {\n  token   = env(\"DIGITALOCEAN_TOKEN\")\n  region  = \"fra1\"\n  api_url = %q\n%s\n}\n", w.url, provider)
	for _, g := range []string{"a", "b", "c"} {
		fmt.Fprintf(&b, "group %q {\n  size = 5\n  instance \"digitalocean\" {\n    size  = \"s-1vcpu-1gb\"\n    image = \"ubuntu-24-04-x64\"\n  }\n  flavor \"vanilla\" {}\n}\n", g)
	}
	l, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), LookupEnv: func(k string) (string, bool) {
		if k == "DIGITALOCEAN_TOKEN" {
			return doToken, true
		}
		return "", false
	}})
	spec, err := l.LoadSources(specs.Source{Name: "do.hcl", Src: []byte(b.String())})
	if err != nil {
		w.t.Fatal(err)
	}
	return spec
}

// converge runs spec until it converges, logging at debug into buf.
func (w *doWorld) converge(spec *specs.Spec, buf *bytes.Buffer, within time.Duration) *runner.Runner {
	w.t.Helper()
	// slog's handlers serialise their writes; buf is read after Run returns.
	log := slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithTimeout(reconcile.WithLogger(w.t.Context(), log), within)
	defer cancel()
	r, err := runner.New(ctx, spec, runner.Options{Registry: plugins.Builtins(plugins.BuiltinOptions{}), Owner: "dotest", DataDir: w.data, Events: w.events, Resync: 2 * time.Second})
	if err != nil {
		w.t.Fatal(err)
	}
	r.Run(ctx, func(r *runner.Runner) bool { return r.Converged() }, nil)
	if !r.Converged() {
		w.t.Fatalf("did not converge within %v: %+v\nevents:\n%s", within, r.Statuses(), w.events)
	}
	return r
}

// exactly checks the fake holds the 15 droplets, each name once.
func (w *doWorld) exactly(when string) {
	w.t.Helper()
	var names []string
	for _, d := range w.fake.Droplets() {
		names = append(names, d.Name)
	}
	slices.Sort(names)
	want := []string{}
	for _, g := range []string{"a", "b", "c"} {
		for i := 1; i <= 5; i++ {
			want = append(want, fmt.Sprintf("dotest-%s-%d", g, i))
		}
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		w.t.Fatalf("%s: droplets %v, want exactly %v", when, names, want)
	}
}

// Three groups of five droplets on the fake: applied; droplets deleted
// behind drover's back are replaced; the token shows nowhere.
func TestDigitalOceanGroups(t *testing.T) {
	t.Parallel()
	w := newDOWorld(t, dofake.Options{Seed: 1})
	var logs bytes.Buffer
	spec := w.spec()
	r := w.converge(spec, &logs, boundGroup)
	w.exactly("after apply")

	drops := w.fake.Droplets()
	w.fake.DeleteBehindBack(drops[0].ID)
	w.fake.DeleteBehindBack(drops[7].ID)
	w.converge(spec, &logs, boundGroup)
	w.exactly("after two deletions behind drover's back")

	plans, err := r.Plan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	planJSON, _ := json.Marshal(plans)
	specJSON, _ := json.Marshal(spec.Providers)
	stored := readTree(t, w.data)
	for what, text := range map[string]string{
		"logs": logs.String(), "events": w.events.String(), "plan": string(planJSON),
		"the spec's JSON": string(specJSON), "the data dir": stored, "%v of the spec": fmt.Sprintf("%v %+v", spec.Providers[0], spec.Providers[0]),
	} {
		if strings.Contains(text, doToken) {
			t.Errorf("the token appears in %s", what)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"pass"`) {
		t.Error("no debug log was captured: the token check saw nothing")
	}
}

// Under 20% server errors (half of them on writes that did happen, their
// replies lost, and always the first create's) and a 10 s list lag, three
// groups of five converge to exactly fifteen droplets, each name once, and
// heal two deletions; then, with the faults gone and the lag over, nothing
// more appears: no duplicate and no leak.
func TestDigitalOceanFaults(t *testing.T) {
	t.Parallel()
	w := newDOWorld(t, dofake.Options{Seed: 7}, loseFirstCreateReply)
	// The lag spans many 2 s resyncs, as DigitalOcean's does; a longer one
	// tests nothing more and made this the slowest test of the package.
	w.fake.Inject(dofake.Faults{ServerErrorRate: 0.2, ListLag: 10 * time.Second})
	spec := w.specWith(`  list_lag = "12s"`)
	var logs bytes.Buffer
	start := time.Now()
	w.converge(spec, &logs, boundGroup)
	t.Logf("converged under faults in %v", time.Since(start).Round(100*time.Millisecond))
	w.exactly("after apply under faults")

	drops := w.fake.Droplets()
	w.fake.DeleteBehindBack(drops[3].ID)
	w.fake.DeleteBehindBack(drops[11].ID)
	start = time.Now()
	w.converge(spec, &logs, boundGroup) // a new runner: a restart, too
	t.Logf("healed two deletions under faults in %v", time.Since(start).Round(100*time.Millisecond))
	w.exactly("after two deletions under faults")

	w.fake.Inject(dofake.Faults{})
	w.converge(spec, &logs, boundGroup)
	w.exactly("with the faults gone")
	if !strings.Contains(w.events.String(), "create_failed") {
		t.Error("no create failed: the faults were not exercised")
	}
}

// With a budget of 20 requests per 2 s, far below what applying 15
// droplets takes: drover slows down, nothing is lost or duplicated.
func TestDigitalOceanRateBudget(t *testing.T) {
	t.Parallel()
	w := newDOWorld(t, dofake.Options{RatePerMinute: 20, RateWindow: 2 * time.Second})
	var logs bytes.Buffer
	start := time.Now()
	w.converge(w.spec(), &logs, boundGroup)
	calls := 0
	for _, n := range w.fake.Calls() {
		calls += n
	}
	t.Logf("converged in %v with %d API calls at 20 per 2 s", time.Since(start).Round(100*time.Millisecond), calls)
	w.exactly("after a squeezed budget")
}

// loseFirstCreateReply lets the first droplet create through to the fake,
// which makes the droplet, and answers 500 in place of its reply: a write
// that happened with its reply lost, the fault duplicates come from, met
// in every run whatever the random faults hit (which requests they hit
// depends on the order of the groups' calls).
func loseFirstCreateReply(next http.Handler) http.Handler {
	var lost atomic.Bool
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/droplets" || !lost.CompareAndSwap(false, true) {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(httptest.NewRecorder(), r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"id":"server_error","message":"the reply was lost"}`)
	})
}

// readTree concatenates every file under dir.
func readTree(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			b.Write(data)
		}
		return nil
	})
	return b.String()
}
