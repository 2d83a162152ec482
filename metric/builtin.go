package metric

// builtins are the metric plugins of drover, by the label of their block:
// the one place that lists them. A new metric is one entry here and one
// file of its own.
var builtins = map[string]Plugin{
	"cpu":              cpuPlugin,
	"memory":           memoryPlugin,
	"digitalocean_cpu": digitaloceanCPUPlugin,
	"prometheus":       prometheusPlugin,
	PendingTasks:       pendingPlugin,
}

// Builtins returns the metric plugins, by name.
func Builtins() map[string]Plugin {
	out := make(map[string]Plugin, len(builtins))
	for name, p := range builtins {
		out[name] = p
	}
	return out
}

// withDefaults is o with its zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	return o
}
