package docker_test

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/spierr"
)

// TestProvisionEnvLabelsPorts: env reaches the process, tags and labels
// are on the container, the hostname is the name, and ports are published
// on random host ports that answer.
func TestProvisionEnvLabelsPorts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "web", props(t, docker.Properties{
		Image:  e.demo,
		Env:    map[string]string{"GREETING": "hi from env", "Z": "last"},
		Labels: map[string]string{"app": "demo", "com.example/tier": "front"},
		Ports:  []string{"8080", "9/udp"},
	}))
	s.Tags[instance.TagConfig] = "sha256:abc"
	id := e.provision(t, s)
	c, err := e.cli.ContainerInspect(ctx(t), string(id))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "/"+s.Name || c.Config.Hostname != s.Name {
		t.Errorf("name %q, hostname %q; want %q", c.Name, c.Config.Hostname, s.Name)
	}
	if !slices.Contains(c.Config.Env, "GREETING=hi from env") || !slices.Contains(c.Config.Env, "Z=last") {
		t.Errorf("Env = %q", c.Config.Env)
	}
	for k, v := range maps.All(s.Tags) {
		if c.Config.Labels[k] != v {
			t.Errorf("label %q = %q, want the tag %q", k, c.Config.Labels[k], v)
		}
	}
	if c.Config.Labels["app"] != "demo" || c.Config.Labels["com.example/tier"] != "front" {
		t.Errorf("labels = %v, want the properties' labels too", c.Config.Labels)
	}
	udp := c.NetworkSettings.Ports["9/udp"]
	if len(udp) == 0 || udp[0].HostPort == "" {
		t.Errorf("9/udp is not published: %v", c.NetworkSettings.Ports)
	}
	tcp := c.NetworkSettings.Ports["8080/tcp"]
	if len(tcp) == 0 || tcp[0].HostPort == "" {
		t.Fatalf("8080/tcp is not published: %v", c.NetworkSettings.Ports)
	}
	body := httpGet(t, "http://127.0.0.1:"+tcp[0].HostPort+"/")
	if want := "hello from " + s.Name + ": hi from env"; !strings.Contains(body, want) {
		t.Errorf("GET / = %q, want %q", body, want)
	}
}

// httpGet GETs url, retrying while the server starts.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	var body string
	dockertest.WaitFor(t, 30*time.Second, func() (bool, error) {
		resp, err := (&http.Client{Timeout: time.Second}).Get(url)
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		body = string(b)
		return err == nil && resp.StatusCode == http.StatusOK, fmt.Errorf("GET %s: %s %s %v", url, resp.Status, b, err)
	})
	return body
}

// TestProvisionVolumes: a bind (read-only), a named volume and an
// anonymous volume.
func TestProvisionVolumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dir := t.TempDir()
	vol := dockertest.Name(t, "data")
	s := spec(t, "vols", props(t, docker.Properties{
		Image:   e.demo,
		Volumes: []string{dir + ":/host:ro", vol + ":/data", "/scratch"},
	}))
	id := e.provision(t, s)
	c, err := e.cli.ContainerInspect(ctx(t), string(id))
	if err != nil {
		t.Fatal(err)
	}
	mounts := map[string]container.MountPoint{}
	for _, m := range c.Mounts {
		mounts[m.Destination] = m
	}
	if m := mounts["/host"]; m.Type != "bind" || m.Source != dir || m.RW {
		t.Errorf("/host = %+v, want a read-only bind of %s", m, dir)
	}
	if m := mounts["/data"]; m.Type != "volume" || m.Name != vol || !m.RW {
		t.Errorf("/data = %+v, want the read-write volume %s", m, vol)
	}
	if m := mounts["/scratch"]; m.Type != "volume" || m.Name == "" || m.Name == vol {
		t.Errorf("/scratch = %+v, want an anonymous volume", m)
	}
}

// TestProvisionNetworks: missing networks are created (bridge, labelled
// with the owner), the container is on all of them, addresses are
// reported, and a second container reuses them.
func TestProvisionNetworks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nets := []string{dockertest.Name(t, "front"), dockertest.Name(t, "back")}
	p := props(t, docker.Properties{Image: e.demo, Networks: nets})
	s1, s2 := spec(t, "net1", p), spec(t, "net2", p)
	id1, id2 := e.provision(t, s1), e.provision(t, s2)
	for _, n := range nets {
		list, err := e.cli.NetworkList(ctx(t), network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", n))})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Driver != "bridge" || list[0].Labels[instance.TagOwner] != s1.Tags[instance.TagOwner] {
			t.Fatalf("network %s: %+v, want one bridge network labelled with the owner", n, list)
		}
	}
	for _, id := range []instance.ID{id1, id2} {
		c, err := e.cli.ContainerInspect(ctx(t), string(id))
		if err != nil {
			t.Fatal(err)
		}
		got := slices.Sorted(maps.Keys(c.NetworkSettings.Networks))
		if !slices.Equal(got, slices.Sorted(slices.Values(nets))) {
			t.Errorf("%s is on %v, want %v", id, got, nets)
		}
	}
	d := e.describe(t, s1, id1)
	if len(d.Addresses) != 2 || d.Addresses[0].Kind != instance.AddressPrivate || d.Addresses[0].IP == d.Addresses[1].IP {
		t.Errorf("Addresses = %+v, want two private addresses", d.Addresses)
	}
}

// TestNetworkConcurrentCreate: plugins in different processes (here:
// separate plugins) creating the same network at once all succeed.
func TestNetworkConcurrentCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	net := dockertest.Name(t, "shared")
	p := props(t, docker.Properties{Image: e.demo, Networks: []string{net}})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		plugin := newPlugin(t)
		wg.Go(func() {
			_, errs[i] = plugin.Provision(ctx(t), spec(t, fmt.Sprintf("race%d", i), p))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent provisions on a new network: %v", err)
	}
}

// TestProvisionResourcesAndCapabilities: limits and added capabilities
// are set, and the container runs with them.
func TestProvisionResourcesAndCapabilities(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "limits", props(t, docker.Properties{
		Image:        e.demo,
		Resources:    &docker.Resources{CPUs: 0.5, Memory: 64 << 20},
		Capabilities: []string{"net_admin", "CAP_SYS_TIME"},
		SecurityOpt:  []string{"no-new-privileges"},
	}))
	id := e.provision(t, s)
	c, err := e.cli.ContainerInspect(ctx(t), string(id))
	if err != nil {
		t.Fatal(err)
	}
	h := c.HostConfig
	if h.NanoCPUs != 500_000_000 || h.Memory != 64<<20 {
		t.Errorf("NanoCPUs %d, Memory %d; want 0.5 CPU and 64MiB", h.NanoCPUs, h.Memory)
	}
	if !slices.Contains(h.CapAdd, "CAP_NET_ADMIN") || !slices.Contains(h.CapAdd, "CAP_SYS_TIME") {
		t.Errorf("CapAdd = %q", h.CapAdd)
	}
	if !slices.Contains(h.SecurityOpt, "no-new-privileges") {
		t.Errorf("SecurityOpt = %q", h.SecurityOpt)
	}
	if !c.State.Running {
		t.Errorf("not running: %+v", c.State)
	}
}

// TestProvisionPrivileged: where the engine cannot grant every capability
// (this sandbox), privileged fails with advice to use capabilities, and
// nothing is left behind.
func TestProvisionPrivileged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "priv", props(t, docker.Properties{Image: e.demo, Privileged: true, AllowHostAccess: true}))
	id, err := e.plugin.Provision(ctx(t), s)
	if err == nil {
		c, ierr := e.cli.ContainerInspect(ctx(t), string(id))
		if ierr != nil || !c.HostConfig.Privileged {
			t.Fatalf("privileged provision: %v, privileged %v", ierr, c.HostConfig != nil && c.HostConfig.Privileged)
		}
		t.Skip("privileged containers work on this engine: the capabilities advice is not exercised")
	}
	if !errors.Is(err, spierr.ErrInvalid) || !strings.Contains(err.Error(), "capabilities") {
		t.Errorf("privileged provision = %v, want an invalid error advising capabilities", err)
	}
	assertNoContainer(t, e, s.Name)
}

// assertNoContainer checks that no container is called name.
func assertNoContainer(t *testing.T, e *env, name string) {
	t.Helper()
	list, err := e.cli.ContainerList(ctx(t), container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if slices.Contains(c.Names, "/"+name) {
			t.Errorf("a half-made container %s (%s) was left behind", name, c.Status)
		}
	}
}

// TestProvisionStartFailureLeavesNothing: a container that cannot start is
// removed again.
func TestProvisionStartFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "nostart", props(t, docker.Properties{Image: e.demo, Entrypoint: []string{"/no/such/binary"}}))
	if _, err := e.plugin.Provision(ctx(t), s); err == nil {
		t.Fatal("a container whose entrypoint does not exist was provisioned")
	}
	assertNoContainer(t, e, s.Name)
}

// TestProvisionErrors: a name in use, a missing image and a bad name.
func TestProvisionErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := props(t, docker.Properties{Image: e.demo})
	s := spec(t, "taken", p)
	e.provision(t, s)
	if _, err := e.plugin.Provision(ctx(t), s); !errors.Is(err, spierr.ErrConflict) {
		t.Errorf("name in use: %v, want spierr.ErrConflict", err)
	}
	missing := spec(t, "missing", props(t, docker.Properties{Image: "drover-test/no-such-image:never"}))
	if _, err := e.plugin.Provision(ctx(t), missing); !errors.Is(err, spierr.ErrInvalid) || !strings.Contains(err.Error(), "not on the engine") {
		t.Errorf("missing image: %v, want spierr.ErrInvalid saying the image is not on the engine", err)
	}
	bad := spec(t, "bad", p)
	bad.Name = "no spaces/allowed"
	if _, err := e.plugin.Provision(ctx(t), bad); !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("bad name: %v, want spierr.ErrInvalid (the engine's invalid parameter)", err)
	}
	if _, err := e.plugin.Provision(ctx(t), instance.Spec{Properties: p}); !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("no name: %v, want spierr.ErrInvalid", err)
	}
}

// TestUnavailable: an engine that cannot be reached is unavailable, for
// every call.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "nothing.sock")
	p, err := docker.New(t.Context(), []byte(`{"host": "unix://`+sock+`", "socket_dir": "`+t.TempDir()+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Describe(ctx(t), nil); !errors.Is(err, spierr.ErrUnavailable) {
		t.Errorf("Describe = %v, want spierr.ErrUnavailable", err)
	}
	if err := p.Destroy(ctx(t), "abc", instance.DestroyTerminate); !errors.Is(err, spierr.ErrUnavailable) {
		t.Errorf("Destroy = %v, want spierr.ErrUnavailable", err)
	}
	if _, err := p.Provision(ctx(t), instance.Spec{Name: "x", Properties: []byte(`{"image": "x"}`)}); !errors.Is(err, spierr.ErrUnavailable) {
		t.Errorf("Provision = %v, want spierr.ErrUnavailable", err)
	}
	if _, err := p.Watch(ctx(t), nil); err != nil && !errors.Is(err, spierr.ErrUnavailable) {
		t.Errorf("Watch = %v, want nil (a closed channel) or spierr.ErrUnavailable", err)
	}
	if _, err := docker.New(t.Context(), []byte(`{"hots": "x"}`)); !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("New with an unknown attribute = %v, want spierr.ErrInvalid", err)
	}
	if _, err := os.Stat(sock); err == nil {
		t.Error("the test socket exists")
	}
}

// TestContextCancelled: a call whose context has ended fails at once, as
// unavailable, keeping the context's error.
func TestContextCancelled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, cancel := ctxCancelled(t)
	cancel()
	_, err := e.plugin.Describe(c, map[string]string{dockertest.LabelRun: dockertest.RunID()})
	if !errors.Is(err, spierr.ErrUnavailable) || !errors.Is(err, c.Err()) {
		t.Errorf("Describe with a cancelled context = %v, want unavailable wrapping %v", err, c.Err())
	}
}
