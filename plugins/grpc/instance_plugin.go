package plugingrpc

import (
	"context"

	pb "github.com/drover/drover/plugins/grpc/proto/droverplugin/v1"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// instancePlugin is the go-plugin Plugin of the instance SPI: gRPC only.
// The plugin side sets provider; drover's side uses the zero value.
type instancePlugin struct {
	plugin.NetRPCUnsupportedPlugin
	provider *InstanceProvider
}

var _ plugin.GRPCPlugin = (*instancePlugin)(nil)

// GRPCServer registers the instance service, in the plugin process.
func (p *instancePlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterInstancePluginServer(s, newInstanceServer(*p.provider))
	return nil
}

// GRPCClient returns an *InstanceClient, in drover. ctx ends when the
// plugin process exits.
func (p *instancePlugin) GRPCClient(ctx context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &InstanceClient{rpc: pb.NewInstancePluginClient(c), done: ctx}, nil
}
