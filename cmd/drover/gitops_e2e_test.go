package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/cmd/drover/internal/views"
	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/gitsource/gittest"
	"github.com/drover/drover/instance/docker/dockertest"
)

// webhookLine is what drover run prints when it takes webhooks.
var webhookLine = regexp.MustCompile(`drover daemon: webhooks on http://(\S+)/hooks/NAME`)

// GitOps end to end, with the real binary, engine and git: a source
// followed from a bare repository is applied (with a variable it names),
// a signed webhook applies a push at once, a broken commit and one that
// reads outside the repository are refused with the running revision
// kept, a fix is applied, and removing the source with --destroy removes
// its containers.
func TestGitOpsEndToEnd(t *testing.T) {
	t.Parallel()
	w := newDaemonWorld(t, "gitops")
	d, hooks := w.startWebhooks()
	repo := gittest.NewRepo(t)
	greeting := "hello " + randomHex(t)
	spec := func(size int, extra string) map[string]string {
		return map[string]string{"deploy/web.hcl": fmt.Sprintf(`group "web" {
  size = %d
  instance "docker" {
    image = %q
    env   = { GREETING = env("GREETING")%s }
  }
  flavor "vanilla" {}
}
`, size, w.image, extra)}
	}

	c1 := repo.Commit(t, spec(1, ""), "one web")
	secret := randomHex(t)
	secretFile := writeFile(t, t.TempDir(), "web.webhook-secret", secret+"\n")
	if code, out := w.droverEnv([]string{"GREETING=" + greeting}, "source", "add", "web", "--url", repo.URL(), "--path", "deploy",
		"--prune", "--interval", "10m", "--webhook-secret-file", secretFile, "--env", "GREETING"); code != 0 {
		t.Fatalf("source add exited %d:\n%s", code, out)
	}
	w.awaitRunning(1, d)
	for _, m := range w.machines() {
		info, err := w.cli.ContainerInspect(t.Context(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(info.Config.Env, "GREETING="+greeting) {
			t.Fatalf("container %s lacks GREETING from the source's --env: %v", m.Names, info.Config.Env)
		}
	}
	if got := w.showSource("web").Status.Applied; got != c1 {
		t.Fatalf("applied %q, want commit 1 %s", got, c1)
	}

	pushed := time.Now()
	c2 := repo.Commit(t, spec(2, ""), "two webs")
	if code, body := postWebhook(t, hooks, "web", secret, w.owner+"-"+randomHex(t)); code != http.StatusAccepted || !strings.Contains(body, `"accepted":true`) {
		t.Fatalf("webhook answered %d %s, want 202 accepted\n%s", code, body, d.out)
	}
	var applied time.Duration
	c := w.client()
	dockertest.WaitFor(t, e2eBound, func() (bool, error) {
		if applied == 0 {
			if info, err := c.Source(t.Context(), "web"); err == nil && info.Status.Applied == c2 {
				applied = time.Since(pushed)
			}
		}
		ok, err := w.running(2)
		return ok && applied > 0, fmt.Errorf("commit 2 applied after %v; %v\ndaemon:\n%s", applied, err, d.out)
	})
	t.Logf("push -> commit applied: %v; push -> 2 running containers: %v (signed webhook, interval 10m)", applied, time.Since(pushed))

	c3 := repo.Commit(t, map[string]string{"deploy/web.hcl": "group \"web\" {\n  size = = 2\n}\n"}, "broken")
	code, out := w.drover("source", "sync", "web")
	if code == 0 || !strings.Contains(out, "deploy/web.hcl:2") {
		t.Fatalf("sync of a broken commit exited %d, want non-zero naming deploy/web.hcl:2:\n%s", code, out)
	}
	if st := w.showSource("web").Status; st.Applied != c2 || st.Seen != c3 || st.State != api.SourceFailed {
		t.Fatalf("after a broken commit: %+v, want failed, seen %s, applied commit 2 %s", st, c3, c2)
	}
	w.wantRunning(2)

	c4 := repo.Commit(t, spec(2, `, HOST = file("../../etc/hostname")`), "escape")
	code, out = w.drover("source", "sync", "web")
	if code == 0 || !strings.Contains(out, "outside the repository") {
		t.Fatalf("sync of a commit reading outside the repository exited %d, want it refused:\n%s", code, out)
	}
	if st := w.showSource("web").Status; st.Applied != c2 || st.Seen != c4 {
		t.Fatalf("after an escaping commit: %+v, want seen %s, applied commit 2 %s", st, c4, c2)
	}
	w.wantRunning(2)

	c5 := repo.Commit(t, spec(1, ""), "fixed: one web")
	w.mustDrover("source", "sync", "web")
	w.awaitRunning(1, d)
	if !historyNames(w.mustDrover("history"), "web", views.ShortSHA(c5)) {
		t.Fatalf("history lacks a revision of stack web at commit %s:\n%s", views.ShortSHA(c5), w.mustDrover("history"))
	}

	w.mustDrover("source", "remove", "web", "--destroy", "-auto-approve")
	w.awaitRunning(0, d)
	w.stop(d)
	for what, v := range map[string]string{"the webhook secret": secret, "the value of GREETING": greeting} {
		if strings.Contains(d.out.String(), v) {
			t.Errorf("the daemon's output shows %s:\n%s", what, d.out)
		}
	}
}

// startWebhooks runs drover run with a webhook listener on a free port of
// the loopback, waits until its API answers, and returns it with the
// listener's address, read from what it prints.
func (w *daemonWorld) startWebhooks() (*daemonProc, string) {
	w.t.Helper()
	p := w.start("--webhook-listen", "127.0.0.1:0")
	m := webhookLine.FindStringSubmatch(p.out.String())
	if m == nil {
		w.t.Fatalf("no webhook address printed:\n%s", p.out)
	}
	return p, m[1]
}

// awaitRunning waits until the owner has exactly n containers, all running.
func (w *daemonWorld) awaitRunning(n int, d *daemonProc) {
	w.t.Helper()
	dockertest.WaitFor(w.t, e2eBound, func() (bool, error) {
		ok, err := w.running(n)
		if err != nil {
			err = fmt.Errorf("%w\ndaemon:\n%s", err, d.out)
		}
		return ok, err
	})
}

// wantRunning checks that the owner has exactly n containers, all running.
func (w *daemonWorld) wantRunning(n int) {
	w.t.Helper()
	if ok, err := w.running(n); !ok {
		w.t.Fatal(err)
	}
}

func (w *daemonWorld) running(n int) (bool, error) {
	ms := w.machines()
	states := map[string]string{}
	for name, m := range ms {
		states[name] = m.State
	}
	for _, m := range ms {
		if m.State != "running" {
			return false, fmt.Errorf("containers %v, want %d running", states, n)
		}
	}
	if len(ms) != n {
		return false, fmt.Errorf("containers %v, want %d running", states, n)
	}
	return true, nil
}

// showSource is drover source show NAME -o json, decoded.
func (w *daemonWorld) showSource(name string) api.SourceInfo {
	w.t.Helper()
	out := w.mustDrover("source", "show", name, "-o", "json")
	var info api.SourceInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		w.t.Fatalf("source show -o json: %v\n%s", err, out)
	}
	return info
}

// postWebhook POSTs a generic delivery, signed with secret, to the
// source's hook on addr, and returns the answer's status and body.
func postWebhook(t *testing.T, addr, source, secret, delivery string) (int, string) {
	t.Helper()
	body := []byte(`{"ref":"refs/heads/main"}`)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	ctx, cancel := context.WithTimeout(t.Context(), e2eBound)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/hooks/"+source, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Drover-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("X-Drover-Delivery", delivery)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// historyNames says whether a line of drover history's table has both
// the stack and the commit's short sha as columns.
func historyNames(hist, stack, short string) bool {
	for _, line := range strings.Split(hist, "\n") {
		f := strings.Fields(line)
		if slices.Contains(f, stack) && slices.Contains(f, short) {
			return true
		}
	}
	return false
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
