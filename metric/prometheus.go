package metric

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/schema"
)

// prometheusPlugin is the `metric "prometheus" {}` block: a Prometheus
// instant query whose value is kept at a target, as a utilisation.
var prometheusPlugin = Plugin{
	Schema: prometheusSchema(),
	Kinds:  []resource.Kind{resource.Service, resource.Group},
	New:    newPrometheus,
}

// prometheusSchema is the schema of the prometheus block.
func prometheusSchema() *schema.Block {
	return &schema.Block{
		Description: "A Prometheus instant query returning one number per replica (or machine), kept at target: " +
			"desired = ceil(ready × value / target).",
		Attributes: []schema.Attribute{
			{Name: "address", Type: schema.String, Required: true, Sensitive: true,
				Description: `Prometheus base URL, such as "http://prometheus:9090"; it may hold credentials (https://user:password@host)`},
			{Name: "query", Type: schema.String, Required: true,
				Description: "PromQL instant query returning one series or a scalar, the value PER REPLICA " +
					`(such as avg(rate(http_requests_total{job="web"}[1m]))): several series must be aggregated (sum, avg, max)`},
			{Name: "target", Type: schema.Number, Required: true, Min: schema.Ptr(0),
				Description: "the value per replica the query is kept at; more than 0"},
		},
	}
}

// prometheusProps are the block's properties.
type prometheusProps struct {
	Address string  `json:"address"`
	Query   string  `json:"query"`
	Target  float64 `json:"target"`
}

// prometheusSource reads one query.
type prometheusSource struct {
	api     v1.API
	query   string
	target  float64
	timeout time.Duration
}

// newPrometheus makes a Source of a prometheus block. The address and the
// query are never named in its errors: the address may hold credentials.
func newPrometheus(props json.RawMessage, opts Options) (Source, error) {
	var p prometheusProps
	if err := json.Unmarshal(props, &p); err != nil {
		return nil, quiet("the block's properties do not decode", err)
	}
	if err := checkPrometheusAddress(p.Address); err != nil {
		return nil, err
	}
	if p.Query == "" {
		return nil, quiet("the query is empty", nil)
	}
	if !(p.Target > 0) || math.IsInf(p.Target, 0) {
		return nil, quiet("target must be a number more than 0", nil)
	}
	client, err := api.NewClient(api.Config{
		Address:      p.Address,
		RoundTripper: boundedTransport{next: api.DefaultRoundTripper, max: prometheusMaxBody},
	})
	if err != nil {
		// Not kept as the cause: the URL parser's error quotes the address.
		return nil, quiet("the address is not usable", nil)
	}
	return &prometheusSource{
		api:     v1.NewAPI(client),
		query:   p.Query,
		target:  p.Target,
		timeout: opts.withDefaults().Timeout,
	}, nil
}

// checkPrometheusAddress accepts a base URL: http or https, a host, no
// query nor fragment. Credentials (user:password@) are allowed. The URL
// parser's own error is not kept: it quotes the address.
func checkPrometheusAddress(addr string) error {
	u, err := url.Parse(addr)
	switch {
	case err != nil:
		return quiet("the address is not a URL", nil)
	case u.Scheme != "http" && u.Scheme != "https":
		return quiet("the address must be an http or https URL", nil)
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return quiet("the address has no host", nil)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.RawFragment != "":
		return quiet("the address must be a base URL, without query (?) nor fragment (#)", nil)
	}
	return nil
}

// Read runs the instant query, within the timeout of Options. Reads may
// run concurrently.
func (s *prometheusSource) Read(ctx context.Context, _ Scope) (autoscale.Reading, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var status atomic.Int64
	ctx = context.WithValue(ctx, statusKey{}, &status)
	v, _, _, err := s.api.Query(ctx, s.query, time.Time{}, v1.WithTimeout(s.timeout))
	if err != nil {
		return autoscale.Reading{}, quiet(queryFailure(err, int(status.Load()), s.timeout), withoutURL(err))
	}
	x, err := oneNumber(v)
	if err != nil {
		return autoscale.Reading{}, err
	}
	return autoscale.Reading{Metric: "prometheus", Value: x, Target: s.target}, nil
}

// errNoSeries is the reading of a query that matches nothing now.
var errNoSeries = quiet("the query returned no series", nil)

// oneNumber is the value of a query's result: a scalar or a vector of
// one sample, a finite number.
func oneNumber(v model.Value) (float64, error) {
	var x float64
	switch v := v.(type) {
	case *model.Scalar:
		x = float64(v.Value)
	case model.Vector:
		switch {
		case len(v) == 0:
			return 0, errNoSeries
		case len(v) > 1:
			return 0, quiet(fmt.Sprintf("the query returned %d series: aggregate them (sum, avg, max)", len(v)), nil)
		case v[0].Histogram != nil:
			return 0, quiet("the query returned a histogram, not a number", nil)
		}
		x = float64(v[0].Value)
	case nil:
		return 0, quiet("the query returned no result", nil)
	default:
		return 0, quiet(fmt.Sprintf("the query returned a %s, not a number: make it an instant vector of one series", v.Type()), nil)
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, quiet(fmt.Sprintf("the query's value is %v, not a number", x), nil)
	}
	return x, nil
}
