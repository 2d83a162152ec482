package pki_test

import (
	"bytes"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/drover/drover/flavor/swarm/pki"
)

func TestStoreFilesAndReuse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "swarm-ca")
	ca, err := pki.NewStore(dir).CA("owner", "prod")
	if err != nil {
		t.Fatal(err)
	}
	caDir := filepath.Join(dir, "owner", "prod")
	for _, d := range []string{filepath.Join(dir, "owner"), caDir} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want a directory of mode 0700", d, fi.Mode(), err)
		}
	}
	entries, _ := os.ReadDir(caDir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if fi, _ := e.Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	if got := strings.Join(names, " "); got != "ca-key.pem ca.pem client-key.pem client.pem" {
		t.Errorf("files %q", got)
	}
	if leftovers, _ := os.ReadDir(filepath.Join(dir, "owner")); len(leftovers) != 1 {
		t.Errorf("the owner's directory holds %d entries, want only the swarm's", len(leftovers))
	}

	// Another process (another store on the same directory) reuses it.
	again, err := pki.NewStore(dir).CA("owner", "prod")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ca.CertPEM(), again.CertPEM()) {
		t.Error("a second load made another CA")
	}
	other, err := pki.NewStore(dir).CA("owner", "staging")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(ca.CertPEM(), other.CertPEM()) {
		t.Error("two swarms share a CA")
	}
}

// Stores racing to make the same CA end up with one.
func TestStoreConcurrentCreate(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	pems := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ca, err := pki.NewStore(dir).CA("o", "s")
			if err == nil {
				pems[i] = ca.CertPEM()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("store %d: %v", i, errs[i])
		}
		if !bytes.Equal(pems[i], pems[0]) {
			t.Fatalf("store %d has another CA than store 0", i)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "o")); len(entries) != 1 {
		t.Errorf("%d entries left in the owner's directory, want 1", len(entries))
	}
}

func TestStoreRefuses(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name         string
		owner, swarm string
		prepare      func(t *testing.T)
		want         string
	}{
		{name: "parent directory", owner: "o", swarm: "..", want: "cannot name a directory"},
		{name: "separator", owner: "o/../../x", swarm: "s", want: "cannot name a directory"},
		{name: "empty", owner: "o", swarm: "", want: "cannot name a directory"},
		{name: "incomplete", owner: "o", swarm: "half", want: "incomplete", prepare: func(t *testing.T) {
			if _, err := pki.NewStore(dir).CA("o", "half"); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(dir, "o", "half", pki.FileClientKey)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "not a CA", owner: "o", swarm: "swapped", want: "not a CA certificate", prepare: func(t *testing.T) {
			if _, err := pki.NewStore(dir).CA("o", "swapped"); err != nil {
				t.Fatal(err)
			}
			d := filepath.Join(dir, "o", "swapped")
			for _, pair := range [][2]string{{pki.FileClient, pki.FileCA}, {pki.FileClientKey, pki.FileCAKey}} {
				b, _ := os.ReadFile(filepath.Join(d, pair[0]))
				if err := os.WriteFile(filepath.Join(d, pair[1]), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prepare != nil {
				tt.prepare(t)
			}
			_, err := pki.NewStore(dir).CA(tt.owner, tt.swarm)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// TestMutualTLS runs real handshakes between an engine-like server (the
// server side dockerd --tlsverify has) and clients.
func TestMutualTLS(t *testing.T) {
	store := pki.NewStore(t.TempDir())
	ca, err := store.CA("o", "prod")
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := store.CA("o", "elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueServer("managers-1", "o-managers-1")
	if err != nil {
		t.Fatal(err)
	}
	foreignCert, foreignKey, err := foreign.IssueServer("managers-1")
	if err != nil {
		t.Fatal(err)
	}
	otherCert, otherKey, err := ca.IssueServer("workers-1")
	if err != nil {
		t.Fatal(err)
	}
	// A machine's server certificate, tried as a client certificate.
	asClient := func() *tls.Config {
		c := ca.ClientTLS("managers-1")
		pair, err := tls.X509KeyPair(otherCert, otherKey)
		if err != nil {
			t.Fatal(err)
		}
		c.Certificates = []tls.Certificate{pair}
		return c
	}
	noClientCert := ca.ClientTLS("managers-1")
	noClientCert.Certificates = nil

	tests := []struct {
		name         string
		server       [2][]byte // cert, key
		serverCA     []byte
		client       *tls.Config
		ok           bool
		clientRefuse bool // the client, not the server, refuses
	}{
		{name: "issued certificates", server: [2][]byte{certPEM, keyPEM}, serverCA: ca.CertPEM(), client: ca.ClientTLS("managers-1"), ok: true},
		{name: "second name", server: [2][]byte{certPEM, keyPEM}, serverCA: ca.CertPEM(), client: ca.ClientTLS("o-managers-1"), ok: true},
		{name: "another machine's name", server: [2][]byte{certPEM, keyPEM}, serverCA: ca.CertPEM(), client: ca.ClientTLS("workers-1"), clientRefuse: true},
		{name: "server of another CA", server: [2][]byte{foreignCert, foreignKey}, serverCA: ca.CertPEM(), client: ca.ClientTLS("managers-1"), clientRefuse: true},
		{name: "client of another CA", server: [2][]byte{certPEM, keyPEM}, serverCA: ca.CertPEM(), client: foreign.ClientTLS("managers-1")},
		{name: "server certificate as client", server: [2][]byte{certPEM, keyPEM}, serverCA: ca.CertPEM(), client: asClient()},
		{name: "no client certificate", server: [2][]byte{certPEM, keyPEM}, serverCA: ca.CertPEM(), client: noClientCert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := pki.ServerTLS(tt.serverCA, tt.server[0], tt.server[1])
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "OK")
			}))
			srv.TLS = cfg
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
			srv.StartTLS()
			defer srv.Close()
			c := &http.Client{Transport: &http.Transport{TLSClientConfig: tt.client}}
			resp, err := c.Get(srv.URL + "/_ping")
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(body) != "OK" {
					err = io.ErrUnexpectedEOF
				}
			}
			switch {
			case tt.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case !tt.ok && err == nil:
				t.Fatal("accepted")
			case tt.clientRefuse && !strings.Contains(err.Error(), "certificate"):
				t.Fatalf("err = %v, want the client to refuse the server's certificate", err)
			}
		})
	}
}

func TestIssueServerNeedsAName(t *testing.T) {
	ca, err := pki.NewStore(t.TempDir()).CA("o", "s")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ca.IssueServer(); err == nil {
		t.Error("a server certificate without a name was issued")
	}
}
