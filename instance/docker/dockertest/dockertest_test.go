package dockertest

import (
	"context"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/internal/await"
)

func TestLabelsAndNames(t *testing.T) {
	l := Label(t)
	if l[LabelRun] != RunID() || l[LabelPID] != strconv.Itoa(os.Getpid()) || l[LabelHost] == "" {
		t.Errorf("Label = %v", l)
	}
	l[LabelRun] = "changed"
	if Label(t)[LabelRun] != RunID() {
		t.Error("Label returns a shared map")
	}
	if got := Tags(t, map[string]string{"a": "b"}); got["a"] != "b" || got[LabelRun] != RunID() {
		t.Errorf("Tags = %v", got)
	}
	n := Name(t, "net")
	if pidOfName(n) != os.Getpid() || pidOfName(Name(t, "")) != os.Getpid() {
		t.Errorf("pidOfName(%q) = %d, want %d", n, pidOfName(n), os.Getpid())
	}
	for _, bad := range []string{"", "web", "drover-test-", "drover-test-x-1"} {
		if pidOfName(bad) != 0 {
			t.Errorf("pidOfName(%q) = %d, want 0", bad, pidOfName(bad))
		}
	}
}

// deadPID returns the pid of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Fatalf("cannot start /bin/true: %v", err)
	}
	if _, err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	return p.Pid
}

func TestSelectors(t *testing.T) {
	dead, live := strconv.Itoa(deadPID(t)), strconv.Itoa(os.Getppid())
	tests := []struct {
		name          string
		labels        map[string]string
		objName       string
		ours, isStale bool
	}{
		{"ours by label", Label(t), "x", true, false},
		{"ours by name", nil, Name(t, "net"), true, false},
		{"ours by owner", map[string]string{instance.TagOwner: Name(t, "")}, "x", true, false},
		{"dead process", map[string]string{LabelRun: dead + "-aa", LabelPID: dead, LabelHost: hostname}, "x", false, true},
		{"dead process elsewhere", map[string]string{LabelRun: dead + "-aa", LabelPID: dead, LabelHost: "other-host"}, "x", false, false},
		{"live process", map[string]string{LabelRun: live + "-aa", LabelPID: live, LabelHost: hostname}, "x", false, false},
		{"dead by name", nil, NamePrefix + dead + "-aa-net", false, true},
		{"dead by owner", map[string]string{instance.TagOwner: NamePrefix + dead + "-aa"}, "x", false, true},
		{"live by name", nil, NamePrefix + live + "-aa-net", false, false},
		{"someone else's", map[string]string{"app": "web"}, "web", false, false},
	}
	for _, tt := range tests {
		if got := ours(tt.labels, tt.objName); got != tt.ours {
			t.Errorf("%s: ours = %v, want %v", tt.name, got, tt.ours)
		}
		if got := stale(tt.labels, tt.objName); got != tt.isStale {
			t.Errorf("%s: stale = %v, want %v", tt.name, got, tt.isStale)
		}
	}
}

// TestSweepStale: leftovers of a dead test process are removed, a live
// one's are not.
func TestSweepStale(t *testing.T) {
	cli := Client(t)
	ctx := context.Background()
	img := DemoImage(t)
	dead, live := strconv.Itoa(deadPID(t)), strconv.Itoa(os.Getppid())
	mk := func(pid, suffix string) string {
		labels := map[string]string{LabelRun: pid + "-beef", LabelPID: pid, LabelHost: hostname}
		c, err := cli.ContainerCreate(ctx, &container.Config{Image: img, Labels: labels}, nil, nil, nil, Name(t, suffix))
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	deadC, liveC := mk(dead, "dead"), mk(live, "live")
	defer func() { _ = cli.ContainerRemove(ctx, liveC, container.RemoveOptions{Force: true}) }()
	deadNet, err := cli.NetworkCreate(ctx, NamePrefix+dead+"-beef-net", network.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sweep(t, cli, stale)
	if _, err := cli.ContainerInspect(ctx, deadC); err == nil {
		t.Error("the dead process's container was not removed")
	}
	if _, err := cli.NetworkInspect(ctx, deadNet.ID, network.InspectOptions{}); err == nil {
		t.Error("the dead process's network was not removed")
	}
	if _, err := cli.ContainerInspect(ctx, liveC); err != nil {
		t.Errorf("the live process's container was removed: %v", err)
	}
}

func TestWaitFor(t *testing.T) {
	n := 0
	start := time.Now()
	WaitFor(t, 5*time.Second, func() (bool, error) { n++; return n == 3, errors.New("not yet") })
	// Two pauses between three checks; how long they took beyond that
	// depends on the machine's load, not on WaitFor.
	if n != 3 || time.Since(start) < 2*await.Interval {
		t.Errorf("WaitFor took %d checks and %v", n, time.Since(start))
	}
}

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root + "/scripts/build-demo-image.sh"); err != nil {
		t.Errorf("RepoRoot = %s, which has no scripts/build-demo-image.sh: %v", root, err)
	}
}

func TestShellImage(t *testing.T) {
	cli := Client(t)
	if name := ShellImage(t, cli); name != ShellImageName {
		t.Errorf("ShellImage = %q", name)
	}
	if _, err := cli.ImageInspect(context.Background(), ShellImageName); err != nil {
		t.Error(err)
	}
}
