package webhook

import (
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/drover/drover/internal/httpjson"
)

// routePrefix is the path deliveries are POSTed under: /hooks/{name}.
const routePrefix = "/hooks/"

// Receiver answers webhook deliveries. It is an http.Handler; New makes
// one.
type Receiver struct {
	opts Options
	// decoy is the secret verified against for a source without one, so
	// that it costs what a known source does.
	decoy [sha256.Size]byte

	mu     sync.Mutex
	states map[string]*sourceState
}

// delivery is an authenticated request, as far as it has been read.
type delivery struct {
	source string
	scheme scheme
	id     string
	kind   kind
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, routePrefix)
	if !ok || name == "" || strings.Contains(name, "/") {
		httpjson.Error(w, http.StatusNotFound, "no such endpoint: deliveries are POSTed to /hooks/{source}")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpjson.Error(w, http.StatusMethodNotAllowed, "method not allowed: deliveries are POSTed")
		return
	}
	body, err := readBody(w, r, rc.opts.MaxBody)
	if err != nil {
		rc.refuseBody(w, r, err)
		return
	}
	d, reason := rc.authenticate(name, r.Header, body)
	if reason != "" {
		rc.opts.Log.Warn("webhook delivery refused", "source", logName(name), "status", http.StatusUnauthorized, "reason", reason, "remote", r.RemoteAddr)
		writeUnauthorized(w)
		return
	}
	rc.deliver(w, r, d)
}

// deliver answers an authenticated delivery d.
func (rc *Receiver) deliver(w http.ResponseWriter, r *http.Request, d delivery) {
	log := rc.opts.Log.With("source", d.source, "scheme", d.scheme.String(), "remote", r.RemoteAddr)
	if err := checkDeliveryID(d.scheme, d.id); err != nil {
		log.Warn("webhook delivery refused", "status", http.StatusBadRequest, "reason", err.Error())
		httpjson.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	log = log.With("delivery", d.id)
	k, err := kindOf(d.scheme, r.Header)
	if err != nil {
		log.Warn("webhook delivery refused", "status", http.StatusBadRequest, "reason", err.Error())
		httpjson.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	switch v, wait := rc.admit(d.source, d.id); v {
	case replayed:
		log.Warn("webhook delivery refused", "status", http.StatusConflict, "reason", "delivery id seen before")
		httpjson.Error(w, http.StatusConflict, "this delivery was received before")
		return
	case limited:
		secs := retryAfter(wait)
		msg := "too many deliveries for this source: retry later"
		if k == kindPush {
			rc.deferPoll(d.source, wait)
			msg = "too many deliveries for this source: it polls once the limit allows, in " + strconv.FormatInt(secs, 10) + "s"
		}
		log.Warn("webhook delivery refused", "status", http.StatusTooManyRequests, "reason", "rate limited", "retry_after_s", secs)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		httpjson.Error(w, http.StatusTooManyRequests, msg)
		return
	}
	switch k {
	case kindPing:
		log.Info("webhook ping")
		httpjson.Write(w, http.StatusOK, Response{Note: "pong: the webhook reaches drover"})
	case kindIgnored:
		log.Info("webhook event ignored")
		httpjson.Write(w, http.StatusAccepted, Response{Note: "event ignored: only pushes make a source poll"})
	default:
		rc.opts.Sources.Trigger(d.source)
		log.Info("webhook delivery accepted: source polls now")
		httpjson.Write(w, http.StatusAccepted, Response{Accepted: true})
	}
}

// authenticate returns the delivery r's headers and body make for name,
// or why they do not authenticate it: the reason is for the log only,
// since the client gets the same 401 whatever it is.
func (rc *Receiver) authenticate(name string, h http.Header, body []byte) (delivery, string) {
	s, cred, ok := credentialOf(h)
	if !ok {
		if s == schemeNone {
			return delivery{}, "no signature or token header"
		}
		return delivery{}, "signature or token header given more than once"
	}
	secret, known := rc.opts.Sources.Secret(name)
	known = known && len(secret) > 0
	if !known {
		secret = rc.decoy[:]
	}
	valid := verify(s, cred, secret, body)
	switch {
	case !known:
		return delivery{}, "no such source, or it takes no webhook"
	case !valid:
		return delivery{}, "wrong or malformed " + s.String() + " signature or token"
	}
	return delivery{source: name, scheme: s, id: deliveryIDOf(s, h)}, ""
}

// readBody reads r's body whole, up to limit bytes: a body announced or
// found larger is an *http.MaxBytesError, and is not read past the cap.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
}

// refuseBody answers a request whose body could not be read.
func (rc *Receiver) refuseBody(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		w.Header().Set("Connection", "close")
		rc.opts.Log.Warn("webhook delivery refused", "status", http.StatusRequestEntityTooLarge, "limit", tooBig.Limit, "remote", r.RemoteAddr)
		httpjson.Error(w, http.StatusRequestEntityTooLarge, "request body: larger than the limit of "+strconv.FormatInt(tooBig.Limit, 10)+" bytes")
		return
	}
	rc.opts.Log.Warn("webhook delivery refused", "status", http.StatusBadRequest, "reason", "request body unreadable", "err", err, "remote", r.RemoteAddr)
	httpjson.Error(w, http.StatusBadRequest, "request body: could not be read")
}

// retryAfter is wait in whole seconds, rounded up, at least 1.
func retryAfter(wait time.Duration) int64 {
	return max(1, int64((wait+time.Second-1)/time.Second))
}

// logName is a source name as the log shows it: an unauthenticated
// client chose it, so it is cut to the longest a source name can be.
func logName(name string) slog.Value {
	const maxName = 63
	if len(name) > maxName {
		name = name[:maxName] + "..."
	}
	return slog.StringValue(name)
}
