package metric_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"

	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/metric"
)

// TestEngineStats: on the host's engine, a container spinning within a
// CPU limit of half a core reads close to all of its limit, an idle one
// little of a core, and a container's memory a small fraction of its
// 64 MiB limit. Needs a Docker engine (fails without one under CI=true).
func TestEngineStats(t *testing.T) {
	t.Parallel()
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	shell := dockertest.ShellImage(t, cli)
	busyID := run(t, cli, "busy", &container.Config{Image: shell, Cmd: []string{"/bin/sh", "-c", "while :; do :; done"}},
		container.Resources{NanoCPUs: 5e8, Memory: 64 << 20})
	// A shell reading commands from a stdin that never comes is idle.
	idleID := run(t, cli, "idle", &container.Config{Image: shell, Cmd: []string{"/bin/sh"}, OpenStdin: true},
		container.Resources{})
	cpu := newSource(t, "cpu", `{"target":0.5}`, metric.Options{Timeout: 30 * time.Second})
	logStats(t, cli, busyID)
	logStats(t, cli, idleID)

	// The first stats of a container just started may cover its start.
	var got float64
	dockertest.WaitFor(t, time.Minute, func() (bool, error) {
		r, err := cpu.Read(t.Context(), serviceOf(cli, busyID))
		got = r.Value
		return err == nil && r.Value > 0.5, err
	})
	if got > 1 {
		t.Errorf("busy container: %v of its limit, want at most 1", got)
	}
	r, err := cpu.Read(t.Context(), serviceOf(cli, idleID))
	if err != nil || r.Value >= 0.3 {
		t.Errorf("idle container: %+v, %v; want under 0.3 of a core", r, err)
	}
	r, err = newSource(t, "memory", `{"target":0.7}`, metric.Options{Timeout: 30 * time.Second}).Read(t.Context(), serviceOf(cli, busyID))
	if err != nil || r.Value <= 0 || r.Value >= 0.5 {
		t.Errorf("memory of the busy container: %+v, %v; want a little of its 64 MiB", r, err)
	}
	// Both together: the mean, within bounds; one removed is left out.
	if err := cli.ContainerRemove(t.Context(), idleID, container.RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	r, err = cpu.Read(t.Context(), serviceOf(cli, busyID, idleID))
	if err != nil || r.Value <= 0.3 || r.Value > 1 {
		t.Errorf("busy and a removed container: %+v, %v; want the busy one's, most of its limit", r, err)
	}
}

// run creates and starts a labelled container named after suffix and
// returns its ID; Cleanup removes it.
func run(t *testing.T, cli *client.Client, suffix string, cfg *container.Config, res container.Resources) string {
	t.Helper()
	cfg.Labels = dockertest.Label(t)
	c, err := cli.ContainerCreate(t.Context(), cfg, &container.HostConfig{Resources: res}, nil, nil, dockertest.Name(t, suffix))
	if err != nil {
		t.Fatalf("create %s: %v", suffix, err)
	}
	if err := cli.ContainerStart(t.Context(), c.ID, container.StartOptions{}); err != nil {
		t.Fatalf("start %s: %v", suffix, err)
	}
	return c.ID
}

// logStats logs which memory.stat entries the engine reports, and its
// memory limit: what memoryUse relies on.
func logStats(t *testing.T, cli *client.Client, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	r, err := cli.ContainerStats(ctx, id, false)
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	defer r.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		t.Fatalf("stats: %v", err)
	}
	t.Logf("engine stats: online_cpus %d, memory usage %d limit %d, stats %v", s.CPUStats.OnlineCPUs, s.MemoryStats.Usage, s.MemoryStats.Limit, s.MemoryStats.Stats)
}
