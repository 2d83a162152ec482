package gitsource_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/drover/drover/controller/gitsource"
)

const marker = "S3CRETMARKER"

// closedPort returns a local address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func realKey(t *testing.T) []byte {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, marker)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}

// assertClean fails when any error of err's chain holds a secret.
func assertClean(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		text := fmt.Sprintf("%v %+v %#v", e, e, e)
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Fatalf("error holds a secret: %s", text)
			}
		}
	}
}

func TestSecretsAbsentFromErrors(t *testing.T) {
	var sawToken atomic.Bool
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pass, ok := r.BasicAuth(); ok && pass == "tok-"+marker {
			sawToken.Store(true)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(refusing.Close)
	key := realKey(t)
	token := gitsource.Auth{Token: "tok-" + marker}
	tests := []struct {
		name     string
		remote   gitsource.Remote
		wantAuth bool
		secrets  []string
	}{
		{"token to a closed http port", gitsource.Remote{URL: "http://" + closedPort(t) + "/repo.git", Auth: token}, false, []string{marker}},
		{"token refused by the remote", gitsource.Remote{URL: refusing.URL + "/repo.git", Auth: token}, true, []string{marker}},
		{"bogus ssh key", gitsource.Remote{URL: "ssh://git@" + closedPort(t) + "/repo.git",
			Auth: gitsource.Auth{SSHKey: []byte("-----BEGIN OPENSSH PRIVATE KEY-----\n" + marker + "AAAA\n-----END OPENSSH PRIVATE KEY-----\n")}}, true, []string{marker}},
		{"real ssh key to a closed port", gitsource.Remote{URL: "ssh://git@" + closedPort(t) + "/repo.git",
			Auth: gitsource.Auth{SSHKey: key}}, false, keyLines(key)},
		{"token with an ssh URL", gitsource.Remote{URL: "git@" + closedPort(t) + ":repo.git", Auth: token}, true, []string{marker}},
		{"credentials in the URL", gitsource.Remote{URL: "https://x:" + marker + "@example.com/repo.git"}, false, []string{marker}},
	}
	knownHosts := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(knownHosts, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, gitsource.Options{SSHKnownHosts: knownHosts})
	sha := strings.Repeat("a", 40)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, headErr := c.Head(t.Context(), tt.remote)
			_, fetchErr := c.Fetch(t.Context(), "src", tt.remote, sha)
			for op, err := range map[string]error{"Head": headErr, "Fetch": fetchErr} {
				if err == nil {
					t.Fatalf("%s succeeded", op)
				}
				assertClean(t, err, tt.secrets...)
				var authErr *gitsource.AuthError
				if errors.As(err, &authErr) != tt.wantAuth {
					t.Fatalf("%s: %v; want an AuthError: %v", op, err, tt.wantAuth)
				}
			}
		})
	}
	if !sawToken.Load() {
		t.Fatal("the token was never sent as basic auth's password")
	}
}

// keyLines are a PEM key's lines of base64: any of them in an error leaks.
func keyLines(key []byte) []string {
	var out []string
	for _, l := range strings.Split(string(key), "\n") {
		if len(l) > 16 && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}
