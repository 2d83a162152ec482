package docker

import (
	"context"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"

	"github.com/drover/drover/instance"
)

// watchedActions are the container events Watch reports. health_status
// also matches "health_status: healthy" and the like.
var watchedActions = []string{"create", "start", "die", "kill", "stop", "oom", "destroy", "health_status"}

// engineAttributes are event attributes that are not container labels.
var engineAttributes = []string{"image", "name", "exitCode", "signal", "execID", "execDuration"}

// watchBuffer is how many changes wait for a slow reader before the event
// stream is held up.
const watchBuffer = 64

// Watch streams hints from the engine's event stream: a Change for every
// create, start, die, kill, stop, oom, destroy and health status event of
// a container whose labels include every pair of selector. The channel is
// closed when ctx ends or the stream fails (e.g. the engine restarts); the
// caller watches again.
func (p *Plugin) Watch(ctx context.Context, selector map[string]string) (<-chan instance.Change, error) {
	if err := p.ready(ctx); err != nil {
		return nil, err
	}
	msgs, errs := p.cli.Events(ctx, events.ListOptions{Filters: watchFilters(selector)})
	select {
	case err := <-errs: // the request failed at once
		if err != nil {
			return nil, fail("docker.Watch", err, "engine events")
		}
	default:
	}
	out := make(chan instance.Change, watchBuffer)
	go forward(ctx, msgs, errs, selector, out)
	return out, nil
}

// watchFilters selects container events of the watched actions whose
// labels include every pair of selector.
func watchFilters(selector map[string]string) filters.Args {
	args := labelFilters(selector)
	args.Add("type", string(events.ContainerEventType))
	for _, a := range watchedActions {
		args.Add("event", a)
	}
	return args
}

// forward turns engine events into changes until ctx ends or the stream
// fails, then closes out.
func forward(ctx context.Context, msgs <-chan events.Message, errs <-chan error, selector map[string]string, out chan<- instance.Change) {
	defer close(out)
	for {
		select {
		case <-ctx.Done():
			return
		case <-errs:
			return
		case m := <-msgs:
			ch, ok := change(m, selector)
			if !ok {
				continue
			}
			select {
			case out <- ch:
			case <-ctx.Done():
				return
			}
		}
	}
}

// change maps an event; ok is false for events Watch does not report.
func change(m events.Message, selector map[string]string) (instance.Change, bool) {
	action := string(m.Action)
	base, _, _ := strings.Cut(action, ":")
	if m.Type != events.ContainerEventType || !slices.Contains(watchedActions, base) {
		return instance.Change{}, false
	}
	tags := make(map[string]string, len(m.Actor.Attributes))
	for k, v := range m.Actor.Attributes {
		if !slices.Contains(engineAttributes, k) {
			tags[k] = v
		}
	}
	if !instance.Matches(tags, selector) {
		return instance.Change{}, false
	}
	return instance.Change{ID: instance.ID(m.Actor.ID), Tags: tags, Action: action}, true
}
