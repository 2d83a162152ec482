package digitalocean

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"github.com/drover/drover/spierr"
)

// apiError turns a godo error into a spierr error: 404 not found, 400/422
// invalid (with the API's message), 409 conflict, 429 and 5xx and network
// failures unavailable (429 with the time until the budget resets), 401/403
// invalid (a bad token does not get better by retrying). The token never
// appears in the text: messages are built from the status, the API's
// message and request id, and scrubbed anyway.
func (p *Plugin) apiError(op string, err error) error {
	if err == nil {
		return nil
	}
	var er *godo.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		status := er.Response.StatusCode
		msg := p.scrub(strings.TrimSpace(er.Message))
		if msg == "" {
			msg = http.StatusText(status)
		}
		what := "API"
		if rq := er.Response.Request; rq != nil {
			what += " " + rq.Method + " " + rq.URL.Path
		}
		what += ": " + strconv.Itoa(status) + " " + msg
		if er.RequestID != "" {
			what += " (request " + p.scrub(er.RequestID) + ")"
		}
		switch {
		case status == http.StatusNotFound:
			return spierr.NotFound(op, "%s", what)
		case status == http.StatusTooManyRequests:
			return spierr.UnavailableAfter(op, p.untilReset(er.Response), "%s", what)
		case status >= 500:
			return spierr.Unavailable(op, "%s", what)
		case status == http.StatusConflict:
			return spierr.Conflict(op, "%s", what)
		case status == http.StatusUnauthorized || status == http.StatusForbidden:
			return spierr.Invalid(op, "%s (check the provider's token)", what)
		case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
			return spierr.Invalid(op, "%s", what)
		default:
			return spierr.Internal(op, "%s", what)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return spierr.Unavailable(op, "%w", err)
	}
	var ae *godo.ArgError
	if errors.As(err, &ae) {
		return spierr.Invalid(op, "%s", p.scrub(ae.Error()))
	}
	// A transport failure: the API could not be asked.
	return spierr.Unavailable(op, "API unreachable: %s", p.scrub(err.Error()))
}

// untilReset is how long a 429 asks to wait: Retry-After, else the time
// until the budget resets.
func (p *Plugin) untilReset(resp *http.Response) time.Duration {
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if r, err := strconv.ParseInt(resp.Header.Get("RateLimit-Reset"), 10, 64); err == nil {
		return max(time.Until(time.Unix(r, 0)), 0)
	}
	return 0
}

// scrub removes the token from s.
func (p *Plugin) scrub(s string) string {
	if p.token == "" {
		return s
	}
	return strings.ReplaceAll(s, p.token, "[token]")
}

// retryable reports whether an idempotent call may be tried again.
func retryable(err error) bool {
	return errors.Is(err, spierr.ErrUnavailable) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// retry runs an idempotent call up to getAttempts times while it fails
// with a retryable error, with exponential backoff and full jitter between
// tries (429s also wait in the throttle, until the budget resets).
func (p *Plugin) retry(ctx context.Context, op string, call func() error) error {
	var err error
	for i := range p.getAttempts {
		if i > 0 {
			d := p.backoff << (i - 1)
			d = d/2 + rand.N(d/2+1)
			if serr := sleep(ctx, d); serr != nil {
				return spierr.Unavailable(op, "%w (after %v)", serr, err)
			}
		}
		if err = call(); err == nil || !retryable(err) {
			return err
		}
	}
	return err
}
