package dofake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"
)

var (
	hostnameRE = regexp.MustCompile(`^[a-zA-Z0-9]?[a-z0-9A-Z.\-]*[a-z0-9A-Z]$`)
	tagRE      = regexp.MustCompile(`^[a-zA-Z0-9_\-:]+$`)
)

// MaxUserData is the largest user_data the API accepts.
const MaxUserData = 64 << 10

// createRequest is the body of POST /v2/droplets, single or multi.
type createRequest struct {
	Name       string            `json:"name"`
	Names      []string          `json:"names"`
	Region     string            `json:"region"`
	Size       string            `json:"size"`
	Image      json.RawMessage   `json:"image"`
	SSHKeys    []json.RawMessage `json:"ssh_keys"`
	Backups    bool              `json:"backups"`
	IPv6       bool              `json:"ipv6"`
	Private    bool              `json:"private_networking"`
	Monitoring bool              `json:"monitoring"`
	UserData   string            `json:"user_data"`
	Volumes    []json.RawMessage `json:"volumes"`
	Tags       []string          `json:"tags"`
	VPCUUID    string            `json:"vpc_uuid"`
	WithAgent  *bool             `json:"with_droplet_agent"`
}

func (s *Server) createDroplets(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		s.unprocessable(w, "The request body could not be parsed: "+err.Error())
		return
	}
	multi := req.Names != nil
	names := req.Names
	if !multi {
		names = []string{req.Name}
	}
	switch {
	case multi && req.Name != "":
		s.unprocessable(w, "Specify either name or names, not both.")
		return
	case len(names) == 0 || len(names) > 10:
		s.unprocessable(w, "You may only create between 1 and 10 droplets at a time.")
		return
	}
	for _, n := range names {
		if n == "" || len(n) > 255 || !hostnameRE.MatchString(n) {
			s.unprocessable(w, "Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)")
			return
		}
	}
	if req.Region == "" || !slices.ContainsFunc(regions, func(g godo.Region) bool { return g.Slug == req.Region }) {
		s.unprocessable(w, "You specified an invalid region for Droplet creation.")
		return
	}
	size := findSize(req.Size)
	if size == nil {
		s.unprocessable(w, "You specified an invalid size for Droplet creation.")
		return
	}
	img := s.findImage(req.Image)
	if img == nil {
		s.unprocessable(w, "You specified an invalid image for Droplet creation.")
		return
	}
	if len(req.UserData) > MaxUserData {
		s.unprocessable(w, "user_data is limited to 64 KiB.")
		return
	}
	for _, k := range req.SSHKeys {
		if !s.keyExists(k) {
			s.unprocessable(w, "You specified an invalid ssh key for Droplet creation.")
			return
		}
	}
	for _, t := range req.Tags {
		if len(t) > 255 || !tagRE.MatchString(t) {
			s.unprocessable(w, "tag names must match ^[a-zA-Z0-9_\\-:]+$ and have at most 255 characters")
			return
		}
	}

	s.mu.Lock()
	if len(s.droplets)+len(names) > s.opts.DropletLimit {
		s.mu.Unlock()
		msg := "creating this droplet will exceed your droplet limit"
		if multi {
			msg = "creating these droplets will exceed your droplet limit"
		}
		s.unprocessable(w, msg)
		return
	}
	now := s.opts.Now().UTC()
	base := baseURL(r)
	var out []godo.Droplet
	var links []godo.LinkAction
	var starts []machineStart
	acts := map[int]*godo.Action{}
	for _, n := range names {
		id := s.nextID
		s.nextID++
		tags := make([]string, 0, len(req.Tags))
		for _, t := range req.Tags {
			tags = append(tags, s.tagLocked(t))
		}
		region := regionBySlug(req.Region)
		d := &droplet{
			d: godo.Droplet{
				ID: id, Name: n, Memory: size.Memory, Vcpus: size.Vcpus, Disk: size.Disk,
				Region: &region, Image: img, Size: size, SizeSlug: size.Slug,
				Features: features(req), Status: "new",
				Created: now.Format(time.RFC3339), Tags: slices.Compact(tags),
				VolumeIDs: []string{}, VPCUUID: req.VPCUUID,
			},
			created:    now,
			monitoring: req.Monitoring,
			userData:   req.UserData,
		}
		if req.Backups {
			d.d.NextBackupWindow = backupWindow(now)
		}
		if d.d.VPCUUID == "" {
			d.d.VPCUUID = "5a4981aa-9653-4bd1-bef5-d6bff52042e4"
		}
		s.droplets[id] = d
		a := s.newActionLocked(id, "create", req.Region, now)
		acts[id] = a
		starts = append(starts, machineStart{id: id, name: n, userData: req.UserData})
		links = append(links, godo.LinkAction{ID: a.ID, Rel: "create", HREF: fmt.Sprintf("%sv2/actions/%d", base, a.ID)})
		v := d.d // the create reply: new, no addresses yet
		v.Networks = &godo.Networks{V4: []godo.NetworkV4{}, V6: []godo.NetworkV6{}}
		out = append(out, v)
	}
	s.mu.Unlock()
	if s.opts.Machines != nil {
		s.startMachines(r, starts, acts)
	}
	if multi {
		writeJSON(w, http.StatusAccepted, map[string]any{"droplets": apiDroplets(out), "links": map[string]any{"actions": links}})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"droplet": apiDroplet(out[0]), "links": map[string]any{"actions": links}})
}

// backupWindow is the first daily backup window after t: the next day,
// from midnight to 23:00 UTC, as the API reports it.
func backupWindow(t time.Time) *godo.BackupWindow {
	day := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
	return &godo.BackupWindow{Start: &godo.Timestamp{Time: day}, End: &godo.Timestamp{Time: day.Add(23 * time.Hour)}}
}

func features(req createRequest) []string {
	var f []string
	if req.Monitoring {
		f = append(f, "monitoring")
	}
	if req.IPv6 {
		f = append(f, "ipv6")
	}
	f = append(f, "private_networking")
	if req.Backups {
		f = append(f, "backups")
	}
	return f
}

// tagLocked returns the stored spelling of tag t, creating the tag.
func (s *Server) tagLocked(t string) string {
	k := strings.ToLower(t)
	if old, ok := s.tags[k]; ok {
		return old
	}
	s.tags[k] = t
	return t
}

// baseURL is the absolute URL of the API root, ending in '/'.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/"
}

// viewLocked returns d as a GET shows it now: booted (with addresses) once
// BootTime has passed.
func (s *Server) viewLocked(d *droplet) godo.Droplet {
	v := d.d
	v.Tags = slices.Clone(d.d.Tags)
	v.Networks = &godo.Networks{V4: []godo.NetworkV4{}, V6: []godo.NetworkV6{}}
	if !s.opts.Now().Before(d.created.Add(s.opts.BootTime)) {
		v.Status = "active"
		if d.off {
			v.Status = "off"
		}
		n := d.d.ID - 300000000
		v.Networks.V4 = []godo.NetworkV4{
			{IPAddress: fmt.Sprintf("10.110.%d.%d", n/250%250, n%250+2), Netmask: "255.255.0.0", Gateway: "10.110.0.1", Type: "private"},
			{IPAddress: fmt.Sprintf("203.0.%d.%d", n/250%250, n%250+2), Netmask: "255.255.240.0", Gateway: "203.0.0.1", Type: "public"},
		}
		if d.ip != "" {
			v.Networks.V4 = machineNetworks(d.ip)
		}
	}
	return v
}

func (s *Server) sortedLocked() []*droplet {
	out := make([]*droplet, 0, len(s.droplets))
	for _, d := range s.droplets {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *droplet) int { return a.d.ID - b.d.ID })
	return out
}

func (s *Server) listDroplets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tag, name := q.Get("tag_name"), q.Get("name")
	if tag != "" && name != "" {
		s.unprocessable(w, "Only one filter may be used at a time.")
		return
	}
	s.mu.Lock()
	now := s.opts.Now()
	var all []godo.Droplet
	for _, d := range s.sortedLocked() {
		if now.Before(d.created.Add(s.faults.ListLag)) {
			continue
		}
		if tag != "" && !slices.ContainsFunc(d.d.Tags, func(t string) bool { return strings.EqualFold(t, tag) }) {
			continue
		}
		if name != "" && !strings.EqualFold(d.d.Name, name) {
			continue
		}
		all = append(all, s.viewLocked(d))
	}
	s.mu.Unlock()
	page(s, w, r, "droplets", apiDroplets(all))
}

// page serves items as one page of a paginated list, with godo's links and
// meta.total.
func page[T any](s *Server, w http.ResponseWriter, r *http.Request, key string, items []T) {
	q := r.URL.Query()
	perPage := 20
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 200)
	}
	pg := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		pg = v
	}
	last := max((len(items)+perPage-1)/perPage, 1)
	lo, hi := min((pg-1)*perPage, len(items)), min(pg*perPage, len(items))
	body := map[string]any{key: nonNil(items[lo:hi]), "meta": map[string]int{"total": len(items)}}
	link := func(p int) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		if r.TLS != nil {
			u.Scheme = "https"
		}
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(p))
		v.Set("per_page", strconv.Itoa(perPage))
		u.RawQuery = v.Encode()
		return u.String()
	}
	pages := map[string]string{}
	if pg > 1 {
		pages["first"] = link(1)
		pages["prev"] = link(min(pg-1, last))
	}
	if pg < last {
		pages["next"] = link(pg + 1)
		pages["last"] = link(last)
	}
	if len(pages) > 0 {
		body["links"] = map[string]any{"pages": pages}
	} else {
		// A single page comes either way on the real API.
		s.mu.Lock()
		s.linksToggle = !s.linksToggle
		toggle := s.linksToggle
		s.mu.Unlock()
		if toggle {
			body["links"] = map[string]any{}
		} else {
			body["links"] = map[string]any{"pages": map[string]any{}}
		}
	}
	writeJSON(w, http.StatusOK, body)
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func (s *Server) dropletID(r *http.Request) (int, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	return id, err == nil && id > 0
}

func (s *Server) getDroplet(w http.ResponseWriter, r *http.Request) {
	id, ok := s.dropletID(r)
	s.mu.Lock()
	d := s.droplets[id]
	var v godo.Droplet
	if d != nil {
		v = s.viewLocked(d)
	}
	s.mu.Unlock()
	if !ok || d == nil {
		s.notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"droplet": apiDroplet(v)})
}

func (s *Server) deleteDroplet(w http.ResponseWriter, r *http.Request) {
	id, ok := s.dropletID(r)
	s.mu.Lock()
	_, found := s.droplets[id]
	delete(s.droplets, id)
	s.mu.Unlock()
	if !ok || !found {
		s.notFound(w)
		return
	}
	s.removeMachines([]int{id})
	w.WriteHeader(http.StatusNoContent)
}

// deleteByTag deletes every droplet with the tag, as the real API does.
func (s *Server) deleteByTag(w http.ResponseWriter, r *http.Request) {
	tag := r.URL.Query().Get("tag_name")
	if tag == "" {
		s.unprocessable(w, "tag_name is required")
		return
	}
	s.mu.Lock()
	var gone []int
	for id, d := range s.droplets {
		if slices.ContainsFunc(d.d.Tags, func(t string) bool { return strings.EqualFold(t, tag) }) {
			delete(s.droplets, id)
			gone = append(gone, id)
		}
	}
	s.mu.Unlock()
	s.removeMachines(gone)
	w.WriteHeader(http.StatusNoContent)
}

// apiDroplet renders a droplet as the API does, with every field its
// OpenAPI description requires even where godo's types omit the zero value:
// networks.v4/v6, tags, features, volume_ids, backup_ids and snapshot_ids
// are always arrays, locked is always there, and next_backup_window is null
// for a droplet without backups.
func apiDroplet(v godo.Droplet) map[string]any {
	b, _ := json.Marshal(v)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	_ = dec.Decode(&m)
	type network struct {
		IPAddress string `json:"ip_address"`
		Netmask   any    `json:"netmask"`
		Gateway   string `json:"gateway"`
		Type      string `json:"type"`
	}
	v4, v6 := []network{}, []network{}
	if v.Networks != nil {
		for _, n := range v.Networks.V4 {
			v4 = append(v4, network{n.IPAddress, n.Netmask, n.Gateway, n.Type})
		}
		for _, n := range v.Networks.V6 {
			v6 = append(v6, network{n.IPAddress, n.Netmask, n.Gateway, n.Type})
		}
	}
	m["networks"] = map[string]any{"v4": v4, "v6": v6}
	m["tags"] = nonNil(v.Tags)
	m["features"] = nonNil(v.Features)
	m["volume_ids"] = nonNil(v.VolumeIDs)
	m["backup_ids"] = nonNil(v.BackupIDs)
	m["snapshot_ids"] = nonNil(v.SnapshotIDs)
	m["locked"] = v.Locked
	m["next_backup_window"] = v.NextBackupWindow
	return m
}

func apiDroplets(vs []godo.Droplet) []map[string]any {
	out := make([]map[string]any, 0, len(vs))
	for _, v := range vs {
		out = append(out, apiDroplet(v))
	}
	return out
}
