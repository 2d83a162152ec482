// Package sdk is what a drover plugin's main needs: build the plugin with
// the instance or flavor SPI (packages instance and flavor), describe its
// properties with a schema (package specs/schema), and serve it.
//
// A plugin is an executable named drover-plugin-<name> in drover's plugin
// directory; drover starts it when a spec names the plugin, checks the
// blocks that use it against the schemas it declares (`drover validate`
// included), and restarts it if it dies. A complete instance plugin:
//
//	package main
//
//	import (
//		"context"
//		"encoding/json"
//
//		"github.com/drover/drover/instance"
//		"github.com/drover/drover/plugins/sdk"
//		"github.com/drover/drover/spierr"
//		"github.com/drover/drover/schema"
//	)
//
//	func main() {
//		sdk.ServeInstance(sdk.InstanceProvider{
//			// provider "mycloud" "eu" { region = "eu-1" token = "..." }
//			ProviderSchema: &schema.Block{Attributes: []schema.Attribute{
//				{Name: "region", Type: schema.String, Required: true},
//				{Name: "token", Type: schema.String, Required: true, Sensitive: true},
//			}},
//			// group ... { instance "mycloud" { provider = "eu" size = "small" } }
//			InstanceSchema: &schema.Block{Attributes: []schema.Attribute{
//				{Name: "size", Type: schema.String, Default: "small", OneOf: []string{"small", "large"}},
//			}},
//			New: func(ctx context.Context, config json.RawMessage) (instance.Plugin, error) {
//				var c struct{ Region, Token string }
//				if err := json.Unmarshal(config, &c); err != nil {
//					return nil, spierr.Invalid("mycloud.New", "provider config: %v", err)
//				}
//				return newCloud(c.Region, c.Token), nil // an instance.Plugin
//			},
//			// newCloud's plugin is also an instance.Watcher
//			Capabilities: []instance.Declaration{instance.Watching},
//		})
//	}
//
// A flavor plugin is the same with sdk.ServeFlavor(sdk.FlavorProvider{Schema:
// ..., New: ...}).
//
// What the SDK and drover take care of:
//   - The plugin's calls carry drover's deadline in their context; honour
//     it. A call that overruns is abandoned by drover at the deadline.
//   - Return spierr errors (spierr.NotFound, Unavailable, Invalid, ...):
//     their code, message, RetryAfter and NotDone reach drover intact;
//     other errors arrive as spierr.CodeInternal.
//   - Declare the optional capabilities every plugin New builds has, by
//     their declarations (instance.Labelling, instance.Watching, ...), and
//     its ListLag; drover offers only those, and refuses a provider whose
//     plugin lacks a declared one.
//   - Log with hclog.Default() (github.com/hashicorp/go-hclog): its lines
//     reach drover's log with their level. Never write to stdout, which
//     carries the handshake, and never log provider configs: they hold
//     secrets.
//   - The plugin exits when drover closes the connection or dies; it must
//     not start daemons of its own.
package sdk
