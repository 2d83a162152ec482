package docker

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/drover/drover/instance"
)

// DetailCreated is the Detail of a container that was created but never
// started (e.g. drover stopped between create and start): it is reported
// stopped, since it will never start by itself.
const DetailCreated = "created, never started"

// Describe lists, in one engine call, every container (running or not)
// whose labels include each pair of selector. Tags are the container's
// labels; Detail is the engine's status text, such as "Exited (137) 3
// seconds ago".
func (p *Plugin) Describe(ctx context.Context, selector map[string]string) ([]instance.Description, error) {
	if err := p.ready(ctx); err != nil {
		return nil, err
	}
	list, err := p.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: labelFilters(selector)})
	if err != nil {
		return nil, fail("docker.Describe", err, "list containers")
	}
	out := make([]instance.Description, 0, len(list))
	for _, c := range list {
		if instance.Matches(c.Labels, selector) {
			out = append(out, describe(c))
		}
	}
	return out, nil
}

// labelFilters filters by every pair of selector.
func labelFilters(selector map[string]string) filters.Args {
	args := filters.NewArgs()
	for _, k := range sortedKeys(selector) {
		args.Add("label", k+"="+selector[k])
	}
	return args
}

// describe maps a listed container.
func describe(c container.Summary) instance.Description {
	state, detail := stateOf(c.State, c.Status)
	return instance.Description{
		ID:        instance.ID(c.ID),
		LogicalID: instance.LogicalID(c.Labels[instance.TagLogicalID]),
		Tags:      c.Labels,
		State:     state,
		Health:    healthOf(c.Status),
		CreatedAt: time.Unix(c.Created, 0),
		Addresses: addresses(c),
		Detail:    detail,
	}
}

// stateOf maps the engine's state and status text:
//
//	running              running
//	restarting           pending
//	created              stopped ("created, never started")
//	exited, dead         stopped
//	removing             terminated
//	paused, anything else unknown
func stateOf(state, status string) (instance.State, string) {
	switch state {
	case "running":
		return instance.StateRunning, status
	case "restarting":
		return instance.StatePending, status
	case "created":
		return instance.StateStopped, DetailCreated
	case "exited", "dead":
		return instance.StateStopped, status
	case "removing":
		return instance.StateTerminated, status
	}
	return instance.StateUnknown, strings.TrimSpace(state + ": " + status)
}

// healthOf reads the healthcheck's verdict from the status text, such as
// "Up 5 seconds (healthy)"; empty without a healthcheck.
func healthOf(status string) string {
	switch {
	case strings.HasSuffix(status, "(healthy)"):
		return instance.HealthHealthy
	case strings.HasSuffix(status, "(unhealthy)"):
		return instance.HealthUnhealthy
	case strings.HasSuffix(status, "(health: starting)"):
		return instance.HealthStarting
	}
	return ""
}

// addresses are the container's IPs on its networks, all private, in
// network name order.
func addresses(c container.Summary) []instance.Address {
	if c.NetworkSettings == nil {
		return nil
	}
	var names []string
	for name, ep := range c.NetworkSettings.Networks {
		if ep != nil && ep.IPAddress != "" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var out []instance.Address
	for _, name := range names {
		out = append(out, instance.Address{Kind: instance.AddressPrivate, IP: c.NetworkSettings.Networks[name].IPAddress})
	}
	return out
}
