package vanilla

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Properties are the flavor "vanilla" {} block, decoded.
type Properties struct {
	// Init is a shell script run when the machine starts, after any init
	// the spec already has.
	Init string `json:"init,omitempty"`
	// Labels are added to every machine's tags.
	Labels map[string]string `json:"labels,omitempty"`
}

// Plugin is the vanilla flavor. It has no state and is safe for
// concurrent use.
type Plugin struct{}

var _ flavor.Plugin = (*Plugin)(nil)

// New returns the vanilla flavor.
func New() *Plugin { return &Plugin{} }

// parse decodes props strictly and checks them: an unknown attribute or a
// label with drover's prefix is a spierr.ErrInvalid error.
func parse(op string, props json.RawMessage) (Properties, error) {
	var p Properties
	if err := instance.DecodeProperties(op, props, &p); err != nil {
		return p, err
	}
	if err := instance.CheckLabels(p.Labels); err != nil {
		return p, spierr.Invalid(op, "%v", err)
	}
	return p, nil
}

// Validate checks props; any allocation is fine.
func (*Plugin) Validate(ctx context.Context, props json.RawMessage, alloc flavor.Allocation) error {
	_, err := parse("vanilla.Validate", props)
	return err
}

// Prepare returns a copy of spec with the init script appended to any it
// has (separated by a newline) and the labels added to its tags; drover's
// own tags are kept. spec itself is not changed.
func (*Plugin) Prepare(ctx context.Context, props json.RawMessage, spec instance.Spec, alloc flavor.Allocation) (instance.Spec, error) {
	p, err := parse("vanilla.Prepare", props)
	if err != nil {
		return instance.Spec{}, err
	}
	out := spec
	out.Properties = bytes.Clone(spec.Properties)
	out.Tags = make(map[string]string, len(spec.Tags)+len(p.Labels))
	maps.Copy(out.Tags, p.Labels)
	maps.Copy(out.Tags, spec.Tags) // labels cannot use drover's keys; the spec's other tags win too
	out.Init = joinInit(spec.Init, p.Init)
	return out, nil
}

// joinInit appends script to init, newline-separated.
func joinInit(init, script string) string {
	switch {
	case script == "":
		return init
	case init == "":
		return script
	}
	return strings.TrimRight(init, "\n") + "\n" + script
}

// Health judges an instance by its state and its own healthcheck:
//
//	stopped, terminated               unhealthy (the detail says why)
//	pending                           unknown ("starting")
//	running, healthcheck unhealthy    unhealthy ("healthcheck failing")
//	running, healthcheck starting     unknown
//	running otherwise                 healthy
//	anything else                     unknown
func (*Plugin) Health(ctx context.Context, props json.RawMessage, inst instance.Description) (flavor.Health, error) {
	if _, err := parse("vanilla.Health", props); err != nil {
		return flavor.Health{}, err
	}
	return health(inst), nil
}

func health(inst instance.Description) flavor.Health {
	switch inst.State {
	case instance.StateStopped, instance.StateTerminated:
		return flavor.Health{Status: flavor.Unhealthy, Reason: reason(string(inst.State), inst.Detail)}
	case instance.StatePending:
		return flavor.Health{Status: flavor.Unknown, Reason: "starting"}
	case instance.StateRunning:
		switch inst.Health {
		case instance.HealthUnhealthy:
			return flavor.Health{Status: flavor.Unhealthy, Reason: "healthcheck failing"}
		case instance.HealthStarting:
			return flavor.Health{Status: flavor.Unknown, Reason: "healthcheck starting"}
		}
		return flavor.Health{Status: flavor.Healthy}
	}
	what := "state unknown"
	if inst.State != instance.StateUnknown && inst.State != "" {
		what = fmt.Sprintf("unexpected state %q", inst.State)
	}
	return flavor.Health{Status: flavor.Unknown, Reason: reason(what, inst.Detail)}
}

// reason is the detail, or what if there is none.
func reason(what, detail string) string {
	if detail == "" {
		return what
	}
	return detail
}

// Drain has nothing to do: a vanilla machine holds no work to move.
func (*Plugin) Drain(ctx context.Context, props json.RawMessage, inst instance.Description) error {
	return nil
}
