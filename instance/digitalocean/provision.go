package digitalocean

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/digitalocean/godo"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Provision creates one droplet named spec.Name carrying every tag of
// spec.Tags (encoded) and the logical id, with spec.Init followed by the
// properties' user_data as user data.
//
// Droplet names are not unique on DigitalOcean, so Provision refuses a name
// that one of the owner's droplets already has (spierr.ErrConflict): the
// droplets it created within the grace period, and a list by name.
//
// Creates are never re-sent blindly. After a 429 the create did not happen
// and is tried again once the budget allows (up to createTries). Errors
// that certainly made nothing (a refusal, a failure before the create was
// sent) are marked spierr.MarkNotDone, so that the controller need not
// wait for the lists. After a 5xx
// or a lost connection it may have happened: Provision lists by the
// request tag (instance.TagRequest) and returns the droplet it finds; only
// if there is none does it try again. Without a request tag it returns
// spierr.ErrUnavailable and leaves the decision to the controller. A list
// that lags behind the lost create can still hide it; the controller's
// intent logic covers that window.
func (p *Plugin) Provision(ctx context.Context, spec instance.Spec) (instance.ID, error) {
	const op = "digitalocean.Provision"
	pr, err := p.properties(op, spec.Properties)
	if err != nil {
		return "", err
	}
	if len(spec.Name) > 255 || !hostnameRE.MatchString(spec.Name) {
		return "", spierr.Invalid(op, "name %q: DigitalOcean allows only hostname characters (a-z, A-Z, 0-9, . and -)", spec.Name)
	}
	tags := maps.Clone(spec.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	if spec.LogicalID != "" {
		tags[instance.TagLogicalID] = string(spec.LogicalID)
	}
	encoded, err := instance.EncodeTags(tags)
	if err != nil {
		return "", spierr.Wrap(spierr.CodeInvalid, op, err)
	}
	encoded = append(encoded, pr.Tags...)
	userData := spec.Init
	if pr.UserData != "" {
		if userData != "" && !strings.HasSuffix(userData, "\n") {
			userData += "\n"
		}
		userData += pr.UserData
	}
	if len(userData) > MaxUserData {
		return "", spierr.Invalid(op, "user data: %d bytes with the init script, more than %d", len(userData), MaxUserData)
	}
	keys, err := p.resolveKeys(ctx, op, pr.SSHKeys)
	if err != nil {
		return "", spierr.MarkNotDone(err) // before any create was sent
	}
	req := &godo.DropletCreateRequest{
		Name:       spec.Name,
		Region:     pr.Region,
		Size:       pr.Size,
		SSHKeys:    keys,
		IPv6:       pr.IPv6,
		Monitoring: *pr.Monitoring,
		UserData:   userData,
		Tags:       encoded,
		VPCUUID:    pr.VPCUUID,
	}
	if id, ok := isID(pr.Image); ok {
		req.Image = godo.DropletCreateImage{ID: id}
	} else {
		req.Image = godo.DropletCreateImage{Slug: pr.Image}
	}
	if err := p.checkName(ctx, op, spec.Name, tags[instance.TagOwner]); err != nil {
		return "", spierr.MarkNotDone(err)
	}

	var requestTag string
	if v, ok := tags[instance.TagRequest]; ok {
		requestTag, _ = instance.EncodeTag(instance.TagRequest, v)
	}
	for try := 1; ; try++ {
		d, _, cerr := p.client.Droplets.Create(ctx, req)
		if cerr == nil {
			p.remember(*d)
			return instance.ID(strconv.Itoa(d.ID)), nil
		}
		err := p.apiError(op, cerr)
		if rejected(cerr) {
			err = spierr.MarkNotDone(err) // refused before anything was made
		}
		if !retryable(err) || try >= p.createTries {
			return "", err
		}
		if !rejected(cerr) {
			// The create may have happened. A list that shows it settles
			// it; one that does not proves nothing (lists lag behind
			// creates), so the create is not tried again here: the
			// controller's intent waits for the listing instead.
			if requestTag != "" {
				if found, lerr := p.listByTag(ctx, op, requestTag); lerr == nil && len(found) > 0 {
					p.remember(found[0])
					return instance.ID(strconv.Itoa(found[0].ID)), nil
				}
			}
			return "", err
		}
		if serr := sleep(ctx, p.backoff<<(try-1)); serr != nil {
			return "", err
		}
	}
}

// rejected reports whether a failed create certainly did not happen: the
// API refused it before doing anything (429, 4xx).
func rejected(err error) bool {
	var er *godo.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode < 500
}

// remember records a droplet this plugin created, for Describe and for
// name conflicts, until lists show it.
func (p *Plugin) remember(d godo.Droplet) {
	if d.Status == "" {
		d.Status = "new"
	}
	if d.Created == "" {
		d.Created = p.now().UTC().Format(time.RFC3339)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.created[d.ID] = created{droplet: d, at: p.now()}
}

// checkName refuses a name that a droplet of owner (any droplet if owner
// is empty) already has, other than one this plugin destroyed.
func (p *Plugin) checkName(ctx context.Context, op, name, owner string) error {
	p.mu.Lock()
	for id, c := range p.created {
		if strings.EqualFold(c.droplet.Name, name) && p.destroyed[id].IsZero() && p.now().Sub(c.at) < p.grace {
			p.mu.Unlock()
			return spierr.Conflict(op, "name %q: droplet %d, created moments ago, has it", name, id)
		}
	}
	p.mu.Unlock()
	ds, err := p.listAll(ctx, op, func(opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
		return p.client.Droplets.ListByName(ctx, name, opt)
	})
	if err != nil {
		return err
	}
	ownerTag := ""
	if owner != "" {
		ownerTag, _ = instance.EncodeTag(instance.TagOwner, owner)
	}
	for _, d := range ds {
		if ownerTag != "" && !slices.ContainsFunc(d.Tags, func(t string) bool { return strings.EqualFold(t, ownerTag) }) {
			continue
		}
		p.mu.Lock()
		gone := !p.destroyed[d.ID].IsZero()
		p.mu.Unlock()
		if !gone {
			return spierr.Conflict(op, "name %q: droplet %d has it", name, d.ID)
		}
	}
	return nil
}

// keyCache resolves SSH key names to fingerprints, from one list of the
// account's keys kept for keyCacheTTL.
type keyCache struct {
	mu   sync.Mutex
	at   time.Time
	keys []godo.Key
}

const keyCacheTTL = 5 * time.Minute

// resolveKeys turns key names, ids and fingerprints into create request
// keys. Names need the account's key list; an unknown name is invalid.
func (p *Plugin) resolveKeys(ctx context.Context, op string, refs []string) ([]godo.DropletCreateSSHKey, error) {
	var out []godo.DropletCreateSSHKey
	var names []string
	for _, r := range refs {
		switch id, ok := isID(r); {
		case ok:
			out = append(out, godo.DropletCreateSSHKey{ID: id})
		case fingerprintRE.MatchString(r):
			out = append(out, godo.DropletCreateSSHKey{Fingerprint: r})
		default:
			names = append(names, r)
		}
	}
	if len(names) == 0 {
		return out, nil
	}
	p.keys.mu.Lock()
	defer p.keys.mu.Unlock()
	if p.keys.keys == nil || p.now().Sub(p.keys.at) > keyCacheTTL {
		var all []godo.Key
		opt := &godo.ListOptions{Page: 1, PerPage: perPage}
		for {
			var ks []godo.Key
			var resp *godo.Response
			if err := p.retry(ctx, op, func() error {
				var err error
				ks, resp, err = p.client.Keys.List(ctx, opt)
				return p.apiError(op, err)
			}); err != nil {
				return nil, err
			}
			all = append(all, ks...)
			if len(ks) == 0 || resp.Links == nil || resp.Links.IsLastPage() {
				break
			}
			cur, err := resp.Links.CurrentPage()
			if err != nil || cur < opt.Page {
				return nil, spierr.Internal(op, "bad pagination links in the SSH key list")
			}
			opt.Page = cur + 1
		}
		p.keys.keys, p.keys.at = all, p.now()
	}
	for _, n := range names {
		i := slices.IndexFunc(p.keys.keys, func(k godo.Key) bool { return k.Name == n })
		if i < 0 {
			return nil, spierr.Invalid(op, "ssh_keys: no SSH key named %q in the account", n)
		}
		out = append(out, godo.DropletCreateSSHKey{Fingerprint: p.keys.keys[i].Fingerprint})
	}
	return out, nil
}

// Destroy deletes droplet id. It never deletes by tag: that deletes every
// droplet with the tag. A 404 is spierr.ErrNotFound, unless an earlier try
// of this call may have deleted it (its reply was lost), which is success.
func (p *Plugin) Destroy(ctx context.Context, id instance.ID, reason instance.DestroyReason) error {
	const op = "digitalocean.Destroy"
	n, err := strconv.Atoi(string(id))
	if err != nil || n <= 0 {
		return spierr.NotFound(op, "%q is not a droplet id", id)
	}
	tried := false
	err = p.retry(ctx, op, func() error {
		resp, err := p.client.Droplets.Delete(ctx, n)
		if err != nil && resp != nil && resp.StatusCode == http.StatusNotFound && tried {
			return nil
		}
		tried = true
		return p.apiError(op, err)
	})
	if err == nil || errors.Is(err, spierr.ErrNotFound) {
		p.mu.Lock()
		p.destroyed[n] = p.now()
		p.mu.Unlock()
	}
	if err != nil {
		return err
	}
	return nil
}
