package metric

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"syscall"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// quietError is an error of the prometheus metric whose message says what
// failed without its cause's text: the HTTP client's errors quote the
// address (which may hold credentials), and Prometheus's quote the query;
// neither may reach an event, a status or a log. errors.Is and errors.As
// still see the cause, which holds neither the credentials nor the query
// (see withoutURL), but may name the host: never print it.
type quietError struct {
	msg   string
	cause error
}

// quiet is the prometheus metric's error saying msg, caused by cause (nil
// for none).
func quiet(msg string, cause error) error {
	return &quietError{msg: "prometheus metric: " + msg, cause: cause}
}

// Error is the message, never the cause's.
func (e *quietError) Error() string { return e.msg }

// Unwrap is the cause.
func (e *quietError) Unwrap() error { return e.cause }

// errorTypeRe is what an API error type looks like ("bad_data",
// "execution"); any other is not shown.
var errorTypeRe = regexp.MustCompile(`^[a-z_]{1,32}$`)

// queryFailure says why a query failed, from the error of the client
// library and the HTTP status of the answer (0 when there was none).
func queryFailure(err error, status int, timeout time.Duration) string {
	var apiErr *v1.Error
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, errBodyTooLarge):
		return errBodyTooLarge.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer in time (timeout %v)", timeout)
	case errors.Is(err, context.Canceled):
		return "the read was cancelled"
	case errors.As(err, &apiErr):
		return apiFailure(apiErr, status)
	case errors.As(err, &dnsErr):
		return "the address's host name does not resolve"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Prometheus refused the connection: is it running?"
	case isTLSFailure(err):
		return "the TLS handshake with Prometheus failed"
	}
	return "the request to Prometheus failed"
}

// apiFailure says why Prometheus (or what answered) refused a query. Its
// message is not shown: it may quote the query.
func apiFailure(e *v1.Error, status int) string {
	kind := string(e.Type)
	if !errorTypeRe.MatchString(kind) {
		kind = "unknown"
	}
	switch {
	case e.Type == v1.ErrBadResponse && status/100 == 2:
		return "the answer is not a Prometheus query result: is the address Prometheus's?"
	case e.Type == v1.ErrBadData:
		return fmt.Sprintf("Prometheus rejected the query (HTTP %d, %s): try it in Prometheus's own UI", status, kind)
	case status/100 != 2:
		return fmt.Sprintf("Prometheus answered HTTP %d (%s)", status, kind)
	}
	return fmt.Sprintf("the query failed (%s)", kind)
}

// isTLSFailure is whether err is a failure of TLS: an untrusted or
// mismatched certificate, or a server that does not speak TLS.
func isTLSFailure(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var header tls.RecordHeaderError
	return errors.As(err, &verify) || errors.As(err, &unknownAuthority) ||
		errors.As(err, &hostname) || errors.As(err, &header)
}

// withoutURL is err without the *url.Error of the HTTP client, which
// quotes the request's URL: the address, its user name included.
func withoutURL(err error) error {
	var u *url.Error
	if errors.As(err, &u) {
		return u.Err
	}
	return err
}
