package swarm

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/flavor/swarm/pki"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// probeTimeout bounds each engine call of Clusters.Manager.
const probeTimeout = 5 * time.Second

// Clusters is what this process knows of the swarms it forms: per (owner,
// swarm name) the engines of its managers. Safe for concurrent use; one per
// process, shared by every swarm flavor plugin and by the service
// reconciler. It also caches one client per engine endpoint, for every
// engine the plugins talk to, and keeps the swarms' CAs (see NewClusters):
// engines reached over TCP are reached only with mutual TLS.
type Clusters struct {
	mu      sync.Mutex
	closed  bool
	clients map[endpoint]*engineClient
	swarms  map[swarmKey]*knownSwarm
	forming map[swarmKey]*sync.Mutex
	cas     *pki.Store // set once, by NewClusters
}

type swarmKey struct{ owner, swarm string }

// engineClient is a cached client and the group whose machine the engine
// is, so that it can be dropped when that machine is gone.
type engineClient struct {
	cli          *client.Client
	owner, group string
}

// knownSwarm is what is known of one swarm.
type knownSwarm struct {
	clusterID string              // the swarm's id, as its managers report it
	managers  map[endpoint]string // engine -> the group of its machine
	last      endpoint            // the engine that last answered as a manager
}

// NewClusters returns an empty Clusters that keeps the swarms' CAs in
// dataDir's CADirName directory, as dataDir/swarm-ca/<owner>/<swarm>/:
// dataDir is drover's data directory, "" for its default (DefaultCADir).
// Close it when done.
func NewClusters(dataDir string) *Clusters {
	caDir := DefaultCADir()
	if dataDir != "" {
		caDir = filepath.Join(dataDir, CADirName)
	}
	return &Clusters{
		clients: map[endpoint]*engineClient{},
		swarms:  map[swarmKey]*knownSwarm{},
		forming: map[swarmKey]*sync.Mutex{},
		cas:     pki.NewStore(caDir),
	}
}

// CA returns the CA of (owner, swarm), making it if there is none yet.
func (c *Clusters) CA(owner, swarm string) (*pki.CA, error) {
	return c.cas.CA(owner, swarm)
}

// Manager returns a client of a manager of the swarm that answers and has
// ControlAvailable, or an error matching spierr.ErrUnavailable saying no
// manager of swarm X is known yet (or none of those known answers).
// Clients are cached per engine endpoint and shared; callers must not Close
// them.
func (c *Clusters) Manager(ctx context.Context, owner, swarm string) (client.APIClient, error) {
	m, err := c.manager(ctx, owner, swarm, probeTimeout, endpoint{})
	if err != nil {
		return nil, err
	}
	return m.cli, nil
}

// Close drops every cached client. Manager fails afterwards.
func (c *Clusters) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for engine, ec := range c.clients {
		_ = ec.cli.Close()
		delete(c.clients, engine)
	}
	c.closed = true
	return nil
}

// managerConn is a manager that answered, with what it said.
type managerConn struct {
	engine endpoint
	cli    *client.Client
	info   swarm.Info
}

// manager asks the known managers of a swarm, the one that answered last
// first, and returns the first that is an active manager of the swarm with
// control available; exclude is an engine not to use. An engine that
// answers but is no such manager any more is forgotten.
func (c *Clusters) manager(ctx context.Context, owner, name string, timeout time.Duration, exclude endpoint) (managerConn, error) {
	const op = "swarm.Manager"
	key := swarmKey{owner, name}
	engines, clusterID := c.candidates(key)
	var failures []string
	for _, engine := range engines {
		if engine == exclude {
			continue
		}
		cli, err := c.client(engine, owner, "")
		if err != nil {
			failures = append(failures, err.Error())
			continue
		}
		info, err := swarmInfo(ctx, cli, timeout)
		switch {
		case err != nil:
			failures = append(failures, err.Error())
		case !managesCluster(info, clusterID):
			c.forget(owner, name, engine)
		default:
			c.answered(key, engine)
			return managerConn{engine: engine, cli: cli, info: info}, nil
		}
	}
	if ctx.Err() != nil {
		return managerConn{}, spierr.Unavailable(op, "swarm %s: %w", name, ctx.Err())
	}
	if len(failures) == 0 {
		return managerConn{}, spierr.Unavailable(op, "no manager of swarm %s is known yet", name)
	}
	return managerConn{}, spierr.Unavailable(op, "no known manager of swarm %s answers: %s", name, strings.Join(failures, "; "))
}

// managesCluster reports whether info is of an active manager with control
// available, of the cluster clusterID if that is known.
func managesCluster(info swarm.Info, clusterID string) bool {
	if info.LocalNodeState != swarm.LocalNodeStateActive || !info.ControlAvailable {
		return false
	}
	return clusterID == "" || info.Cluster == nil || info.Cluster.ID == clusterID
}

// candidates returns the known managers' engines, the last that answered
// first, and the swarm's id.
func (c *Clusters) candidates(key swarmKey) ([]endpoint, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ks := c.swarms[key]
	if ks == nil || c.closed {
		return nil, ""
	}
	engines := make([]endpoint, 0, len(ks.managers))
	for e := range ks.managers {
		engines = append(engines, e)
	}
	slices.SortFunc(engines, compareEndpoints)
	if i := slices.Index(engines, ks.last); i > 0 {
		engines = append([]endpoint{ks.last}, slices.Delete(engines, i, i+1)...)
	}
	return engines, ks.clusterID
}

// answered remembers engine as the manager to ask first.
func (c *Clusters) answered(key swarmKey, engine endpoint) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ks := c.swarms[key]; ks != nil {
		ks.last = engine
	}
}

// register records engine, of a machine of group, as a manager of the swarm
// whose id is clusterID. It refuses (and returns false) a manager of
// another swarm of the same name while managers of the known one are
// recorded: there is one swarm per name.
func (c *Clusters) register(owner, name, group string, engine endpoint, clusterID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := swarmKey{owner, name}
	ks := c.swarms[key]
	if ks == nil {
		ks = &knownSwarm{managers: map[endpoint]string{}}
		c.swarms[key] = ks
	}
	if clusterID != "" && ks.clusterID != clusterID {
		if len(ks.managers) > 0 && ks.clusterID != "" {
			return false
		}
		ks.clusterID = clusterID
	}
	ks.managers[engine] = group
	return true
}

// forget drops engine from the managers of a swarm.
func (c *Clusters) forget(owner, name string, engine endpoint) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ks := c.swarms[swarmKey{owner, name}]; ks != nil {
		delete(ks.managers, engine)
	}
}

// gone reports whether managers of the swarm were known and all have been
// forgotten since: the swarm was destroyed.
func (c *Clusters) gone(owner, name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ks := c.swarms[swarmKey{owner, name}]
	return ks != nil && len(ks.managers) == 0
}

// prune forgets the engines of the machines of (owner, group) that are not
// in live: as managers of any swarm, and their cached clients.
func (c *Clusters) prune(owner, group string, live map[endpoint]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, ks := range c.swarms {
		if key.owner != owner {
			continue
		}
		for engine, g := range ks.managers {
			if g == group && !live[engine] {
				delete(ks.managers, engine)
			}
		}
	}
	for engine, ec := range c.clients {
		if ec.owner == owner && ec.group == group && !live[engine] {
			_ = ec.cli.Close()
			delete(c.clients, engine)
		}
	}
}

// lockForming serialises, per swarm, the decision to initialise it; the
// returned function unlocks.
func (c *Clusters) lockForming(owner, name string) func() {
	c.mu.Lock()
	key := swarmKey{owner, name}
	m := c.forming[key]
	if m == nil {
		m = &sync.Mutex{}
		c.forming[key] = m
	}
	c.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// client returns the cached client of engine, making it if needed; owner
// and group, when given, record whose machine the engine is. An engine
// reached over the network (not a unix socket) is reached only with mutual
// TLS: the CA of (owner, its swarm) checks that the engine's certificate is
// the machine's, and drover shows its client certificate.
func (c *Clusters) client(engine endpoint, owner, group string) (*client.Client, error) {
	const op = "swarm.client"
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, spierr.Unavailable(op, "closed")
	}
	if ec := c.clients[engine]; ec != nil {
		if ec.group == "" && group != "" {
			ec.owner, ec.group = owner, group
		}
		return ec.cli, nil
	}
	opts := []client.Opt{client.WithHost(engine.addr), client.WithAPIVersionNegotiation()}
	if engine.remote() {
		if engine.swarm == "" || engine.server == "" || owner == "" {
			return nil, spierr.Invalid(op, "engine %s is reached over the network, which drover does only with mutual TLS, and its machine lacks the %s or name tags that say whose certificate to expect", engine.addr, TagSwarm)
		}
		ca, err := c.cas.CA(owner, engine.swarm)
		if err != nil {
			return nil, spierr.Internal(op, "%v", err)
		}
		tr := &http.Transport{
			TLSClientConfig:     ca.ClientTLS(engine.server),
			TLSHandshakeTimeout: probeTimeout,
			MaxIdleConns:        6,
			IdleConnTimeout:     30 * time.Second,
		}
		// The HTTP client goes first: WithHost configures its transport.
		opts = append([]client.Opt{client.WithHTTPClient(&http.Client{Transport: tr})}, append(opts, client.WithScheme("https"))...)
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, spierr.Invalid(op, "engine address %q: %v", engine.addr, err)
	}
	c.clients[engine] = &engineClient{cli: cli, owner: owner, group: group}
	return cli, nil
}

// swarmInfo returns the swarm part of an engine's Info, within timeout.
func swarmInfo(ctx context.Context, cli client.APIClient, timeout time.Duration) (swarm.Info, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	info, err := cli.Info(ctx)
	if err != nil {
		return swarm.Info{}, engineErr("swarm.info", fmt.Sprintf("engine %s", cli.DaemonHost()), err)
	}
	return info.Swarm, nil
}

// Engine returns the cached client of a machine's engine, as the flavor
// reaches it (its engine tag; over the network only with mutual TLS):
// the metrics of the swarm tasks it runs are read there. Callers must not
// Close it.
func (c *Clusters) Engine(inst instance.Description) (client.APIClient, error) {
	return c.client(endpointOf(inst), inst.Tags[instance.TagOwner], inst.Tags[instance.TagGroup])
}
