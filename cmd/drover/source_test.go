package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
)

// fakeDaemon (confirm_test.go) has no sources.
func (f *fakeDaemon) AddSource(context.Context, api.SourceSpec) (api.SourceInfo, error) {
	return api.SourceInfo{}, fmt.Errorf("sources: %w", api.ErrNotFound)
}
func (f *fakeDaemon) UpdateSource(context.Context, api.SourceSpec) (api.SourceInfo, error) {
	return api.SourceInfo{}, fmt.Errorf("sources: %w", api.ErrNotFound)
}
func (f *fakeDaemon) Sources(context.Context) ([]api.SourceInfo, error) { return nil, nil }
func (f *fakeDaemon) Source(context.Context, string) (api.SourceInfo, error) {
	return api.SourceInfo{}, fmt.Errorf("source: %w", api.ErrNotFound)
}
func (f *fakeDaemon) SuspendSource(context.Context, string, bool) (api.SourceInfo, error) {
	return api.SourceInfo{}, fmt.Errorf("source: %w", api.ErrNotFound)
}
func (f *fakeDaemon) SyncSource(context.Context, string, api.SyncRequest) (api.SourceInfo, error) {
	return api.SourceInfo{}, fmt.Errorf("source: %w", api.ErrNotFound)
}
func (f *fakeDaemon) RemoveSource(context.Context, string, api.RemoveSourceRequest) error {
	return fmt.Errorf("source: %w", api.ErrNotFound)
}

// sourceDaemon is a fakeDaemon with one source, app, that records what
// the CLI sends it.
type sourceDaemon struct {
	*fakeDaemon
	app api.SourceInfo // what every source call answers

	mu      sync.Mutex
	got     []any // the requests, in order
	applied []api.ApplyRequest
}

func (d *sourceDaemon) keep(v any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got = append(d.got, v)
}

func (d *sourceDaemon) requests() []any {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]any(nil), d.got...)
}

func (d *sourceDaemon) AddSource(_ context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
	d.keep(spec)
	if spec.Name == "taken" {
		return api.SourceInfo{}, fmt.Errorf("source taken: %w", api.ErrSourceExists)
	}
	return d.app, nil
}
func (d *sourceDaemon) UpdateSource(_ context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
	d.keep(spec)
	return d.app, nil
}
func (d *sourceDaemon) Sources(context.Context) ([]api.SourceInfo, error) {
	return []api.SourceInfo{d.app}, nil
}
func (d *sourceDaemon) Source(_ context.Context, name string) (api.SourceInfo, error) {
	if name != d.app.Name {
		return api.SourceInfo{}, fmt.Errorf("source %s: %w", name, api.ErrNotFound)
	}
	return d.app, nil
}
func (d *sourceDaemon) SuspendSource(_ context.Context, name string, suspend bool) (api.SourceInfo, error) {
	d.keep(fmt.Sprintf("suspend %s %v", name, suspend))
	return d.app, nil
}
func (d *sourceDaemon) SyncSource(_ context.Context, name string, req api.SyncRequest) (api.SourceInfo, error) {
	d.keep(req)
	return d.app, nil
}
func (d *sourceDaemon) RemoveSource(_ context.Context, name string, req api.RemoveSourceRequest) error {
	d.keep(req)
	return nil
}
func (d *sourceDaemon) Apply(_ context.Context, req api.ApplyRequest) (api.ApplyResponse, error) {
	d.keep(req)
	return api.ApplyResponse{Revision: api.RevisionInfo{Number: 8, Stack: req.Stack}}, nil
}
func (d *sourceDaemon) Destroy(_ context.Context, req api.DestroyRequest) (api.ApplyResponse, error) {
	d.keep(req)
	return api.ApplyResponse{Revision: api.RevisionInfo{Number: 8, Kind: api.KindDestroy, Stack: req.Stack}}, nil
}

// serveBackend serves b on a unix socket and returns its path.
func serveBackend(t *testing.T, b api.Backend) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "drvs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "d.sock")
	h, err := api.NewServer(api.ServerOptions{Backend: b})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sock
}

// appSource is a source holding a commit.
var appSource = api.SourceInfo{Name: "app", URL: "https://git.example.com/app.git", Auth: "token",
	Status: api.SourceStatus{State: api.SourceReady, Seen: "0123456789abcdef", Applied: "0123456789abcdef", Revision: 4}}

// The flags of source add are checked, and its files and variables read,
// before a daemon is looked for; no error shows a secret.
func TestSourceAddFlags(t *testing.T) {
	dir := t.TempDir()
	token := writeFile(t, dir, "token", "s3cr3t-token\n")
	empty := writeFile(t, dir, "empty", "\n")
	big := writeFile(t, dir, "big", strings.Repeat("k", 64<<10+1))
	dangling, fifo := filepath.Join(dir, "dangling"), filepath.Join(dir, "fifo")
	if err := os.Symlink(filepath.Join(dir, "gone"), dangling); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	env := fakeEnv{"DB_PASS": "s3cr3t-value"}
	noDaemon := "no drover daemon is reachable"
	for _, tc := range []struct {
		name string
		args []string
		says []string
	}{
		{"branch and tag", []string{"--branch", "main", "--tag", "v1"}, []string{"--branch and --tag: give one of them"}},
		{"key and token", []string{"--ssh-key-file", token, "--token-file", token}, []string{"--ssh-key-file and --token-file: give one of them"}},
		{"no url", []string{"--url="}, []string{"--url is required"}},
		{"password in the url", []string{"--url", "https://bob:s3cr3t-pass@git.example.com/a.git"}, []string{"--url: credentials in the URL are refused"}},
		{"missing file", []string{"--token-file", filepath.Join(dir, "nope")}, []string{"--token-file:", "no such file"}},
		{"dangling link", []string{"--token-file", dangling}, []string{"--token-file:", "no such file"}},
		{"fifo", []string{"--ssh-key-file", fifo}, []string{"--ssh-key-file " + fifo + ": not a regular file"}},
		{"directory", []string{"--ssh-key-file", dir}, []string{"--ssh-key-file " + dir + ": not a regular file"}},
		{"too large", []string{"--webhook-secret-file", big}, []string{"--webhook-secret-file " + big + ": larger than 64 KiB"}},
		{"empty", []string{"--token-file", empty}, []string{"--token-file " + empty + ": the file is empty"}},
		{"env unset", []string{"--env", "DB_PASS", "--env", "REGION"}, []string{"--env REGION: REGION is not set in this environment"}},
		{"env with a value", []string{"--env", "DB_PASS=s3cr3t-value"}, []string{"--env: want the name of an environment variable"}},
		{"negative interval", []string{"--interval", "-1m"}, []string{"must not be negative"}},
		{"notify not http", []string{"--notify", "ftp://x"}, []string{"--notify: want an http:// or https:// URL"}},
		{"all good: then the daemon is looked for", []string{"--token-file", token, "--env", "DB_PASS", "--branch", "prod"}, []string{noDaemon}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"source", "add", "app", "--data-dir", t.TempDir(), "--url", "https://git.example.com/app.git"}, tc.args...)
			r := runCLI(t, env, "", args...)
			wantCode(t, r, exitError)
			wantContains(t, r, "stderr", tc.says...)
			if tc.says[0] != noDaemon {
				wantNotContains(t, r, "stderr", noDaemon)
			}
			wantNotContains(t, r, "stderr", "s3cr3t")
		})
	}
	r := drover(t, "source", "add", "Bad_Name", "--data-dir", t.TempDir(), "--url", "https://x/a.git")
	wantCode(t, r, exitError)
	wantContains(t, r, "stderr", "source name: want")
}

// source add sends the files' content, trimmed, and the variables'
// values; it shows none of them.
func TestSourceAddSends(t *testing.T) {
	dir := t.TempDir()
	key := "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
	d := &sourceDaemon{fakeDaemon: &fakeDaemon{}, app: appSource}
	sock := serveBackend(t, d)
	r := runCLI(t, fakeEnv{"DB_PASS": "s3cr3t-value", "REGION": "fra1"}, "", "source", "add", "app", "--addr", sock,
		"--url", "ssh://git@git.example.com/app.git", "--tag", "v1.2", "--path", "deploy", "--interval", "2m", "--timeout", "30s",
		"--ssh-key-file", writeFile(t, dir, "key", key), "--webhook-secret-file", writeFile(t, dir, "hook", "  s3cr3t-hook \n"),
		"--env", "DB_PASS", "--env", "REGION", "--notify", "https://hooks.example.com/x", "--prune")
	wantCode(t, r, exitOK)
	wantContains(t, r, "stdout", "Source app: ready, 0123456 applied (revision 4).")
	wantNotContains(t, r, "stdout", "s3cr3t", "AAAA")
	want := api.SourceSpec{Name: "app", URL: "ssh://git@git.example.com/app.git", Tag: "v1.2", Path: "deploy", Interval: 120e9, Timeout: 30e9,
		Prune: true, Env: map[string]string{"DB_PASS": "s3cr3t-value", "REGION": "fra1"}, SSHKey: key, WebhookSecret: "s3cr3t-hook",
		Notify: "https://hooks.example.com/x"}
	if got := d.requests(); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("the daemon got %#v, want %#v", got, want)
	}
	r = drover(t, "source", "add", "taken", "--addr", sock, "--url", "https://x/a.git")
	wantCode(t, r, exitError)
	wantContains(t, r, "stderr", "a source of that name exists (HTTP 409)")
}

func TestSourceCommands(t *testing.T) {
	held := appSource
	held.Status = api.SourceStatus{State: api.SourceHeld, Applied: "fedcba9876", Held: "89abcdef01", HeldReason: "it removes 3 of 4 resources"}
	failed := appSource
	failed.Status = api.SourceStatus{State: api.SourceFailed, LastError: "spec.hcl:3: Unsupported argument"}
	status := api.Status{Revision: 4, Stacks: []api.StackInfo{{Name: "app", Resources: []string{"group.web"}}, {Name: "default", Resources: []string{"service.api"}}},
		Resources: []resource.Status{
			{Resource: resource.Group.KeyOf("web"), Kind: resource.Group, Name: "web", Observed: resource.Counts{Total: 3}},
			{Resource: resource.Service.KeyOf("api"), Kind: resource.Service, Name: "api"},
		}}
	for _, tc := range []struct {
		name     string
		app      api.SourceInfo
		args     []string
		terminal bool
		code     int
		sent     []any
		out, err []string
		notOut   []string
	}{
		{name: "list", app: appSource, args: []string{"list"}, out: []string{"NAME", "app", "https://git.example.com/app.git", "main", "ready", "0123456"}},
		{name: "show", app: appSource, args: []string{"show", "app"}, out: []string{"Auth:        token", "Applied:     0123456789abcdef (revision 4)"}},
		{name: "show of none", app: appSource, args: []string{"show", "nope"}, code: exitError, err: []string{"source nope: not found (HTTP 404)"}},
		{name: "show of a bad name", app: appSource, args: []string{"show", "No"}, code: exitError, err: []string{"source name: want"}},
		{name: "suspend", app: appSource, args: []string{"suspend", "app"}, sent: []any{"suspend app true"}, out: []string{"Source app: ready"}},
		{name: "resume", app: appSource, args: []string{"resume", "app"}, sent: []any{"suspend app false"}},
		{name: "update", app: appSource, args: []string{"update", "app", "--url", "https://git.example.com/app.git", "--interval", "5m"},
			sent: []any{api.SourceSpec{Name: "app", URL: "https://git.example.com/app.git", Interval: 5 * time.Minute}}, out: []string{"Source app: ready"}},
		{name: "sync", app: appSource, args: []string{"sync", "app"}, sent: []any{api.SyncRequest{}}, out: []string{"Source app: ready, 0123456 applied (revision 4)."}},
		{name: "sync, held", app: held, args: []string{"sync", "app"}, code: exitError, sent: []any{api.SyncRequest{}},
			out: []string{"Source app: held"}, err: []string{"source app holds commit 89abcde: it removes 3 of 4 resources; drover source sync app --allow-prune applies it"}},
		{name: "sync, allowing prune", app: appSource, args: []string{"sync", "app", "--allow-prune"}, sent: []any{api.SyncRequest{AllowPrune: true}}},
		{name: "sync, failed", app: failed, args: []string{"sync", "app"}, code: exitError, sent: []any{api.SyncRequest{}},
			err: []string{"source app failed: spec.hcl:3: Unsupported argument"}},
		{name: "remove", app: appSource, args: []string{"remove", "app"}, sent: []any{api.RemoveSourceRequest{}}, out: []string{"Source app removed; what it applied stays."}},
		{name: "remove --destroy without a terminal", app: appSource, args: []string{"remove", "app", "--destroy"}, code: exitError,
			out: []string{"Removing source app with --destroy destroys its stack:", "group.web (3 machines)"}, notOut: []string{"service.api"}, err: []string{"-auto-approve"}},
		{name: "remove --destroy, yes", app: appSource, args: []string{"remove", "app", "--destroy"}, terminal: true,
			sent: []any{api.RemoveSourceRequest{Destroy: true}}, out: []string{"Source app removed; the daemon destroys its stack."}},
		{name: "remove --destroy -auto-approve", app: appSource, args: []string{"remove", "app", "--destroy", "-auto-approve"},
			sent: []any{api.RemoveSourceRequest{Destroy: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &sourceDaemon{fakeDaemon: &fakeDaemon{status: status}, app: tc.app}
			sock := serveBackend(t, d)
			var out, errOut bytes.Buffer
			args := append(append([]string{"source"}, tc.args...), "--addr", sock)
			code := run(t.Context(), args, stdio{in: strings.NewReader("yes\n"), out: &out, err: &errOut, isTerminal: func() bool { return tc.terminal }}, fakeEnv{}.lookup)
			r := result{args: args, code: code, stdout: out.String(), stderr: errOut.String()}
			wantCode(t, r, tc.code)
			wantContains(t, r, "stdout", tc.out...)
			wantNotContains(t, r, "stdout", tc.notOut...)
			wantContains(t, r, "stderr", tc.err...)
			if got := d.requests(); !reflect.DeepEqual(got, tc.sent) {
				t.Errorf("the daemon got %#v, want %#v\n%s", got, tc.sent, r)
			}
		})
	}
}

// Every source command takes -o json, and needs a daemon.
func TestSourceJSONAndDaemon(t *testing.T) {
	d := &sourceDaemon{fakeDaemon: &fakeDaemon{}, app: appSource}
	sock := serveBackend(t, d)
	for _, args := range [][]string{
		{"list"}, {"show", "app"}, {"suspend", "app"}, {"resume", "app"}, {"sync", "app"}, {"remove", "app"},
		{"add", "app", "--url", "https://git.example.com/app.git"},
	} {
		t.Run(args[0], func(t *testing.T) {
			r := drover(t, append(append([]string{"source"}, args...), "--addr", sock, "-o", "json")...)
			wantCode(t, r, exitOK)
			if !json.Valid([]byte(r.stdout)) || !strings.Contains(r.stdout, `"name": "app"`) {
				t.Errorf("-o json printed\n%s", r.stdout)
			}
			r = drover(t, append(append([]string{"source"}, args...), "--data-dir", t.TempDir())...)
			wantCode(t, r, exitError)
			wantContains(t, r, "stderr", "no drover daemon is reachable: start one with `drover run`")
		})
	}
	r := drover(t, "source", "list", "--addr", serveBackend(t, &fakeDaemon{}), "-o", "json")
	wantCode(t, r, exitOK)
	if r.stdout != "[]\n" {
		t.Errorf("no sources as JSON: %q, want []", r.stdout)
	}
}
