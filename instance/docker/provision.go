package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Validate checks props without side effects: see Properties.
func (p *Plugin) Validate(ctx context.Context, props json.RawMessage) error {
	_, err := p.Check(ctx, props)
	return err
}

// Check is Validate that also returns the warnings about props: each
// setting that gives the container the host, which allow_host_access
// allows, and node mode, which is root-equivalent on the host.
func (p *Plugin) Check(_ context.Context, props json.RawMessage) ([]spierr.Warning, error) {
	_, ws, err := parseProperties("docker.Validate", props, p.engineSocket)
	return ws, err
}

// cleanupTimeout bounds the removal of a half-made container, which runs
// even when the caller's context has ended.
const cleanupTimeout = 30 * time.Second

// Provision creates and starts a container named spec.Name (also its
// hostname), labelled with spec.Tags and the properties' labels, and
// returns its id. A name in use is a spierr.ErrConflict error. If anything
// fails after the container was created, it is removed again: Provision
// leaves no half-made machine behind. For a node with preload_images, it
// returns once the images are loaded into the node's engine.
func (p *Plugin) Provision(ctx context.Context, spec instance.Spec) (instance.ID, error) {
	const op = "docker.Provision"
	if err := p.ready(ctx); err != nil {
		return "", err
	}
	if spec.Name == "" {
		return "", spierr.Invalid(op, "spec has no name")
	}
	props, _, err := parseProperties(op, spec.Properties, p.engineSocket)
	if err != nil {
		return "", err
	}
	req, err := p.request(ctx, spec, props)
	if err != nil {
		return "", err
	}
	id, err := p.create(ctx, req)
	if err != nil {
		return "", err
	}
	if err := p.finish(ctx, id, req, props); err != nil {
		if rerr := p.discard(ctx, id, req); rerr != nil {
			err = spierr.Wrap("", op, fmt.Errorf("%w; removing the half-made container %s also failed: %v", err, id, rerr))
		}
		return "", err
	}
	return instance.ID(id), nil
}

// request checks what the engine must already have (images), makes the
// networks and builds the container.
func (p *Plugin) request(ctx context.Context, spec instance.Spec, props Properties) (createRequest, error) {
	const op = "docker.Provision"
	var img imageCommand
	if spec.Init != "" {
		var err error
		if img, err = p.imageCommand(ctx, props.Image); err != nil {
			return createRequest{}, err
		}
	}
	for i, name := range props.PreloadImages {
		if _, err := p.cli.ImageInspect(ctx, name); err != nil {
			return createRequest{}, imageError(op, fmt.Sprintf("preload_images[%d]", i), name, err)
		}
	}
	req, err := p.buildRequest(spec, props, img)
	if err != nil {
		return createRequest{}, spierr.Invalid(op, "%v", err)
	}
	if err := p.attachNetworks(ctx, &req); err != nil {
		return createRequest{}, err
	}
	return req, nil
}

// imageCommand inspects image for its own entrypoint and cmd.
func (p *Plugin) imageCommand(ctx context.Context, image string) (imageCommand, error) {
	ii, err := p.cli.ImageInspect(ctx, image)
	if err != nil {
		return imageCommand{}, imageError("docker.Provision", "image", image, err)
	}
	if ii.Config == nil {
		return imageCommand{}, nil
	}
	return imageCommand{Entrypoint: ii.Config.Entrypoint, Cmd: ii.Config.Cmd}, nil
}

// imageError reports a missing image as invalid: drover does not pull, so
// the image must be built, loaded or pulled onto the engine first.
func imageError(op, property, image string, err error) error {
	if classify(err) == spierr.CodeNotFound {
		return spierr.Invalid(op, "%s: image %q is not on the engine (drover does not pull images: build, load or pull it first): %w", property, image, err)
	}
	return fail(op, err, fmt.Sprintf("inspect image %q", image))
}

// create creates the container and, for a node, its socket directory
// (removed again if the create fails, unless another container has the
// name and so perhaps the directory).
func (p *Plugin) create(ctx context.Context, req createRequest) (string, error) {
	if req.NodeDir == "" {
		return p.createContainer(ctx, req)
	}
	if err := p.ensureSocketDir(); err != nil {
		return "", spierr.MarkNotDone(spierr.Invalid("docker.Provision", "socket_dir: %w", err))
	}
	made, err := prepareNodeDir(req.NodeDir)
	if err != nil {
		return "", spierr.Internal("docker.Provision", "node socket directory: %w", err)
	}
	id, err := p.createContainer(ctx, req)
	if err != nil && made && spierr.CodeOf(err) != spierr.CodeConflict {
		_ = os.RemoveAll(req.NodeDir) // ours, and no container uses it
	}
	return id, err
}

// createContainer creates the container, explaining a name in use and a
// missing image.
func (p *Plugin) createContainer(ctx context.Context, req createRequest) (string, error) {
	const op = "docker.Provision"
	resp, err := p.cli.ContainerCreate(ctx, req.Config, req.Host, req.Network, nil, req.Name)
	switch classify(err) {
	case "":
		return resp.ID, nil
	case spierr.CodeConflict:
		return "", spierr.Conflict(op, "container name %q is in use: %w", req.Name, err)
	case spierr.CodeNotFound: // the image: the networks exist by now
		return "", imageError(op, "image", req.Config.Image, err)
	}
	return "", fail(op, err, fmt.Sprintf("create container %q", req.Name))
}

// finish connects the other networks, starts the container and, for a
// node, preloads its images.
func (p *Plugin) finish(ctx context.Context, id string, req createRequest, props Properties) error {
	const op = "docker.Provision"
	if req.NodeDir != "" {
		if err := resetNodeDir(req.NodeDir); err != nil {
			return spierr.Internal(op, "node socket directory: %w", err)
		}
	}
	for _, n := range req.Connect {
		if err := p.cli.NetworkConnect(ctx, n, id, &network.EndpointSettings{NetworkID: n}); err != nil {
			return fail(op, err, fmt.Sprintf("connect %q to network %q", req.Name, n))
		}
	}
	if err := p.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return startError(op, req.Name, props, err)
	}
	if req.NodeDir != "" && len(props.PreloadImages) > 0 {
		return p.preload(ctx, id, req.NodeDir, props.PreloadImages)
	}
	return nil
}

// startError explains a failed start. When privileged containers cannot
// be granted every capability (CAP_SYS_RESOURCE in sandboxes), it says to
// use capabilities instead; retrying cannot help, so that is invalid.
func startError(op, name string, props Properties, err error) error {
	msg := strings.ToLower(err.Error())
	if props.Privileged && (strings.Contains(msg, "cap") || strings.Contains(msg, "operation not permitted")) {
		return spierr.Invalid(op, "start %q: privileged = true failed, probably because this engine cannot grant every capability (such as CAP_SYS_RESOURCE); set privileged = false and list what is needed in capabilities instead: %w", name, err)
	}
	return fail(op, err, fmt.Sprintf("start container %q", name))
}

// discard removes a container that could not be finished, and its node
// directory, even if ctx has ended.
func (p *Plugin) discard(ctx context.Context, id string, req createRequest) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := p.cli.ContainerRemove(cctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
		return err
	}
	if req.NodeDir != "" {
		return p.removeNodeDir(req.Name, req.Config.Labels[TagEngine])
	}
	return nil
}
