package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// pluginGroup is a spec of one group whose instance block holds body, on
// lines 5 and on.
func pluginGroup(plugin, body string) string {
	providers := map[string]string{
		"docker": `provider "docker" "local" {}`,
		"digitalocean": `provider "digitalocean" "fra1" {
  token  = env("DIGITALOCEAN_TOKEN")
  region = "fra1"
}`,
	}
	return fmt.Sprintf(`%s

group "g" {
  size = 1
  instance %q {
%s
  }
  flavor "vanilla" {}
}
`, providers[plugin], plugin, body)
}

// TestValidatePlugins: validate refuses what the plugins refuse (what plan
// would refuse), at the line of the attribute they name, and shows their
// warnings; without a DIGITALOCEAN_TOKEN.
func TestValidatePlugins(t *testing.T) {
	t.Parallel()
	bigUserData := strings.Repeat("x", 64<<10+1)
	tests := []struct {
		name, plugin, body string
		line               int    // of the diagnostic
		severity, says     string // "error" or "warning"; what it says
	}{
		{"reserved label", "docker", `image = "demo:1"
    labels = { "drover.owner" = "me" }`, 7, "error", "drover's own"},
		{"bad env name", "docker", `image = "demo:1"
    env = { "A=B" = "1" }`, 7, "error", "env"},
		{"bad port", "docker", `image = "demo:1"
    ports = ["80", "8080:80"]`, 7, "error", "ports[1]"},
		{"bad volume", "docker", `image = "demo:1"
    volumes = ["/a:/b:rx"]`, 7, "error", "volumes[0]"},
		{"bad network", "docker", `image = "demo:1"
    networks = ["host"]`, 7, "error", "networks[0]"},
		{"root bind", "docker", `image = "demo:1"
    volumes = [
      "/srv:/srv",
      "/:/host",
    ]`, 9, "error", "allow_host_access"},
		{"engine socket", "docker", `image = "demo:1"
    volumes = ["/var/run/docker.sock:/var/run/docker.sock"]`, 7, "error", "engine's socket"},
		{"privileged", "docker", `image = "demo:1"
    privileged = true`, 7, "error", "allow_host_access"},
		{"ALL capabilities", "docker", `image = "demo:1"
    capabilities = ["NET_ADMIN", "cap_all"]`, 7, "error", "ALL"},
		{"unconfined seccomp", "docker", `image = "demo:1"
    security_opt = ["seccomp:unconfined"]`, 7, "error", "seccomp"},
		{"privileged allowed", "docker", `image = "demo:1"

    privileged = true
    allow_host_access = true`, 8, "warning", "privileged"},
		{"root bind allowed", "docker", `image = "demo:1"
    allow_host_access = true
    volumes = ["/:/host"]`, 8, "warning", "root directory"},
		{"node mode", "docker", `image = "drover/node:bookworm"
    node = true`, 7, "warning", "root-equivalent"},
		{"user data over 64 KiB", "digitalocean", `size = "s-1vcpu-1gb"
    image = "docker-20-04"
    user_data = "` + bigUserData + `"`, 11, "error", "user_data"},
		{"bad size", "digitalocean", `size = "S!"
    image = "docker-20-04"`, 9, "error", "size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, t.TempDir(), "spec.hcl", pluginGroup(tt.plugin, "    "+tt.body))
			r := runCLI(t, fakeEnv{}, "", "validate", "--json", path)
			res := decodeValidate(t, r)
			want := exitOK
			if tt.severity == "error" {
				want = exitError
			}
			wantCode(t, r, want)
			if *res.Valid != (tt.severity != "error") {
				t.Errorf("valid = %v\n%s", *res.Valid, r)
			}
			if len(res.Diagnostics) != 1 {
				t.Fatalf("%d diagnostics, want 1\n%s", len(res.Diagnostics), r)
			}
			d := res.Diagnostics[0]
			if d.Severity != tt.severity || !strings.Contains(d.Detail, tt.says) {
				t.Errorf("diagnostic %s %q, want %s saying %q", d.Severity, d.Detail, tt.severity, tt.says)
			}
			if d.Range == nil || d.Range.Filename != path || d.Range.Start.Line != tt.line {
				t.Errorf("range %+v, want %s line %d", d.Range, path, tt.line)
			}
			if strings.Contains(d.Detail, bigUserData[:64]) {
				t.Error("the diagnostic echoes user_data")
			}
			// The text output says the same, with file:line.
			r = runCLI(t, fakeEnv{}, "", "validate", path)
			wantCode(t, r, want)
			wantContains(t, r, "stderr", fmt.Sprintf("%s:%d:", filepath.Base(path), tt.line))
		})
	}
}

// TestPlanRefusesAtLine: plan refuses what the plugins refuse with the
// same diagnostic, before any engine is asked, and prints their warnings.
func TestPlanRefusesAtLine(t *testing.T) {
	t.Parallel()
	path := writeFile(t, t.TempDir(), "spec.hcl", pluginGroup("docker", `    image = "demo:1"
    privileged = true`))
	r := runCLI(t, fakeEnv{"DOCKER_HOST": "unix:///nonexistent/docker.sock"}, "", "plan", path)
	wantCode(t, r, exitError)
	wantContains(t, r, "stderr", "spec.hcl:7:")
	wantContains(t, r, "stderr", "allow_host_access")
}

// TestPlanPrintsPluginWarnings: plan prints what the plugins warn about,
// at its line, whatever the engine then says.
func TestPlanPrintsPluginWarnings(t *testing.T) {
	t.Parallel()
	path := writeFile(t, t.TempDir(), "spec.hcl", pluginGroup("docker", `    image = "demo:1"
    privileged = true
    allow_host_access = true`))
	r := runCLI(t, fakeEnv{}, "", "plan", path)
	wantContains(t, r, "stderr", "Warning: The docker plugin warns about this instance")
	wantContains(t, r, "stderr", "spec.hcl:7:")
}
