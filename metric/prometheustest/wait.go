package prometheustest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/drover/drover/internal/await"
)

// queryTimeout bounds one query of AwaitValue.
const queryTimeout = 5 * time.Second

// AwaitValue waits until the instant query, run by s, returns want (a
// scalar, or a vector of one sample), failing the test with what it
// returned last if that takes longer than timeout.
func (s *Server) AwaitValue(t testing.TB, query string, want float64, timeout time.Duration) {
	t.Helper()
	client, err := api.NewClient(api.Config{Address: s.url})
	if err != nil {
		t.Fatalf("prometheustest: %v", err)
	}
	prom := v1.NewAPI(client)
	await.Until(t, timeout, func() (bool, error) {
		got, err := s.value(t.Context(), prom, query)
		if err != nil {
			return false, fmt.Errorf("query %s, awaiting %v: %w", query, want, err)
		}
		if got != want {
			return false, fmt.Errorf("query %s returned %v, awaiting %v", query, got, want)
		}
		return true, nil
	})
}

// value is the one number the query returns.
func (s *Server) value(ctx context.Context, prom v1.API, query string) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	v, _, _, err := prom.Query(ctx, query, time.Time{})
	if err != nil {
		return 0, err
	}
	switch v := v.(type) {
	case *model.Scalar:
		return float64(v.Value), nil
	case model.Vector:
		if len(v) != 1 {
			return 0, fmt.Errorf("%d series, not one", len(v))
		}
		return float64(v[0].Value), nil
	case nil:
		return 0, fmt.Errorf("no result")
	}
	return 0, fmt.Errorf("a %v, not a number", v.Type())
}
