package api

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/drover/drover/internal/httpjson"
)

// sourceName is the form of a source's name (and of its stack's).
var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// ValidSourceName says whether name is a source's name:
// [a-z0-9][a-z0-9_-]{0,62}.
func ValidSourceName(name string) bool { return sourceName.MatchString(name) }

// badSourceName is the message for a name that is not one; it does not
// echo the name.
const badSourceName = "source name: want [a-z0-9][a-z0-9_-]{0,62} (lower-case letters, digits, _ and -, at most 63)"

// badStackName is the message for a request's stack that is not a name;
// it does not echo it.
const badStackName = "stack: want [a-z0-9][a-z0-9_-]{0,62} (lower-case letters, digits, _ and -, at most 63), or none for the default stack"

// validStack says whether a request's stack is a stack's name, or empty
// (DefaultStack).
func validStack(stack string) bool { return stack == "" || ValidSourceName(stack) }

// routeSources adds the routes of the git sources to m.
func (s *server) routeSources(m *http.ServeMux) {
	m.HandleFunc("POST /v1/sources", s.addSource)
	m.HandleFunc("GET /v1/sources", s.sources)
	m.HandleFunc("GET /v1/sources/{name}", s.source)
	m.HandleFunc("PUT /v1/sources/{name}", s.updateSource)
	m.HandleFunc("POST /v1/sources/{name}/suspend", s.suspendSource(true))
	m.HandleFunc("POST /v1/sources/{name}/resume", s.suspendSource(false))
	m.HandleFunc("POST /v1/sources/{name}/sync", s.syncSource)
	m.HandleFunc("DELETE /v1/sources/{name}", s.removeSource)
}

func (s *server) addSource(w http.ResponseWriter, r *http.Request) {
	var spec SourceSpec
	if !s.decode(w, r, &spec, true) {
		return
	}
	if !ValidSourceName(spec.Name) {
		httpjson.Error(w, http.StatusBadRequest, badSourceName)
		return
	}
	info, err := s.opts.Backend.AddSource(r.Context(), spec)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/sources/"+spec.Name) // a name checked above
	httpjson.Write(w, http.StatusCreated, info)
}

func (s *server) updateSource(w http.ResponseWriter, r *http.Request) {
	name, ok := pathSource(w, r)
	if !ok {
		return
	}
	var spec SourceSpec
	if !s.decode(w, r, &spec, true) {
		return
	}
	if spec.Name != "" && spec.Name != name {
		httpjson.Error(w, http.StatusBadRequest, "name: the body names another source than the path")
		return
	}
	spec.Name = name
	info, err := s.opts.Backend.UpdateSource(r.Context(), spec)
	s.reply(w, r, info, err)
}

func (s *server) sources(w http.ResponseWriter, r *http.Request) {
	list, err := s.opts.Backend.Sources(r.Context())
	if list == nil {
		list = []SourceInfo{} // [], not null
	}
	s.reply(w, r, list, err)
}

func (s *server) source(w http.ResponseWriter, r *http.Request) {
	name, ok := pathSource(w, r)
	if !ok {
		return
	}
	info, err := s.opts.Backend.Source(r.Context(), name)
	s.reply(w, r, info, err)
}

func (s *server) suspendSource(suspend bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, ok := pathSource(w, r)
		if !ok {
			return
		}
		info, err := s.opts.Backend.SuspendSource(r.Context(), name, suspend)
		s.reply(w, r, info, err)
	}
}

func (s *server) syncSource(w http.ResponseWriter, r *http.Request) {
	name, ok := pathSource(w, r)
	if !ok {
		return
	}
	var req SyncRequest
	if !s.decode(w, r, &req, false) {
		return
	}
	info, err := s.opts.Backend.SyncSource(r.Context(), name, req)
	s.reply(w, r, info, err)
}

func (s *server) removeSource(w http.ResponseWriter, r *http.Request) {
	name, ok := pathSource(w, r)
	if !ok {
		return
	}
	var req RemoveSourceRequest
	if !s.decode(w, r, &req, false) {
		return
	}
	if q := r.URL.Query(); q.Has("destroy") {
		d, err := strconv.ParseBool(q.Get("destroy"))
		if err != nil {
			httpjson.Error(w, http.StatusBadRequest, "query destroy: want true or false")
			return
		}
		req.Destroy = req.Destroy || d
	}
	if err := s.opts.Backend.RemoveSource(r.Context(), name, req); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pathSource returns the source named in r's path, or answers 400 and
// returns false when it is not a source's name.
func pathSource(w http.ResponseWriter, r *http.Request) (string, bool) {
	name := r.PathValue("name")
	if !ValidSourceName(name) {
		httpjson.Error(w, http.StatusBadRequest, badSourceName)
		return "", false
	}
	return name, true
}
