// Package scripts_test tests the parts of the build scripts that decide
// something: which Debian mirror the node image is built from.
package scripts_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAptMirror runs apt-mirror.sh against sample apt configurations.
// The mirrors are under the reserved .invalid domain.
func TestAptMirror(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("bash is needed to run the build scripts: %v", err)
	}
	tests := []struct {
		name  string
		files map[string]string // path under the apt dir -> content
		env   string            // DEBIAN_MIRROR
		want  string            // the mirror printed, or "" for a refusal
	}{
		{
			name:  "one-line sources.list",
			files: map[string]string{"sources.list": "deb http://a.invalid/debian bookworm main\n"},
			want:  "http://a.invalid/debian",
		},
		{
			name: "one-line: options, comments, other suites and deb-src skipped",
			files: map[string]string{"sources.list": `# deb http://commented.invalid/debian bookworm main
deb-src http://src.invalid/debian bookworm main
deb http://sec.invalid/debian-security bookworm-security main
deb http://contrib.invalid/debian bookworm contrib
deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] https://b.invalid/debian bookworm contrib main non-free-firmware # the one
`},
			want: "https://b.invalid/debian",
		},
		{
			name: "deb822 as Debian ships it",
			files: map[string]string{"sources.list.d/debian.sources": `Types: deb
# http://snapshot.invalid/archive/debian/20250520T000000Z
URIs: http://c.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://c.invalid/debian-security
Suites: bookworm-security
Components: main
`},
			want: "http://c.invalid/debian",
		},
		{
			name: "deb822: disabled stanza, deb-src only, folded field, no final newline",
			files: map[string]string{"sources.list.d/x.sources": `Types: deb
URIs: http://off.invalid/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb-src
URIs: http://src.invalid/debian
Suites: bookworm
Components: main

types: deb-src deb
uris: http://d.invalid/debian
 http://d2.invalid/debian
suites: bookworm
components: contrib
 main`},
			want: "http://d.invalid/debian",
		},
		{
			name: "sources.list first, then sources.list.d in name order; other suffixes ignored",
			files: map[string]string{
				"sources.list":                      "deb http://stable.invalid/debian trixie main\n",
				"sources.list.d/a.list.disabled":    "deb http://disabled.invalid/debian bookworm main\n",
				"sources.list.d/b.sources":          "Types: deb\nURIs: http://e.invalid/debian\nSuites: bookworm\nComponents: main\n",
				"sources.list.d/c.list":             "deb http://f.invalid/debian bookworm main\n",
				"sources.list.d/nodesource.sources": "Types: deb\nURIs: https://node.invalid/node_20.x\nSuites: nodistro\nComponents: main\n",
			},
			want: "http://e.invalid/debian",
		},
		{
			name:  "a URI debootstrap cannot fetch from is skipped",
			files: map[string]string{"sources.list": "deb cdrom:[Debian 12]/ bookworm main\ndeb file:/srv/debian bookworm main\n"},
			want:  "file:/srv/debian",
		},
		{
			name:  "DEBIAN_MIRROR wins",
			files: map[string]string{"sources.list": "deb http://a.invalid/debian bookworm main\n"},
			env:   "http://chosen.invalid/debian",
			want:  "http://chosen.invalid/debian",
		},
		{
			name:  "no bookworm main: refused",
			files: map[string]string{"sources.list": "deb http://a.invalid/debian bookworm contrib\ndeb http://a.invalid/debian trixie main\n"},
		},
		{
			name:  "no apt configuration at all: refused",
			files: map[string]string{},
		},
	}
	script, err := filepath.Abs("apt-mirror.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "sources.list.d"), 0o755); err != nil {
				t.Fatal(err)
			}
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.CommandContext(t.Context(), "bash", script)
			cmd.Env = append(os.Environ(), "APT_ETC="+dir, "DEBIAN_MIRROR="+tt.env)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			got := strings.TrimSpace(string(out))
			if tt.want == "" {
				if err == nil {
					t.Fatalf("printed %q, want a refusal", got)
				}
				if msg := stderr.String(); !strings.Contains(msg, "no Debian mirror found") || !strings.Contains(msg, "DEBIAN_MIRROR") || !strings.Contains(msg, dir) {
					t.Errorf("refusal does not say what is missing, where, and what to set: %q", msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v: %s", err, stderr.String())
			}
			if got != tt.want {
				t.Errorf("mirror %q, want %q", got, tt.want)
			}
		})
	}
}
