package metric

import (
	"errors"
	"io"
	"net/http"
	"sync/atomic"
)

// prometheusMaxBody bounds the body of Prometheus's answer to a query: an
// answer of one sample is a few hundred bytes; a huge one is a mistake or
// a hostile server, not a reading.
const prometheusMaxBody = 1 << 20

// errBodyTooLarge is the error of reading an answer past the bound.
var errBodyTooLarge = errors.New("the answer is larger than 1 MiB")

// statusKey is the context key under which a Read hands the transport an
// *atomic.Int64 to record the HTTP status of Prometheus's answer: the
// client library reports some failures without it.
type statusKey struct{}

// boundedTransport is the client library's transport with the bodies of
// its answers bounded to max bytes: the library reads a whole body and
// has no bound of its own.
type boundedTransport struct {
	next http.RoundTripper
	max  int64
}

// RoundTrip sends req with next, records the answer's status and bounds
// its body.
func (t boundedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if rec, ok := req.Context().Value(statusKey{}).(*atomic.Int64); ok {
		rec.Store(int64(resp.StatusCode))
	}
	resp.Body = &boundedBody{ReadCloser: resp.Body, left: t.max}
	return resp, nil
}

// boundedBody fails with errBodyTooLarge once more than its bound is read.
type boundedBody struct {
	io.ReadCloser
	left int64 // bytes still allowed; negative once past the bound
}

// Read reads at most one byte past the bound, to know it is passed.
func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errBodyTooLarge
	}
	return n, err
}
