package dofake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/digitalocean/godo"

	"github.com/drover/drover/instance/docker/engine"
)

// Machines back droplets with containers on a Docker engine that really
// run their user data, so that a whole swarm of droplets (cloud-init,
// TLS engines, joins) can run end to end on one machine. Set
// Options.Machines to use it.
//
// A droplet create starts, before it is answered, one container per
// droplet from Image, with the capabilities of a node container
// (engine.NodeHostConfig: no --privileged needed), hostname the droplet's
// name, on a bridge network. A user data that starts with "#!" is run with
// /bin/sh as the container's command (cloud-init runs such user data as
// it is), after which the container stays up as a machine does; any other
// user data (#cloud-config, or none) is not run and the image's own
// command runs. The container's address on the bridge is the droplet's
// private and public IPv4 address (the bridge is both its VPC and its
// internet). Deleting a droplet (by id, by tag, or DeleteBehindBack)
// removes its container and volumes; PowerOffBehindBack kills it. A
// container that cannot be started makes the droplet's create fail as a
// real one can: the droplet disappears and its create action is errored
// (MachineErr says why).
type Machines struct {
	// Engine runs the containers. Required.
	Engine client.APIClient
	// Image is the containers' image: one with /bin/sh and dockerd, such
	// as drover/node:bookworm. Required.
	Image string
	// Prefix starts the containers' names (the prefix, then the droplet
	// id) and, when Network is empty, the network's name. Default
	// "dofake-<random hex>-".
	Prefix string
	// Network is the bridge network of the containers, made (with Labels)
	// if it does not exist. Default Prefix + "net".
	Network string
	// Labels are put on every container and on the network the fake
	// makes, so that tests find and remove what a killed run left.
	Labels map[string]string
	// Timeout bounds starting or removing one container. Default 1 min.
	Timeout time.Duration

	mu         sync.Mutex
	netReady   bool
	madeNet    bool
	lastErr    error
	containers map[int]string // droplet id -> container id
}

// LabelDroplet is the label holding a container's droplet id.
const LabelDroplet = "dofake.droplet"

// defaultMachineTimeout is Machines.Timeout's default.
const defaultMachineTimeout = time.Minute

// setDefaults fills the defaults.
func (m *Machines) setDefaults() {
	if m.Prefix == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		m.Prefix = "dofake-" + hex.EncodeToString(b) + "-"
	}
	if m.Network == "" {
		m.Network = m.Prefix + "net"
	}
	if m.Timeout <= 0 {
		m.Timeout = defaultMachineTimeout
	}
	m.containers = map[int]string{}
}

// startMachines starts the containers of new droplets, a few at once, and
// returns the address of each that started; the others' errors are
// joined. It runs outside the server's lock.
func (m *Machines) startMachines(ctx context.Context, ds []machineStart) (map[int]string, error) {
	ips := map[int]string{}
	errs := make([]error, len(ds))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Go(func() {
			ip, err := m.start(ctx, d)
			if err != nil {
				errs[i] = fmt.Errorf("droplet %d (%s): %w", d.id, d.name, err)
				return
			}
			mu.Lock()
			ips[d.id] = ip
			mu.Unlock()
		})
	}
	wg.Wait()
	err := errors.Join(errs...)
	if err != nil {
		m.setErr(err)
	}
	return ips, err
}

// machineStart is what starting a droplet's container takes.
type machineStart struct {
	id             int
	name, userData string
}

// start creates and starts one droplet's container and returns its
// address on the network.
func (m *Machines) start(ctx context.Context, d machineStart) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, m.Timeout)
	defer cancel()
	if err := m.ensureNetwork(ctx); err != nil {
		return "", err
	}
	labels := maps.Clone(m.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelDroplet] = strconv.Itoa(d.id)
	cfg := &container.Config{
		Image:    m.Image,
		Hostname: hostname(d.name),
		Labels:   labels,
		Volumes:  map[string]struct{}{engine.NodeDataDir: {}},
	}
	if strings.HasPrefix(d.userData, "#!") {
		// The user data runs as cloud-init would run it; then the machine
		// stays up, as a droplet does after cloud-init.
		cfg.Entrypoint = []string{"/bin/sh", "-c", `sh -c "$1"; echo "dofake: user data exited with status $?" >&2; exec sleep infinity`, "user-data", d.userData}
		cfg.Cmd = []string{}
	}
	created, err := m.Engine.ContainerCreate(ctx, cfg, engine.NodeHostConfig(),
		&network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{m.Network: {}}},
		nil, m.Prefix+strconv.Itoa(d.id))
	if err != nil {
		return "", fmt.Errorf("create its container: %w", err)
	}
	m.mu.Lock()
	m.containers[d.id] = created.ID
	m.mu.Unlock()
	if err := m.Engine.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return "", fmt.Errorf("start its container: %w", err)
	}
	info, err := m.Engine.ContainerInspect(ctx, created.ID)
	if err != nil {
		return "", fmt.Errorf("inspect its container: %w", err)
	}
	if ep := info.NetworkSettings.Networks[m.Network]; ep != nil && ep.IPAddress != "" {
		return ep.IPAddress, nil
	}
	return "", fmt.Errorf("its container has no address on %s", m.Network)
}

// hostname is a droplet name cut to a hostname's 63 characters.
func hostname(name string) string {
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-.")
	}
	return name
}

// ensureNetwork makes the bridge network unless it exists.
func (m *Machines) ensureNetwork(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.netReady {
		return nil
	}
	if _, err := m.Engine.NetworkInspect(ctx, m.Network, network.InspectOptions{}); err == nil {
		m.netReady = true
		return nil
	} else if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("network %s: %w", m.Network, err)
	}
	if _, err := m.Engine.NetworkCreate(ctx, m.Network, network.CreateOptions{Driver: "bridge", Labels: maps.Clone(m.Labels)}); err != nil {
		return fmt.Errorf("create network %s: %w", m.Network, err)
	}
	m.netReady, m.madeNet = true, true
	return nil
}

// remove removes the containers of droplets (those that have one).
func (m *Machines) remove(ids []int) error {
	var errs []error
	for _, id := range ids {
		m.mu.Lock()
		cid, ok := m.containers[id]
		delete(m.containers, id)
		m.mu.Unlock()
		if !ok {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), m.Timeout)
		err := m.Engine.ContainerRemove(ctx, cid, container.RemoveOptions{Force: true, RemoveVolumes: true})
		cancel()
		if err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("remove the container of droplet %d: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// kill kills a droplet's container, if it has one.
func (m *Machines) kill(id int) error {
	m.mu.Lock()
	cid, ok := m.containers[id]
	m.mu.Unlock()
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.Timeout)
	defer cancel()
	if err := m.Engine.ContainerKill(ctx, cid, "KILL"); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("kill the container of droplet %d: %w", id, err)
	}
	return nil
}

// close removes every container and the network if the fake made it.
func (m *Machines) close() error {
	m.mu.Lock()
	ids := make([]int, 0, len(m.containers))
	for id := range m.containers {
		ids = append(ids, id)
	}
	madeNet := m.madeNet
	m.mu.Unlock()
	err := m.remove(ids)
	if madeNet {
		ctx, cancel := context.WithTimeout(context.Background(), m.Timeout)
		defer cancel()
		if nerr := m.Engine.NetworkRemove(ctx, m.Network); nerr != nil && !cerrdefs.IsNotFound(nerr) {
			err = errors.Join(err, fmt.Errorf("remove network %s: %w", m.Network, nerr))
		}
	}
	return err
}

// MachineErr is the last error starting a droplet's container, or nil.
func (s *Server) MachineErr() error {
	if s.opts.Machines == nil {
		return nil
	}
	s.opts.Machines.mu.Lock()
	defer s.opts.Machines.mu.Unlock()
	return s.opts.Machines.lastErr
}

// Close removes the containers of Options.Machines and the network the
// fake made for them. Without Machines it does nothing.
func (s *Server) Close() error {
	if s.opts.Machines == nil {
		return nil
	}
	return s.opts.Machines.close()
}

// startMachines starts the containers of the droplets a create just
// recorded. A droplet whose container does not start fails as a create
// can on the real API: it disappears and its create action is errored.
// The reply to the create is written afterwards, as it would have been.
func (s *Server) startMachines(r *http.Request, starts []machineStart, acts map[int]*godo.Action) {
	m := s.opts.Machines
	// A client that hangs up does not stop the droplets it asked for.
	ips, _ := m.startMachines(context.WithoutCancel(r.Context()), starts)
	var failed []int
	s.mu.Lock()
	for _, st := range starts {
		d := s.droplets[st.id]
		if d == nil {
			continue // deleted meanwhile
		}
		if ip, ok := ips[st.id]; ok {
			d.ip = ip
			continue
		}
		delete(s.droplets, st.id)
		if a := acts[st.id]; a != nil {
			a.Status = "errored"
			a.CompletedAt = &godo.Timestamp{Time: s.opts.Now()}
		}
		failed = append(failed, st.id)
	}
	s.mu.Unlock()
	if err := m.remove(failed); err != nil {
		m.setErr(err)
	}
}

// removeMachines removes the containers of deleted droplets.
func (s *Server) removeMachines(ids []int) {
	if m := s.opts.Machines; m != nil && len(ids) > 0 {
		if err := m.remove(ids); err != nil {
			m.setErr(err)
		}
	}
}

// setErr records err for MachineErr.
func (m *Machines) setErr(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastErr = err
}

// machineNetworks are the networks of a droplet whose container has ip:
// the bridge is both its private network and its internet.
func machineNetworks(ip string) []godo.NetworkV4 {
	return []godo.NetworkV4{
		{IPAddress: ip, Netmask: "255.255.0.0", Gateway: "", Type: "private"},
		{IPAddress: ip, Netmask: "255.255.0.0", Gateway: "", Type: "public"},
	}
}
