package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/internal/datadir"
	"github.com/drover/drover/internal/trust"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/plugins/external"
	"github.com/drover/drover/reconcile"
)

// Exit codes.
const (
	exitOK      = 0
	exitError   = 1 // invalid input or a failed operation
	exitChanges = 3 // fmt --check: files would change
)

type stdio struct {
	in       io.Reader
	out, err io.Writer
	// isTerminal says whether in is a terminal a person answers on; nil
	// means it is not (see approve).
	isTerminal func() bool
}

// app is what every command shares for one invocation.
type app struct {
	io        stdio
	v         *viper.Viper
	lookupEnv func(string) (string, bool)
	log       *slog.Logger
	schemas   *plugins.Registry // set by configure (see newRuntime)
	clusters  *swarm.Clusters   // what schemas' swarm flavor knows; run closes it
	plugins   *external.Manager // nil without external plugins
	held      *datadir.Locked   // the data dir, while this process is its controller (lockDataDir)
}

// exitError ends a command with a code and, when err is set, a message.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// run executes the CLI with args and returns the exit code.
func run(ctx context.Context, args []string, io stdio, lookupEnv func(string) (string, bool)) int {
	a := &app{io: io, v: viper.New(), lookupEnv: lookupEnv}
	root := a.rootCommand()
	root.SetIn(io.in)
	root.SetOut(io.out) // before normalizeArgs: cobra's completion command captures it when created
	root.SetErr(io.err)
	root.SetArgs(normalizeArgs(root, args))
	err := root.ExecuteContext(ctx)
	if a.plugins != nil {
		a.plugins.Close() // kill the external plugins this command started
	}
	if a.clusters != nil {
		_ = a.clusters.Close() // its cached engine clients; it never fails
	}
	a.held.Release()
	var ec *exitCodeError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ec):
		if ec.err != nil {
			fmt.Fprintln(io.err, "Error:", ec.err)
		}
		return ec.code
	}
	fmt.Fprintln(io.err, "Error:", err)
	return exitError
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "drover",
		Short: "Declarative, self-healing Docker swarm clusters",
		Long: `drover keeps machine groups (DigitalOcean droplets or containers on a Docker
engine), the swarm they form and the services on it as an HCL spec describes
them, and repairs every divergence.

Settings (the global flags) come from flags, DROVER_* environment variables
(DROVER_LOG_LEVEL for --log-level) and a config file (--config or
DROVER_CONFIG, else $XDG_CONFIG_HOME/drover/drover.yaml, by default
~/.config/drover/drover.yaml), in that order of precedence. A drover.yaml in
the working directory is never read: it could name a plugin to run or an
address to send secrets to. A config file that another user owns or can
write is refused.

External plugins are executables named drover-plugin-<name> in the plugin
directory (--plugin-dir, default <data-dir>/plugins), or named in the config
file's plugins map (name: path). Each starts the first time a spec uses it.
A plugin, or its directory, that another user owns or can write is refused.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.configure(cmd) },
	}
	pf := root.PersistentFlags()
	pf.String("config", "", "config file (default $XDG_CONFIG_HOME/drover/drover.yaml, else ~/.config/drover/drover.yaml)")
	pf.String("log-level", "info", "log level: debug, info, warn or error")
	pf.String("log-format", "text", "log format: text or json")
	pf.String("owner", instance.DefaultOwner, "the owner tag of every machine: specs applied with different owners never touch each other's machines")
	pf.String("data-dir", "", "where drover keeps its state (default $XDG_DATA_HOME/drover or ~/.local/share/drover)")
	pf.Duration("resync", 30*time.Second, "look at every group this often even without engine events")
	pf.String("addr", "", "the daemon's API: a unix socket path or HOST:PORT (default <data-dir>/drover.sock when it answers, else commands run in-process)")
	pf.String("token", "", "the bearer token of the daemon's TCP API (drover run sets it, clients send it)")
	pf.String("plugin-dir", "", "where external plugins, executables named drover-plugin-<name>, are found (default <data-dir>/plugins); the config file's plugins map (name: path) adds more")
	markSettings(pf, "config", "log-level", "log-format", "owner", "data-dir", "resync", "addr", "token", "plugin-dir")
	root.AddCommand(a.validateCommand(), a.fmtCommand(), a.planCommand(), a.applyCommand(), a.destroyCommand(),
		a.runCommand(), a.statusCommand(), a.sourceCommand(), a.eventsCommand(), a.historyCommand(), a.rollbackCommand(), a.devCommand(), a.versionCommand())
	return root
}

// settingAnnotation marks the flags that are configuration: they may also
// come from a DROVER_* environment variable or the config file. Other flags
// are options of one invocation (--json, --check, -var) and are read from
// the command line alone.
const settingAnnotation = "drover/setting"

func markSettings(fs *pflag.FlagSet, names ...string) {
	for _, n := range names {
		if err := fs.SetAnnotation(n, settingAnnotation, []string{"true"}); err != nil {
			panic(err) // a typo in a flag name: caught by any test
		}
	}
}

// envName is the environment variable of a setting: DROVER_LOG_LEVEL.
func envName(flag string) string {
	return "DROVER_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// configure binds, once, the settings of the command being run into the
// app's viper: flag over DROVER_* environment variable over config file over
// default. Then it sets up logging. help and completion need no settings, so
// a broken config file cannot take them down.
func (a *app) configure(cmd *cobra.Command) error {
	if needsNoSettings(cmd) {
		return nil
	}
	var settings []*pflag.Flag
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[settingAnnotation]; ok {
			settings = append(settings, f)
		}
	})
	for _, f := range settings {
		if err := a.v.BindPFlag(f.Name, f); err != nil {
			return err
		}
	}
	if err := a.readConfig(cmd); err != nil {
		return err
	}
	for _, f := range settings {
		if val, ok := a.lookupEnv(envName(f.Name)); ok && !f.Changed {
			a.v.Set(f.Name, val) // above the config file, below the flag
		}
	}
	log, err := newLogger(a.io.err, a.v.GetString("log-level"), a.v.GetString("log-format"))
	if err != nil {
		return fmt.Errorf("%w (from %s)", err, a.settingSource(cmd, "log-level", "log-format"))
	}
	a.log = log
	cmd.SetContext(reconcile.WithLogger(cmd.Context(), log))
	a.newRuntime()
	return a.startPlugins(cmd)
}

func needsNoSettings(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "help", "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
			return true
		}
	}
	return false
}

// settingSource says where the settings got their values, for errors.
func (a *app) settingSource(cmd *cobra.Command, names ...string) string {
	var from []string
	for _, n := range names {
		switch f := cmd.Flags().Lookup(n); {
		case f != nil && f.Changed:
			from = append(from, "--"+n)
		case a.hasEnv(envName(n)):
			from = append(from, envName(n))
		case a.v.InConfig(n):
			from = append(from, "config file "+a.v.ConfigFileUsed())
		}
	}
	if len(from) == 0 {
		return "defaults"
	}
	return strings.Join(from, ", ")
}

func (a *app) hasEnv(name string) bool {
	_, ok := a.lookupEnv(name)
	return ok
}

// readConfig reads the config file named by --config or DROVER_CONFIG, or
// else the first of drover.yaml and drover.yml in the user's config
// directory, $XDG_CONFIG_HOME/drover (default ~/.config/drover), if any
// exists. Like Terraform's CLI config, it is never read from the working
// directory, which may be a checkout of someone else's specs: the config
// names plugins drover runs and the daemon address it sends secrets to.
// For the same reason a file that another user owns or can write, or one
// in a directory they can write, is refused (see package trust).
func (a *app) readConfig(cmd *cobra.Command) error {
	path := a.v.GetString("config")
	if f := cmd.Flags().Lookup("config"); f == nil || !f.Changed {
		if env, ok := a.lookupEnv(envName("config")); ok {
			path = env
		}
	}
	if path == "" {
		path = a.findConfig()
	}
	if path == "" {
		return nil
	}
	if err := trust.Path(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config file %s: refusing it: %w", path, err)
	}
	a.v.SetConfigFile(path)
	a.v.SetConfigType("yaml")
	if err := a.v.ReadInConfig(); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

func (a *app) findConfig() string {
	var dir string
	if xdg, ok := a.lookupEnv("XDG_CONFIG_HOME"); ok && filepath.IsAbs(xdg) {
		dir = filepath.Join(xdg, "drover")
	} else if home, ok := a.lookupEnv("HOME"); ok && filepath.IsAbs(home) {
		dir = filepath.Join(home, ".config", "drover")
	} else {
		return "" // no config directory: never fall back to the working directory
	}
	for _, name := range []string{"drover.yaml", "drover.yml"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}
