package sdk_test

import (
	"context"
	"encoding/json"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/vanilla"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/plugins/sdk"
	"github.com/drover/drover/schema"
	"github.com/drover/drover/spierr"
)

// An instance plugin's main: an in-memory provider.
func ExampleServeInstance() {
	sdk.ServeInstance(sdk.InstanceProvider{
		ProviderSchema: &schema.Block{Attributes: []schema.Attribute{
			{Name: "region", Type: schema.String, Required: true},
		}},
		InstanceSchema: &schema.Block{Attributes: []schema.Attribute{
			{Name: "size", Type: schema.String, Default: "small", OneOf: []string{"small", "large"}},
		}},
		New: func(ctx context.Context, config json.RawMessage) (instance.Plugin, error) {
			var c struct {
				Region string `json:"region"`
			}
			if err := json.Unmarshal(config, &c); err != nil {
				return nil, spierr.Invalid("memory.New", "provider config: %v", err)
			}
			return fake.New(nil), nil
		},
	})
}

// A flavor plugin's main: the vanilla flavor, served from a binary.
func ExampleServeFlavor() {
	sdk.ServeFlavor(sdk.FlavorProvider{
		Schema: vanilla.Schema(),
		New:    func(context.Context) (flavor.Plugin, error) { return vanilla.New(), nil },
	})
}
