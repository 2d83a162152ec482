package httpjson

import (
	"math"
	"net/http/httptest"
	"testing"
)

func TestWrite(t *testing.T) {
	cases := []struct {
		name     string
		write    func(*httptest.ResponseRecorder)
		code     int
		wantBody string
	}{
		{"a value", func(w *httptest.ResponseRecorder) { Write(w, 201, map[string]int{"n": 1}) }, 201, "{\"n\":1}\n"},
		{"an error", func(w *httptest.ResponseRecorder) { Error(w, 404, "no such thing") }, 404, "{\"error\":\"no such thing\"}\n"},
		{"a value that does not encode", func(w *httptest.ResponseRecorder) { Write(w, 200, math.Inf(1)) }, 500,
			"{\"error\":\"encode response: json: unsupported value: +Inf\"}\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tc.write(w)
			if w.Code != tc.code || w.Body.String() != tc.wantBody {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body, tc.code, tc.wantBody)
			}
			for k, v := range map[string]string{"Content-Type": "application/json", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
}
