package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/docker/docker/api/types/container"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/resource"
)

// One group on the example external plugin (the docker provider served
// by examples/plugins/dockerx, out of process), one on the built-in docker
// provider.
const pluginSpec = `
variable "image" {}
provider "dockerx" "x" {}
provider "docker" "local" {}
group "ext" {
  size = 2
  instance "dockerx" {
    provider = provider.dockerx.x
    image    = var.image
  }
  flavor "vanilla" {}
}
group "web" {
  size = 2
  instance "docker" {
    provider = provider.docker.local
    image    = var.image
  }
  flavor "vanilla" {}
}
`

// pluginPid finds the dockerx plugin process the daemon started.
func pluginPid(t *testing.T, daemon int) int {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		f := strings.Fields(s[i+1:])
		if len(f) < 2 || f[0] == "Z" || !strings.Contains(s[:i], "(drover-plugin-") {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid == daemon {
			pid, _ := strconv.Atoi(strings.Fields(s)[0])
			return pid
		}
	}
	return 0
}

// A spec whose group uses an external plugin validates, plans, applies and
// heals like a built-in; SIGKILL the plugin while machines are missing: its
// group is degraded, the plugin comes back, the group converges, and the
// built-in group goes on converging meanwhile.
func TestExternalPluginEndToEnd(t *testing.T) {
	t.Parallel()
	w := newDaemonWorld(t, "plug")
	if err := os.WriteFile(w.spec, []byte(pluginSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	plugin := filepath.Join(w.data, "plugins", "drover-plugin-dockerx") // the default plugin dir
	build := exec.Command("go", "build", "-o", plugin, "../../examples/plugins/dockerx")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the plugin: %v\n%s", err, out)
	}
	img := "image=" + w.image
	if code, out := w.drover("validate", "-var", img, w.spec); code != 0 {
		t.Fatalf("validate exited %d:\n%s", code, out)
	}
	if code, out := w.drover("plan", "-detailed-exitcode", "-var", img, w.spec); code != exitPlanChanges || !strings.Contains(out, "+ ext-2") || !strings.Contains(out, "+ web-2") {
		t.Fatalf("plan exited %d:\n%s", code, out)
	}

	d := w.start()
	out := w.mustDrover("apply", "--wait", "-var", img, w.spec)
	if !strings.Contains(out, "Revision 1 converged") {
		t.Fatalf("apply --wait:\n%s", out)
	}
	if got := sortedNames(w.machines()); strings.Join(got, " ") != "ext-1 ext-2 web-1 web-2" {
		t.Fatalf("machines: %v", got)
	}
	c := w.client()
	remove := func(name string) string {
		t.Helper()
		m := w.machines()[name]
		if err := w.cli.ContainerRemove(t.Context(), m.ID, container.RemoveOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	healed := func(name, old string) bool {
		m, ok := w.machines()[name]
		return ok && m.ID != old && m.State == "running"
	}
	group := func(st api.Status, name string) resource.Status {
		for _, r := range st.Resources {
			if r.Name == name {
				return r
			}
		}
		return resource.Status{}
	}

	// Heal through the plugin.
	old := remove("ext-1")
	dockertest.WaitFor(t, e2eBound, func() (bool, error) {
		st, err := c.Status(t.Context())
		return err == nil && st.Converged && healed("ext-1", old), fmt.Errorf("status %+v, %v", st, err)
	})

	// Kill the plugin with a machine of each group missing.
	pid := pluginPid(t, d.cmd.Process.Pid)
	if pid == 0 {
		t.Fatalf("no plugin process under the daemon %d", d.cmd.Process.Pid)
	}
	oldExt, oldWeb := remove("ext-2"), remove("web-1")
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var degraded string
	dockertest.WaitFor(t, e2eBound, func() (bool, error) {
		st, err := c.Status(t.Context())
		if err != nil {
			return false, err
		}
		ext := group(st, "ext")
		if strings.Contains(ext.LastError, "plugin dockerx") && degraded == "" {
			degraded = ext.LastError
		}
		for _, cd := range ext.Conditions {
			if cd.Type == "Degraded" && cd.Status == "True" && degraded == "" {
				degraded = cd.Message
			}
		}
		return degraded != "", fmt.Errorf("group ext never degraded: %+v", ext)
	})
	t.Logf("ext while the plugin was down: %s", degraded)
	dockertest.WaitFor(t, e2eBound, func() (bool, error) {
		st, err := c.Status(t.Context())
		now := pluginPid(t, d.cmd.Process.Pid)
		return err == nil && st.Converged && healed("ext-2", oldExt) && healed("web-1", oldWeb) && now != 0 && now != pid,
			fmt.Errorf("status %+v, %v; plugin pid %d (was %d)", st, err, now, pid)
	})
	if !strings.Contains(d.out.String(), "plugin down; restarting") {
		t.Errorf("the daemon's log does not tell of the crash:\n%s", d.out)
	}
	w.mustDrover("destroy", "--auto-approve", "--wait")
	w.stop(d)
	if now := pluginPid(t, d.cmd.Process.Pid); now != 0 {
		t.Errorf("plugin %d outlived the daemon", now)
	}
}
