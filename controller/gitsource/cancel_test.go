package gitsource_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/drover/drover/controller/gitsource"
	"github.com/drover/drover/controller/gitsource/gittest"
)

// hangingServer accepts connections and never answers; each accepted
// connection is signalled on the returned channel.
func hangingServer(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{}, 16)
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	})
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String(), accepted
}

// TestCancelAbortsRemoteCalls cancels the context once the remote has the
// connection (which it never answers): the call returns the context's error.
func TestCancelAbortsRemoteCalls(t *testing.T) {
	knownHosts := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(knownHosts, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, gitsource.Options{SSHKnownHosts: knownHosts})
	sha := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name string
		url  func(addr string) string
		auth gitsource.Auth
	}{
		{"http", func(a string) string { return "http://" + a + "/repo.git" }, gitsource.Auth{Token: "t"}},
		{"ssh", func(a string) string { return "ssh://git@" + a + "/repo.git" }, gitsource.Auth{SSHKey: realKey(t)}},
	}
	for _, tt := range tests {
		for _, op := range []string{"head", "fetch"} {
			t.Run(tt.name+"/"+op, func(t *testing.T) {
				addr, accepted := hangingServer(t)
				r := gitsource.Remote{URL: tt.url(addr), Auth: tt.auth}
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() {
					var err error
					if op == "head" {
						_, err = c.Head(ctx, r)
					} else {
						_, err = c.Fetch(ctx, "src", r, sha)
					}
					done <- err
				}()
				<-accepted
				cancel()
				if err := <-done; !errors.Is(err, context.Canceled) {
					t.Fatalf("%s: %v, want context.Canceled", op, err)
				}
			})
		}
	}
}

func TestCancelledBeforeFileFetch(t *testing.T) {
	repo := gittest.NewRepo(t)
	sha := repo.Commit(t, map[string]string{"a.hcl": "a"}, "one")
	c := newClient(t, gitsource.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := gitsource.Remote{URL: repo.URL()}
	if _, err := c.Head(ctx, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("Head: %v, want context.Canceled", err)
	}
	if _, err := c.Fetch(ctx, "src", r, sha); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch: %v, want context.Canceled", err)
	}
}
