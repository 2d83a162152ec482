package digitalocean

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/digitalocean/godo"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// EnvAPIURL overrides the default API endpoint when the provider block
// leaves api_url unset (or at its default).
const EnvAPIURL = "DIGITALOCEAN_API_URL"

// Config is the provider block, provider "digitalocean" "NAME" {}.
type Config struct {
	Token  string `json:"token"`
	Region string `json:"region"`
	APIURL string `json:"api_url"`
	// ListLag is how long lists may miss a new droplet. Default
	// DefaultListLag.
	ListLag time.Duration `json:"list_lag"`
}

// Tunables with their defaults; tests shorten them.
const (
	// DefaultCacheWindow is how long one owner-tag list serves every
	// Describe: the groups of one resync share one list.
	DefaultCacheWindow = time.Second
	// DefaultGrace is how long the plugin trusts its own writes over the
	// API's lists: a droplet it created is described (pending) although no
	// list shows it yet, and one it destroyed is described terminated
	// although lists still show it.
	DefaultGrace = 2 * time.Minute
	// DefaultListLag bounds how long the API's lists may miss a droplet
	// after its create request: what Plugin.ListLag reports unless the
	// provider block sets list_lag.
	DefaultListLag = time.Minute
	// perPage is the largest page the API serves.
	perPage = 200
	// requestTimeout bounds one HTTP request.
	requestTimeout = 30 * time.Second
)

// Plugin is the DigitalOcean instance plugin. It is safe for concurrent use.
type Plugin struct {
	client *godo.Client
	region string
	token  string // only to scrub it from error text
	rate   *throttle

	cacheWindow time.Duration
	grace       time.Duration
	listLag     time.Duration // see Config.ListLag
	getAttempts int           // tries of an idempotent GET or DELETE
	backoff     time.Duration // first backoff between tries
	createTries int           // tries of a create known not to have happened
	now         func() time.Time

	lists listCache
	keys  keyCache

	mu        sync.Mutex
	created   map[int]created   // our creates, until lists show them or grace ends
	destroyed map[int]time.Time // our destroys, until grace ends
}

// created is a droplet this plugin created, as the create reply showed it.
type created struct {
	droplet godo.Droplet
	at      time.Time
}

// ListLag implements instance.Lagging: after a create of unknown outcome
// the controller holds the slot this long before trusting a list that
// lacks the droplet.
func (p *Plugin) ListLag() time.Duration { return p.listLag }

var (
	_ instance.Lagging       = (*Plugin)(nil)
	_ instance.Plugin        = (*Plugin)(nil)
	_ instance.MetricsSource = (*Plugin)(nil)
)

// New returns a plugin for the provider block config. It does not call the
// API.
func New(ctx context.Context, config json.RawMessage) (*Plugin, error) {
	return newPlugin(config, true)
}

// NewValidator returns a plugin for the provider block config that is only
// asked to Validate properties, as drover validate does where the token is
// not set: it accepts a config without a token, and New's other checks
// apply. It does not call the API.
func NewValidator(ctx context.Context, config json.RawMessage) (*Plugin, error) {
	return newPlugin(config, false)
}

// newPlugin builds the plugin for config; needToken refuses a config
// without a token.
func newPlugin(config json.RawMessage, needToken bool) (*Plugin, error) {
	const op = "digitalocean.New"
	var c Config
	if err := instance.DecodeProperties(op, config, &c); err != nil {
		return nil, err
	}
	c.Token = strings.TrimSpace(c.Token)
	if c.Token == "" && needToken {
		return nil, spierr.InvalidAttribute(op, "token", "required")
	}
	if c.Region == "" {
		return nil, spierr.InvalidAttribute(op, "region", "required")
	}
	if c.ListLag <= 0 {
		c.ListLag = DefaultListLag
	}
	if !slugRE.MatchString(c.Region) {
		return nil, spierr.InvalidAttribute(op, "region", "not a region slug (such as \"fra1\")")
	}
	if c.APIURL == "" || c.APIURL == DefaultAPIURL {
		if env := os.Getenv(EnvAPIURL); env != "" {
			c.APIURL = env
		} else {
			c.APIURL = DefaultAPIURL
		}
	}
	u, err := url.Parse(c.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, spierr.InvalidAttribute(op, "api_url", "want an http or https URL without credentials")
	}
	if !strings.HasSuffix(u.Path, "/") { // godo drops a last path segment without '/'
		u.Path += "/"
	}
	p := &Plugin{
		region:      c.Region,
		token:       c.Token,
		rate:        newThrottle(time.Now),
		cacheWindow: DefaultCacheWindow,
		grace:       max(DefaultGrace, 2*c.ListLag),
		listLag:     c.ListLag,
		getAttempts: 4,
		backoff:     200 * time.Millisecond,
		createTries: 3,
		now:         time.Now,
		created:     map[int]created{},
		destroyed:   map[int]time.Time{},
	}
	// No godo retries: they re-send creates. The plugin retries idempotent
	// calls itself, and creates only when it knows the create did not
	// happen.
	hc := &http.Client{
		Timeout:   requestTimeout,
		Transport: &transport{token: c.Token, base: http.DefaultTransport, rate: p.rate},
	}
	p.client, err = godo.New(hc, godo.SetBaseURL(u.String()), godo.SetUserAgent("drover"))
	if err != nil {
		return nil, spierr.Invalid(op, "api_url: %v", p.scrub(err.Error()))
	}
	return p, nil
}

// transport adds the bearer token and paces requests by the rate budget.
type transport struct {
	token string
	base  http.RoundTripper
	rate  *throttle
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.rate.wait(req.Context()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		t.rate.observe(resp)
	}
	return resp, err
}
