package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// scheme is how a delivery proves that its sender knows the secret.
type scheme int

const (
	schemeNone    scheme = iota
	schemeGitHub         // X-Hub-Signature-256: sha256=HMAC(body)
	schemeGitLab         // X-Gitlab-Token: the secret itself
	schemeGeneric        // X-Drover-Signature: sha256=HMAC(body)
)

// Headers of the schemes, in the order they are looked for.
const (
	headerGitHubSignature  = "X-Hub-Signature-256"
	headerGitHubEvent      = "X-GitHub-Event"
	headerGitHubDelivery   = "X-GitHub-Delivery"
	headerGitLabToken      = "X-Gitlab-Token"
	headerGitLabEvent      = "X-Gitlab-Event"
	headerGitLabEventUUID  = "X-Gitlab-Event-UUID"
	headerIdempotencyKey   = "Idempotency-Key"
	headerGenericSignature = "X-Drover-Signature"
	headerGenericDelivery  = "X-Drover-Delivery"
)

var schemeHeaders = []struct {
	scheme scheme
	header string
}{
	{schemeGitHub, headerGitHubSignature},
	{schemeGitLab, headerGitLabToken},
	{schemeGeneric, headerGenericSignature},
}

func (s scheme) String() string {
	switch s {
	case schemeGitHub:
		return "github"
	case schemeGitLab:
		return "gitlab"
	case schemeGeneric:
		return "generic"
	}
	return "none"
}

// credentialOf returns the scheme of the first scheme header h holds,
// and that header's value. A header given more than once is malformed:
// ok is false, as it is when h holds none.
func credentialOf(h http.Header) (s scheme, cred string, ok bool) {
	for _, sh := range schemeHeaders {
		switch v := h.Values(sh.header); len(v) {
		case 0:
			continue
		case 1:
			return sh.scheme, v[0], true
		default:
			return sh.scheme, "", false
		}
	}
	return schemeNone, "", false
}

// verify says whether cred, presented under s, proves knowledge of secret
// for body. The comparison takes the same time wherever cred differs.
func verify(s scheme, cred string, secret, body []byte) bool {
	switch s {
	case schemeGitHub, schemeGeneric:
		return verifyHMAC(cred, secret, body)
	case schemeGitLab:
		return verifyToken(cred, secret)
	}
	return false
}

// verifyHMAC checks sig, "sha256=<hex>", against the HMAC-SHA256 of body
// keyed with secret.
func verifyHMAC(sig string, secret, body []byte) bool {
	hexSum, ok := strings.CutPrefix(sig, "sha256=")
	if !ok || len(hexSum) != 2*sha256.Size {
		return false
	}
	var got [sha256.Size]byte
	if _, err := hex.Decode(got[:], []byte(hexSum)); err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(mac.Sum(nil), got[:])
}

// verifyToken compares token with secret in constant time, hashing both
// first so that the time taken does not tell the secret's length.
func verifyToken(token string, secret []byte) bool {
	got := sha256.Sum256([]byte(token))
	want := sha256.Sum256(secret)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
