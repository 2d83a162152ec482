package digitalocean

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/drover/drover/instance/digitalocean/dofake"
)

const testToken = "dop_v1_s3cr3t0k3nd0n0tl34k"

// env is a plugin on a fake API.
type env struct {
	fake   *dofake.Server
	srv    *httptest.Server
	plugin *Plugin
}

func newEnv(t *testing.T, opts dofake.Options) *env {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	fake := dofake.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg, _ := json.Marshal(Config{Token: opts.Token, Region: "fra1", APIURL: srv.URL})
	p, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.backoff = 10 * time.Millisecond
	return &env{fake: fake, srv: srv, plugin: p}
}

func goodProps() json.RawMessage {
	return json.RawMessage(`{"size":"s-1vcpu-1gb","image":"docker-20-04","ssh_keys":["drover"],"tags":["swarm"]}`)
}
