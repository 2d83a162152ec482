package docker

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/go-connections/nat"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker/engine"
)

// testPlugin is a plugin for building requests; it never calls the engine.
func testPlugin(t *testing.T, socketDir string) *Plugin {
	t.Helper()
	cfg, _ := json.Marshal(Config{SocketDir: socketDir})
	p, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func build(t *testing.T, p *Plugin, spec instance.Spec, props Properties, img imageCommand) createRequest {
	t.Helper()
	req, err := p.buildRequest(spec, props, img)
	if err != nil {
		t.Fatalf("buildRequest: %v", err)
	}
	return req
}

// TestBuildRequest checks how each property family becomes container
// configuration.
func TestBuildRequest(t *testing.T) {
	p := testPlugin(t, "/run/drover")
	spec := instance.Spec{
		Name:      "web-1",
		Tags:      map[string]string{instance.TagOwner: "me", instance.TagGroup: "web", "shared": "from-tags"},
		LogicalID: "l1",
	}
	props := Properties{
		Image:        "demo",
		Env:          map[string]string{"B": "2", "A": "1=one"},
		Labels:       map[string]string{"app": "web", "shared": "from-props"},
		Ports:        []string{"80", "53/udp"},
		Volumes:      []string{"/srv:/data:ro", "cache:/cache", "/anon"},
		Capabilities: []string{"net_admin", "CAP_SYS_TIME", "NET_ADMIN"},
		SecurityOpt:  []string{"no-new-privileges"},
		Networks:     []string{"front", "back"},
		Resources:    &Resources{CPUs: 1.5, Memory: 64 << 20},
	}
	req := build(t, p, spec, props, imageCommand{})
	c, h := req.Config, req.Host
	if c.Hostname != "web-1" || req.Name != "web-1" || c.Image != "demo" {
		t.Errorf("name, hostname, image = %q, %q, %q", req.Name, c.Hostname, c.Image)
	}
	if want := []string{"A=1=one", "B=2"}; !slices.Equal(c.Env, want) {
		t.Errorf("Env = %q, want %q", c.Env, want)
	}
	wantLabels := map[string]string{
		instance.TagOwner: "me", instance.TagGroup: "web", instance.TagLogicalID: "l1",
		"shared": "from-tags", "app": "web",
	}
	if !maps.Equal(c.Labels, wantLabels) {
		t.Errorf("Labels = %v, want %v", c.Labels, wantLabels)
	}
	wantExposed := nat.PortSet{"80/tcp": {}, "53/udp": {}}
	if !reflect.DeepEqual(c.ExposedPorts, wantExposed) {
		t.Errorf("ExposedPorts = %v, want %v", c.ExposedPorts, wantExposed)
	}
	for port := range wantExposed {
		if b := h.PortBindings[port]; len(b) != 1 || b[0].HostPort != "" {
			t.Errorf("PortBindings[%s] = %v, want one binding on a random host port", port, b)
		}
	}
	if want := []string{"/srv:/data:ro", "cache:/cache:rw"}; !slices.Equal(h.Binds, want) {
		t.Errorf("Binds = %q, want %q", h.Binds, want)
	}
	if !maps.Equal(c.Volumes, map[string]struct{}{"/anon": {}}) {
		t.Errorf("Volumes = %v, want the anonymous /anon", c.Volumes)
	}
	if want := []string{"CAP_NET_ADMIN", "CAP_SYS_TIME"}; !slices.Equal(h.CapAdd, want) {
		t.Errorf("CapAdd = %q, want %q", h.CapAdd, want)
	}
	if !slices.Equal(h.SecurityOpt, []string{"no-new-privileges"}) || h.Privileged {
		t.Errorf("SecurityOpt, Privileged = %q, %v", h.SecurityOpt, h.Privileged)
	}
	if h.NanoCPUs != 1_500_000_000 || h.Memory != 64<<20 {
		t.Errorf("NanoCPUs, Memory = %d, %d", h.NanoCPUs, h.Memory)
	}
	if !slices.Equal(req.Networks, []string{"front", "back"}) || req.Network != nil || req.Connect != nil {
		t.Errorf("Networks %q, Network %v, Connect %q: want the names, resolved at create", req.Networks, req.Network, req.Connect)
	}
	if c.Entrypoint != nil || c.Cmd != nil || req.NodeDir != "" {
		t.Errorf("Entrypoint %q, Cmd %q, NodeDir %q: want the image's and no node", c.Entrypoint, c.Cmd, req.NodeDir)
	}
}

// TestBuildRequestMinimal: no properties beyond the image leave the
// engine's defaults alone.
func TestBuildRequestMinimal(t *testing.T) {
	req := build(t, testPlugin(t, "/x"), instance.Spec{Name: "a"}, Properties{Image: "demo"}, imageCommand{})
	if req.Networks != nil || req.Config.ExposedPorts != nil || req.Host.Binds != nil ||
		req.Config.Volumes != nil || req.Host.CapAdd != nil || req.Host.NanoCPUs != 0 || req.Host.NetworkMode != "" {
		t.Errorf("minimal request sets more than needed: %+v %+v", req.Config, req.Host)
	}
}

// TestCommandInit checks the init wrapper: the script runs, then the
// image's (or the properties') command replaces the shell.
func TestCommandInit(t *testing.T) {
	img := imageCommand{Entrypoint: []string{"/app"}, Cmd: []string{"--port", "80"}}
	script := "echo 'a b'\ntouch /ready"
	wrap := func(run ...string) []string {
		return append([]string{"/bin/sh", "-c", script + "\nexec \"$@\"", "drover-init"}, run...)
	}
	tests := []struct {
		name  string
		init  string
		props Properties
		want  []string // entrypoint + cmd
	}{
		{"no init: image's", "", Properties{}, nil},
		{"no init: overrides", "", Properties{Entrypoint: []string{"/x"}, Command: []string{"y"}}, []string{"/x", "y"}},
		{"init: image's", script, Properties{}, wrap("/app", "--port", "80")},
		{"init: command override", script, Properties{Command: []string{"--port", "81"}}, wrap("/app", "--port", "81")},
		{"init: entrypoint override drops image cmd", script, Properties{Entrypoint: []string{"/other"}}, wrap("/other")},
		{"init: both overrides", script, Properties{Entrypoint: []string{"/other"}, Command: []string{"z"}}, wrap("/other", "z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.props.Image = "demo"
			ep, cmd, err := command(tt.init, tt.props, img)
			if err != nil {
				t.Fatal(err)
			}
			if got := append(slices.Clone(ep), cmd...); !slices.Equal(got, tt.want) {
				t.Errorf("entrypoint+cmd = %q, want %q", got, tt.want)
			}
			if tt.init != "" && (len(ep) != 4 || ep[3] != initName) {
				t.Errorf("entrypoint = %q, want the 4-element wrapper", ep)
			}
		})
	}
	if _, _, err := command(script, Properties{Image: "empty"}, imageCommand{}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("init with nothing to run after it: err = %v, want an error naming the image", err)
	}
}

// TestNodeRequest checks the container a node gets: every capability but
// SYS_RESOURCE, unconfined security, the cgroup and socket binds, the
// anonymous engine data volume and the engine label.
func TestNodeRequest(t *testing.T) {
	p := testPlugin(t, "/run/drover/nodes")
	spec := instance.Spec{Name: "dev-1", Tags: map[string]string{instance.TagGroup: "dev"}}
	props := Properties{Image: "drover/node:bookworm", Node: true, Capabilities: []string{"PERFMON"}, SecurityOpt: []string{"label=disable"}}
	req := build(t, p, spec, props, imageCommand{})
	h, c := req.Host, req.Config
	if req.NodeDir != "/run/drover/nodes/dev-1" {
		t.Errorf("NodeDir = %q", req.NodeDir)
	}
	if got := c.Labels[TagEngine]; got != "unix:///run/drover/nodes/dev-1/docker.sock" {
		t.Errorf("engine label = %q", got)
	}
	if c.Labels[instance.TagGroup] != "dev" {
		t.Errorf("labels lost the tags: %v", c.Labels)
	}
	if slices.Contains(h.CapAdd, "CAP_SYS_RESOURCE") || slices.Contains(h.CapAdd, "ALL") || h.Privileged {
		t.Errorf("CapAdd = %q, privileged %v: want no SYS_RESOURCE, not privileged", h.CapAdd, h.Privileged)
	}
	for _, want := range []string{"CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_MKNOD", "CAP_AUDIT_READ", "CAP_PERFMON"} {
		if !slices.Contains(h.CapAdd, want) {
			t.Errorf("CapAdd lacks %s: %q", want, h.CapAdd)
		}
	}
	if len(h.CapAdd) != len(engine.NodeCapabilities)+1 {
		t.Errorf("CapAdd has %d capabilities, want the %d of a node and PERFMON", len(h.CapAdd), len(engine.NodeCapabilities))
	}
	wantOpt := []string{"seccomp=unconfined", "apparmor=unconfined", "label=disable"}
	if !slices.Equal(h.SecurityOpt, wantOpt) {
		t.Errorf("SecurityOpt = %q, want %q", h.SecurityOpt, wantOpt)
	}
	if h.MaskedPaths == nil || len(h.MaskedPaths) != 0 || h.ReadonlyPaths == nil || len(h.ReadonlyPaths) != 0 {
		t.Errorf("MaskedPaths %q, ReadonlyPaths %q: want empty lists (systempaths=unconfined)", h.MaskedPaths, h.ReadonlyPaths)
	}
	wantBinds := []string{"/sys/fs/cgroup:/sys/fs/cgroup:rw", "/run/drover/nodes/dev-1:/var/run:rw"}
	if !slices.Equal(h.Binds, wantBinds) {
		t.Errorf("Binds = %q, want %q", h.Binds, wantBinds)
	}
	if _, ok := c.Volumes["/var/lib/docker"]; !ok || len(c.Volumes) != 1 {
		t.Errorf("Volumes = %v, want the anonymous /var/lib/docker", c.Volumes)
	}
	if len(h.PortBindings) != 0 || len(c.ExposedPorts) != 0 {
		t.Errorf("a node publishes ports: %v %v (its engine is reached by socket only)", c.ExposedPorts, h.PortBindings)
	}
}

// TestNodeRequestVariants: privileged nodes get no capability list, a
// volume at /var/lib/docker replaces the anonymous one, and a socket path
// too long for Linux is refused.
func TestNodeRequestVariants(t *testing.T) {
	p := testPlugin(t, "/n")
	req := build(t, p, instance.Spec{Name: "a"}, Properties{Image: "x", Node: true, Privileged: true}, imageCommand{})
	if !req.Host.Privileged || req.Host.CapAdd != nil {
		t.Errorf("privileged node: Privileged %v, CapAdd %q; want privileged and no list", req.Host.Privileged, req.Host.CapAdd)
	}
	req = build(t, p, instance.Spec{Name: "a"}, Properties{Image: "x", Node: true, Volumes: []string{"data:/var/lib/docker/"}}, imageCommand{})
	if len(req.Config.Volumes) != 0 || !slices.Contains(req.Host.Binds, "data:/var/lib/docker/:rw") {
		t.Errorf("Volumes %v, Binds %q: want the named volume instead of the anonymous one", req.Config.Volumes, req.Host.Binds)
	}
	long := testPlugin(t, "/"+strings.Repeat("d", 100))
	if _, err := long.buildRequest(instance.Spec{Name: "node"}, Properties{Image: "x", Node: true}, imageCommand{}); err == nil {
		t.Error("a socket path over 107 characters was accepted")
	}
}

// TestSpecNotMutated: building a request copies what it takes from the
// spec and the properties.
func TestSpecNotMutated(t *testing.T) {
	tags := map[string]string{"a": "1"}
	props := Properties{Image: "x", Node: true, Capabilities: []string{"NET_ADMIN"}, SecurityOpt: []string{"o=1"}, Command: []string{"c"}}
	req := build(t, testPlugin(t, "/n"), instance.Spec{Name: "n", Tags: tags}, props, imageCommand{})
	req.Config.Labels["b"] = "2"
	req.Config.Cmd[0] = "changed"
	req.Host.SecurityOpt[0] = "changed"
	if len(tags) != 1 || props.Command[0] != "c" || props.SecurityOpt[0] != "o=1" || len(props.Capabilities) != 1 {
		t.Errorf("the spec or properties changed: %v %+v", tags, props)
	}
}

// TestSecurityOpt: options the docker CLI translates are translated alike.
func TestSecurityOpt(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "seccomp.json")
	if err := os.WriteFile(profile, []byte(`{"defaultAction": "SCMP_ACT_ALLOW"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	h := &container.HostConfig{SecurityOpt: []string{"no-new-privileges", "systempaths=unconfined", "seccomp=" + profile, "seccomp=unconfined", `seccomp={"a": 1}`}}
	if err := securityOpt(h); err != nil {
		t.Fatal(err)
	}
	want := []string{"no-new-privileges", `seccomp={"defaultAction": "SCMP_ACT_ALLOW"}`, "seccomp=unconfined", `seccomp={"a": 1}`}
	if !slices.Equal(h.SecurityOpt, want) || h.MaskedPaths == nil || h.ReadonlyPaths == nil {
		t.Errorf("SecurityOpt %q, MaskedPaths %q, ReadonlyPaths %q; want %q and empty path lists", h.SecurityOpt, h.MaskedPaths, h.ReadonlyPaths, want)
	}
	h = &container.HostConfig{SecurityOpt: []string{"no-new-privileges"}}
	if err := securityOpt(h); err != nil || h.MaskedPaths != nil {
		t.Errorf("default system paths changed: %v %q", err, h.MaskedPaths)
	}
	if err := securityOpt(&container.HostConfig{SecurityOpt: []string{"seccomp=/no/such/profile.json"}}); err == nil || !strings.Contains(err.Error(), "security_opt") {
		t.Errorf("missing seccomp profile: %v, want an error naming security_opt", err)
	}
}
