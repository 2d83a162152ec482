package digitalocean

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	"github.com/drover/drover/spierr"

	"github.com/drover/drover/instance"
)

// Properties are a group's instance "digitalocean" {} block (InstanceSchema).
type Properties struct {
	Size       string   `json:"size"`
	Image      string   `json:"image"`
	Region     string   `json:"region,omitempty"`
	SSHKeys    []string `json:"ssh_keys,omitempty"`
	VPCUUID    string   `json:"vpc_uuid,omitempty"`
	Monitoring *bool    `json:"monitoring,omitempty"` // default true
	IPv6       bool     `json:"ipv6,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	UserData   string   `json:"user_data,omitempty"`
}

// MaxUserData is the API's limit on user_data: the init script and the
// user's user_data together.
const MaxUserData = 64 << 10

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	hostnameRE = regexp.MustCompile(`^[a-zA-Z0-9]?[a-z0-9A-Z.\-]*[a-z0-9A-Z]$`)
	// tagRE is what the API accepts as a tag, and what godo may put into
	// a URL unescaped.
	tagRE         = regexp.MustCompile(`^[a-zA-Z0-9_\-:]{1,255}$`)
	fingerprintRE = regexp.MustCompile(`^([0-9a-f]{2}:){15}[0-9a-f]{2}$`)
	uuidRE        = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// Validate checks a group's properties without calling the API.
func (p *Plugin) Validate(ctx context.Context, props json.RawMessage) error {
	_, err := p.properties("digitalocean.Validate", props)
	return err
}

// properties decodes and checks props strictly, filling in defaults.
func (p *Plugin) properties(op string, props json.RawMessage) (Properties, error) {
	var pr Properties
	if err := instance.DecodeProperties(op, props, &pr); err != nil {
		return pr, err
	}
	if props == nil || string(props) == "null" {
		return pr, spierr.Invalid(op, "properties: size and image are required")
	}
	if pr.Region == "" {
		pr.Region = p.region
	}
	if pr.Monitoring == nil {
		t := true
		pr.Monitoring = &t
	}
	switch {
	case pr.Size == "":
		return pr, spierr.InvalidAttribute(op, "size", "required")
	case !slugRE.MatchString(pr.Size):
		return pr, spierr.InvalidAttribute(op, "size", "not a size slug (such as \"s-1vcpu-1gb\")")
	case pr.Image == "":
		return pr, spierr.InvalidAttribute(op, "image", "required")
	case !slugRE.MatchString(pr.Image):
		return pr, spierr.InvalidAttribute(op, "image", "not an image slug or id")
	case !slugRE.MatchString(pr.Region):
		return pr, spierr.InvalidAttribute(op, "region", "not a region slug")
	case pr.VPCUUID != "" && !uuidRE.MatchString(pr.VPCUUID):
		return pr, spierr.InvalidAttribute(op, "vpc_uuid", "not a UUID")
	case len(pr.UserData) > MaxUserData:
		return pr, spierr.InvalidAttribute(op, "user_data", "%d bytes, more than DigitalOcean's %d", len(pr.UserData), MaxUserData)
	}
	for i, k := range pr.SSHKeys {
		if k == "" {
			return pr, spierr.InvalidAttribute(op, fmt.Sprintf("ssh_keys[%d]", i), "empty")
		}
	}
	for i, t := range pr.Tags {
		// Tags with ':' look like drover's encoded tags.
		if !tagRE.MatchString(t) || containsByte(t, ':') {
			return pr, spierr.InvalidAttribute(op, fmt.Sprintf("tags[%d]", i), "want letters, digits, '-' and '_', at most 255")
		}
	}
	return pr, nil
}

func containsByte(s string, b byte) bool {
	for i := range len(s) {
		if s[i] == b {
			return true
		}
	}
	return false
}

// isID reports whether s is all digits (an image or key id).
func isID(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}
