package sdk

import plugingrpc "github.com/drover/drover/plugins/grpc"

// InstanceProvider is what an instance plugin serves: its schemas, its
// constructor and its declared optional capabilities.
type InstanceProvider = plugingrpc.InstanceProvider

// FlavorProvider is what a flavor plugin serves: its schema and its
// constructor.
type FlavorProvider = plugingrpc.FlavorProvider
