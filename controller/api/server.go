package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/drover/drover/group"
	"github.com/drover/drover/internal/httpjson"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
	"github.com/drover/drover/specs"
)

// Defaults of ServerOptions.
const (
	DefaultMaxBody   = 8 << 20
	DefaultHeartbeat = 15 * time.Second
)

// ServerOptions configure NewServer. Zero fields take the defaults given.
type ServerOptions struct {
	// Backend serves the requests. Required.
	Backend Backend
	// Token, when set, is required as "Authorization: Bearer <token>" on
	// every request but /healthz. The daemon sets it for TCP listeners and
	// may leave it empty on a unix socket, whose file mode guards it.
	Token string
	// MaxBody bounds request bodies, in bytes. Default DefaultMaxBody
	// (8 MiB). A larger body gets 413.
	MaxBody int64
	// Metrics, if set, is served at /metrics. Default: /metrics is 404.
	Metrics http.Handler
	// Heartbeat is how often an idle event stream sends an SSE comment, to
	// keep proxies and clients from timing it out. Default
	// DefaultHeartbeat (15s).
	Heartbeat time.Duration
	// Log receives the errors of failed requests (500s). Default: discard.
	Log *slog.Logger
	// Limits bound what a client can hold of the server (see Limits for
	// the defaults). The handler applies WriteTimeout and, to clients
	// without the token, a grace to send their body; NewHTTPServer and
	// Limits.Listener apply the rest.
	Limits Limits
}

// NewServer returns the handler of the API, serving opts.Backend.
func NewServer(opts ServerOptions) (http.Handler, error) {
	if opts.Backend == nil {
		return nil, errors.New("api: ServerOptions.Backend is required")
	}
	if opts.MaxBody < 0 || opts.Heartbeat < 0 {
		return nil, errors.New("api: ServerOptions.MaxBody and Heartbeat must not be negative")
	}
	if opts.MaxBody == 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Heartbeat == 0 {
		opts.Heartbeat = DefaultHeartbeat
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	opts.Limits = opts.Limits.withDefaults()
	s := &server{opts: opts, mux: http.NewServeMux()}
	if opts.Token != "" {
		s.tokenSum = sha256.Sum256([]byte(opts.Token))
	}
	m := s.mux
	m.HandleFunc("POST /v1/apply", s.apply)
	m.HandleFunc("POST /v1/plan", s.plan)
	m.HandleFunc("GET /v1/status", s.status)
	m.HandleFunc("POST /v1/destroy", s.destroy)
	m.HandleFunc("GET /v1/revisions", s.history)
	m.HandleFunc("GET /v1/revisions/{n}", s.revision)
	m.HandleFunc("POST /v1/rollback", s.rollback)
	m.HandleFunc("GET /v1/events", s.events)
	s.routeSources(m)
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	if opts.Metrics != nil {
		m.Handle("GET /metrics", opts.Metrics)
	}
	return s, nil
}

type server struct {
	opts ServerOptions
	mux  *http.ServeMux
	// tokenSum is the SHA-256 of the token, so that the comparison takes
	// the same time whatever the length of the token presented.
	tokenSum [sha256.Size]byte
}

func (s *server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w := &deadlineWriter{ResponseWriter: rw, timeout: s.opts.Limits.WriteTimeout}
	if s.opts.Token != "" && !s.authorized(r) {
		// Its body is never read, and its connection ends here.
		dismiss(w, s.opts.Limits.unauthorizedGrace())
		if r.URL.Path != "/healthz" {
			w.Header().Set("WWW-Authenticate", "Bearer")
			httpjson.Error(w, http.StatusUnauthorized, "a valid bearer token is required (Authorization: Bearer <token>)")
			return
		}
	}
	if h, pattern := s.mux.Handler(r); pattern == "" {
		unmatched(w, r, h)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// authorized says whether r carries the token, comparing in constant time.
func (s *server) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(sum[:], s.tokenSum[:]) == 1
}

// unmatched answers a request no route takes, with a JSON 404 or 405 in
// place of the mux's plain text.
func unmatched(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.code == http.StatusMethodNotAllowed {
		allow := rec.header.Get("Allow")
		w.Header().Set("Allow", allow)
		httpjson.Error(w, rec.code, fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, allow))
		return
	}
	httpjson.Error(w, http.StatusNotFound, fmt.Sprintf("no such endpoint: %s", r.URL.Path))
}

// statusRecorder keeps the status and headers a handler writes, and drops
// its body.
type statusRecorder struct {
	header http.Header
	code   int
}

func (r *statusRecorder) Header() http.Header { return r.header }
func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *statusRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(b), nil
}

func (s *server) apply(w http.ResponseWriter, r *http.Request) {
	var req ApplyRequest
	if !s.decode(w, r, &req, true) {
		return
	}
	if msg := checkBundle(&req.Bundle); msg != "" {
		httpjson.Error(w, http.StatusBadRequest, msg)
		return
	}
	if !validStack(req.Stack) {
		httpjson.Error(w, http.StatusBadRequest, badStackName)
		return
	}
	resp, err := s.opts.Backend.Apply(r.Context(), req)
	s.writeRevision(w, r, resp, err)
}

func (s *server) plan(w http.ResponseWriter, r *http.Request) {
	var req PlanRequest
	if !s.decode(w, r, &req, false) {
		return
	}
	if req.Bundle != nil {
		if msg := checkBundle(req.Bundle); msg != "" {
			httpjson.Error(w, http.StatusBadRequest, msg)
			return
		}
	}
	resp, err := s.opts.Backend.Plan(r.Context(), req)
	if resp.Groups == nil {
		resp.Groups = []group.Plan{} // [], not null
	}
	if resp.Services == nil {
		resp.Services = []service.Plan{}
	}
	s.reply(w, r, resp, err)
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	resp, err := s.opts.Backend.Status(r.Context())
	if resp.Resources == nil {
		resp.Resources = []resource.Status{} // [], not null
	}
	if resp.Stacks == nil {
		resp.Stacks = []StackInfo{}
	}
	if resp.Sources == nil {
		resp.Sources = []SourceInfo{}
	}
	s.reply(w, r, resp, err)
}

func (s *server) destroy(w http.ResponseWriter, r *http.Request) {
	var req DestroyRequest
	if !s.decode(w, r, &req, false) {
		return
	}
	if err := req.check(); err != nil {
		s.fail(w, r, &InvalidError{Err: err})
		return
	}
	if !validStack(req.Stack) {
		httpjson.Error(w, http.StatusBadRequest, badStackName)
		return
	}
	resp, err := s.opts.Backend.Destroy(r.Context(), req)
	s.writeRevision(w, r, resp, err)
}

func (s *server) history(w http.ResponseWriter, r *http.Request) {
	resp, err := s.opts.Backend.History(r.Context())
	if resp == nil {
		resp = []RevisionInfo{} // [], not null
	}
	s.reply(w, r, resp, err)
}

func (s *server) revision(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(r.PathValue("n"), 10, 64)
	if err != nil || n < 1 {
		httpjson.Error(w, http.StatusBadRequest, fmt.Sprintf("revision %q: want a revision number (1, 2, ...)", r.PathValue("n")))
		return
	}
	resp, err := s.opts.Backend.Revision(r.Context(), n)
	s.reply(w, r, resp, err)
}

func (s *server) rollback(w http.ResponseWriter, r *http.Request) {
	var req RollbackRequest
	if !s.decode(w, r, &req, true) {
		return
	}
	if req.Revision < 1 {
		httpjson.Error(w, http.StatusBadRequest, "rollback: revision must be a revision number (1, 2, ...)")
		return
	}
	resp, err := s.opts.Backend.Rollback(r.Context(), req)
	s.writeRevision(w, r, resp, err)
}

func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, "ok\n")
}

func (s *server) readyz(w http.ResponseWriter, _ *http.Request) {
	if err := s.opts.Backend.Ready(); err != nil {
		httpjson.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeText(w, http.StatusOK, "ok\n")
}

// checkBundle says what makes b unloadable before the backend sees it, or
// "".
func checkBundle(b *specs.Bundle) string {
	if len(b.Specs) == 0 {
		return "bundle: it names no spec files (bundle.specs is empty)"
	}
	for _, list := range [][]string{b.Specs, b.VarFiles} {
		for _, name := range list {
			if _, ok := b.Files[name]; !ok {
				return fmt.Sprintf("bundle: %s is not in bundle.files", name)
			}
		}
	}
	return ""
}

// decode reads r's JSON body into v, refusing unknown fields and trailing
// data. An empty body leaves v as it is unless required. It answers the
// request and returns false when the body does not do.
func (s *server) decode(w http.ResponseWriter, r *http.Request, v any, required bool) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.opts.MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		var extra json.RawMessage
		switch err = dec.Decode(&extra); err {
		case io.EOF:
			return true
		case nil:
			err = errors.New("it holds more than one JSON value")
		}
	} else if err == io.EOF && !required {
		return true
	}
	code, msg := bodyError(err)
	httpjson.Error(w, code, msg)
	return false
}

// bodyError is the status and message for a request body that did not
// decode.
func bodyError(err error) (int, string) {
	var (
		tooBig   *http.MaxBytesError
		syntax   *json.SyntaxError
		mismatch *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body: larger than the limit of %d bytes", tooBig.Limit)
	case err == io.EOF:
		return http.StatusBadRequest, "request body: empty, want a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadRequest, "request body: the JSON ends early"
	case errors.As(err, &syntax):
		return http.StatusBadRequest, fmt.Sprintf("request body: malformed JSON at byte %d: %s", syntax.Offset, syntax)
	case errors.As(err, &mismatch):
		field := mismatch.Field
		if field == "" {
			field = "(the body itself)"
		}
		return http.StatusBadRequest, fmt.Sprintf("request body: field %s at byte %d: want %s, got a JSON %s", field, mismatch.Offset, mismatch.Type, mismatch.Value)
	}
	return http.StatusBadRequest, "request body: " + strings.TrimPrefix(err.Error(), "json: ")
}

// writeRevision answers an apply, rollback or destroy: 201 with the new
// revision's Location, or 200 when nothing was recorded.
func (s *server) writeRevision(w http.ResponseWriter, r *http.Request, resp ApplyResponse, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if resp.Unchanged {
		httpjson.Write(w, http.StatusOK, resp)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/v1/revisions/%d", resp.Revision.Number))
	httpjson.Write(w, http.StatusCreated, resp)
}

// reply answers with 200 and resp, or with err.
func (s *server) reply(w http.ResponseWriter, r *http.Request, resp any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, resp)
}

// fail answers with the status that err calls for.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		le      *specs.LoadError
		invalid *InvalidError
	)
	switch {
	case errors.As(err, &le):
		diags, merr := json.Marshal(specs.DiagnosticsJSON(le.Diagnostics, le.Files))
		if merr != nil {
			diags = nil
		}
		httpjson.Write(w, http.StatusBadRequest, Error{Error: err.Error(), Diagnostics: diags})
	case errors.As(err, &invalid):
		httpjson.Error(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrNotFound):
		httpjson.Error(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrNoRevision), errors.Is(err, ErrSourceExists):
		httpjson.Error(w, http.StatusConflict, err.Error())
	default:
		if r.Context().Err() != nil {
			// The client went away: there is nobody to answer.
			s.opts.Log.Debug("api request abandoned", "method", r.Method, "path", r.URL.Path, "err", err)
			return
		}
		s.opts.Log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		httpjson.Error(w, http.StatusInternalServerError, err.Error())
	}
}

func writeText(w http.ResponseWriter, code int, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, s)
}
