package webhook

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// countingReader is a body that counts the bytes read of it, and hides
// its length from httptest so that none is announced.
type countingReader struct {
	r    io.Reader
	read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

func TestBodyCap(t *testing.T) {
	const limit = 1024
	tests := []struct {
		name     string
		size     int
		announce bool // Content-Length is set
		wantCode int
		maxRead  int64
	}{
		{"at the cap", limit, true, 202, limit + 1},
		{"at the cap, length unannounced", limit, false, 202, limit + 1},
		{"over the cap, announced", limit + 1, true, 413, 0},
		{"far over the cap, announced", 64 * limit, true, 413, 0},
		{"far over the cap, unannounced", 64 * limit, false, 413, limit + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{MaxBody: limit})
			body := []byte(strings.Repeat("x", tc.size))
			cr := &countingReader{r: bytes.NewReader(body)}
			r, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "/hooks/app", cr)
			r.Header = generic(secretApp, body, "b-1")
			if tc.announce {
				r.ContentLength = int64(tc.size)
			} else {
				r.ContentLength = -1
			}
			w := httptest.NewRecorder()
			h.rc.ServeHTTP(w, r)
			if w.Code != tc.wantCode {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.wantCode, w.Body)
			}
			if cr.read > tc.maxRead {
				t.Errorf("read %d bytes of the body, want at most %d", cr.read, tc.maxRead)
			}
			triggered := len(h.sources.triggered()) > 0
			if triggered != (tc.wantCode == 202) {
				t.Errorf("triggered %v with status %d", triggered, w.Code)
			}
		})
	}
}
