package webhook

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestServeEndsWithContext(t *testing.T) {
	h := newHarness(t, Options{})
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h.rc) }()

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+addr+"/hooks/app", strings.NewReader(string(pushBody)))
	req.Header = github(secretApp, pushBody, "push", "s-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d, want 202", resp.StatusCode)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v, want nil once ctx ended", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		_ = c.Close()
		t.Error("the listener still accepts after Serve returned")
	}
}

func TestServeFailingListener(t *testing.T) {
	h := newHarness(t, Options{})
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	_ = ln.Close()
	if err := Serve(t.Context(), ln, h.rc); err == nil {
		t.Fatal("Serve on a closed listener: nil error, want one")
	}
}

func TestListen(t *testing.T) {
	tests := []struct {
		addr    string
		wantErr bool
	}{
		{"127.0.0.1:0", false},
		{"127.0.0.1", true},
		{"", true},
		{"127.0.0.1:notaport", true},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			ln, err := Listen(tc.addr)
			if ln != nil {
				_ = ln.Close()
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("Listen(%q): err %v, want error %v", tc.addr, err, tc.wantErr)
			}
		})
	}
}
