package plugins

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/internal/datadir"
)

// TestBuiltinsSwarmCAs: the swarm flavor keeps the swarms' CAs where the
// runtime says, in the Clusters it is given, else in one of the
// registry's own under DataDir; never in drover's default data directory
// when it is told another.
func TestBuiltinsSwarmCAs(t *testing.T) {
	tests := []struct {
		name string
		opts func(t *testing.T, dataDir string) BuiltinOptions
	}{
		{name: "the runtime's clusters", opts: func(t *testing.T, dataDir string) BuiltinOptions {
			c := swarm.NewClusters(dataDir)
			t.Cleanup(func() { c.Close() })
			return BuiltinOptions{Clusters: c}
		}},
		{name: "the registry's own", opts: func(_ *testing.T, dataDir string) BuiltinOptions {
			return BuiltinOptions{DataDir: dataDir}
		}},
	}
	spec := instance.Spec{Name: "o-m-1", Tags: map[string]string{instance.TagOwner: "o", instance.TagGroup: "m", "drover.name": "m-1"}}
	props := json.RawMessage(`{"swarm":"prod","role":"manager","engine":"tls"}`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elsewhere, dataDir := t.TempDir(), t.TempDir()
			t.Setenv(datadir.EnvVar, elsewhere) // drover's default data directory
			fp, ok := Builtins(tt.opts(t, dataDir)).Flavor(swarm.PluginName)
			if !ok {
				t.Fatal("no swarm flavor")
			}
			fl, err := fp.New(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fl.Prepare(t.Context(), props, spec, flavor.Allocation{Group: "m", Size: 1}); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dataDir, swarm.CADirName, "o", "prod")); err != nil {
				t.Errorf("the CA is not in the data dir: %v", err)
			}
			if _, err := os.Stat(filepath.Join(elsewhere, swarm.CADirName)); !os.IsNotExist(err) {
				t.Errorf("a CA is in drover's default data dir: %v", err)
			}
		})
	}
}
