// Package plugingrpc is the transport of drover's external plugins: the
// instance and flavor SPIs over gRPC, with hashicorp/go-plugin starting
// the plugin process, checking a versioned handshake (Handshake) and
// securing the connection with AutoMTLS. It manages no processes itself:
// drover's side gets an *InstanceClient or *FlavorClient from go-plugin's
// Dispense (configured with ClientConfig), and a plugin binary calls Serve
// (through plugins/sdk).
//
// What crosses the boundary:
//   - Schemas: a plugin declares its property schemas (InstanceClient.Info,
//     FlavorClient.Info), so drover validates an external plugin's blocks
//     as it does a built-in's.
//   - Providers: an instance plugin serves any number of provider blocks;
//     InstanceClient.Configure builds one under a key that each later call
//     carries. After a plugin restart the keys are gone: calls fail with
//     ErrNotConfigured until Configure is called again.
//   - Capabilities: an instance plugin declares its optional capabilities
//     by name (InstanceProvider.Capabilities: instance.Labelling, ...) and
//     its list lag; the instance.Plugin Configure returns has exactly
//     those, found with instance.Capability as in-process. Every unary
//     capability crosses as one generic Call (its name, JSON arguments,
//     JSON result: instance.Invoke on the plugin's side); Watch is its own
//     stream. A call of a capability the plugin did not declare is refused
//     (spierr.ErrUnsupported, not done). The flavor.Plugin
//     FlavorClient.Flavor returns is a flavor.Observer exactly when the
//     plugin's is.
//   - Errors: spierr errors keep their code, op, message, RetryAfter and
//     NotDone (as spierr.Wire, a detail of the gRPC status). A plugin that
//     cannot be reached gives spierr.ErrUnavailable errors, not marked
//     NotDone: the call may have happened.
//   - Deadlines: every call carries the caller's context deadline to the
//     plugin, and is cut off at it on drover's side even if the plugin
//     ignores it (the error matches context.DeadlineExceeded). A context
//     without a deadline gets DefaultTimeout. Watch streams last as long as
//     their context.
//
// Properties, specs and descriptions travel as JSON bytes in the Go types'
// encoding; the protocol is proto/droverplugin/v1/plugin.proto. A Describe
// of 1,000 instances costs a few milliseconds over the wire (see
// BenchmarkDescribe1000 and scripts/bench.sh).
package plugingrpc
