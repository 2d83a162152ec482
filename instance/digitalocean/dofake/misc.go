package dofake

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"
)

var regions = []godo.Region{
	{Slug: "fra1", Name: "Frankfurt 1", Available: true, Sizes: []string{"s-1vcpu-1gb", "s-2vcpu-2gb", "s-4vcpu-8gb"}, Features: []string{"backups", "ipv6", "metadata", "install_agent", "storage"}},
	{Slug: "ams3", Name: "Amsterdam 3", Available: true, Sizes: []string{"s-1vcpu-1gb", "s-2vcpu-2gb", "s-4vcpu-8gb"}, Features: []string{"backups", "ipv6", "metadata", "install_agent", "storage"}},
	{Slug: "nyc3", Name: "New York 3", Available: true, Sizes: []string{"s-1vcpu-1gb", "s-2vcpu-2gb", "s-4vcpu-8gb"}, Features: []string{"backups", "ipv6", "metadata", "install_agent", "storage"}},
}

var sizes = []godo.Size{
	{Slug: "s-1vcpu-1gb", Memory: 1024, Vcpus: 1, Disk: 25, Transfer: 1, Description: "Basic", PriceMonthly: 6, PriceHourly: 0.00893, Regions: []string{"fra1", "ams3", "nyc3"}, Available: true},
	{Slug: "s-2vcpu-2gb", Memory: 2048, Vcpus: 2, Disk: 60, Transfer: 3, Description: "Basic", PriceMonthly: 18, PriceHourly: 0.02679, Regions: []string{"fra1", "ams3", "nyc3"}, Available: true},
	{Slug: "s-4vcpu-8gb", Memory: 8192, Vcpus: 4, Disk: 160, Transfer: 5, Description: "Basic", PriceMonthly: 48, PriceHourly: 0.07143, Regions: []string{"fra1", "ams3", "nyc3"}, Available: true},
}

var images = []godo.Image{
	{ID: 160000001, Name: "Docker on Ubuntu 22.04", Slug: "docker-20-04", Distribution: "Ubuntu", Type: "snapshot", Public: true, Regions: []string{"fra1", "ams3", "nyc3"}, MinDiskSize: 25, Status: "available", Created: "2024-01-01T00:00:00Z"},
	{ID: 160000002, Name: "24.04 (LTS) x64", Slug: "ubuntu-24-04-x64", Distribution: "Ubuntu", Type: "base", Public: true, Regions: []string{"fra1", "ams3", "nyc3"}, MinDiskSize: 7, Status: "available", Created: "2024-04-25T00:00:00Z"},
	{ID: 160000003, Name: "12 x64", Slug: "debian-12-x64", Distribution: "Debian", Type: "base", Public: true, Regions: []string{"fra1", "ams3", "nyc3"}, MinDiskSize: 7, Status: "available", Created: "2023-06-10T00:00:00Z"},
}

func regionBySlug(slug string) godo.Region {
	for _, r := range regions {
		if r.Slug == slug {
			return r
		}
	}
	return godo.Region{Slug: slug}
}

func findSize(slug string) *godo.Size {
	for i := range sizes {
		if sizes[i].Slug == slug {
			s := sizes[i]
			return &s
		}
	}
	return nil
}

// findImage resolves the create request's image: a slug string or an id.
func (s *Server) findImage(raw json.RawMessage) *godo.Image {
	var slug string
	var id int
	if json.Unmarshal(raw, &slug) != nil && json.Unmarshal(raw, &id) != nil {
		return nil
	}
	for i := range images {
		if (slug != "" && images[i].Slug == slug) || (id != 0 && images[i].ID == id) {
			img := images[i]
			return &img
		}
	}
	return nil
}

// keyExists reports whether a create request's SSH key (id or
// fingerprint) is the account's.
func (s *Server) keyExists(raw json.RawMessage) bool {
	var fp string
	var id int
	if json.Unmarshal(raw, &fp) != nil && json.Unmarshal(raw, &id) != nil {
		return false
	}
	return slices.ContainsFunc(s.opts.SSHKeys, func(k godo.Key) bool {
		return (id != 0 && k.ID == id) || (fp != "" && k.Fingerprint == fp)
	})
}

// newActionLocked records a completed action on a droplet.
func (s *Server) newActionLocked(dropletID int, typ, region string, now time.Time) *godo.Action {
	id := s.nextAction
	s.nextAction++
	ts := &godo.Timestamp{Time: now}
	a := &godo.Action{ID: id, Status: "in-progress", Type: typ, StartedAt: ts, ResourceID: dropletID, ResourceType: "droplet", RegionSlug: region}
	s.actions[id] = a
	return a
}

// actionViewLocked completes actions once the droplet has booted.
func (s *Server) actionViewLocked(a *godo.Action) godo.Action {
	v := *a
	if v.Status == "errored" {
		return v
	}
	if !s.opts.Now().Before(a.StartedAt.Time.Add(s.opts.BootTime)) {
		v.Status = "completed"
		v.CompletedAt = &godo.Timestamp{Time: a.StartedAt.Time.Add(s.opts.BootTime)}
	}
	return v
}

var actionTypes = map[string]bool{"power_off": true, "power_on": true, "shutdown": true, "reboot": true, "power_cycle": true}

func (s *Server) postDropletAction(w http.ResponseWriter, r *http.Request) {
	id, _ := s.dropletID(r)
	var req struct {
		Type string `json:"type"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !actionTypes[req.Type] {
		s.unprocessable(w, "You specified an invalid action type.")
		return
	}
	s.mu.Lock()
	d := s.droplets[id]
	if d == nil {
		s.mu.Unlock()
		s.notFound(w)
		return
	}
	now := s.opts.Now()
	if now.Before(d.created.Add(s.opts.BootTime)) {
		s.mu.Unlock()
		s.unprocessable(w, "Droplet already has a pending event.")
		return
	}
	d.off = req.Type == "power_off" || req.Type == "shutdown"
	a := s.newActionLocked(id, req.Type, d.d.Region.Slug, now)
	a.Status, a.CompletedAt = "completed", &godo.Timestamp{Time: now}
	v := *a
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"action": v})
}

func (s *Server) listDropletActions(w http.ResponseWriter, r *http.Request) {
	id, _ := s.dropletID(r)
	s.mu.Lock()
	if s.droplets[id] == nil {
		s.mu.Unlock()
		s.notFound(w)
		return
	}
	var out []godo.Action
	for _, a := range s.sortedActionsLocked() {
		if a.ResourceID == id {
			out = append(out, s.actionViewLocked(a))
		}
	}
	s.mu.Unlock()
	page(s, w, r, "actions", out)
}

func (s *Server) sortedActionsLocked() []*godo.Action {
	out := make([]*godo.Action, 0, len(s.actions))
	for _, a := range s.actions {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *godo.Action) int { return a.ID - b.ID })
	return out
}

func (s *Server) getDropletAction(w http.ResponseWriter, r *http.Request) {
	id, _ := s.dropletID(r)
	aid, _ := strconv.Atoi(r.PathValue("action"))
	s.mu.Lock()
	a := s.actions[aid]
	var v godo.Action
	if a != nil {
		v = s.actionViewLocked(a)
	}
	s.mu.Unlock()
	if a == nil || a.ResourceID != id {
		s.notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"action": v})
}

func (s *Server) getAction(w http.ResponseWriter, r *http.Request) {
	aid, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	a := s.actions[aid]
	var v godo.Action
	if a != nil {
		v = s.actionViewLocked(a)
	}
	s.mu.Unlock()
	if a == nil {
		s.notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"action": v})
}

func (s *Server) listActions(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var out []godo.Action
	for _, a := range s.sortedActionsLocked() {
		out = append(out, s.actionViewLocked(a))
	}
	s.mu.Unlock()
	page(s, w, r, "actions", out)
}

// apiTag is a tag as the API renders it: resource statistics for every
// resource type, zero counts included (godo's types render those null).
type apiTag struct {
	Name      string       `json:"name"`
	Resources tagResources `json:"resources"`
}

// tagResources are a tag's statistics: the totals, and each type's.
type tagResources struct {
	tagStatistics
	Droplets        tagStatistics `json:"droplets"`
	Images          tagStatistics `json:"images"`
	Volumes         tagStatistics `json:"volumes"`
	VolumeSnapshots tagStatistics `json:"volume_snapshots"`
	Databases       tagStatistics `json:"databases"`
}

// tagStatistics are a count of tagged resources and the last one tagged.
type tagStatistics struct {
	Count         int    `json:"count"`
	LastTaggedURI string `json:"last_tagged_uri,omitempty"`
}

// tagViewLocked returns a tag with its resource counts. The last tagged
// droplet is the newest one.
func (s *Server) tagViewLocked(r *http.Request, name string) apiTag {
	n, last := 0, 0
	for _, d := range s.droplets {
		if slices.ContainsFunc(d.d.Tags, func(t string) bool { return strings.EqualFold(t, name) }) {
			n++
			last = max(last, d.d.ID)
		}
	}
	droplets := tagStatistics{Count: n}
	if n > 0 {
		droplets.LastTaggedURI = baseURL(r) + "v2/droplets/" + strconv.Itoa(last)
	}
	return apiTag{Name: name, Resources: tagResources{tagStatistics: droplets, Droplets: droplets}}
}

func (s *Server) createTag(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Name) > 255 || !tagRE.MatchString(req.Name) {
		s.unprocessable(w, "tag names must match ^[a-zA-Z0-9_\\-:]+$ and have at most 255 characters")
		return
	}
	s.mu.Lock()
	v := s.tagViewLocked(r, s.tagLocked(req.Name))
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"tag": v})
}

func (s *Server) listTags(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	keys := make([]string, 0, len(s.tags))
	for k := range s.tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]apiTag, 0, len(keys))
	for _, k := range keys {
		out = append(out, s.tagViewLocked(r, s.tags[k]))
	}
	s.mu.Unlock()
	page(s, w, r, "tags", out)
}

func (s *Server) getTag(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	name, ok := s.tags[strings.ToLower(r.PathValue("name"))]
	var v apiTag
	if ok {
		v = s.tagViewLocked(r, name)
	}
	s.mu.Unlock()
	if !ok {
		s.notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tag": v})
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	page(s, w, r, "ssh_keys", s.opts.SSHKeys)
}

func (s *Server) getKey(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("key")
	for _, k := range s.opts.SSHKeys {
		if strconv.Itoa(k.ID) == ref || k.Fingerprint == ref {
			writeJSON(w, http.StatusOK, map[string]any{"ssh_key": k})
			return
		}
	}
	s.notFound(w)
}

func (s *Server) listRegions(w http.ResponseWriter, r *http.Request) {
	page(s, w, r, "regions", regions)
}
func (s *Server) listSizes(w http.ResponseWriter, r *http.Request) { page(s, w, r, "sizes", sizes) }

func (s *Server) listImages(w http.ResponseWriter, r *http.Request) {
	typ := r.URL.Query().Get("type")
	var out []godo.Image
	for _, img := range images {
		if typ == "" || (typ == "distribution" && img.Type == "base") || (typ == "application" && img.Type == "snapshot") {
			out = append(out, img)
		}
	}
	page(s, w, r, "images", out)
}

// cpuModes are the node-exporter CPU modes the metric reports.
var cpuModes = []string{"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"}

// cpuMetric serves GET /v2/monitoring/metrics/droplet/cpu: a prometheus
// matrix of cumulative CPU-seconds per mode, one sample a minute between
// start and end, for a droplet created with monitoring; an empty result
// otherwise. Busy time is split 80/20 between user and system.
func (s *Server) cpuMetric(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	hostID, err1 := strconv.Atoi(q.Get("host_id"))
	start, err2 := strconv.ParseInt(q.Get("start"), 10, 64)
	end, err3 := strconv.ParseInt(q.Get("end"), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || end < start {
		s.writeError(w, http.StatusBadRequest, "bad_request", "host_id, start and end are required")
		return
	}
	type series struct {
		Metric map[string]string `json:"metric"`
		Values [][2]any          `json:"values"`
	}
	result := []series{}
	s.mu.Lock()
	d := s.droplets[hostID]
	if d != nil && d.monitoring {
		created := d.created.Unix()
		vcpus := float64(max(d.d.Vcpus, 1))
		share := map[string]float64{"idle": 1 - d.cpu, "user": d.cpu * 0.8, "system": d.cpu * 0.2}
		for _, mode := range cpuModes {
			ser := series{Metric: map[string]string{"host_id": strconv.Itoa(hostID), "mode": mode}, Values: [][2]any{}}
			for t := start - start%60; t <= end; t += 60 {
				if t < created {
					continue
				}
				v := float64(t-created) * vcpus * share[mode]
				ser.Values = append(ser.Values, [2]any{t, strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)})
			}
			result = append(result, ser)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": result}})
}
