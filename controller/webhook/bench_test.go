package webhook

import (
	"bytes"
	"net/http"
	"testing"
)

// BenchmarkVerify checks the GitHub signature of a 16 KiB body.
func BenchmarkVerify(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 16<<10)
	sig := sign(secretApp, body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if !verify(schemeGitHub, sig, secretApp, body) {
			b.Fatal("a valid signature did not verify")
		}
	}
}

// BenchmarkDelivery serves a whole GitHub push of a 16 KiB body.
func BenchmarkDelivery(b *testing.B) {
	src := newSources()
	rc, err := New(Options{Sources: src, Burst: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 16<<10)
	hdr := github(secretApp, body, "push", "")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		r, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, "/hooks/app", bytes.NewReader(body))
		r.Header = hdr
		w := &discardWriter{header: http.Header{}}
		rc.ServeHTTP(w, r)
		if w.code != http.StatusAccepted {
			b.Fatalf("status %d", w.code)
		}
	}
}

type discardWriter struct {
	header http.Header
	code   int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
