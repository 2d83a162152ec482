package digitalocean

import (
	"context"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/digitalocean/godo"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// listCache shares one list per listing tag among the Describe calls of
// a cache window: concurrent callers wait for the list in flight, later ones
// reuse it until it is cacheWindow old. Failed lists are not kept.
type listCache struct {
	mu      sync.Mutex
	entries map[string]*listEntry
}

type listEntry struct {
	done     chan struct{}
	at       time.Time
	droplets []godo.Droplet
	err      error
}

// get returns the list for key, fetching it if there is no fresh one.
func (c *listCache) get(ctx context.Context, key string, window time.Duration, now func() time.Time, fetch func() ([]godo.Droplet, error)) ([]godo.Droplet, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*listEntry{}
	}
	e := c.entries[key]
	if e != nil {
		select {
		case <-e.done:
			if now().Sub(e.at) >= window || e.err != nil {
				e = nil
			}
		default: // in flight: share it
		}
	}
	if e == nil {
		e = &listEntry{done: make(chan struct{})}
		c.entries[key] = e
		c.mu.Unlock()
		e.droplets, e.err = fetch()
		e.at = now()
		c.mu.Lock()
		if e.err != nil && c.entries[key] == e {
			delete(c.entries, key)
		}
		close(e.done)
		c.mu.Unlock()
		return e.droplets, e.err
	}
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.droplets, e.err
	case <-ctx.Done():
		return nil, spierr.Unavailable("digitalocean.Describe", "%w", ctx.Err())
	}
}

// Describe lists the droplets carrying every tag of selector. It makes one
// paginated list call (200 a page) by one tag of the selector, the owner
// tag if there is one, shared with every Describe of the same owner within
// the cache window, and filters by the rest of the selector here. An empty
// selector lists every droplet of the account. Droplets this plugin
// destroyed within the grace period are described as terminated even where
// the list lags; droplets it created appear only once the list shows them.
func (p *Plugin) Describe(ctx context.Context, selector map[string]string) ([]instance.Description, error) {
	const op = "digitalocean.Describe"
	key, err := listingTag(selector)
	if err != nil {
		return nil, spierr.Invalid(op, "selector: %v", err)
	}
	droplets, err := p.lists.get(ctx, key, p.cacheWindow, p.now, func() ([]godo.Droplet, error) {
		if key == "" {
			return p.listAll(ctx, op, func(opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
				return p.client.Droplets.List(ctx, opt)
			})
		}
		return p.listByTag(ctx, op, key)
	})
	if err != nil {
		return nil, err
	}
	droplets = p.overlay(droplets)
	out := []instance.Description{}
	for _, d := range droplets {
		desc := p.describe(d)
		if instance.Matches(desc.Tags, selector) {
			out = append(out, desc)
		}
	}
	slices.SortFunc(out, func(a, b instance.Description) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out, nil
}

// listingTag picks the tag to list by: the owner, else the group, else the
// first key; "" lists everything.
func listingTag(selector map[string]string) (string, error) {
	if len(selector) == 0 {
		return "", nil
	}
	k := instance.TagOwner
	if _, ok := selector[k]; !ok {
		k = instance.TagGroup
		if _, ok := selector[k]; !ok {
			k = slices.Sorted(maps.Keys(selector))[0]
		}
	}
	t, err := instance.EncodeTag(k, selector[k])
	if err != nil {
		return "", err
	}
	if !tagRE.MatchString(t) { // never put anything else into a URL unescaped
		return "", spierr.Invalid("digitalocean.Describe", "tag %q is not a DigitalOcean tag", t)
	}
	return t, nil
}

// listByTag lists every droplet with tag, all pages.
func (p *Plugin) listByTag(ctx context.Context, op, tag string) ([]godo.Droplet, error) {
	return p.listAll(ctx, op, func(opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
		return p.client.Droplets.ListByTag(ctx, tag, opt)
	})
}

// listAll fetches every page of a list, each page retried on temporary
// failures. A failed page fails the whole list: a partial list would make
// the controller replace what it did not see.
func (p *Plugin) listAll(ctx context.Context, op string, list func(*godo.ListOptions) ([]godo.Droplet, *godo.Response, error)) ([]godo.Droplet, error) {
	opt := &godo.ListOptions{Page: 1, PerPage: perPage}
	var all []godo.Droplet
	seen := map[int]bool{}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			return nil, spierr.Internal(op, "more than 1000 pages of droplets: pagination runs away")
		}
		var ds []godo.Droplet
		var resp *godo.Response
		err := p.retry(ctx, op, func() error {
			var err error
			ds, resp, err = list(opt)
			return p.apiError(op, err)
		})
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if !seen[d.ID] { // a droplet can move between pages while we read
				seen[d.ID] = true
				all = append(all, d)
			}
		}
		if len(ds) == 0 || resp.Links == nil || resp.Links.IsLastPage() {
			return all, nil
		}
		cur, err := resp.Links.CurrentPage()
		if err != nil || cur < opt.Page {
			return nil, spierr.Internal(op, "bad pagination links on page %d", opt.Page)
		}
		opt.Page = cur + 1
	}
}

// overlay applies this plugin's own recent writes to a list: creates the
// list does not show yet are added (as the create reply showed them), and
// destroyed droplets the list still shows are marked archived.
func (p *Plugin) overlay(list []godo.Droplet) []godo.Droplet {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	out := make([]godo.Droplet, 0, len(list))
	listed := map[int]bool{}
	for _, d := range list {
		listed[d.ID] = true
		if at, ok := p.destroyed[d.ID]; ok {
			if now.Sub(at) < p.grace {
				d.Status = "archive"
			} else {
				delete(p.destroyed, d.ID)
			}
		}
		out = append(out, d)
	}
	// Droplets created here but not listed yet are not added: only the
	// API's list may say a create happened, or the controller would drop
	// its create intent on this process's word and, restarted within the
	// lag, create the droplet again. p.created only guards names.
	for id, c := range p.created {
		if listed[id] || now.Sub(c.at) >= p.grace {
			delete(p.created, id)
		}
	}
	return out
}

// describe converts a droplet.
func (p *Plugin) describe(d godo.Droplet) instance.Description {
	tags := map[string]string{}
	for _, t := range d.Tags {
		if !strings.ContainsRune(t, ':') {
			continue // not drover's
		}
		if k, v, err := instance.DecodeTag(strings.ToLower(t)); err == nil {
			tags[k] = v
		}
	}
	desc := instance.Description{
		ID:        instance.ID(strconv.Itoa(d.ID)),
		LogicalID: instance.LogicalID(tags[instance.TagLogicalID]),
		Tags:      tags,
		State:     dropletState(d.Status),
		Detail:    "droplet " + d.Status,
	}
	if t, err := time.Parse(time.RFC3339, d.Created); err == nil {
		desc.CreatedAt = t
	}
	if d.Networks != nil {
		for _, n := range d.Networks.V4 {
			switch {
			case n.IPAddress == "":
			case n.Type == "private":
				desc.Addresses = append(desc.Addresses, instance.Address{Kind: instance.AddressPrivate, IP: n.IPAddress})
			case n.Type == "public":
				desc.Addresses = append(desc.Addresses, instance.Address{Kind: instance.AddressPublic, IP: n.IPAddress})
			}
		}
		for _, n := range d.Networks.V6 {
			if n.IPAddress != "" && n.Type == "public" {
				desc.Addresses = append(desc.Addresses, instance.Address{Kind: instance.AddressPublic, IP: n.IPAddress})
			}
		}
	}
	if addr := engineAddr(desc.Addresses); addr != "" {
		desc.Tags[instance.TagEngine] = addr
	}
	return desc
}

// enginePort is the port on which a droplet's Docker engine serves its API
// with mutual TLS once the swarm flavor's user data (engine = "tls") has
// set it up: Docker's TLS port, swarm.EnginePort.
const enginePort = "2376"

// engineAddr is where the controller reaches a droplet's engine
// (instance.TagEngine): port 2376 of its public IPv4 address, else of its
// private one; "" before the droplet has an IPv4 address. The public
// address is the one a controller outside the droplet's VPC can reach too;
// a cloud firewall should let only the controller's address in on 2376.
// The engine answers only clients with a certificate of the swarm's CA, so
// a droplet without that user data has an address here but no engine
// drover can use.
func engineAddr(addrs []instance.Address) string {
	var private string
	for _, a := range addrs {
		if ip := net.ParseIP(a.IP); ip == nil || ip.To4() == nil {
			continue
		}
		switch {
		case a.Kind == instance.AddressPublic:
			return "tcp://" + net.JoinHostPort(a.IP, enginePort)
		case a.Kind == instance.AddressPrivate && private == "":
			private = "tcp://" + net.JoinHostPort(a.IP, enginePort)
		}
	}
	return private
}

// dropletState maps a droplet status.
func dropletState(status string) instance.State {
	switch status {
	case "new":
		return instance.StatePending
	case "active":
		return instance.StateRunning
	case "off":
		return instance.StateStopped
	case "archive":
		return instance.StateTerminated
	}
	return instance.StateUnknown
}
