package digitalocean

import s "github.com/drover/drover/schema"

// PluginName is the name specs use: instance "digitalocean" {}.
const PluginName = "digitalocean"

// DefaultAPIURL is DigitalOcean's API.
const DefaultAPIURL = "https://api.digitalocean.com/"

// ProviderSchema is the body of provider "digitalocean" "NAME" {}.
func ProviderSchema() *s.Block {
	return &s.Block{Attributes: []s.Attribute{
		{Name: "token", Type: s.String, Required: true, Sensitive: true, Description: `API token, such as env("DIGITALOCEAN_TOKEN") or file("~/.config/doctl/token")`},
		{Name: "region", Type: s.String, Required: true, Description: `default region of droplets, such as "fra1"`},
		{Name: "api_url", Type: s.String, Default: DefaultAPIURL, Description: "API endpoint (a fake in tests)"},
		{Name: "list_lag", Type: s.Duration, Default: "1m", Description: "how long the API's lists may miss a new droplet; after a create of unknown outcome drover holds its slot this long"},
	}}
}

// InstanceSchema is the body of a group's instance "digitalocean" {}: a
// machine is a droplet.
func InstanceSchema() *s.Block {
	return &s.Block{Attributes: []s.Attribute{
		{Name: "size", Type: s.String, Required: true, Description: `droplet size slug, such as "s-1vcpu-1gb"`},
		{Name: "image", Type: s.String, Required: true, Description: `image slug or id, such as "docker-20-04"`},
		{Name: "region", Type: s.String, Description: "overrides the provider's region"},
		{Name: "ssh_keys", Type: s.ListOf(s.String), Description: "SSH key names or fingerprints"},
		{Name: "vpc_uuid", Type: s.String},
		{Name: "monitoring", Type: s.Bool, Default: true, Description: "the metrics agent, needed by the cpu autoscale metric"},
		{Name: "ipv6", Type: s.Bool, Default: false},
		{Name: "tags", Type: s.ListOf(s.String), Description: "extra tags besides drover's own"},
		{Name: "user_data", Type: s.String, Description: "appended to the cloud-init drover generates"},
	}}
}
