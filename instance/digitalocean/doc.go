// Package digitalocean is the DigitalOcean instance provider: a machine is a
// droplet, created and listed through godo.
//
// # Configuration
//
// New takes the provider block (ProviderSchema): token (sensitive; it never
// appears in errors), region (the default for groups), api_url
// (DefaultAPIURL, or $DIGITALOCEAN_API_URL when api_url is left at its
// default; a path must end in '/', which New adds) and list_lag (how long
// lists may miss a new droplet; DefaultListLag). A group's properties
// (InstanceSchema, decoded strictly by Validate) are size, image (slug or
// id), region, ssh_keys (names, ids or fingerprints; names are resolved
// from the account's key list at Provision), vpc_uuid, monitoring (default
// true; needed by CPU), ipv6, tags (plain DigitalOcean tags, no ':') and
// user_data (appended to the flavor's init; 64 KiB in all).
//
// # Tags
//
// Every pair of Spec.Tags, and the logical id, becomes one droplet tag
// encoded with instance.EncodeTag ("drover.group"="web" is
// "drover__group:web"), set in the create request itself, so that Describe
// finds a droplet even if the create reply is lost. Describe decodes tags
// that contain ':' and ignores the rest, and adds instance.TagEngine,
// tcp://<public IPv4, else private>:2376, for the swarm flavor, which
// reaches that engine only over mutual TLS (flavor/swarm, engine = "tls").
//
// # API use
//
// godo's own retries are off: they re-send POST /v2/droplets after a 5xx
// and make duplicates. Instead (files by concern):
//
//   - errors.go: every API error becomes a spierr error (404 not found,
//     400/422 and 401/403 invalid, 409 conflict, 429/5xx/network
//     unavailable, 429 with the wait until the reset). Idempotent calls
//     (GETs, DELETE by id) are retried up to 4 times with exponential
//     backoff and full jitter.
//   - throttle.go: the RateLimit-* headers of every answer pace requests:
//     below a tenth of the budget each request waits (time to
//     reset)/(remaining+1); with none left, until the reset.
//   - provision.go: a name in use by one of the owner's droplets is a
//     conflict (names are not unique on DigitalOcean). A create is tried
//     again only if it certainly did not happen (429). After a 5xx or a
//     network failure it may have happened: a list by the request tag
//     (instance.TagRequest) that shows it settles it; one that does not
//     proves nothing, so the error goes back to the controller, which
//     holds the slot for ListLag (list_lag, default 1 min: the
//     instance.Lagging capability) before a list without the droplet
//     counts as proof that the create did not happen. Destroy deletes by
//     id only, never by tag: DELETE ?tag_name= deletes every droplet with
//     the tag.
//   - describe.go: one paginated list (200 a page) by the owner tag (else
//     the group tag, else any selector tag; everything for an empty
//     selector), filtered here by the rest of the selector. The list is
//     shared by every Describe for 1 s (DefaultCacheWindow), and concurrent
//     callers wait for the one in flight, so the groups of one resync cost
//     one list: ceil(droplets/200) requests. Failed lists are not kept.
//     Only the API's lists say that a droplet exists: the controller keeps
//     a create's intent until a list shows it, so a restart within the lag
//     never creates it twice. The plugin's own destroys are described as
//     terminated while lists still show them, for DefaultGrace (2 min, or
//     twice list_lag).
//   - metrics.go: instance.MetricsSource from the droplet CPU metric, one
//     call per droplet: 1 - Δidle/ΣΔ over the last 5 minutes.
//
// States: new is pending, active running, off stopped, archive terminated.
//
// Package dofake is a fake of the API for tests; the conformance suite
// (instancetest) passes against it.
package digitalocean
