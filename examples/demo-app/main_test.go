package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHandlers(t *testing.T) {
	type step struct {
		method, path string
		status       int
		body         string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"greeting", []step{{"GET", "/", 200, "hello from box: hi\n"}}},
		{"unknown path", []step{{"GET", "/nope", 404, ""}}},
		{"healthy at start", []step{{"GET", "/healthz", 200, "ok\n"}}},
		{"sick then well", []step{
			{"POST", "/sick", 200, "sick\n"},
			{"GET", "/healthz", 503, "unhealthy\n"},
			{"GET", "/healthz", 503, "unhealthy\n"}, // stays sick
			{"GET", "/", 200, "hello from box: hi\n"},
			{"POST", "/well", 200, "well\n"},
			{"GET", "/healthz", 200, "ok\n"},
		}},
		{"well when already well", []step{{"POST", "/well", 200, "well\n"}, {"GET", "/healthz", 200, "ok\n"}}},
		{"sick needs POST", []step{{"GET", "/sick", 405, ""}, {"GET", "/healthz", 200, "ok\n"}}},
		{"load set and read", []step{
			{"GET", "/load", 200, "0.000\n"},
			{"POST", "/load?cpu=0.25", 200, "0.250\n"},
			{"GET", "/load", 200, "0.250\n"},
			{"POST", "/load?cpu=0", 200, "0.000\n"},
		}},
		{"load out of range", []step{
			{"POST", "/load?cpu=1.5", 400, ""}, {"POST", "/load?cpu=-1", 400, ""}, {"POST", "/load?cpu=x", 400, ""}, {"POST", "/load", 400, ""},
			{"GET", "/load", 200, "0.000\n"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := (&app{hostname: "box", greeting: "hi"}).handler()
			for _, s := range tt.steps {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(s.method, s.path, nil))
				if rec.Code != s.status {
					t.Fatalf("%s %s: status %d, want %d", s.method, s.path, rec.Code, s.status)
				}
				if s.body != "" && rec.Body.String() != s.body {
					t.Fatalf("%s %s: body %q, want %q", s.method, s.path, rec.Body.String(), s.body)
				}
			}
		})
	}
}

func TestCheck(t *testing.T) {
	a := &app{hostname: "box", greeting: "hi"}
	srv := httptest.NewServer(a.handler())
	defer srv.Close()
	if err := check(srv.URL+"/healthz", 2*time.Second); err != nil {
		t.Fatalf("healthy server: %v", err)
	}
	resp, err := http.Post(srv.URL+"/sick", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err := check(srv.URL+"/healthz", 2*time.Second); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("sick server: err = %v, want a 503 error", err)
	}
}

func TestCheckTimeoutAndRefused(t *testing.T) {
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer slow.Close()
	defer close(block)
	start := time.Now()
	if err := check(slow.URL, 100*time.Millisecond); err == nil {
		t.Fatal("slow server: want a timeout error")
	}
	if d := time.Since(start); d > 30*time.Second { // the server never answers: a bound for a loaded machine
		t.Fatalf("check took %s despite a 100ms timeout", d)
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	url := closed.URL
	closed.Close()
	if err := check(url, time.Second); err == nil {
		t.Fatal("closed server: want a connection error")
	}
}

func TestCheckURL(t *testing.T) {
	for listen, want := range map[string]string{
		":8080":        "http://127.0.0.1:8080/healthz",
		"0.0.0.0:9000": "http://127.0.0.1:9000/healthz",
		"[::]:7000":    "http://127.0.0.1:7000/healthz",
		"bogus":        "http://127.0.0.1:8080/healthz",
	} {
		if got := checkURL(listen); got != want {
			t.Errorf("checkURL(%q) = %q, want %q", listen, got, want)
		}
	}
}

// The burner stops with its context, whatever its load.
func TestBurnerStops(t *testing.T) {
	for _, milli := range []int64{0, 500, 1000} {
		var b burner
		b.milli.Store(milli)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { b.run(ctx); close(done) }()
		cancel()
		<-done
	}
}
