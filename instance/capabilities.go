package instance

import "context"

// The declared capabilities (see Declaration): one declaration each, with
// the func-adapter type that makes one from a function. A new capability
// is its interface in plugin.go and its declaration here; the wrappers and
// the transport carry it as they are.
var (
	// Watching declares Watcher, "watch": a stream.
	Watching = declareStream("watch", Watcher.Watch,
		func(f func(context.Context, map[string]string) (<-chan Change, error)) Watcher { return watchFunc(f) })

	// Labelling declares Labeller, "label".
	Labelling = declare("label",
		func(l Labeller, ctx context.Context, a labelArgs) (struct{}, error) {
			return struct{}{}, l.Label(ctx, a.ID, a.Labels)
		},
		func(f func(context.Context, labelArgs) (struct{}, error)) Labeller {
			return labelFunc(func(ctx context.Context, id ID, labels map[string]string) error {
				_, err := f(ctx, labelArgs{ID: id, Labels: labels})
				return err
			})
		})

	// Measuring declares MetricsSource, "cpu".
	Measuring = declare("cpu", MetricsSource.CPU,
		func(f func(context.Context, []ID) (map[ID]float64, error)) MetricsSource { return cpuFunc(f) })
)

type cpuFunc func(context.Context, []ID) (map[ID]float64, error)

func (f cpuFunc) CPU(ctx context.Context, ids []ID) (map[ID]float64, error) { return f(ctx, ids) }

type watchFunc func(context.Context, map[string]string) (<-chan Change, error)

func (f watchFunc) Watch(ctx context.Context, selector map[string]string) (<-chan Change, error) {
	return f(ctx, selector)
}

// labelArgs are Label's arguments, as one value.
type labelArgs struct {
	ID     ID                `json:"id"`
	Labels map[string]string `json:"labels,omitempty"`
}

type labelFunc func(context.Context, ID, map[string]string) error

func (f labelFunc) Label(ctx context.Context, id ID, labels map[string]string) error {
	return f(ctx, id, labels)
}
