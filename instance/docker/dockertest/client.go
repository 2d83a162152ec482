package dockertest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// pingTimeout bounds the check that the engine is there.
const pingTimeout = 5 * time.Second

// Client connects to the engine (DOCKER_HOST or the local socket, with API
// version negotiation) and pings it. Without an engine the test is
// skipped, except when the environment variable CI is "true": there a
// missing engine fails the test. The client is closed when the test ends.
func Client(t testing.TB) *client.Client {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		defer cancel()
		if _, err = cli.Ping(ctx); err != nil {
			_ = cli.Close()
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("a Docker engine is needed and CI=true, but it cannot be reached: %v", err)
		}
		t.Skipf("skipped: this test needs a Docker engine (DOCKER_HOST or the local socket): %v", err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	return cli
}
