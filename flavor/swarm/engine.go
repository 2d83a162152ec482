package swarm

import (
	"cmp"
	"os"
	"path/filepath"
	"strings"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/internal/datadir"
)

// The values of the flavor's engine property: how drover reaches a
// machine's Docker engine.
const (
	// EngineProvider: the instance provider runs the engine and says in
	// the instance.TagEngine tag how to reach it (the docker provider's
	// node containers: a unix socket on the controller's host).
	EngineProvider = "provider"
	// EngineTLS: the machine's user data installs Docker if it lacks it
	// and serves the engine's API on EnginePort with mutual TLS, with a
	// certificate of the swarm's CA for the machine's name; the provider
	// reports the address (DigitalOcean: tcp://<public IPv4>:2376).
	EngineTLS = "tls"
)

// DefaultEngine is the engine property's default.
const DefaultEngine = EngineProvider

// EnginePort is the port a machine of engine = "tls" serves its engine's
// API on, with mutual TLS: Docker's own port for TLS.
const EnginePort = 2376

// CADirName is the directory under drover's data directory that holds the
// swarms' CAs.
const CADirName = "swarm-ca"

// DefaultCADir is where the swarms' CAs live when NewClusters is given no
// data directory: CADirName under drover's default data directory (see
// internal/datadir), else the working directory's "drover-data".
func DefaultCADir() string {
	dir, err := datadir.Default(os.LookupEnv)
	if err != nil {
		dir = "drover-data"
	}
	return filepath.Join(dir, CADirName)
}

// endpoint is how drover reaches a machine's engine: its address (the
// instance.TagEngine tag) and, for an engine reached over the network, the
// swarm whose CA secures it and the machine name its certificate carries.
// It is comparable: clients and managers are known by it, so that a new
// machine that gets an old machine's address is not mistaken for it.
type endpoint struct {
	addr   string
	swarm  string // remote engines only
	server string // remote engines only: the TLS server name
}

// remote reports whether the engine is reached over the network (not a
// local socket), hence only with mutual TLS.
func (e endpoint) remote() bool {
	return e.addr != "" && !strings.HasPrefix(e.addr, "unix://") && !strings.HasPrefix(e.addr, "npipe://")
}

// endpointOf is how to reach inst's engine.
func endpointOf(inst instance.Description) endpoint {
	e := endpoint{addr: inst.Tags[instance.TagEngine]}
	if e.remote() {
		e.swarm, e.server = inst.Tags[TagSwarm], serverName(inst)
	}
	return e
}

// serverName is the name a machine's engine certificate is checked
// against: its drover.name tag (its name in the group, "workers-3"), which
// is also a DNS name of the certificate Prepare made for it.
func serverName(inst instance.Description) string { return inst.Tags[tagName] }

func compareEndpoints(a, b endpoint) int {
	return cmp.Or(cmp.Compare(a.addr, b.addr), cmp.Compare(a.swarm, b.swarm), cmp.Compare(a.server, b.server))
}
