// Command drover-plugin-dockerx is an example external instance plugin:
// drover's docker provider, served out of process. A spec uses it as
// provider "dockerx" and instance "dockerx"; see README.md and example.hcl.
//
//	go build -o <plugin-dir>/drover-plugin-dockerx ./examples/plugins/dockerx
package main

import (
	"context"
	"encoding/json"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker"
	plugingrpc "github.com/drover/drover/plugins/grpc"
	"github.com/drover/drover/plugins/sdk"
)

func main() {
	// Nothing may be printed on stdout before this: it carries the handshake.
	sdk.ServeInstance(plugingrpc.InstanceProvider{
		ProviderSchema: docker.ProviderSchema(),
		InstanceSchema: docker.InstanceSchema(),
		Capabilities:   []instance.Declaration{instance.Watching}, // docker's plugin streams engine events
		New: func(ctx context.Context, config json.RawMessage) (instance.Plugin, error) {
			p, err := docker.New(ctx, config)
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return p, nil
		},
	})
}
