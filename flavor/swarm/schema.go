package swarm

import s "github.com/drover/drover/schema"

// PluginName is the name specs use: flavor "swarm" {}.
const PluginName = "swarm"

// Roles a machine can have in a swarm.
const (
	RoleManager = "manager"
	RoleWorker  = "worker"
)

// Schema is the body of a group's flavor "swarm" {}.
func Schema() *s.Block {
	return &s.Block{Attributes: []s.Attribute{
		{Name: "swarm", Type: s.RefTo("swarm"), Required: true, Description: "the swarm the machines join"},
		{Name: "role", Type: s.String, Required: true, OneOf: []string{RoleManager, RoleWorker}},
		{Name: "labels", Type: s.MapOf(s.String), Description: "node labels, for placement constraints"},
		{Name: "drain_timeout", Type: s.Duration, Default: "2m", Description: "how long to wait for a drained node's tasks to run elsewhere before removing it"},
		// No schema default: an absent engine stays out of the group's
		// config hash, so swarms made before the attribute existed are not
		// replaced; absent means DefaultEngine.
		{Name: "engine", Type: s.String, OneOf: []string{EngineProvider, EngineTLS},
			Description: `how drover reaches each machine's Docker engine: "provider" (absent: the provider runs it and says where, as the docker provider's node containers do) or "tls" (the machine's user data installs Docker if needed and serves its API on port 2376 with mutual TLS, with a per-swarm CA drover makes: for droplets)`},
	}}
}
