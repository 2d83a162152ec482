package docker

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/internal/datadir"
)

// TestSocketDir: the node socket directory is drover's own 0700 directory
// under the data dir, made when missing; socket_dir overrides it but is
// held to the same checks; a directory others can change is refused.
func TestSocketDir(t *testing.T) {
	root := t.TempDir() // 0700, under sticky /tmp
	mk := func(t *testing.T, name string, mode os.FileMode) string {
		t.Helper()
		d := filepath.Join(t.TempDir(), name)
		if err := os.Mkdir(d, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return d
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(mk(t, "target", 0o700), link); err != nil {
		t.Fatal(err)
	}
	open := mk(t, "open", 0o777)
	tests := []struct {
		name      string
		dataDir   string
		socketDir string
		wantErr   string // "" for none
		wantDir   string
	}{
		{name: "default, made", dataDir: filepath.Join(root, "data"), wantDir: filepath.Join(root, "data", NodesDirName)},
		{name: "default, too open", dataDir: filepath.Dir(mk(t, NodesDirName, 0o755)), wantErr: "must be 0700"},
		{name: "override 0755", socketDir: mk(t, "s", 0o755)},
		{name: "override made", socketDir: filepath.Join(root, "made", "here")},
		{name: "override group-writable", socketDir: mk(t, "g", 0o775), wantErr: "group or others can write"},
		{name: "override world-writable", socketDir: mk(t, "w", 0o1777), wantErr: "group or others can write"},
		{name: "override symlink", socketDir: link, wantErr: "symbolic link"},
		{name: "under an open directory", socketDir: filepath.Join(open, "nodes"), wantErr: "not sticky"},
		{name: "sticky /tmp above", socketDir: mk(t, "t", 0o700)},
	}
	if os.Geteuid() == 0 {
		other := mk(t, "other", 0o700)
		if err := os.Chown(other, 4242, 4242); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct {
			name, dataDir, socketDir, wantErr, wantDir string
		}{name: "override owned by another user", socketDir: other, wantErr: "owned by uid 4242"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _ := json.Marshal(Config{SocketDir: tt.socketDir})
			p, err := Options{DataDir: tt.dataDir}.New(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if tt.wantDir != "" && p.SocketDir() != tt.wantDir {
				t.Errorf("SocketDir = %s, want %s", p.SocketDir(), tt.wantDir)
			}
			err = p.ensureSocketDir()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ensureSocketDir: %v", err)
				}
				fi, err := os.Lstat(p.SocketDir())
				if err != nil || !fi.IsDir() {
					t.Fatalf("socket dir: %v %v", fi, err)
				}
				if tt.socketDir == "" && fi.Mode().Perm() != 0o700 {
					t.Errorf("drover's socket dir has mode %04o, want 0700", fi.Mode().Perm())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ensureSocketDir = %v, want an error saying %q", err, tt.wantErr)
			}
		})
	}
}

// TestDefaultSocketDirFollowsEnv: without a data dir from drover, the
// socket directory is under drover's default data directory, never /tmp.
func TestDefaultSocketDirFollowsEnv(t *testing.T) {
	t.Setenv("DROVER_DATA_DIR", "/srv/drover")
	p, err := New(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if want := "/srv/drover/nodes"; p.SocketDir() != want {
		t.Errorf("SocketDir = %s, want %s", p.SocketDir(), want)
	}
}

// TestNoDataDirRefusesOnlyNodes: a plugin that cannot tell where drover's
// data lives (an external plugin run without HOME) serves plain containers
// and refuses node mode, whose sockets need the directory.
func TestNoDataDirRefusesOnlyNodes(t *testing.T) {
	for _, k := range []string{"DROVER_DATA_DIR", "XDG_DATA_HOME", "HOME"} {
		t.Setenv(k, "")
	}
	p, err := New(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.SocketDir() != "" {
		t.Errorf("SocketDir = %q, want none", p.SocketDir())
	}
	if _, err := p.buildRequest(instance.Spec{Name: "a"}, Properties{Image: "x"}, imageCommand{}); err != nil {
		t.Errorf("a plain container: %v", err)
	}
	if _, err := p.buildRequest(instance.Spec{Name: "a"}, Properties{Image: "x", Node: true}, imageCommand{}); !errors.Is(err, datadir.ErrNone) {
		t.Errorf("a node: %v, want %v", err, datadir.ErrNone)
	}
}
