package docker

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/drover/drover/instance/docker/internal/enginestream"
	"github.com/drover/drover/internal/datadir"

	"github.com/docker/docker/client"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker/engine"
	"github.com/drover/drover/spierr"
)

// TagEngine is the label of a node container that holds the address of
// its engine on the host: "unix://<socket_dir>/<name>/docker.sock".
const TagEngine = instance.TagEngine

// nodeMountTargets are the container paths a node mounts itself.
var nodeMountTargets = []string{engine.NodeRunDir, engine.NodeCgroupDir}

// maxSocketPath is the longest unix socket path Linux accepts.
const maxSocketPath = 107

// nodeDir returns the host directory over a node's /var/run.
func (p *Plugin) nodeDir(name string) string { return filepath.Join(p.socketDir, name) }

// nodeRequest turns req into a node: a container running its own dockerd
// whose socket appears on the host under the socket directory.
func (p *Plugin) nodeRequest(req *createRequest, props Properties) error {
	if p.socketDir == "" {
		return fmt.Errorf("node sockets: %w", datadir.ErrNone)
	}
	dir := p.nodeDir(req.Name)
	sock := engine.NodeSocket(dir)
	if len(sock) > maxSocketPath {
		return fmt.Errorf("node socket %q is longer than %d characters: shorten the data dir (or socket_dir) or the group name", sock, maxSocketPath)
	}
	req.NodeDir = dir
	req.Config.Labels[TagEngine] = "unix://" + sock
	node := engine.NodeHostConfig()
	req.Host.Binds = append(req.Host.Binds, append(node.Binds, engine.NodeRunBind(dir))...)
	if !mountsAt(props.Volumes, engine.NodeDataDir) {
		if req.Config.Volumes == nil {
			req.Config.Volumes = map[string]struct{}{}
		}
		req.Config.Volumes[engine.NodeDataDir] = struct{}{}
	}
	if !props.Privileged {
		req.Host.CapAdd = capabilities(append(node.CapAdd, props.Capabilities...))
	}
	req.Host.SecurityOpt = union(node.SecurityOpt, props.SecurityOpt)
	req.Host.MaskedPaths, req.Host.ReadonlyPaths = node.MaskedPaths, node.ReadonlyPaths
	return nil
}

// mountsAt reports whether one of the volumes mounts at target.
func mountsAt(vols []string, target string) bool {
	for _, s := range vols {
		if v, err := parseVolume(s); err == nil && path.Clean(v.Target) == target {
			return true
		}
	}
	return false
}

// union returns a followed by the elements of b that a lacks.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// prepareNodeDir makes the node's socket directory exist before the
// container is created, and reports whether it made it.
func prepareNodeDir(dir string) (made bool, err error) {
	if _, err := os.Stat(dir); err == nil {
		return false, nil
	}
	return true, os.MkdirAll(dir, 0o755)
}

// resetNodeDir empties the node's socket directory once the container
// exists (its name was free, so anything in the directory is left over
// from an earlier node of the same name: a stale socket or pid file).
func resetNodeDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

// removeNodeDir removes the socket directory recorded in a node's engine
// label, but only if it is the directory this plugin would have made for
// name: a label is never trusted with an arbitrary path.
func (p *Plugin) removeNodeDir(name, label string) error {
	dir := p.nodeDir(name)
	if label == "" || p.socketDir == "" || label != "unix://"+engine.NodeSocket(dir) {
		return nil
	}
	return os.RemoveAll(dir)
}

// preload waits until the node's engine answers, then copies images from
// the host engine into it.
func (p *Plugin) preload(ctx context.Context, id, dir string, images []string) error {
	const op = "docker.Provision"
	node, err := client.NewClientWithOpts(client.WithHost("unix://"+engine.NodeSocket(dir)), client.WithAPIVersionNegotiation())
	if err != nil {
		return spierr.Internal(op, "node engine client: %w", err)
	}
	defer node.Close()
	if err := p.waitEngine(ctx, id, node); err != nil {
		return err
	}
	return p.copyImages(ctx, node, images)
}

// The backoff between attempts to reach a starting node's engine, and how
// long one attempt may take.
const (
	engineBackoffMin = 50 * time.Millisecond
	engineBackoffMax = time.Second
	pingTimeout      = 5 * time.Second
)

// waitEngine retries Ping on the node's engine with backoff until it
// answers, the node container stops running, or ctx ends.
func (p *Plugin) waitEngine(ctx context.Context, id string, node *client.Client) error {
	const op = "docker.Provision"
	delay := engineBackoffMin
	for {
		pctx, cancel := context.WithTimeout(ctx, pingTimeout)
		_, err := node.Ping(pctx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fail(op, fmt.Errorf("%w (last error: %w)", ctx.Err(), err), "waiting for the node's engine")
		}
		if err := p.checkRunning(ctx, id); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fail(op, ctx.Err(), "waiting for the node's engine")
		case <-time.After(delay):
		}
		delay = min(2*delay, engineBackoffMax)
	}
}

// checkRunning returns an error if container id is not running.
func (p *Plugin) checkRunning(ctx context.Context, id string) error {
	const op = "docker.Provision"
	c, err := p.cli.ContainerInspect(ctx, id)
	if err != nil {
		return fail(op, err, "inspect the node")
	}
	if c.State == nil || !c.State.Running {
		status := "unknown"
		if c.State != nil {
			status = fmt.Sprintf("%s, exit code %d %s", c.State.Status, c.State.ExitCode, c.State.Error)
		}
		return spierr.Internal(op, "node %s stopped while its engine was starting: %s", strings.TrimPrefix(c.Name, "/"), strings.TrimSpace(status))
	}
	return nil
}

// copyImages streams the host engine's save of images into the node
// engine's load, without temporary files.
func (p *Plugin) copyImages(ctx context.Context, node *client.Client, images []string) error {
	const op = "docker.Provision"
	saved, err := p.cli.ImageSave(ctx, images)
	if err != nil {
		return fail(op, err, fmt.Sprintf("save %v on the host engine", images))
	}
	defer saved.Close()
	resp, err := node.ImageLoad(ctx, saved, client.ImageLoadWithQuiet(true))
	if err != nil {
		return fail(op, err, fmt.Sprintf("load %v into the node", images))
	}
	defer resp.Body.Close()
	if err := enginestream.Err(resp.Body); err != nil {
		return fail(op, err, fmt.Sprintf("load %v into the node", images))
	}
	return nil
}
