package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/gitsource"
)

// Bounds of a source's settings.
const (
	defaultSourceInterval = time.Minute
	defaultSourceTimeout  = 60 * time.Second
	maxSourceTimeout      = 10 * time.Minute
	maxSourceSecret       = 64 << 10 // bytes of a key, token, webhook secret or env value
	maxSourceEnv          = 100      // variables
	maxSourceMessage      = 4 << 10  // bytes of a commit message kept in a revision
	maxSources            = 100      // sources a daemon follows
)

var (
	envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
)

// sourceConfig is a source as the store keeps it: its settings with their
// secrets. A removed source is kept, Removed, for the environment its
// revisions were loaded with.
type sourceConfig struct {
	api.SourceSpec
	Suspended bool      `json:"suspended,omitempty"`
	Removed   bool      `json:"removed,omitempty"`
	Added     time.Time `json:"added"`
}

func (c sourceConfig) encode() ([]byte, error) { return json.Marshal(c) }

func decodeSource(b []byte) (sourceConfig, error) {
	var c sourceConfig
	err := json.Unmarshal(b, &c)
	return c, err
}

// remote is what the source follows, with its credentials.
func (c sourceConfig) remote() gitsource.Remote {
	return gitsource.Remote{URL: c.URL, Branch: c.Branch, Tag: c.Tag,
		Auth: gitsource.Auth{SSHKey: []byte(c.SSHKey), Token: c.Token}}
}

// ref says what the source follows: "branch main", "tag v1".
func (c sourceConfig) ref() string {
	if c.Tag != "" {
		return "tag " + c.Tag
	}
	return "branch " + c.Branch
}

// checkSource applies the defaults to spec and refuses bad settings,
// never echoing a value.
func checkSource(spec api.SourceSpec, minInterval time.Duration) (api.SourceSpec, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !api.ValidSourceName(spec.Name) {
		bad("name: want 1 to 63 lower-case letters, digits, - or _, starting with a letter or digit")
	}
	if spec.Name == api.DefaultStack {
		bad("name: %s is the stack of drover apply; give the source another name", api.DefaultStack)
	}
	if err := gitsource.CheckURL(spec.URL); err != nil {
		bad("url: %w", err)
	}
	if spec.Branch != "" && spec.Tag != "" {
		bad("branch and tag: give one")
	}
	if spec.Branch == "" && spec.Tag == "" {
		spec.Branch = "main"
	}
	for what, ref := range map[string]string{"branch": spec.Branch, "tag": spec.Tag} {
		if len(ref) > 255 || (ref != "" && !fs.ValidPath(ref)) {
			bad("%s: not a valid git ref name", what)
		}
	}
	abs := path.IsAbs(spec.Path)
	spec.Path = path.Clean("./" + spec.Path)
	if abs || !fs.ValidPath(spec.Path) {
		bad("path: must be a directory inside the repository (relative, without ..)")
	}
	spec.Interval = defaulted(spec.Interval, defaultSourceInterval)
	spec.Timeout = defaulted(spec.Timeout, defaultSourceTimeout)
	if spec.Interval < minInterval {
		bad("interval: at least %s", minInterval)
	}
	if spec.Timeout < time.Second || spec.Timeout > maxSourceTimeout {
		bad("timeout: between 1s and %s", maxSourceTimeout)
	}
	if spec.SSHKey != "" && spec.Token != "" {
		bad("ssh key and token: give one")
	}
	for what, v := range map[string]string{"ssh key": spec.SSHKey, "token": spec.Token, "webhook secret": spec.WebhookSecret} {
		if len(v) > maxSourceSecret {
			bad("%s: larger than %d bytes", what, maxSourceSecret)
		}
	}
	if spec.WebhookSecret != "" && len(spec.WebhookSecret) < 16 {
		bad("webhook secret: at least 16 bytes")
	}
	errs = append(errs, checkEnv(spec.Env)...)
	if spec.Notify != "" {
		if u, err := url.Parse(spec.Notify); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("notify: want an http:// or https:// URL")
		}
	}
	return spec, errors.Join(errs...)
}

func checkEnv(env map[string]string) []error {
	var errs []error
	if len(env) > maxSourceEnv {
		errs = append(errs, fmt.Errorf("env: at most %d variables", maxSourceEnv))
	}
	for _, name := range slices.Sorted(maps.Keys(env)) {
		if !envName.MatchString(name) {
			errs = append(errs, fmt.Errorf("env: a variable's name is not a valid identifier"))
			break
		}
		if len(env[name]) > maxSourceSecret {
			errs = append(errs, fmt.Errorf("env %s: its value is larger than %d bytes", name, maxSourceSecret))
		}
	}
	return errs
}

func defaulted(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// info is what the API shows of c.
func (c sourceConfig) info(st api.SourceStatus) api.SourceInfo {
	out := api.SourceInfo{
		Name: c.Name, URL: gitsource.Redact(c.URL), Branch: c.Branch, Tag: c.Tag, Path: c.Path,
		Interval: c.Interval, Timeout: c.Timeout, Prune: c.Prune, EnvNames: slices.Sorted(maps.Keys(c.Env)),
		Webhook: c.WebhookSecret != "", Notify: c.Notify != "", Suspended: c.Suspended, Added: c.Added, Status: st,
	}
	switch {
	case c.SSHKey != "":
		out.Auth = "ssh-key"
	case c.Token != "":
		out.Auth = "token"
	}
	if c.Suspended {
		out.Status.State = api.SourceSuspended
	}
	return out
}
