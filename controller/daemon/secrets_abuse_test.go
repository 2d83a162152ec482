package daemon_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/store"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/internal/syncbuf"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/specs"
)

// secretsAPIToken is the daemon's API token: no response may show it either.
const secretsAPIToken = "daemon-api-token-0123456789abcdef"

// planted is a secret of the daemon's host that a client must never read.
const planted = "planted-SECRET-4b1d9e77c0"

// tcpHarness is a harness whose daemon serves TCP with secretsAPIToken and
// logs into logs.
type tcpHarness struct {
	*harness
	logs *syncbuf.Buffer
}

// newTCPHarness starts a daemon on TCP and returns it with a caller of its
// API.
func newTCPHarness(t *testing.T, dir string) (*tcpHarness, *caller) {
	t.Helper()
	h := &tcpHarness{harness: &harness{t: t, resync: time.Hour, plugin: fake.New(nil), dir: dir}, logs: &syncbuf.Buffer{}}
	h.startTCP()
	t.Cleanup(h.stop)
	return h, &caller{t: t, h: h.harness}
}

func (h *tcpHarness) startTCP() {
	h.t.Helper()
	opts := h.options()
	opts.Listen, opts.Token = "127.0.0.1:0", secretsAPIToken
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.startIn(reconcile.WithLogger(h.t.Context(), log), opts)
}

// caller sends raw requests, so that tests see every byte of a response.
type caller struct {
	t *testing.T
	h *harness
}

func (c *caller) do(method, path string, body any) (int, string) {
	c.t.Helper()
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, "http://"+c.h.d.Addr()+path, in)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secretsAPIToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, string(out)
}

// bodies fetches what a client can read of the daemon's state.
func (c *caller) bodies() map[string]string {
	c.t.Helper()
	out := map[string]string{}
	for _, path := range []string{"/v1/status", "/v1/revisions", "/v1/events?since=0&follow=false", "/readyz", "/healthz"} {
		_, out["GET "+path] = c.do("GET", path, nil)
	}
	hist, err := c.h.d.History(c.t.Context())
	if err != nil {
		c.t.Fatal(err)
	}
	for _, r := range hist {
		path := fmt.Sprintf("/v1/revisions/%d", r.Number)
		_, out["GET "+path] = c.do("GET", path, nil)
	}
	if len(hist) > 0 {
		_, out["POST /v1/plan (current)"] = c.do("POST", "/v1/plan", api.PlanRequest{})
	}
	return out
}

// serving checks that the daemon still answers.
func (c *caller) serving() {
	c.t.Helper()
	if code, body := c.do("GET", "/healthz", nil); code != http.StatusOK {
		c.t.Fatalf("healthz: %d %s", code, body)
	}
	if code, body := c.do("GET", "/v1/status", nil); code != http.StatusOK {
		c.t.Fatalf("status: %d %s", code, body)
	}
}

func noSecretIn(t *testing.T, where, body string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s shows a secret (%q): %s", where, s, body)
		}
	}
}

// fakeSpec is a spec on the fake plugin whose group size is expr, so that
// a value that reaches it is put in a diagnostic if anything is.
func fakeSpec(expr string) []byte {
	return []byte(`
variable "leak" {
  default = ""
}
provider "fake" "main" {
  token = "x"
}
group "a" {
  size = tonumber(` + expr + `)
  instance "fake" { image = "x" }
  flavor "vanilla" {}
}`)
}

// Only the daemon withholds: a client that lists withheld entries, to
// have the daemon read its host's files and environment, is refused, and
// no response shows what they hold.
func TestWithheldInjectionRefused(t *testing.T) {
	dir := t.TempDir()
	shadow := filepath.Join(dir, "shadow")
	if err := os.WriteFile(shadow, []byte("root:"+planted+":19000:0:99999:7:::\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DROVER_ABUSE_PLANTED", planted)
	t.Setenv("DROVER_VAR_leak", planted)
	t.Setenv("DROVER_TOKEN", secretsAPIToken)
	h, c := newTCPHarness(t, shortTempDir(t))
	cases := []struct {
		name, expr string
		withheld   []specs.Withheld
	}{
		{"a host file", fmt.Sprintf("file(%q)", shadow), []specs.Withheld{{Kind: "file", Name: shadow}}},
		{"a host file, relative", `file("shadow")`, []specs.Withheld{{Kind: "file", Name: "shadow"}}},
		{"the daemon's environ", `file("/proc/self/environ")`, []specs.Withheld{{Kind: "file", Name: "/proc/self/environ"}}},
		{"an environment variable", `env("DROVER_ABUSE_PLANTED")`, []specs.Withheld{{Kind: "env", Name: "DROVER_ABUSE_PLANTED"}}},
		{"the daemon's token", `env("DROVER_TOKEN")`, []specs.Withheld{{Kind: "env", Name: "DROVER_TOKEN"}}},
		{"a variable", `var.leak`, []specs.Withheld{{Kind: "var", Name: "leak"}}},
		{"the spec itself", `"1"`, []specs.Withheld{{Kind: "file", Name: "t.hcl"}}},
	}
	for _, tc := range cases {
		for _, path := range []string{"/v1/plan", "/v1/apply"} {
			t.Run(tc.name+" "+path, func(t *testing.T) {
				b := specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": fakeSpec(tc.expr)}, Withheld: tc.withheld, Dir: dir}
				code, body := c.do("POST", path, api.ApplyRequest{Bundle: b})
				if code != http.StatusBadRequest || !strings.Contains(body, "only the daemon withholds") {
					t.Errorf("%s with withheld %v: %d %s", path, tc.withheld, code, body)
				}
				noSecretIn(t, path, body, planted, secretsAPIToken, "root:")
				// Without the list, the daemon reads nothing of its own.
				b.Withheld = nil
				code, body = c.do("POST", path, api.ApplyRequest{Bundle: b})
				if tc.expr != `"1"` && code != http.StatusBadRequest {
					t.Errorf("%s reading the host without withheld: %d %s", path, code, body)
				}
				noSecretIn(t, path, body, planted, secretsAPIToken, "root:")
				c.serving()
			})
		}
	}
	for where, body := range c.bodies() {
		noSecretIn(t, where, body, planted, secretsAPIToken, "root:")
	}
	noSecretIn(t, "the daemon's log", h.logs.String(), planted, secretsAPIToken, "root:")
}

// A secret given to a spec, however it is transformed on its way to a
// sensitive attribute, is in no response and not in the store; its
// file is withheld by absolute path and read from there after a restart,
// and a restart that finds it changed says so instead of serving it.
func TestNoSecretInAnyResponse(t *testing.T) {
	const token = "tok-9d2c41aa07be-never-shown"
	dir := t.TempDir()
	tokPath := filepath.Join(dir, "tok")
	reversed := reverse(token)
	if err := os.WriteFile(tokPath, []byte(reversed+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h, c := newTCPHarness(t, shortTempDir(t))
	spec := []byte(`
variable "pw" {
  default   = ""
  sensitive = true
}
provider "fake" "main" {
  token = join("", [strrev(trimspace(file("tok"))), var.pw])
}
group "a" {
  size = 1
  instance "fake" { image = "x" }
  flavor "vanilla" {}
}`)
	b := specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": spec, "tok": []byte(reversed + "\n")},
		Vars: []string{"pw=" + planted}, Dir: dir}
	secrets := []string{token, reversed, planted}

	code, body := c.do("POST", "/v1/plan", api.PlanRequest{Bundle: &b})
	if code != http.StatusOK {
		t.Fatalf("plan: %d %s", code, body)
	}
	noSecretIn(t, "plan", body, secrets...)
	code, body = c.do("POST", "/v1/apply", api.ApplyRequest{Bundle: b})
	if code != http.StatusCreated {
		t.Fatalf("apply: %d %s", code, body)
	}
	noSecretIn(t, "apply", body, secrets...)
	h.await("revision 1", converged(1))
	for where, body := range c.bodies() {
		noSecretIn(t, where, body, secrets...)
	}
	detail, err := h.d.Revision(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"file " + tokPath, "var pw"}
	if strings.Join(detail.Withheld, ",") != strings.Join(want, ",") {
		t.Errorf("withheld %v, want %v", detail.Withheld, want)
	}
	h.stop()
	raw, err := os.ReadFile(filepath.Join(h.dir, "drover.db"))
	if err != nil {
		t.Fatal(err)
	}
	noSecretIn(t, "the store", string(raw), secrets...)

	// From another working directory, with the -var given as DROVER_VAR_:
	// the same file is read, and the revision is served.
	t.Chdir(t.TempDir())
	t.Setenv("DROVER_VAR_pw", planted)
	h.startTCP()
	h.await("revision 1 after a restart", converged(1))

	// The secret file changed on the host: not served silently.
	h.stop()
	if err := os.WriteFile(tokPath, []byte("other\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.startTCP()
	st := h.await("the difference reported", func(st api.Status) bool { return st.Error != "" })
	if !strings.Contains(st.Error, "loads to a different spec than was applied") || !strings.Contains(st.Error, "file "+tokPath) {
		t.Errorf("status error: %s", st.Error)
	}
	if code, body := c.do("GET", "/readyz", nil); code != http.StatusServiceUnavailable {
		t.Errorf("readyz with a changed secret: %d %s", code, body)
	}
	for where, body := range c.bodies() {
		noSecretIn(t, where, body, secrets...)
	}
	noSecretIn(t, "the daemon's log", h.logs.String(), secrets...)
	if !strings.Contains(h.logs.String(), "drover daemon serving") {
		t.Error("the log was not captured")
	}
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// A recorded revision that cannot be served, whatever the reason, leaves
// the daemon serving: it starts (again and again), says why in its status
// and is not ready, and a spec that works can be applied.
func TestBadRecordedRevisionLeavesDaemonServing(t *testing.T) {
	shadow := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(shadow, []byte(planted), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		bundle specs.Bundle
		want   string
	}{
		{"no spec files", specs.Bundle{}, "names no spec files"},
		{"a syntax error", specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte("group {{{")}}, "no longer loads"},
		{"a plugin that is gone", specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte(`
group "a" {
  size = 1
  instance "gone" {}
  flavor "vanilla" {}
}`)}}, "no longer loads"},
		{"a missing secret", specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": fakeSpec(`env("DROVER_ABUSE_UNSET")`)},
			Withheld: []specs.Withheld{{Kind: "env", Name: "DROVER_ABUSE_UNSET"}}}, "environment variable DROVER_ABUSE_UNSET"},
		{"a spec that loads differently", bundle("a=1"), "loads to a different spec than was applied"},
		// Recorded by a drover without upper bounds: it once killed the
		// daemon with out-of-memory at every start.
		{"a group of a billion", specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte(`
group "a" {
  size = 1e9
  instance "fake" { image = "x" }
  flavor "vanilla" {}
}`)}}, "no longer loads"},
		{"a host file withheld by a client", specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte(fmt.Sprintf(`
group "a" {
  size = 1
  instance "fake" { image = file(%q) }
  flavor "vanilla" {}
}`, shadow))}, Withheld: []specs.Withheld{{Kind: "file", Name: shadow}}}, "withholds file " + shadow + ", which holds no secret of it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := shortTempDir(t)
			st, err := store.Open(filepath.Join(dir, "drover.db"), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			rec := store.Record{Kind: api.KindApply, Hash: "0123456789abcdef", Bundle: tc.bundle}
			if _, err := st.Append(t.Context(), rec, nil); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			h, c := newTCPHarness(t, dir)
			for start := range 2 {
				if start > 0 {
					h.stop()
					h.startTCP()
				}
				s := h.await("the reason reported", func(st api.Status) bool { return st.Error != "" })
				if !strings.Contains(s.Error, "revision 1") || !strings.Contains(s.Error, tc.want) {
					t.Errorf("status error %q, want it to name revision 1 and %q", s.Error, tc.want)
				}
				if code, body := c.do("GET", "/readyz", nil); code != http.StatusServiceUnavailable {
					t.Errorf("readyz: %d %s", code, body)
				}
				c.serving()
			}
			for where, body := range c.bodies() {
				noSecretIn(t, where, body, planted)
			}
			res := h.apply(bundle("b=1"))
			h.await("the fix", converged(res.Revision.Number))
			if code, body := c.do("GET", "/readyz", nil); code != http.StatusOK {
				t.Errorf("readyz after the fix: %d %s", code, body)
			}
		})
	}
}
