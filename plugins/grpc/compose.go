package plugingrpc

import (
	"github.com/drover/drover/instance"
)

// compose returns p with exactly the optional capabilities that are not
// nil, so that type assertions on the result (and instance.Capability)
// answer as on a plugin that has those methods itself: the controller
// discovers capabilities that way. Each combination is its own struct
// type, as in controller/metrics/instrument.go. Every result also has
// p's Check (validation with warnings).
func compose(p checkingPlugin, w instance.Watcher, l instance.Labeller, g instance.Lagging) instance.Plugin {
	type (
		P = checkingPlugin
		W = instance.Watcher
		L = instance.Labeller
		G = instance.Lagging
	)
	var mask int
	for i, has := range []bool{w != nil, l != nil, g != nil} {
		if has {
			mask |= 1 << i
		}
	}
	switch mask {
	case 0b001:
		return struct {
			P
			W
		}{p, w}
	case 0b010:
		return struct {
			P
			L
		}{p, l}
	case 0b011:
		return struct {
			P
			W
			L
		}{p, w, l}
	case 0b100:
		return struct {
			P
			G
		}{p, g}
	case 0b101:
		return struct {
			P
			W
			G
		}{p, w, g}
	case 0b110:
		return struct {
			P
			L
			G
		}{p, l, g}
	case 0b111:
		return struct {
			P
			W
			L
			G
		}{p, w, l, g}
	}
	return p
}

// checkingPlugin is an instance.Plugin with Check: Validate that also
// returns the plugin's warnings. The remote plugin always has it (a plugin
// without warnings sends none).
type checkingPlugin interface {
	instance.Plugin
	instance.Checker
}
