package autoscale

import "github.com/drover/drover/resource"

// The kinds of the events of an autoscaler: every evaluation sends one.
const (
	// EventAutoscaled: the evaluation changed the count (Action up or down).
	EventAutoscaled = "autoscaled"
	// EventHeld: the evaluation kept the count, and says which rule held it.
	EventHeld = "scale_held"
	// EventFailed: the evaluation could not be made (the resource could
	// not be observed); the count is kept.
	EventFailed = "autoscale_failed"
)

// Resource is d in the vocabulary that status, events and metrics share.
func (d Decision) Resource(p Policy) resource.Autoscaling {
	out := resource.Autoscaling{
		Min: p.Min, Max: p.Max, Current: d.Current, Ready: d.Ready,
		Recommended: d.Recommended, Desired: d.Desired,
		Action: string(d.Action), Rule: d.Rule, Message: d.Message,
		At: d.At, NextUp: d.NextUp, NextDown: d.NextDown,
		Metrics: make([]resource.MetricReading, 0, len(d.Metrics)),
	}
	for _, m := range d.Metrics {
		out.Metrics = append(out.Metrics, resource.MetricReading{
			Metric: m.Metric, Value: m.Value, Target: m.Target,
			Recommended: m.Recommended, Error: m.Err, Detail: m.Detail,
		})
	}
	return out
}

// Event is the event of decision d of resource key.
func (d Decision) Event(key resource.Key, p Policy) resource.Event {
	kind := EventHeld
	if d.Action != Hold {
		kind = EventAutoscaled
	}
	a := d.Resource(p)
	return resource.Event{Time: d.At, Resource: key, Kind: kind, Reason: d.Message, Autoscale: &a}
}
