package docker

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// attachNetworks makes sure every network of the request exists and
// points the request at their ids: the first is attached at create, the
// others connected before start. Ids, not names, and pinned in the
// endpoint settings (NetworkID), because concurrent creates by several
// processes can briefly leave networks of the same name, which the engine
// then refuses to resolve ("ambiguous"), even at start.
func (p *Plugin) attachNetworks(ctx context.Context, req *createRequest) error {
	if len(req.Networks) == 0 {
		return nil
	}
	owner := req.Config.Labels[instance.TagOwner]
	ids := make([]string, 0, len(req.Networks))
	for _, name := range req.Networks {
		id, err := p.ensureNetwork(ctx, name, owner)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	req.Host.NetworkMode = container.NetworkMode(ids[0])
	req.Network = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{ids[0]: {NetworkID: ids[0]}}}
	req.Connect = ids[1:]
	return nil
}

// ensureNetwork returns the id of the network called name, creating it
// (bridge, labelled with owner as instance.TagOwner) if the engine has
// none. When concurrent creates made several, every caller picks the
// oldest, and a creator whose network lost removes it again.
func (p *Plugin) ensureNetwork(ctx context.Context, name, owner string) (string, error) {
	const op = "docker.Provision"
	p.netMu.Lock() // concurrent provisions in this process create it once
	defer p.netMu.Unlock()
	if id, err := p.findNetwork(ctx, name); err != nil || id != "" {
		return id, err
	}
	opts := network.CreateOptions{Driver: "bridge"}
	if owner != "" {
		opts.Labels = map[string]string{instance.TagOwner: owner}
	}
	created, err := p.cli.NetworkCreate(ctx, name, opts)
	if err != nil && classify(err) != spierr.CodeConflict && !strings.Contains(err.Error(), "already exists") {
		return "", fail(op, err, fmt.Sprintf("create network %q", name))
	}
	id, err := p.findNetwork(ctx, name)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", spierr.Unavailable(op, "network %q was created but the engine does not list it", name)
	}
	if created.ID != "" && created.ID != id {
		_ = p.cli.NetworkRemove(ctx, created.ID) // a concurrent create won; ours is still unused
	}
	return id, nil
}

// findNetwork returns the id of the oldest network called name, or "" if
// there is none (the engine's name filter also matches parts of names).
func (p *Plugin) findNetwork(ctx context.Context, name string) (string, error) {
	nets, err := p.cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		return "", fail("docker.Provision", err, "list networks")
	}
	nets = slices.DeleteFunc(nets, func(n network.Summary) bool { return n.Name != name })
	if len(nets) == 0 {
		return "", nil
	}
	oldest := slices.MinFunc(nets, func(a, b network.Summary) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	return oldest.ID, nil
}
