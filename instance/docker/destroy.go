package docker

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Destroy removes container id, running or not, with its anonymous
// volumes, and for a node its socket directory. A container the engine
// does not know is a spierr.ErrNotFound error (success, for the caller).
func (p *Plugin) Destroy(ctx context.Context, id instance.ID, reason instance.DestroyReason) error {
	const op = "docker.Destroy"
	if err := p.ready(ctx); err != nil {
		return err
	}
	if id == "" {
		return spierr.NotFound(op, "empty instance id")
	}
	c, err := p.cli.ContainerInspect(ctx, string(id))
	if err != nil {
		return fail(op, err, fmt.Sprintf("inspect %s", id))
	}
	err = p.cli.ContainerRemove(ctx, string(id), container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !removalInProgress(err) { // e.g. asked by a process killed since: it is going
		return fail(op, err, fmt.Sprintf("remove %s (%s)", id, reason))
	}
	var engine string
	if c.Config != nil {
		engine = c.Config.Labels[TagEngine]
	}
	if err := p.removeNodeDir(strings.TrimPrefix(c.Name, "/"), engine); err != nil {
		return spierr.Internal(op, "removed %s, but not its socket directory: %w", id, err)
	}
	return nil
}

// removalInProgress reports the engine's answer to a removal it is already
// carrying out.
func removalInProgress(err error) bool {
	return strings.Contains(err.Error(), "is already in progress")
}
