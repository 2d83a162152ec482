package docker_test

import (
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker"
	"github.com/drover/drover/instance/docker/dockertest"
)

// TestCPU: a container spinning within a CPU limit of half a core uses
// most of its limit, an idle one little of the host, and a container that
// does not exist is left out (no data, not a failure). Found as drover finds it: instance.Capability.
func TestCPU(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m, ok := instance.Capability[instance.MetricsSource](instance.Plugin(e.plugin))
	if !ok {
		t.Fatal("the docker plugin is not a MetricsSource")
	}
	shell := dockertest.ShellImage(t, e.cli)
	busy := e.provision(t, spec(t, "cpubusy", props(t, docker.Properties{
		Image:     shell,
		Command:   []string{"/bin/sh", "-c", "while :; do :; done"},
		Resources: &docker.Resources{CPUs: 0.5},
	})))
	idle := e.provision(t, spec(t, "cpuidle", props(t, docker.Properties{Image: e.demo})))
	const gone = instance.ID("00000000000000000000000000000000000000000000000000000000000000aa")
	if got, err := m.CPU(ctx(t), []instance.ID{gone}); err != nil || len(got) != 0 {
		t.Fatalf("CPU of a container that does not exist = %v, %v; want nothing and no error", got, err)
	}
	var got map[instance.ID]float64
	dockertest.WaitFor(t, time.Minute, func() (bool, error) {
		var err error
		got, err = m.CPU(ctx(t), []instance.ID{busy, idle, gone})
		return err == nil && got[busy] >= 0.5, err
	})
	if _, ok := got[idle]; !ok || got[idle] > 0.25 {
		t.Errorf("idle container: %v (reported %v), want a little", got[idle], ok)
	}
	if len(got) != 2 || got[busy] > 1 {
		t.Errorf("CPU = %v, want the busy container at most 1 and the missing one left out", got)
	}
}
