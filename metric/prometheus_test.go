package metric

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/resource"
)

// The secrets of the tests' addresses and queries: no error may show them.
const (
	testUser     = "drover-user"
	testPassword = "pw-s3cr3t"
	testQuery    = `avg(rate(drover_secret_query_text{job="web"}[1m]))`
)

// newPrometheusSource makes a prometheus Source through the builtins
// table, as the runner does.
func newPrometheusSource(t *testing.T, address string, timeout time.Duration) Source {
	t.Helper()
	p, ok := Builtins()["prometheus"]
	if !ok {
		t.Fatal("the builtins have no prometheus metric")
	}
	props, err := json.Marshal(map[string]any{"address": address, "query": testQuery, "target": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	src, err := p.New(props, Options{Timeout: timeout})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src
}

// fakePrometheus serves h at /prom/api/v1/query after checking the
// request: the credentials of the address and the query. It returns the
// address to give the Source (with credentials) and its host:port.
func fakePrometheus(t *testing.T, h http.HandlerFunc) (address, hostport string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/prom/api/v1/query" {
			t.Errorf("request path %q, want /prom/api/v1/query", r.URL.Path)
		}
		if u, p, ok := r.BasicAuth(); !ok || u != testUser || p != testPassword {
			t.Errorf("request without the address's credentials (basic auth %v)", ok)
		}
		if q := r.FormValue("query"); q != testQuery {
			t.Errorf("query %q, want %q", q, testQuery)
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	hostport = strings.TrimPrefix(srv.URL, "http://")
	return "http://" + testUser + ":" + testPassword + "@" + hostport + "/prom/", hostport
}

// respond is a handler answering status and body.
func respond(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// scalarBody is a query's answer of a scalar.
func scalarBody(v string) string {
	return `{"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"` + v + `"]}}`
}

// vectorBody is a query's answer of a vector, one series per value.
func vectorBody(vs ...string) string {
	series := make([]string, len(vs))
	for i, v := range vs {
		series[i] = fmt.Sprintf(`{"metric":{"instance":"i%d"},"value":[1700000000.5,%q]}`, i, v)
	}
	return `{"status":"success","data":{"resultType":"vector","result":[` + strings.Join(series, ",") + `]}}`
}

// assertQuiet fails if err shows the address, its credentials or the
// query, or does not name the metric.
func assertQuiet(t *testing.T, err error, hostport string) {
	t.Helper()
	msg := err.Error()
	for _, secret := range []string{testUser, testPassword, "drover_secret_query_text", hostport} {
		if secret != "" && strings.Contains(msg, secret) {
			t.Errorf("error %q shows %q", msg, secret)
		}
	}
	if !strings.HasPrefix(msg, "prometheus metric: ") {
		t.Errorf("error %q does not name the metric", msg)
	}
}

func TestPrometheusRead(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    float64 // the value read, when wantErr is empty
		wantErr string  // a part of the error
		wantIs  error   // the error's cause, when set
	}{
		{name: "scalar", handler: respond(200, scalarBody("0.75")), want: 0.75},
		{name: "vector of one sample", handler: respond(200, vectorBody("2.5")), want: 2.5},
		{name: "zero is a value", handler: respond(200, vectorBody("0")), want: 0},
		{name: "empty vector", handler: respond(200, vectorBody()), wantErr: "the query returned no series", wantIs: errNoSeries},
		{name: "several series", handler: respond(200, vectorBody("1", "2", "3")), wantErr: "returned 3 series: aggregate them (sum, avg, max)"},
		{name: "NaN scalar", handler: respond(200, scalarBody("NaN")), wantErr: "value is NaN"},
		{name: "infinite sample", handler: respond(200, vectorBody("+Inf")), wantErr: "value is +Inf"},
		{name: "range vector", handler: respond(200, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"1"]]}]}}`), wantErr: "returned a matrix, not a number"},
		{name: "HTTP 500", handler: respond(500, "internal error near "+testQuery+" for "+testPassword), wantErr: "HTTP 500"},
		{
			name:    "bad query: Prometheus's message quotes it and is not shown",
			handler: respond(400, `{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \"drover_secret_query_text\""}`),
			wantErr: "rejected the query (HTTP 400, bad_data)",
		},
		{
			name:    "API error in a successful answer",
			handler: respond(200, `{"status":"error","errorType":"execution","error":"drover_secret_query_text failed"}`),
			wantErr: "the query failed (execution)",
		},
		{name: "not Prometheus", handler: respond(200, "<html>drover_secret_query_text</html>"), wantErr: "not a Prometheus query result"},
		{
			name:    "oversize answer: valid JSON after 2 MiB of blanks is refused",
			handler: respond(200, strings.Repeat(" ", 2<<20)+scalarBody("1")),
			wantErr: "larger than 1 MiB", wantIs: errBodyTooLarge,
		},
		{
			name: "POST refused: the library falls back to GET",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					w.WriteHeader(http.StatusMethodNotAllowed)
					return
				}
				respond(200, scalarBody("4"))(w, r)
			},
			want: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, hostport := fakePrometheus(t, tt.handler)
			src := newPrometheusSource(t, addr, 10*time.Second)
			got, err := src.Read(t.Context(), nil)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if got.Metric != "prometheus" || got.Value != tt.want || got.Target != 0.5 || got.Demand || got.Err != "" {
					t.Fatalf("Read = %+v, want the prometheus metric at %v, target 0.5", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Read = %+v, want an error saying %q", got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not say %q", err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q is not %v", err, tt.wantIs)
			}
			assertQuiet(t, err, hostport)
		})
	}
}

// TestPrometheusTimeout: a server that does not answer within
// Options.Timeout fails the read, and the read ends.
func TestPrometheusTimeout(t *testing.T) {
	addr, hostport := fakePrometheus(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // the client gives up
	})
	src := newPrometheusSource(t, addr, 100*time.Millisecond)
	_, err := src.Read(t.Context(), nil)
	if err == nil {
		t.Fatal("Read of a server that never answers succeeded")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer in time (timeout 100ms)") {
		t.Errorf("error %q, want a timeout", err)
	}
	assertQuiet(t, err, hostport)
}

// TestPrometheusCancelled: the caller's cancellation ends a read.
func TestPrometheusCancelled(t *testing.T) {
	addr, hostport := fakePrometheus(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	src := newPrometheusSource(t, addr, time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := src.Read(ctx, nil)
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("Read with a cancelled context: %v, want cancelled", err)
	}
	assertQuiet(t, err, hostport)
}

// TestPrometheusRefused: nothing listening at the address is an error
// that shows neither the address nor its credentials.
func TestPrometheusRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hostport := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	src := newPrometheusSource(t, "http://"+testUser+":"+testPassword+"@"+hostport, 10*time.Second)
	_, err = src.Read(t.Context(), nil)
	if err == nil || !strings.Contains(err.Error(), "refused the connection") {
		t.Fatalf("Read of a closed port: %v, want refused", err)
	}
	assertQuiet(t, err, hostport)
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		t.Errorf("the error's cause is the HTTP client's, which quotes the URL: %v", urlErr)
	}
	for cause := errors.Unwrap(err); cause != nil; cause = errors.Unwrap(cause) {
		if strings.Contains(cause.Error(), testUser) || strings.Contains(cause.Error(), testPassword) {
			t.Errorf("the error's cause %q shows the credentials", cause)
		}
	}
}

func TestPrometheusNew(t *testing.T) {
	tests := []struct {
		name    string
		props   string
		wantErr string // a part of the error; empty for none
	}{
		{name: "plain", props: `{"address":"http://prometheus:9090","query":"up","target":1}`},
		{name: "https, credentials and a path", props: `{"address":"https://u:p@prom.example:443/sub/","query":"up","target":0.2}`},
		{name: "no scheme", props: `{"address":"prometheus:9090","query":"up","target":1}`, wantErr: "http or https"},
		{name: "other scheme", props: `{"address":"ftp://` + testUser + `:` + testPassword + `@h","query":"up","target":1}`, wantErr: "http or https"},
		{name: "no host", props: `{"address":"http://","query":"up","target":1}`, wantErr: "no host"},
		{name: "credentials but no host", props: `{"address":"http://` + testUser + `:` + testPassword + `@:9090","query":"up","target":1}`, wantErr: "no host"},
		{name: "opaque", props: `{"address":"http:` + testPassword + `","query":"up","target":1}`, wantErr: "no host"},
		{name: "query", props: `{"address":"http://` + testUser + `:` + testPassword + `@h/?x=1","query":"up","target":1}`, wantErr: "without query"},
		{name: "fragment", props: `{"address":"http://h/#` + testPassword + `","query":"up","target":1}`, wantErr: "without query"},
		{name: "not a URL", props: `{"address":"http://` + testUser + `:` + testPassword + `@h:port%zz","query":"up","target":1}`, wantErr: "not a URL"},
		{name: "empty query", props: `{"address":"http://h","query":"","target":1}`, wantErr: "query is empty"},
		{name: "target 0", props: `{"address":"http://h","query":"up","target":0}`, wantErr: "more than 0"},
		{name: "negative target", props: `{"address":"http://h","query":"up","target":-2}`, wantErr: "more than 0"},
		{name: "no target", props: `{"address":"http://h","query":"up"}`, wantErr: "more than 0"},
		{name: "not JSON", props: `{"address":"` + testPassword, wantErr: "do not decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := prometheusPlugin.New(json.RawMessage(tt.props), Options{})
			if tt.wantErr == "" {
				if err != nil || src == nil {
					t.Fatalf("New: %v", err)
				}
				if s := src.(*prometheusSource); s.timeout != defaultTimeout {
					t.Errorf("timeout %v, want the default %v", s.timeout, defaultTimeout)
				}
				return
			}
			if err == nil {
				t.Fatalf("New accepted %s", tt.props)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not say %q", err, tt.wantErr)
			}
			assertQuiet(t, err, "")
		})
	}
}

func TestPrometheusPlugin(t *testing.T) {
	p := Builtins()["prometheus"]
	if p.Schema == nil || p.New == nil {
		t.Fatal("the prometheus builtin has no schema or no constructor")
	}
	if err := p.Schema.Validate(); err != nil {
		t.Fatalf("schema: %v", err)
	}
	for _, k := range []resource.Kind{resource.Service, resource.Group} {
		if !slices.Contains(p.Kinds, k) {
			t.Errorf("kinds %v lack %s", p.Kinds, k)
		}
	}
	required := map[string]bool{}
	for _, a := range p.Schema.Attributes {
		required[a.Name] = a.Required
	}
	for _, name := range []string{"address", "query", "target"} {
		if !required[name] {
			t.Errorf("attribute %s is not declared required", name)
		}
	}
}

// TestBoundedBody: a body of the bound is read whole; one byte more is
// an error, whatever the reader's buffer.
func TestBoundedBody(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		wantErr bool
	}{
		{name: "empty", size: 0},
		{name: "under", size: 99},
		{name: "at the bound", size: 100},
		{name: "one byte over", size: 101, wantErr: true},
		{name: "far over", size: 10000, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &boundedBody{ReadCloser: io.NopCloser(strings.NewReader(strings.Repeat("x", tt.size))), left: 100}
			got, err := io.ReadAll(b)
			if tt.wantErr {
				if !errors.Is(err, errBodyTooLarge) {
					t.Fatalf("ReadAll: %v, want errBodyTooLarge", err)
				}
				if len(got) > 101 {
					t.Errorf("read %d bytes, past the bound and its one byte", len(got))
				}
				return
			}
			if err != nil || len(got) != tt.size {
				t.Fatalf("ReadAll: %d bytes, %v; want %d", len(got), err, tt.size)
			}
		})
	}
}
