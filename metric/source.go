package metric

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/drover/drover/autoscale"
)

// source is a Source made of a read function: Read bounds read with the
// timeout and makes its value a reading of the metric against target.
type source struct {
	metric  string
	target  float64
	timeout time.Duration
	read    func(ctx context.Context, s Scope) (float64, error)
}

// Read implements Source. On error the reading names the metric and its
// target only.
func (src source) Read(ctx context.Context, s Scope) (autoscale.Reading, error) {
	ctx, cancel := context.WithTimeout(ctx, src.timeout)
	defer cancel()
	r := autoscale.Reading{Metric: src.metric, Target: src.target}
	v, err := src.read(ctx, s)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (the %s read did not end within %v)", err, src.metric, src.timeout)
		}
		return r, err
	}
	r.Value = v
	return r, nil
}

// newTargetSource is a Plugin's New for a metric whose block holds only a
// target: a source named metric that reads with read.
func newTargetSource(metric string, read func(ctx context.Context, s Scope) (float64, error)) func(json.RawMessage, Options) (Source, error) {
	return func(props json.RawMessage, opts Options) (Source, error) {
		target, err := decodeTarget(props)
		if err != nil {
			return nil, fmt.Errorf("metric %q: %w", metric, err)
		}
		return source{metric: metric, target: target, timeout: opts.withDefaults().Timeout, read: read}, nil
	}
}

// mean is the mean of vs, which must not be empty.
func mean(vs []float64) float64 {
	var sum float64
	for _, v := range vs {
		sum += v
	}
	return sum / float64(len(vs))
}
