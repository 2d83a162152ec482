package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/drover/drover/plugins/external"
)

// pluginDir is --plugin-dir, or <data-dir>/plugins; "" when neither is
// known (no data dir): then only the config file's plugins are used.
func (a *app) pluginDir() string {
	if d := a.v.GetString("plugin-dir"); d != "" {
		return d
	}
	if d, err := a.dataDir(); err == nil {
		return filepath.Join(d, external.DirName)
	}
	return ""
}

// startPlugins finds the external plugins (the plugin dir's
// drover-plugin-<name> binaries and the config file's `plugins` map of
// name to path) and lets the registry resolve their names: a plugin is
// started the first time a spec names it, and killed when the command
// ends (run closes a.plugins) or drover dies. Their logs go to drover's.
func (a *app) startPlugins(cmd *cobra.Command) error {
	bins, err := external.Discover(a.pluginDir(), a.v.GetStringMapString("plugins"))
	if err != nil {
		return fmt.Errorf("%w (from %s)", err, a.settingSource(cmd, "plugin-dir", "plugins"))
	}
	if len(bins) == 0 {
		return nil
	}
	var env []string
	for _, k := range external.EnvAllowlist {
		if v, ok := a.lookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	m := external.NewManager(bins, external.Options{Logger: a.log, Env: env})
	m.Start(cmd.Context())
	a.plugins = m
	reg := a.schemas
	reg.SetResolver(func(kind, name string) (bool, error) { return m.Resolve(cmd.Context(), reg, kind, name) })
	return nil
}
