package plugingrpc

import (
	"context"

	pb "github.com/drover/drover/plugins/grpc/proto/droverplugin/v1"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// flavorPlugin is the go-plugin Plugin of the flavor SPI: gRPC only. The
// plugin side sets provider; drover's side uses the zero value.
type flavorPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	provider *FlavorProvider
}

var _ plugin.GRPCPlugin = (*flavorPlugin)(nil)

// GRPCServer registers the flavor service, in the plugin process.
func (p *flavorPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterFlavorPluginServer(s, newFlavorServer(*p.provider))
	return nil
}

// GRPCClient returns a *FlavorClient, in drover. ctx ends when the plugin
// process exits.
func (p *flavorPlugin) GRPCClient(ctx context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &FlavorClient{rpc: pb.NewFlavorPluginClient(c), done: ctx}, nil
}
