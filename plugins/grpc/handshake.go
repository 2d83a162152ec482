package plugingrpc

import (
	"os/exec"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Handshake is what drover and a plugin check before they talk. Bump
// ProtocolVersion on an incompatible change of the proto service; the
// magic cookie only stops a plugin binary run by hand from waiting for a
// handshake (it is not security: AutoMTLS is). Version 2: capabilities
// are declared by name and called through the generic Call.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  2,
	MagicCookieKey:   "DROVER_PLUGIN",
	MagicCookieValue: "4f9d3c1e-drover-plugin-v1-8a2b6e57c0d4",
}

// The names a plugin binary serves its SPIs under (plugin.PluginSet keys).
const (
	PluginInstance = "instance"
	PluginFlavor   = "flavor"
)

// StartTimeout bounds a plugin's start, up to the end of the handshake.
const StartTimeout = 10 * time.Second

// MaxRecvMsgSize bounds a reply drover accepts from a plugin: gRPC's
// default of 4 MiB is a Describe of about 20,000 instances.
const MaxRecvMsgSize = 64 << 20

// ClientPlugins is the plugin set for plugin.ClientConfig.Plugins, both
// SPIs: Dispense(PluginInstance) returns an *InstanceClient,
// Dispense(PluginFlavor) a *FlavorClient.
func ClientPlugins() plugin.PluginSet {
	return plugin.PluginSet{
		PluginInstance: &instancePlugin{},
		PluginFlavor:   &flavorPlugin{},
	}
}

// ClientConfig returns drover's go-plugin client configuration for the
// plugin cmd: gRPC only, AutoMTLS, StartTimeout, the plugin's logs to
// logger, no environment inherited from drover (SkipHostEnv: set cmd.Env
// to what the plugin may see), replies up to MaxRecvMsgSize, and not
// Managed (go-plugin's global list of managed clients is never pruned, so
// the caller kills its clients itself). Callers may adjust the fields.
func ClientConfig(cmd *exec.Cmd, logger hclog.Logger) *plugin.ClientConfig {
	return &plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          ClientPlugins(),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     StartTimeout,
		SkipHostEnv:      true,
		Logger:           logger,
		GRPCDialOptions: []grpc.DialOption{
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxRecvMsgSize)),
		},
		Managed: false,
	}
}
