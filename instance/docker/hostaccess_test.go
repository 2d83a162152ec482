package docker_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover/drover/instance/docker"
	"github.com/drover/drover/spierr"
)

// TestHostAccess: every setting that gives a container the host is
// refused without allow_host_access, naming the attribute and why, and is
// a warning naming the attribute with it.
func TestHostAccess(t *testing.T) {
	link := filepath.Join(t.TempDir(), "root")
	if err := os.Symlink("/", link); err != nil {
		t.Fatal(err)
	}
	p := newPluginOn(t, "unix:///custom/engine.sock")
	tests := []struct {
		name, props, attr, why string
	}{
		{"root bind", `"volumes": ["/:/host"]`, "volumes[0]", "root directory"},
		{"root bind read-only", `"volumes": ["/srv:/srv", "/:/host:ro"]`, "volumes[1]", "root directory"},
		{"root through ..", `"volumes": ["/srv/../:/host"]`, "volumes[0]", "root directory"},
		{"root through //", `"volumes": ["//:/host"]`, "volumes[0]", "root directory"},
		{"root through a symlink", `"volumes": ["` + link + `:/host"]`, "volumes[0]", "root directory"},
		{"engine socket", `"volumes": ["/var/run/docker.sock:/var/run/docker.sock"]`, "volumes[0]", "engine's socket"},
		{"engine socket in /run", `"volumes": ["/run/docker.sock:/s"]`, "volumes[0]", "engine's socket"},
		{"engine socket via ..", `"volumes": ["/var/lib/../run/docker.sock:/s"]`, "volumes[0]", "engine's socket"},
		{"DOCKER_HOST socket", `"volumes": ["/custom/engine.sock:/s"]`, "volumes[0]", "engine's socket"},
		{"DOCKER_HOST socket's directory", `"volumes": ["/custom:/c"]`, "volumes[0]", "engine's socket"},
		{"directory holding the socket", `"volumes": ["/var/run:/r"]`, "volumes[0]", "engine's socket"},
		{"any docker.sock", `"volumes": ["/opt/x/docker.sock:/s"]`, "volumes[0]", "engine's socket"},
		{"/etc", `"volumes": ["/etc:/e:ro"]`, "volumes[0]", "/etc"},
		{"/proc below", `"volumes": ["/proc/1:/p"]`, "volumes[0]", "/proc"},
		{"/sys", `"volumes": ["/sys:/s"]`, "volumes[0]", "/sys"},
		{"/dev", `"volumes": ["/dev/sda:/d"]`, "volumes[0]", "/dev"},
		{"engine state", `"volumes": ["/var/lib/docker/volumes:/v"]`, "volumes[0]", "/var/lib/docker"},
		{"/home", `"volumes": ["/home:/h"]`, "volumes[0]", "/home"},
		{"/root", `"volumes": ["/root/:/r"]`, "volumes[0]", "/root"},
		{"above /var/lib/docker", `"volumes": ["/var/lib:/l"]`, "volumes[0]", "/var/lib/docker"},
		{"privileged", `"privileged": true`, "privileged", "privileged"},
		{"ALL", `"capabilities": ["NET_ADMIN", "ALL"]`, "capabilities[1]", "ALL"},
		{"all lower case", `"capabilities": ["all"]`, "capabilities[0]", "ALL"},
		{"CAP_ALL", `"capabilities": ["CAP_ALL"]`, "capabilities[0]", "ALL"},
		{"SYS_ADMIN", `"capabilities": ["cap_sys_admin"]`, "capabilities[0]", "SYS_ADMIN"},
		{"SYS_MODULE", `"capabilities": ["SYS_MODULE"]`, "capabilities[0]", "SYS_MODULE"},
		{"seccomp=unconfined", `"security_opt": ["no-new-privileges", "seccomp=unconfined"]`, "security_opt[1]", "seccomp"},
		{"seccomp:unconfined", `"security_opt": ["seccomp:unconfined"]`, "security_opt[0]", "seccomp"},
		{"Seccomp=Unconfined", `"security_opt": ["Seccomp=Unconfined"]`, "security_opt[0]", "seccomp"},
		{"apparmor=unconfined", `"security_opt": ["apparmor=unconfined"]`, "security_opt[0]", "AppArmor"},
		{"apparmor:unconfined", `"security_opt": ["apparmor:unconfined"]`, "security_opt[0]", "AppArmor"},
		{"systempaths=unconfined", `"security_opt": ["systempaths=unconfined"]`, "security_opt[0]", "systempaths"},
		{"label=disable", `"security_opt": ["label=disable"]`, "security_opt[0]", "SELinux"},
		{"label:disable", `"security_opt": ["label:disable"]`, "security_opt[0]", "SELinux"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := `{"image": "demo", ` + tt.props + `}`
			ws, err := p.Check(t.Context(), json.RawMessage(props))
			if !errors.Is(err, spierr.ErrInvalid) || ws != nil {
				t.Fatalf("Check without allow_host_access = %v, %v; want a spierr.ErrInvalid error and no warnings", ws, err)
			}
			if got := spierr.AttributeOf(err); got != tt.attr {
				t.Errorf("attribute = %q, want %q (%v)", got, tt.attr, err)
			}
			for _, want := range []string{tt.why, "allow_host_access"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			allowed := `{"image": "demo", "allow_host_access": true, ` + tt.props + `}`
			ws, err = p.Check(t.Context(), json.RawMessage(allowed))
			if err != nil {
				t.Fatalf("Check with allow_host_access: %v", err)
			}
			if !hasWarning(ws, tt.attr, tt.why) {
				t.Errorf("warnings %+v, want one about %s saying %q", ws, tt.attr, tt.why)
			}
		})
	}
}

// TestHostAccessNotNeeded: what gives no host access needs no opt-in and
// draws no warning; node mode needs none either but is warned about.
func TestHostAccessNotNeeded(t *testing.T) {
	p := newPluginOn(t, "tcp://10.0.0.5:2376")
	quiet := []string{
		`"volumes": ["/srv:/srv", "/home/user/project:/app", "/etc/ssl/certs:/etc/ssl/certs:ro", "data:/data", "/anon"]`,
		`"capabilities": ["NET_ADMIN", "SYS_TIME"]`,
		`"security_opt": ["no-new-privileges", "apparmor=docker-default", "seccomp={}"]`,
		`"privileged": false`,
		`"volumes": ["/var/lib/dockerish:/x", "/procfs:/p"]`,
	}
	for _, props := range quiet {
		t.Run(props, func(t *testing.T) {
			ws, err := p.Check(t.Context(), json.RawMessage(`{"image": "demo", `+props+`}`))
			if err != nil || len(ws) != 0 {
				t.Errorf("Check = %+v, %v; want no warnings and no error", ws, err)
			}
		})
	}
	ws, err := p.Check(t.Context(), json.RawMessage(`{"image": "drover/node:bookworm", "node": true}`))
	if err != nil || len(ws) != 1 || !hasWarning(ws, "node", "root-equivalent") {
		t.Errorf("node: Check = %+v, %v; want one warning that it is root-equivalent", ws, err)
	}
	// Validate is Check without the warnings.
	if err := p.Validate(t.Context(), json.RawMessage(`{"image": "demo", "privileged": true}`)); spierr.AttributeOf(err) != "privileged" {
		t.Errorf("Validate(privileged) = %v, want an error about privileged", err)
	}
}

func hasWarning(ws []spierr.Warning, attr, says string) bool {
	for _, w := range ws {
		if w.Attribute == attr && strings.Contains(w.Message, says) {
			return true
		}
	}
	return false
}

// newPluginOn is a plugin for the engine at host, which it never calls.
func newPluginOn(t *testing.T, host string) *docker.Plugin {
	t.Helper()
	cfg, _ := json.Marshal(docker.Config{Host: host, SocketDir: t.TempDir()})
	p, err := docker.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}
