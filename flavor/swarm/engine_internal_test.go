package swarm

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/swarm/pki"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

func TestEndpointOf(t *testing.T) {
	tests := []struct {
		name   string
		tags   map[string]string
		want   endpoint
		remote bool
	}{
		{"unix socket", map[string]string{instance.TagEngine: "unix:///s/docker.sock", TagSwarm: "p", tagName: "m-1"}, endpoint{addr: "unix:///s/docker.sock"}, false},
		{"tcp", map[string]string{instance.TagEngine: "tcp://10.0.0.2:2376", TagSwarm: "p", tagName: "m-1"}, endpoint{"tcp://10.0.0.2:2376", "p", "m-1"}, true},
		{"tcp without tags", map[string]string{instance.TagEngine: "tcp://10.0.0.2:2376"}, endpoint{addr: "tcp://10.0.0.2:2376"}, true},
		{"none", map[string]string{TagSwarm: "p"}, endpoint{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := endpointOf(instance.Description{ID: "1", Tags: tt.tags})
			if got != tt.want || got.remote() != tt.remote {
				t.Errorf("endpointOf = %+v (remote %v), want %+v (remote %v)", got, got.remote(), tt.want, tt.remote)
			}
		})
	}
}

// tlsPlugin is a swarm flavor whose CAs live in a temporary data
// directory, and the directory of the CAs.
func tlsPlugin(t *testing.T) (*Plugin, string) {
	t.Helper()
	dataDir := t.TempDir()
	c := NewClusters(dataDir)
	t.Cleanup(func() { c.Close() })
	return New(c, Options{}), filepath.Join(dataDir, CADirName)
}

func TestPrepareTLS(t *testing.T) {
	p, dir := tlsPlugin(t)
	spec := instance.Spec{
		Name: "o-managers-1", Init: "echo after\n",
		Tags: map[string]string{instance.TagOwner: "o", instance.TagGroup: "managers", tagName: "managers-1"},
	}
	tests := []struct {
		name    string
		props   string
		spec    func(instance.Spec) instance.Spec
		tls     bool
		errCode spierr.Code
	}{
		{name: "provider engine", props: `{"swarm":"prod","role":"manager"}`},
		{name: "provider engine said", props: `{"swarm":"prod","role":"manager","engine":"provider"}`},
		{name: "tls engine", props: `{"swarm":"prod","role":"manager","engine":"tls"}`, tls: true},
		{name: "no owner", props: `{"swarm":"prod","role":"manager","engine":"tls"}`, errCode: spierr.CodeInvalid,
			spec: func(s instance.Spec) instance.Spec {
				s.Tags = map[string]string{tagName: "managers-1"}
				return s
			}},
		{name: "unknown engine", props: `{"swarm":"prod","role":"manager","engine":"ssh"}`, errCode: spierr.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := spec
			if tt.spec != nil {
				in = tt.spec(in)
			}
			out, err := p.Prepare(t.Context(), json.RawMessage(tt.props), in, flavor.Allocation{Group: "managers", Size: 1})
			if tt.errCode != "" {
				if spierr.CodeOf(err) != tt.errCode {
					t.Fatalf("err = %v, want code %s", err, tt.errCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.tls {
				if out.Init != spec.Init {
					t.Errorf("Init = %q, want it unchanged", out.Init)
				}
				return
			}
			checkTLSInit(t, out.Init, filepath.Join(dir, "o", "prod"), []string{"managers-1", "o-managers-1"})
			if !strings.HasSuffix(out.Init, "\n"+spec.Init) {
				t.Error("the spec's own init does not follow drover's")
			}
		})
	}
}

// checkTLSInit checks a TLS engine's user data: valid sh, the CA's
// certificate and a server certificate for names, and no key but the
// machine's.
func checkTLSInit(t *testing.T, init, caDir string, names []string) {
	t.Helper()
	if !strings.HasPrefix(init, "#!/bin/sh\n") {
		t.Errorf("the user data does not start with #!/bin/sh: %.40q", init)
	}
	if sh, err := exec.LookPath("sh"); err == nil {
		cmd := exec.Command(sh, "-n")
		cmd.Stdin = strings.NewReader(init)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sh -n: %v: %s", err, out)
		}
	}
	for _, f := range []string{pki.FileCAKey, pki.FileClientKey, pki.FileClient} {
		b, err := os.ReadFile(filepath.Join(caDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(init, strings.TrimSpace(string(b))) {
			t.Errorf("the user data holds %s", f)
		}
	}
	if n := strings.Count(init, "-----BEGIN PRIVATE KEY-----"); n != 1 {
		t.Errorf("%d private keys in the user data, want the machine's alone", n)
	}
	caPEM, _ := os.ReadFile(filepath.Join(caDir, pki.FileCA))
	if !strings.Contains(init, string(caPEM)) {
		t.Error("the CA certificate is not in the user data")
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	rest := []byte(init)
	var server *x509.Certificate
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil && !c.IsCA {
			server = c
		}
	}
	if server == nil {
		t.Fatal("no server certificate in the user data")
	}
	if !slices.Equal(server.DNSNames, names) {
		t.Errorf("server certificate names %v, want %v", server.DNSNames, names)
	}
	if _, err := server.Verify(x509.VerifyOptions{Roots: pool, DNSName: names[0], KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("the server certificate does not verify: %v", err)
	}
	if _, err := server.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("the server certificate works as a client certificate")
	}
}

// fakeEngine serves the two calls a swarm Info takes, with the server side
// of dockerd --tlsverify when cfg is set.
func fakeEngine(t *testing.T, caPEM, certPEM, keyPEM []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		if strings.HasSuffix(r.URL.Path, "/_ping") {
			io.WriteString(w, "OK")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"Swarm":{"LocalNodeState":"inactive"}}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	if caPEM == nil {
		srv.Start()
	} else {
		cfg, err := pki.ServerTLS(caPEM, certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		srv.TLS = cfg
		srv.StartTLS()
	}
	t.Cleanup(srv.Close)
	return srv
}

// TestClientTLS: a network engine is reached with the swarm's CA and
// drover's certificate, and only if it shows the machine's certificate.
func TestClientTLS(t *testing.T) {
	p, _ := tlsPlugin(t)
	ca, err := p.clusters.CA("o", "prod")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueServer("managers-1")
	if err != nil {
		t.Fatal(err)
	}
	tlsAddr := "tcp://" + strings.TrimPrefix(fakeEngine(t, ca.CertPEM(), certPEM, keyPEM).URL, "https://")
	plainAddr := "tcp://" + strings.TrimPrefix(fakeEngine(t, nil, nil, nil).URL, "http://")
	tests := []struct {
		name    string
		tags    map[string]string
		ok      bool
		errCode spierr.Code
	}{
		{name: "the machine's engine", tags: map[string]string{instance.TagEngine: tlsAddr, TagSwarm: "prod", tagName: "managers-1"}, ok: true},
		{name: "another name", tags: map[string]string{instance.TagEngine: tlsAddr, TagSwarm: "prod", tagName: "managers-2"}, errCode: spierr.CodeUnavailable},
		{name: "another swarm's CA", tags: map[string]string{instance.TagEngine: tlsAddr, TagSwarm: "staging", tagName: "managers-1"}, errCode: spierr.CodeUnavailable},
		{name: "an engine without TLS", tags: map[string]string{instance.TagEngine: plainAddr, TagSwarm: "prod", tagName: "managers-1"}, errCode: spierr.CodeUnavailable},
		{name: "no swarm tag", tags: map[string]string{instance.TagEngine: tlsAddr, tagName: "managers-1"}, errCode: spierr.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tags := map[string]string{instance.TagOwner: "o", instance.TagGroup: "managers"}
			for k, v := range tt.tags {
				tags[k] = v
			}
			ctx, cancel := context.WithTimeout(t.Context(), probeTimeout)
			defer cancel()
			info, err := p.info(ctx, instance.Description{ID: "1", Tags: tags, State: instance.StateRunning})
			if tt.ok {
				if err != nil || info.LocalNodeState != "inactive" {
					t.Fatalf("info = %+v, %v", info, err)
				}
				return
			}
			if spierr.CodeOf(err) != tt.errCode {
				t.Fatalf("err = %v, want code %s", err, tt.errCode)
			}
		})
	}
}
