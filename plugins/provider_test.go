package plugins

import (
	"testing"

	"github.com/drover/drover/flavor/vanilla"
	"github.com/drover/drover/instance/docker"
)

// TestProvider: a built-in converts to what a plugin binary serves.
func TestProvider(t *testing.T) {
	r := Builtins(BuiltinOptions{})
	ip, ok := r.Instance(docker.PluginName)
	if !ok {
		t.Fatal("no docker plugin")
	}
	p := ip.Provider()
	if p.ProviderSchema != ip.ProviderSchema || p.InstanceSchema != ip.InstanceSchema || p.New == nil {
		t.Errorf("InstancePlugin.Provider() = %+v, want its schemas and constructor", p)
	}
	fp, ok := r.Flavor(vanilla.PluginName)
	if !ok {
		t.Fatal("no vanilla flavor")
	}
	if f := fp.Provider(); f.Schema != fp.Schema || f.New == nil {
		t.Errorf("FlavorPlugin.Provider() = %+v, want its schema and constructor", f)
	}
}
