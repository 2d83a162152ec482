package gitsource_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/drover/drover/controller/gitsource"
)

// refusingSSH is an ssh server refusing every key; it returns its address
// and a known_hosts file trusting it.
func refusingSSH(t *testing.T) (string, string) {
	t.Helper()
	_, hostKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(hostKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) {
		return nil, errors.New("refused")
	}}
	cfg.AddHostKey(signer)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				_, _, _, _ = ssh.NewServerConn(c, cfg) // always refuses
			})
		}
	})
	t.Cleanup(func() { l.Close(); wg.Wait() })
	addr := l.Addr().String()
	kh := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, signer.PublicKey()) + "\n"
	if err := os.WriteFile(kh, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return addr, kh
}

func TestSSHKeyRefused(t *testing.T) {
	addr, kh := refusingSSH(t)
	c := newClient(t, gitsource.Options{SSHKnownHosts: kh})
	key := realKey(t)
	r := gitsource.Remote{URL: "ssh://git@" + addr + "/repo.git", Auth: gitsource.Auth{SSHKey: key}}
	tests := []struct {
		name string
		call func() error
	}{
		{"head", func() error { _, err := c.Head(t.Context(), r); return err }},
		{"fetch", func() error {
			_, err := c.Fetch(t.Context(), "src", r, "0123456789abcdef0123456789abcdef01234567")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var authErr *gitsource.AuthError
			if !errors.As(err, &authErr) {
				t.Fatalf("%v, want an AuthError", err)
			}
			assertClean(t, err, keyLines(key)...)
		})
	}
}
