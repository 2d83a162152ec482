// Package dofake is an in-memory fake of the parts of the DigitalOcean API
// v2 that drover uses, for tests: droplets (create, multi-create, get, list
// with pagination and filters, delete by id and by tag), droplet actions and
// /v2/actions, tags, SSH keys, regions, sizes, images and the droplet CPU
// metric. Paths, JSON shapes and status codes follow the public OpenAPI
// description, and TestResponsesMatchOpenAPI checks every response against
// the part of it kept in testdata/openapi (every field a droplet requires,
// with its type, is sent); where godo depends on a detail (absolute pagination links with
// page=, "prev" on every page after the first, quoted metric values,
// RateLimit-* headers on every response) the fake serves it exactly.
//
// A Server is an http.Handler, safe for concurrent use, with no goroutines:
// time moves only through Options.Now. IDs are deterministic (droplets from
// 300000001, actions from 1000000001, request ids "req-N") and so are the
// injected faults (a seeded source).
//
// Faults (Inject) model the real API's failure modes: 5xx answers, some of
// them after the request took effect (a lost reply, so that a blindly
// retried create makes two droplets), latency, and lists that lag behind
// creates.
//
// With Options.Machines, droplets are also machines: each is a container
// on a Docker engine that runs the droplet's user data, so that cloud-init
// scripts and whole swarms of droplets can be tried on one host
// (machines.go). Creates and deletes then wait for the containers.
package dofake

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/digitalocean/godo"
)

// Options configure a Server.
type Options struct {
	// Token is the bearer token every request must carry; otherwise 401
	// {"id":"unauthorized"}. Empty accepts any non-empty token.
	Token string
	// BootTime is how long a droplet stays "new" before it is "active" and
	// gets its addresses. Zero: droplets are created "new" and are "active"
	// at their first read (the create reply itself is always "new" with
	// empty networks, as on the real API).
	BootTime time.Duration
	// RatePerMinute is the request budget per RateWindow: 250 by default,
	// as the real API's per-minute limit. Past it, 429
	// {"id":"too_many_requests"} until the window ends. Negative: no limit
	// (headers still sent).
	RatePerMinute int
	// RateWindow is the length of the budget window: a minute by default;
	// tests shorten it.
	RateWindow time.Duration
	// DropletLimit is the account's droplet limit: 422 past it. Zero means
	// 10000.
	DropletLimit int
	// SSHKeys are the account's keys; nil gives one key named "drover"
	// with id 1001.
	SSHKeys []godo.Key
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Seed seeds the fault source (0 means 1).
	Seed uint64
	// Machines, when set, backs every droplet with a container on a
	// Docker engine that runs its user data (see Machines). Nil: droplets
	// are records only, with made-up addresses.
	Machines *Machines
}

// Faults are injected failures, all off by default.
type Faults struct {
	// ServerErrorRate is the share of requests (0..1) answered 500
	// {"id":"server_error"}. For a POST or DELETE, every other such fault
	// happens after the request took effect: the reply is lost, not the
	// change.
	ServerErrorRate float64
	// Latency delays every answer.
	Latency time.Duration
	// ListLag keeps a new droplet out of lists (not out of GET by id) for
	// this long after its creation.
	ListLag time.Duration
}

// Server is the fake API.
type Server struct {
	opts Options

	mu          sync.Mutex
	faults      Faults
	rng         *rand.Rand
	lostReply   bool // alternates the kind of 5xx fault on writes
	droplets    map[int]*droplet
	tags        map[string]string // lowercase -> as first created
	actions     map[int]*godo.Action
	nextID      int
	nextAction  int
	nextReq     int
	windowEnd   time.Time
	used        int
	calls       map[string]int
	linksToggle bool

	mux *http.ServeMux
}

type droplet struct {
	d          godo.Droplet
	created    time.Time
	monitoring bool
	userData   string
	off        bool
	cpu        float64 // utilisation the metric reports
	ip         string  // the address of its container (Options.Machines)
}

// New returns a fake API.
func New(opts Options) *Server {
	if opts.RatePerMinute == 0 {
		opts.RatePerMinute = 250
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = time.Minute
	}
	if opts.DropletLimit <= 0 {
		opts.DropletLimit = 10000
	}
	if opts.SSHKeys == nil {
		opts.SSHKeys = []godo.Key{{ID: 1001, Name: "drover", Fingerprint: "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa", PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake drover"}}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Machines != nil {
		opts.Machines.setDefaults()
	}
	s := &Server{
		opts:       opts,
		rng:        rand.New(rand.NewPCG(opts.Seed, 0x5eed)),
		droplets:   map[int]*droplet{},
		tags:       map[string]string{},
		actions:    map[int]*godo.Action{},
		nextID:     300000001,
		nextAction: 1000000001,
		calls:      map[string]int{},
		mux:        http.NewServeMux(),
	}
	s.routes()
	return s
}

// Inject replaces the faults.
func (s *Server) Inject(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Calls returns how many requests each route received, keyed by
// "METHOD /v2/path-pattern" (e.g. "GET /v2/droplets/{id}"): every
// authenticated request, including those answered 429 or with an injected
// 500.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// ResetCalls zeroes the call counts.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}

// Droplets returns the droplets that exist, as GET would show them now,
// in id order.
func (s *Server) Droplets() []godo.Droplet {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []godo.Droplet
	for _, d := range s.sortedLocked() {
		out = append(out, s.viewLocked(d))
	}
	return out
}

// DeleteBehindBack removes a droplet as if someone deleted it outside
// drover (and its container, with Options.Machines).
func (s *Server) DeleteBehindBack(id int) {
	s.mu.Lock()
	delete(s.droplets, id)
	s.mu.Unlock()
	s.removeMachines([]int{id})
}

// PowerOffBehindBack powers a droplet off outside drover (and kills its
// container, with Options.Machines).
func (s *Server) PowerOffBehindBack(id int) {
	s.mu.Lock()
	if d := s.droplets[id]; d != nil {
		d.off = true
	}
	s.mu.Unlock()
	if m := s.opts.Machines; m != nil {
		if err := m.kill(id); err != nil {
			m.setErr(err)
		}
	}
}

// SetCPU sets the CPU utilisation (0..1) that the metric endpoint reports
// for a droplet created with monitoring.
func (s *Server) SetCPU(id int, util float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.droplets[id]; d != nil {
		d.cpu = math.Min(math.Max(util, 0), 1)
	}
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	latency := s.faults.Latency
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	// The rate limit: every answer carries the headers.
	now := s.opts.Now()
	if !now.Before(s.windowEnd) {
		s.windowEnd = now.Add(s.opts.RateWindow)
		s.used = 0
	}
	limited := s.opts.RatePerMinute > 0 && s.used >= s.opts.RatePerMinute
	if !limited {
		s.used++
	}
	limit := max(s.opts.RatePerMinute, 0)
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(limit-s.used, 0)))
	h.Set("RateLimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(s.windowEnd.UnixNano())/1e9)), 10))
	h.Set("Content-Type", "application/json")
	fault := s.faults.ServerErrorRate > 0 && s.rng.Float64() < s.faults.ServerErrorRate
	after := false
	if fault && (r.Method == http.MethodPost || r.Method == http.MethodDelete) {
		s.lostReply = !s.lostReply
		after = s.lostReply
	}
	s.mu.Unlock()

	if !s.authorized(r) {
		s.writeError(w, http.StatusUnauthorized, "unauthorized", "Unable to authenticate you")
		return
	}
	if _, pattern := s.mux.Handler(r); pattern != "/" {
		s.mu.Lock()
		s.calls[pattern]++
		s.mu.Unlock()
	}
	if limited {
		s.writeError(w, http.StatusTooManyRequests, "too_many_requests", "API Rate limit exceeded.")
		return
	}
	if fault && !after {
		s.writeError(w, http.StatusInternalServerError, "server_error", "Server Error")
		return
	}
	if fault {
		// The change happens; the reply is lost.
		s.mux.ServeHTTP(httptest.NewRecorder(), r)
		s.writeError(w, http.StatusInternalServerError, "server_error", "Server Error")
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) authorized(r *http.Request) bool {
	const prefix = "Bearer "
	a := r.Header.Get("Authorization")
	if len(a) <= len(prefix) || a[:len(prefix)] != prefix {
		return false
	}
	return s.opts.Token == "" || a[len(prefix):] == s.opts.Token
}

// handle registers a route.
func (s *Server) handle(pattern string, f func(w http.ResponseWriter, r *http.Request)) {
	s.mux.HandleFunc(pattern, f)
}

func (s *Server) routes() {
	s.handle("POST /v2/droplets", s.createDroplets)
	s.handle("GET /v2/droplets", s.listDroplets)
	s.handle("DELETE /v2/droplets", s.deleteByTag)
	s.handle("GET /v2/droplets/{id}", s.getDroplet)
	s.handle("DELETE /v2/droplets/{id}", s.deleteDroplet)
	s.handle("POST /v2/droplets/{id}/actions", s.postDropletAction)
	s.handle("GET /v2/droplets/{id}/actions", s.listDropletActions)
	s.handle("GET /v2/droplets/{id}/actions/{action}", s.getDropletAction)
	s.handle("GET /v2/actions/{id}", s.getAction)
	s.handle("GET /v2/actions", s.listActions)
	s.handle("POST /v2/tags", s.createTag)
	s.handle("GET /v2/tags", s.listTags)
	s.handle("GET /v2/tags/{name}", s.getTag)
	s.handle("GET /v2/account/keys", s.listKeys)
	s.handle("GET /v2/account/keys/{key}", s.getKey)
	s.handle("GET /v2/regions", s.listRegions)
	s.handle("GET /v2/sizes", s.listSizes)
	s.handle("GET /v2/images", s.listImages)
	s.handle("GET /v2/monitoring/metrics/droplet/cpu", s.cpuMetric)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, "not_found", "The resource you were accessing could not be found.")
	})
}

// writeError writes the API's error body.
func (s *Server) writeError(w http.ResponseWriter, status int, id, msg string) {
	s.mu.Lock()
	s.nextReq++
	req := fmt.Sprintf("req-%d", s.nextReq)
	s.mu.Unlock()
	writeJSON(w, status, map[string]string{"id": id, "message": msg, "request_id": req})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) notFound(w http.ResponseWriter) {
	s.writeError(w, http.StatusNotFound, "not_found", "The resource you were accessing could not be found.")
}

func (s *Server) unprocessable(w http.ResponseWriter, msg string) {
	s.writeError(w, http.StatusUnprocessableEntity, "unprocessable_entity", msg)
}
