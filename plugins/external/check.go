package external

import (
	"context"
	"encoding/json"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Check is Validate that also returns the plugin's warnings about props
// (none from a plugin that has none), through the running process.
func (c *core) Check(ctx context.Context, props json.RawMessage) ([]spierr.Warning, error) {
	return callInstance(ctx, c.s, c.key, "Validate", func(ctx context.Context, p instance.Plugin) ([]spierr.Warning, error) {
		return instance.Check(ctx, p, props)
	})
}
