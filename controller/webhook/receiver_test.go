package webhook

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

var pushBody = []byte(`{"ref":"refs/heads/main","marker":"BODY-MARKER-93b1"}`)

// with returns h with the header k set to v (deleted when v is "").
func with(h http.Header, k, v string) http.Header {
	h = h.Clone()
	if v == "" {
		h.Del(k)
	} else {
		h.Set(k, v)
	}
	return h
}

type deliveryCase struct {
	name        string
	method      string // default POST
	path        string // default /hooks/app
	header      http.Header
	body        []byte // default pushBody
	wantCode    int
	wantTrigger bool
	wantBody    string // a substring of the response body, if set
}

// send serves the case's delivery to h, with its defaults.
func (tc deliveryCase) send(h *harness) *httptest.ResponseRecorder {
	body := tc.body
	if body == nil {
		body = pushBody
	}
	return h.do(cmp.Or(tc.method, http.MethodPost), cmp.Or(tc.path, "/hooks/app"), tc.header, bytes.NewReader(body))
}

func deliveryCases() []deliveryCase {
	wrong := []byte("not-the-secret")
	tamperedBody := append(bytes.Clone(pushBody), ' ')
	gh := github(secretApp, pushBody, "push", "gh-1")
	return []deliveryCase{
		// GitHub.
		{name: "github push", header: gh, wantCode: 202, wantTrigger: true, wantBody: `{"accepted":true}`},
		{name: "github push without delivery id", header: with(gh, headerGitHubDelivery, ""), wantCode: 202, wantTrigger: true},
		{name: "github ping", header: github(secretApp, pushBody, "ping", "gh-2"), wantCode: 200, wantBody: `"accepted":false`},
		{name: "github other event", header: github(secretApp, pushBody, "issues", "gh-3"), wantCode: 202, wantBody: `"accepted":false`},
		{name: "github no event header", header: with(gh, headerGitHubEvent, ""), wantCode: 400},
		{name: "github wrong secret", header: github(wrong, pushBody, "push", "gh-4"), wantCode: 401},
		{name: "github other source's secret", header: github(secretOther, pushBody, "push", "gh-5"), wantCode: 401},
		{name: "github tampered body", header: gh, body: tamperedBody, wantCode: 401},
		{name: "github signature without prefix", header: with(gh, headerGitHubSignature, strings.TrimPrefix(sign(secretApp, pushBody), "sha256=")), wantCode: 401},
		{name: "github sha1 prefix", header: with(gh, headerGitHubSignature, "sha1="+strings.TrimPrefix(sign(secretApp, pushBody), "sha256=")), wantCode: 401},
		{name: "github short signature", header: with(gh, headerGitHubSignature, sign(secretApp, pushBody)[:40]), wantCode: 401},
		{name: "github non-hex signature", header: with(gh, headerGitHubSignature, "sha256="+strings.Repeat("zz", 32)), wantCode: 401},
		{name: "github empty signature", header: http.Header{headerGitHubSignature: {""}, headerGitHubEvent: {"push"}}, wantCode: 401},
		{name: "github signature twice", header: http.Header{headerGitHubSignature: {sign(secretApp, pushBody), sign(secretApp, pushBody)}, headerGitHubEvent: {"push"}}, wantCode: 401},
		{name: "github only the sha1 header", header: http.Header{"X-Hub-Signature": {"sha1=0000"}, headerGitHubEvent: {"push"}}, wantCode: 401},
		// GitLab.
		{name: "gitlab push", header: gitlab(string(secretApp), "Push Hook", "gl-1"), wantCode: 202, wantTrigger: true},
		{name: "gitlab tag push", header: gitlab(string(secretApp), "Tag Push Hook", "gl-2"), wantCode: 202, wantTrigger: true},
		{name: "gitlab push without delivery id", header: gitlab(string(secretApp), "Push Hook", ""), wantCode: 202, wantTrigger: true},
		{name: "gitlab idempotency key", header: with(gitlab(string(secretApp), "Push Hook", ""), headerIdempotencyKey, "gl-3"), wantCode: 202, wantTrigger: true},
		{name: "gitlab other event", header: gitlab(string(secretApp), "Merge Request Hook", "gl-4"), wantCode: 202},
		{name: "gitlab no event header", header: gitlab(string(secretApp), "", "gl-5"), wantCode: 400},
		{name: "gitlab wrong token", header: gitlab(string(wrong), "Push Hook", "gl-6"), wantCode: 401},
		{name: "gitlab token a prefix of the secret", header: gitlab(string(secretApp[:5]), "Push Hook", "gl-7"), wantCode: 401},
		{name: "gitlab empty token", header: gitlab("", "Push Hook", "gl-8"), wantCode: 401},
		// Generic.
		{name: "generic", header: generic(secretApp, pushBody, "g-1"), wantCode: 202, wantTrigger: true},
		{name: "generic without delivery id", header: generic(secretApp, pushBody, ""), wantCode: 400},
		{name: "generic wrong secret", header: generic(wrong, pushBody, "g-2"), wantCode: 401},
		{name: "generic tampered body", header: generic(secretApp, pushBody, "g-3"), body: tamperedBody, wantCode: 401},
		{name: "generic empty body", header: generic(secretApp, nil, "g-4"), body: []byte{}, wantCode: 202, wantTrigger: true},
		// Delivery ids.
		{name: "id of 128 chars", header: generic(secretApp, pushBody, strings.Repeat("a", 128)), wantCode: 202, wantTrigger: true},
		{name: "id of 129 chars", header: generic(secretApp, pushBody, strings.Repeat("a", 129)), wantCode: 400},
		{name: "id with a tab", header: generic(secretApp, pushBody, "g\t5"), wantCode: 400},
		{name: "id with a non-ASCII byte", header: generic(secretApp, pushBody, "g-é"), wantCode: 400},
		// Sources.
		{name: "no scheme header", header: http.Header{headerGitHubEvent: {"push"}}, wantCode: 401},
		{name: "unknown source", path: "/hooks/nosuch", header: github(secretApp, pushBody, "push", "u-1"), wantCode: 401},
		{name: "source without webhook", path: "/hooks/nohook", header: github(nil, pushBody, "push", "u-2"), wantCode: 401},
		{name: "source with an empty secret", path: "/hooks/emptykey", header: github([]byte{}, pushBody, "push", "u-3"), wantCode: 401},
		{name: "other source, its own secret", path: "/hooks/other", header: github(secretOther, pushBody, "push", "o-1"), wantCode: 202, wantTrigger: true},
		// Routes.
		{name: "GET", method: "GET", header: gh, wantCode: 405},
		{name: "PUT", method: "PUT", header: gh, wantCode: 405},
		{name: "no name", path: "/hooks/", header: gh, wantCode: 404},
		{name: "nested path", path: "/hooks/app/x", header: gh, wantCode: 404},
		{name: "other path", path: "/v1/apply", header: gh, wantCode: 404},
		{name: "root", path: "/", header: gh, wantCode: 404},
	}
}

func TestDeliveries(t *testing.T) {
	for _, tc := range deliveryCases() {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			w := tc.send(h)
			if w.Code != tc.wantCode {
				t.Fatalf("status %d, want %d (body %s)", w.Code, tc.wantCode, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			var v map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
				t.Errorf("body is not JSON: %v: %s", err, w.Body)
			}
			if tc.wantBody != "" && !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Errorf("body %s, want it to hold %s", w.Body, tc.wantBody)
			}
			if w.Code >= 400 {
				if _, ok := v["error"].(string); !ok {
					t.Errorf("error body %s has no error string", w.Body)
				}
			}
			if tc.wantCode == 405 && w.Header().Get("Allow") != "POST" {
				t.Errorf("405 with Allow %q, want POST", w.Header().Get("Allow"))
			}
			name := strings.TrimPrefix(cmp.Or(tc.path, "/hooks/app"), "/hooks/")
			got := h.sources.triggered()
			want := []string(nil)
			if tc.wantTrigger {
				want = []string{name}
			}
			if !slices.Equal(got, want) {
				t.Errorf("triggered %q, want %q", got, want)
			}
		})
	}
}

// Every refusal for want of authentication is the same response, byte for
// byte: nothing tells an unknown source from a wrong signature.
func TestUnauthorizedAlike(t *testing.T) {
	var ref *struct {
		header http.Header
		body   string
	}
	for _, tc := range deliveryCases() {
		if tc.wantCode != http.StatusUnauthorized {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			path, body := tc.path, tc.body
			if path == "" {
				path = "/hooks/app"
			}
			if body == nil {
				body = pushBody
			}
			w := h.do(http.MethodPost, path, tc.header, bytes.NewReader(body))
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", w.Code)
			}
			if ref == nil {
				ref = &struct {
					header http.Header
					body   string
				}{w.Header().Clone(), w.Body.String()}
				return
			}
			if w.Body.String() != ref.body {
				t.Errorf("body %q, want %q", w.Body, ref.body)
			}
			if !headersEqual(w.Header(), ref.header) {
				t.Errorf("headers %v, want %v", w.Header(), ref.header)
			}
		})
	}
	if ref == nil {
		t.Fatal("no 401 case ran")
	}
}

func headersEqual(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// No secret, signature or body reaches a response or the log, whatever
// the delivery.
func TestNothingSecretLeaks(t *testing.T) {
	h := newHarness(t, Options{Burst: 1000})
	var responses strings.Builder
	var secrets []string
	for _, tc := range deliveryCases() {
		w := tc.send(h)
		responses.WriteString(w.Body.String())
		for k, v := range w.Header() {
			responses.WriteString(k + ": " + strings.Join(v, ",") + "\n")
		}
		for _, k := range []string{headerGitHubSignature, headerGitLabToken, headerGenericSignature} {
			for _, v := range tc.header.Values(k) {
				if len(v) >= 8 {
					secrets = append(secrets, strings.TrimPrefix(v, "sha256="))
				}
			}
		}
	}
	secrets = append(secrets, string(secretApp), string(secretOther), "BODY-MARKER-93b1")
	logged := h.log.String()
	if !strings.Contains(logged, "webhook delivery accepted") || !strings.Contains(logged, "webhook delivery refused") {
		t.Fatalf("the log misses deliveries, so this test proves nothing:\n%s", logged)
	}
	for _, s := range secrets {
		if strings.Contains(responses.String(), s) {
			t.Errorf("a response holds %q", s)
		}
		if strings.Contains(logged, s) {
			t.Errorf("the log holds %q", s)
		}
	}
}
