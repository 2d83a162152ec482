package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateExternalPlugin: validate asks an external plugin (the
// dockerx example, out of process) over gRPC, and points at the attribute
// it refuses and shows what it warns about, as for a built-in.
func TestValidateExternalPlugin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plugins := filepath.Join(dir, "plugins")
	if err := os.Mkdir(plugins, 0o700); err != nil {
		t.Fatal(err)
	}
	build := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(plugins, "drover-plugin-dockerx"), "../../examples/plugins/dockerx")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the plugin: %v\n%s", err, out)
	}
	spec := func(body string) string {
		return writeFile(t, t.TempDir(), "spec.hcl", `provider "dockerx" "x" {}

group "ext" {
  size = 1
  instance "dockerx" {
    provider = provider.dockerx.x
    image    = "demo:1"
`+body+`
  }
  flavor "vanilla" {}
}
`)
	}
	refused := spec(`    volumes  = ["/srv:/srv", "/var/run/docker.sock:/s"]`)
	r := runCLI(t, fakeEnv{}, "", "--plugin-dir", plugins, "validate", refused)
	wantCode(t, r, exitError)
	wantContains(t, r, "stderr", "spec.hcl:8:")
	wantContains(t, r, "stderr", "volumes[1]")
	wantContains(t, r, "stderr", "allow_host_access")

	allowed := spec(`    privileged = true

    allow_host_access = true`)
	r = runCLI(t, fakeEnv{}, "", "--plugin-dir", plugins, "validate", allowed)
	wantCode(t, r, exitOK)
	wantContains(t, r, "stderr", "spec.hcl:8:")
	if !strings.Contains(r.stderr, "Warning: The dockerx plugin warns") {
		t.Errorf("no warning from the plugin\n%s", r)
	}
}
