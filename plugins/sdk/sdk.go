package sdk

import plugingrpc "github.com/drover/drover/plugins/grpc"

// ServeInstance serves p, an instance plugin, to the drover that started
// this process, and exits when drover closes the connection or dies. Call
// it from main, before writing anything to stdout.
func ServeInstance(p plugingrpc.InstanceProvider) {
	plugingrpc.Serve(plugingrpc.ServeConfig{Instance: &p})
}

// ServeFlavor serves p, a flavor plugin, as ServeInstance does.
func ServeFlavor(p plugingrpc.FlavorProvider) {
	plugingrpc.Serve(plugingrpc.ServeConfig{Flavor: &p})
}

// Serve serves both an instance plugin and a flavor from one binary.
func Serve(instance plugingrpc.InstanceProvider, flavor plugingrpc.FlavorProvider) {
	plugingrpc.Serve(plugingrpc.ServeConfig{Instance: &instance, Flavor: &flavor})
}
