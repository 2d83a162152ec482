package docker_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker"
	"github.com/drover/drover/instance/docker/dockertest"
)

// waitDescribed waits until the description of id satisfies ok and
// returns it.
func (e *env) waitDescribed(t *testing.T, s instance.Spec, id instance.ID, timeout time.Duration, what string, ok func(instance.Description) bool) instance.Description {
	t.Helper()
	var d instance.Description
	dockertest.WaitFor(t, timeout, func() (bool, error) {
		d = e.describe(t, s, id)
		if ok(d) {
			return true, nil
		}
		return false, &waitError{what: what, d: d}
	})
	return d
}

type waitError struct {
	what string
	d    instance.Description
}

func (w *waitError) Error() string {
	return "want " + w.what + ", have state " + string(w.d.State) + ", health " + w.d.Health + ", detail " + w.d.Detail
}

// TestHealth: the demo app's healthcheck is reported healthy, then
// unhealthy after POST /sick.
func TestHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "health", props(t, docker.Properties{Image: e.demo}))
	id := e.provision(t, s)
	d := e.waitDescribed(t, s, id, time.Minute, "healthy", func(d instance.Description) bool {
		return d.Health == instance.HealthHealthy
	})
	if d.State != instance.StateRunning || len(d.Addresses) == 0 {
		t.Fatalf("healthy container: %+v, want running with an address", d)
	}
	resp, err := http.Post("http://"+d.Addresses[0].IP+":8080/sick", "text/plain", nil)
	if err != nil {
		t.Fatalf("POST /sick: %v", err)
	}
	resp.Body.Close()
	d = e.waitDescribed(t, s, id, time.Minute, "unhealthy", func(d instance.Description) bool {
		return d.Health == instance.HealthUnhealthy
	})
	if d.State != instance.StateRunning || !strings.Contains(d.Detail, "(unhealthy)") {
		t.Errorf("unhealthy container: %+v, want still running, the status as detail", d)
	}
}

// TestStateAfterKill: a killed container is stopped, with its exit status
// as the detail.
func TestStateAfterKill(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "kill", props(t, docker.Properties{Image: e.demo}))
	id := e.provision(t, s)
	if d := e.describe(t, s, id); d.State != instance.StateRunning {
		t.Fatalf("fresh container: %+v, want running", d)
	}
	if err := e.cli.ContainerKill(ctx(t), string(id), "KILL"); err != nil {
		t.Fatal(err)
	}
	d := e.waitDescribed(t, s, id, 30*time.Second, "stopped", func(d instance.Description) bool {
		return d.State == instance.StateStopped
	})
	if !strings.HasPrefix(d.Detail, "Exited (137)") {
		t.Errorf("Detail = %q, want the exit status 137", d.Detail)
	}
}

// TestStateCrash: a container that exits by itself right after starting
// (CRASH=1) was provisioned and is then stopped.
func TestStateCrash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "crash", props(t, docker.Properties{Image: e.demo, Env: map[string]string{"CRASH": "1"}}))
	id := e.provision(t, s)
	d := e.waitDescribed(t, s, id, 30*time.Second, "stopped", func(d instance.Description) bool {
		return d.State == instance.StateStopped
	})
	if !strings.HasPrefix(d.Detail, "Exited (3)") {
		t.Errorf("Detail = %q, want the exit status 3", d.Detail)
	}
}

// TestStateCreatedNeverStarted: a container made but never started (drover
// stopped between create and start) is stopped, "created, never started".
func TestStateCreatedNeverStarted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "created", nil)
	c, err := e.cli.ContainerCreate(ctx(t), &container.Config{Image: e.demo, Labels: s.Tags}, nil, nil, nil, s.Name)
	if err != nil {
		t.Fatal(err)
	}
	d := e.describe(t, s, instance.ID(c.ID))
	if d.State != instance.StateStopped || d.Detail != docker.DetailCreated {
		t.Errorf("created container: state %q, detail %q; want stopped, %q", d.State, d.Detail, docker.DetailCreated)
	}
}

// TestInit: the init script runs before the image's command (or the
// command override), which then replaces the shell with its arguments
// intact, inheriting what the script exported. Needs an image with /bin/sh: one is imported from the host's
// dash (skipped, saying so, where the host has none).
func TestInit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	image := dockertest.ShellImage(t, e.cli)
	tests := []struct {
		name  string
		props docker.Properties
		want  string
	}{
		{"image command", docker.Properties{Image: image}, "init ran\nmain\n"},
		{"command override", docker.Properties{Image: image, Command: []string{"/bin/sh", "-c", `echo "$0|$1|$FROM_INIT"`, "a b", "c"}}, "init ran\na b|c|1\n"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec(t, "init"+string(rune('a'+i)), props(t, tt.props))
			s.Init = "echo 'init ran'\nexport FROM_INIT=1"
			id := e.provision(t, s)
			e.waitDescribed(t, s, id, 30*time.Second, "exited", func(d instance.Description) bool {
				return d.State == instance.StateStopped
			})
			if got := logs(t, e, id); got != tt.want {
				t.Errorf("output = %q, want %q", got, tt.want)
			}
		})
	}
}

// logs returns a container's stdout.
func logs(t *testing.T, e *env, id instance.ID) string {
	t.Helper()
	rc, err := e.cli.ContainerLogs(ctx(t), string(id), container.LogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, rc); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	if stderr.Len() > 0 {
		t.Logf("stderr: %s", stderr.String())
	}
	return stdout.String()
}
