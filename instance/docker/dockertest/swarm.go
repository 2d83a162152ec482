package dockertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/drover/drover/instance/docker/engine"

	"github.com/drover/drover/instance/docker/internal/enginestream"
)

// DefaultNodeImage is the node image StartSwarm uses unless told otherwise
// (SwarmOptions.Image, or the environment variable DROVER_NODE_IMAGE):
// Debian's dockerd, built offline by `make node-image`.
const DefaultNodeImage = "drover/node:bookworm"

// The roles of a SwarmNode.
const (
	RoleManager = "manager"
	RoleWorker  = "worker"
)

// LabelSwarmRole is the label holding a node container's role.
const LabelSwarmRole = "drover.test.swarm-role"

// swarmTimeout bounds starting a whole swarm: node containers, engines,
// image loads, init and joins.
const swarmTimeout = 3 * time.Minute

// SwarmOptions shape a NodeSwarm.
type SwarmOptions struct {
	// Managers and Workers are the number of nodes of each role. Managers
	// is at least 1.
	Managers, Workers int
	// Preload are images copied from the host engine into each node's
	// engine before the swarm forms (there is no registry to pull from).
	Preload []string
	// Image is the node image. Default: $DROVER_NODE_IMAGE, else
	// DefaultNodeImage.
	Image string
}

// NodeSwarm is a swarm of node containers on the host engine, made
// directly with the Docker API (not through drover), for tests and as the
// native-swarm baseline of benchmarks.
type NodeSwarm struct {
	// Nodes are the managers, then the workers; Nodes[0] initialised the
	// swarm.
	Nodes []SwarmNode
	// Network is the name of the bridge network the nodes share.
	Network string
}

// SwarmNode is one node container and a client of its engine.
type SwarmNode struct {
	// Name is the container's name, which is also the node's hostname.
	Name        string
	ContainerID string
	// Role is RoleManager or RoleWorker.
	Role string
	// Engine is the address of the node's engine on the host:
	// "unix:///tmp/nsXXXX/docker.sock".
	Engine string
	// IP is the node's address on the bridge network.
	IP string
	// Client talks to the node's engine (API version negotiated).
	Client *client.Client
}

// Manager returns a client of the first manager's engine.
func (s *NodeSwarm) Manager() *client.Client { return s.Nodes[0].Client }

// Workers returns the worker nodes.
func (s *NodeSwarm) Workers() []SwarmNode {
	var out []SwarmNode
	for _, n := range s.Nodes {
		if n.Role == RoleWorker {
			out = append(out, n)
		}
	}
	return out
}

var swarmSeq atomic.Int64

// StartSwarm starts opts.Managers+opts.Workers node containers on a new
// user-defined bridge network of the host engine cli, loads the Preload
// images into each, initialises a swarm on the first manager and joins the
// others, and returns once every node is ready. Everything is labelled with
// Label(t) (so Cleanup finds leftovers of a killed run) and removed when the
// test ends. A missing node image skips the test, or fails it under CI=true;
// `make node-image` builds it.
func StartSwarm(t testing.TB, cli *client.Client, opts SwarmOptions) *NodeSwarm {
	t.Helper()
	opts.Managers = max(opts.Managers, 1)
	if opts.Image == "" {
		opts.Image = NodeImage(t, cli)
	} else {
		requireImage(t, cli, opts.Image)
	}
	ctx, cancel := context.WithTimeout(context.Background(), swarmTimeout)
	defer cancel()
	s := &NodeSwarm{Network: Name(t, fmt.Sprintf("swarm%d", swarmSeq.Add(1)))}
	var dirs []string
	t.Cleanup(func() { s.remove(t, cli, dirs) })
	if _, err := cli.NetworkCreate(ctx, s.Network, network.CreateOptions{Driver: "bridge", Labels: Label(t)}); err != nil {
		t.Fatalf("StartSwarm: create network %s: %v", s.Network, err)
	}
	for i := range opts.Managers + opts.Workers {
		role, n := RoleManager, i+1
		if i >= opts.Managers {
			role, n = RoleWorker, i-opts.Managers+1
		}
		dir, err := os.MkdirTemp("", "ns")
		if err != nil {
			t.Fatalf("StartSwarm: %v", err)
		}
		dirs = append(dirs, dir)
		s.Nodes = append(s.Nodes, SwarmNode{
			Name:   fmt.Sprintf("%s-%c%d", s.Network, role[0], n),
			Role:   role,
			Engine: "unix://" + engine.NodeSocket(dir),
		})
	}
	errs := make([]error, len(s.Nodes))
	var wg sync.WaitGroup
	for i := range s.Nodes {
		wg.Go(func() { errs[i] = s.startNode(ctx, t, cli, &s.Nodes[i], dirs[i], opts) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("StartSwarm: %v", err)
	}
	if err := s.form(ctx); err != nil {
		t.Fatalf("StartSwarm: %v", err)
	}
	return s
}

// startNode creates and starts one node container, waits for its engine
// and loads the preloaded images into it.
func (s *NodeSwarm) startNode(ctx context.Context, t testing.TB, cli *client.Client, n *SwarmNode, dir string, opts SwarmOptions) error {
	labels := Label(t)
	labels[LabelSwarmRole] = n.Role
	host := engine.NodeHostConfig()
	host.Binds = append(host.Binds, engine.NodeRunBind(dir))
	created, err := cli.ContainerCreate(ctx,
		&container.Config{
			Image:    opts.Image,
			Hostname: n.Name,
			Labels:   labels,
			Volumes:  map[string]struct{}{engine.NodeDataDir: {}},
		},
		host,
		&network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{s.Network: {}}},
		nil, n.Name)
	if err != nil {
		return fmt.Errorf("create node %s: %w", n.Name, err)
	}
	n.ContainerID = created.ID
	if err := cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return fmt.Errorf("start node %s: %w", n.Name, err)
	}
	info, err := cli.ContainerInspect(ctx, created.ID)
	if err != nil {
		return fmt.Errorf("inspect node %s: %w", n.Name, err)
	}
	if ep := info.NetworkSettings.Networks[s.Network]; ep != nil {
		n.IP = ep.IPAddress
	}
	if n.IP == "" {
		return fmt.Errorf("node %s has no address on %s", n.Name, s.Network)
	}
	if n.Client, err = client.NewClientWithOpts(client.WithHost(n.Engine), client.WithAPIVersionNegotiation()); err != nil {
		return fmt.Errorf("node %s: engine client: %w", n.Name, err)
	}
	if err := waitEngine(ctx, cli, n); err != nil {
		return err
	}
	if len(opts.Preload) == 0 {
		return nil
	}
	saved, err := cli.ImageSave(ctx, opts.Preload)
	if err != nil {
		return fmt.Errorf("save %v on the host: %w", opts.Preload, err)
	}
	defer saved.Close()
	resp, err := n.Client.ImageLoad(ctx, saved, client.ImageLoadWithQuiet(true))
	if err != nil {
		return fmt.Errorf("load %v into %s: %w", opts.Preload, n.Name, err)
	}
	defer resp.Body.Close()
	if err := enginestream.Err(resp.Body); err != nil {
		return fmt.Errorf("load %v into %s: %w", opts.Preload, n.Name, err)
	}
	return nil
}

// waitEngine pings a node's engine until it answers, failing early if the
// node container stops.
func waitEngine(ctx context.Context, host *client.Client, n *SwarmNode) error {
	delay := 50 * time.Millisecond
	for {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := n.Client.Ping(pctx)
		cancel()
		if err == nil {
			return nil
		}
		if c, ierr := host.ContainerInspect(ctx, n.ContainerID); ierr == nil && c.State != nil && !c.State.Running {
			return fmt.Errorf("node %s stopped while its engine was starting: %s, exit code %d %s", n.Name, c.State.Status, c.State.ExitCode, c.State.Error)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("node %s: engine not answering: %w (last error: %w)", n.Name, ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Second)
	}
}

// form initialises the swarm on the first manager, joins the other nodes
// and waits until the manager sees every node ready.
func (s *NodeSwarm) form(ctx context.Context) error {
	first := s.Nodes[0]
	if _, err := first.Client.SwarmInit(ctx, swarm.InitRequest{ListenAddr: "0.0.0.0:2377", AdvertiseAddr: first.IP}); err != nil {
		return fmt.Errorf("swarm init on %s: %w", first.Name, err)
	}
	sw, err := first.Client.SwarmInspect(ctx)
	if err != nil {
		return fmt.Errorf("swarm inspect on %s: %w", first.Name, err)
	}
	// Joins go one at a time: managers joining at once can race for quorum.
	for _, n := range s.Nodes[1:] {
		token := sw.JoinTokens.Worker
		if n.Role == RoleManager {
			token = sw.JoinTokens.Manager
		}
		err := n.Client.SwarmJoin(ctx, swarm.JoinRequest{
			ListenAddr: "0.0.0.0:2377", AdvertiseAddr: n.IP,
			RemoteAddrs: []string{first.IP + ":2377"}, JoinToken: token,
		})
		if err != nil {
			return fmt.Errorf("swarm join of %s: %w", n.Name, err)
		}
	}
	for {
		nodes, err := first.Client.NodeList(ctx, swarm.NodeListOptions{})
		ready := 0
		for _, n := range nodes {
			if n.Status.State == swarm.NodeStateReady {
				ready++
			}
		}
		if err == nil && ready == len(s.Nodes) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d nodes ready: %w (last error: %v)", ready, len(s.Nodes), ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// remove removes the node containers with their volumes, the network and
// the socket directories; errors are logged (cleanup is best effort).
func (s *NodeSwarm) remove(t testing.TB, cli *client.Client, dirs []string) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if t.Failed() {
		s.report(ctx, t, cli)
	}
	var wg sync.WaitGroup
	for _, n := range s.Nodes {
		if n.Client != nil {
			_ = n.Client.Close()
		}
		if n.ContainerID == "" {
			continue
		}
		wg.Go(func() {
			err := cli.ContainerRemove(ctx, n.ContainerID, container.RemoveOptions{Force: true, RemoveVolumes: true})
			if err != nil && !cerrdefs.IsNotFound(err) {
				t.Logf("StartSwarm cleanup: remove %s: %v", n.Name, err)
			}
		})
	}
	wg.Wait()
	if err := cli.NetworkRemove(ctx, s.Network); err != nil && !cerrdefs.IsNotFound(err) {
		t.Logf("StartSwarm cleanup: remove network %s: %v", s.Network, err)
	}
	for _, d := range dirs {
		_ = os.RemoveAll(d)
	}
}

// report logs, for a failed test, how each node container stands (running,
// exit code, OOM-killed) and the end of its output (its inner dockerd's
// log): a node whose engine died mid-test says why here.
func (s *NodeSwarm) report(ctx context.Context, t testing.TB, cli *client.Client) {
	for _, n := range s.Nodes {
		if n.ContainerID == "" {
			continue
		}
		c, err := cli.ContainerInspect(ctx, n.ContainerID)
		if err != nil {
			t.Logf("node %s: inspect: %v", n.Name, err)
			continue
		}
		st := c.State
		t.Logf("node %s: status %s, exit code %d, OOM-killed %t, error %q, finished %s", n.Name, st.Status, st.ExitCode, st.OOMKilled, st.Error, st.FinishedAt)
		logs, err := cli.ContainerLogs(ctx, n.ContainerID, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: "30"})
		if err != nil {
			t.Logf("node %s: logs: %v", n.Name, err)
			continue
		}
		var out bytes.Buffer
		_, _ = stdcopy.StdCopy(&out, &out, logs)
		_ = logs.Close()
		t.Logf("node %s: the last lines of its output:\n%s", n.Name, out.String())
	}
}

// NodeImage returns the swarm node image, drover/node:bookworm or
// $DROVER_NODE_IMAGE (docker:dind where a registry exists). When the engine
// lacks it the test fails under CI=true and is skipped, saying so,
// elsewhere: `make node-image` builds it.
func NodeImage(t testing.TB, cli *client.Client) string {
	t.Helper()
	img := os.Getenv("DROVER_NODE_IMAGE")
	if img == "" {
		img = DefaultNodeImage
	}
	requireImage(t, cli, img)
	return img
}

func requireImage(t testing.TB, cli *client.Client, img string) {
	t.Helper()
	if _, err := cli.ImageInspect(context.Background(), img); err != nil {
		msg := fmt.Sprintf("the node image %s is missing (%v): `make node-image` builds it", img, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("skipped: " + msg)
	}
}
