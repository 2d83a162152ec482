package dockertest

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/drover/drover/instance"
)

// cleanupTimeout bounds one sweep.
const cleanupTimeout = time.Minute

var (
	staleOnce sync.Once
	active    struct {
		sync.Mutex
		n int
	}
)

// Cleanup makes the engine clean around the test. Called at the start of a
// test (before it creates anything), it first removes, once per process,
// the leftovers of earlier test processes on this host that are no longer
// alive (found by their pid label, or by the pid in a name made by Name).
// It then registers a cleanup that removes every container (with its
// volumes), network and volume of this process's run id, once the last
// test that called Cleanup has ended, so parallel tests of one binary do
// not remove each other's things. Another live test process's things are
// never touched.
func Cleanup(t testing.TB, cli *client.Client) {
	t.Helper()
	staleOnce.Do(func() { sweep(t, cli, stale) })
	active.Lock()
	active.n++
	active.Unlock()
	t.Cleanup(func() {
		active.Lock()
		defer active.Unlock()
		if active.n--; active.n == 0 {
			sweep(t, cli, ours)
		}
	})
}

// ours selects this run's things: by run label, or by a name (or owner
// label) made by Name.
func ours(labels map[string]string, name string) bool {
	return labels[LabelRun] == runID ||
		strings.HasPrefix(name, Name(nil, "")) ||
		strings.HasPrefix(labels[instance.TagOwner], Name(nil, ""))
}

// stale selects things of test processes on this host that have died.
func stale(labels map[string]string, name string) bool {
	if p, err := strconv.Atoi(labels[LabelPID]); err == nil {
		return labels[LabelHost] == hostname && p != pid && !alive(p)
	}
	p := pidOfName(name)
	if p == 0 {
		p = pidOfName(labels[instance.TagOwner])
	}
	return p != 0 && p != pid && !alive(p)
}

// alive reports whether process p exists on this host.
func alive(p int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(p))
	return err == nil
}

// sweep removes the containers, then networks, then volumes that sel
// selects. Errors are logged, not fatal: cleanup is best effort.
func sweep(t testing.TB, cli *client.Client, sel func(labels map[string]string, name string) bool) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	sweepContainers(ctx, t, cli, sel)
	sweepNetworks(ctx, t, cli, sel)
	sweepVolumes(ctx, t, cli, sel)
}

func sweepContainers(ctx context.Context, t testing.TB, cli *client.Client, sel func(map[string]string, string) bool) {
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		t.Logf("dockertest cleanup: list containers: %v", err)
		return
	}
	for _, c := range list {
		name := ""
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		if !sel(c.Labels, name) {
			continue
		}
		err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !strings.Contains(err.Error(), "No such container") {
			t.Logf("dockertest cleanup: remove container %s: %v", name, err)
		}
	}
}

func sweepNetworks(ctx context.Context, t testing.TB, cli *client.Client, sel func(map[string]string, string) bool) {
	nets, err := cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs()})
	if err != nil {
		t.Logf("dockertest cleanup: list networks: %v", err)
		return
	}
	for _, n := range nets {
		if sel(n.Labels, n.Name) {
			if err := cli.NetworkRemove(ctx, n.ID); err != nil {
				t.Logf("dockertest cleanup: remove network %s: %v", n.Name, err)
			}
		}
	}
}

func sweepVolumes(ctx context.Context, t testing.TB, cli *client.Client, sel func(map[string]string, string) bool) {
	vols, err := cli.VolumeList(ctx, volume.ListOptions{})
	if err != nil {
		t.Logf("dockertest cleanup: list volumes: %v", err)
		return
	}
	for _, v := range vols.Volumes {
		if v != nil && sel(v.Labels, v.Name) {
			if err := cli.VolumeRemove(ctx, v.Name, true); err != nil {
				t.Logf("dockertest cleanup: remove volume %s: %v", v.Name, err)
			}
		}
	}
}
