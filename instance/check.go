package instance

import (
	"context"
	"encoding/json"

	"github.com/drover/drover/spierr"
)

// Checker is the optional capability of a plugin that warns about valid
// but risky properties: Validate that also returns the warnings.
type Checker interface {
	Check(ctx context.Context, props json.RawMessage) ([]spierr.Warning, error)
}

// Check validates props with p, and returns its warnings: through p's
// Check where p has one (looking through wrappers), else its Validate,
// which warns of nothing.
func Check(ctx context.Context, p Plugin, props json.RawMessage) ([]spierr.Warning, error) {
	if c, ok := Capability[Checker](p); ok {
		return c.Check(ctx, props)
	}
	return nil, p.Validate(ctx, props)
}
