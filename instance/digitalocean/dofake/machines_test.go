package dofake_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/drover/drover/instance/digitalocean/dofake"
	"github.com/drover/drover/instance/docker/dockertest"
)

// Droplets backed by node containers: the user data runs, the container's
// address is the droplet's, deleting the droplet removes the container.
func TestMachines(t *testing.T) {
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	machines := &dofake.Machines{Engine: cli, Image: dockertest.NodeImage(t, cli), Prefix: dockertest.Name(t, "do") + "-", Labels: dockertest.Label(t)}
	f, _, c := setup(t, dofake.Options{Machines: machines})
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	tests := []struct {
		name     string
		userData string
		// check runs in the container once it is up; it must print "ok".
		check string
	}{
		{name: "script", userData: "#!/bin/sh\necho ran > /tmp/user-data-ran\n", check: `cat /tmp/user-data-ran >/dev/null && hostname | grep -q '^m-script$' && echo ok`},
		{name: "cloud-config", userData: "#cloud-config\nruncmd: [touch /tmp/x]\n", check: `test ! -e /tmp/x && pgrep dockerd >/dev/null && echo ok`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := create("m-" + tt.name)
			req.UserData = tt.userData
			d, _, err := c.Droplets.Create(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := c.Droplets.Get(t.Context(), d.ID)
			if err != nil {
				t.Fatal(err)
			}
			pub, _ := got.PublicIPv4()
			priv, _ := got.PrivateIPv4()
			cid := containerOf(t, machines, d.ID)
			info, err := cli.ContainerInspect(t.Context(), cid)
			if err != nil {
				t.Fatal(err)
			}
			ip := info.NetworkSettings.Networks[machines.Network].IPAddress
			if ip == "" || pub != ip || priv != ip {
				t.Errorf("droplet addresses public %q private %q, want the container's %q", pub, priv, ip)
			}
			dockertest.WaitFor(t, 30*time.Second, func() (bool, error) {
				out, err := execIn(t.Context(), cli, cid, tt.check)
				return strings.TrimSpace(out) == "ok", fmt.Errorf("check %q: %q %v", tt.check, out, err)
			})
			if _, err := c.Droplets.Delete(t.Context(), d.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := cli.ContainerInspect(t.Context(), cid); err == nil {
				t.Error("the deleted droplet's container is still there")
			}
		})
	}
	if err := f.MachineErr(); err != nil {
		t.Errorf("MachineErr: %v", err)
	}
}

// A droplet whose container cannot start fails like an asynchronous
// create failure: it disappears, its create action is errored.
func TestMachinesCreateFails(t *testing.T) {
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	machines := &dofake.Machines{Engine: cli, Image: "drover-test/no-such-image:never", Prefix: dockertest.Name(t, "dobad") + "-", Labels: dockertest.Label(t)}
	f, _, c := setup(t, dofake.Options{Machines: machines})
	t.Cleanup(func() { f.Close() })
	d, resp, err := c.Droplets.Create(t.Context(), create("m-bad"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Droplets.Get(t.Context(), d.ID); status(err) != 404 {
		t.Errorf("the failed droplet: err = %v, want 404", err)
	}
	a, _, err := c.Actions.Get(t.Context(), resp.Links.Actions[0].ID)
	if err != nil || a.Status != "errored" {
		t.Errorf("create action %+v, %v: want errored", a, err)
	}
	if f.MachineErr() == nil {
		t.Error("MachineErr is nil")
	}
}

// containerOf finds a droplet's container by its label.
func containerOf(t *testing.T, m *dofake.Machines, id int) string {
	t.Helper()
	list, err := m.Engine.ContainerList(t.Context(), container.ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Labels[dofake.LabelDroplet] == fmt.Sprint(id) && strings.HasPrefix(strings.TrimPrefix(c.Names[0], "/"), m.Prefix) {
			return c.ID
		}
	}
	t.Fatalf("no container of droplet %d", id)
	return ""
}

// execIn runs sh -c script in a container and returns its output.
func execIn(ctx context.Context, cli *client.Client, id, script string) (string, error) {
	ex, err := cli.ContainerExecCreate(ctx, id, container.ExecOptions{Cmd: []string{"sh", "-c", script}, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return "", err
	}
	att, err := cli.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		return "", err
	}
	defer att.Close()
	var out bytes.Buffer
	_, err = stdcopy.StdCopy(&out, &out, att.Reader)
	return out.String(), err
}
