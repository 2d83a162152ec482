package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/drover/drover/plugins"
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
}

// app is what every command shares for one invocation.
type app struct {
	io        stdio
	v         *viper.Viper
	lookupEnv func(string) (string, bool)
	log       *slog.Logger
	schemas   *plugins.Registry
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
	a := &app{io: io, v: viper.New(), lookupEnv: lookupEnv, schemas: plugins.Builtins()}
	root := a.rootCommand()
	root.SetArgs(normalizeArgs(root, args))
	root.SetIn(io.in)
	root.SetOut(io.out)
	root.SetErr(io.err)
	err := root.ExecuteContext(ctx)
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

Settings come from flags, DROVER_* environment variables (DROVER_LOG_LEVEL for
--log-level) and a config file (--config, else ./drover.yaml or
$XDG_CONFIG_HOME/drover/drover.yaml), in that order of precedence.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.configure(cmd) },
	}
	pf := root.PersistentFlags()
	pf.String("config", "", "config file (default ./drover.yaml or $XDG_CONFIG_HOME/drover/drover.yaml)")
	pf.String("log-level", "info", "log level: debug, info, warn or error")
	pf.String("log-format", "text", "log format: text or json")
	root.AddCommand(a.validateCommand(), a.fmtCommand(), a.versionCommand())
	return root
}

// notFromEnv are flags that the environment must not set: DROVER_VAR_* names
// spec variables, so DROVER_VAR_FILE cannot also mean --var-file.
var notFromEnv = map[string]bool{"var": true, "var-file": true}

// configure binds, once, the flags of the command being run, DROVER_*
// environment variables and the config file into the app's viper, then sets
// up logging.
func (a *app) configure(cmd *cobra.Command) error {
	v := a.v
	v.SetEnvPrefix("DROVER")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	var bindErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err := v.BindPFlag(f.Name, f); err != nil && bindErr == nil {
			bindErr = err
		}
		if !notFromEnv[f.Name] {
			if err := v.BindEnv(f.Name); err != nil && bindErr == nil {
				bindErr = err
			}
		}
	})
	if bindErr != nil {
		return bindErr
	}
	if err := a.readConfig(); err != nil {
		return err
	}
	log, err := newLogger(a.io.err, v.GetString("log-level"), v.GetString("log-format"))
	if err != nil {
		return err
	}
	a.log = log
	return nil
}

func (a *app) readConfig() error {
	v := a.v
	if path := v.GetString("config"); path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return fmt.Errorf("config file %s: %w", path, err)
		}
		return nil
	}
	v.SetConfigName("drover")
	v.SetConfigType("yaml")
	v.AddConfigPath(".")
	if dir, ok := a.lookupEnv("XDG_CONFIG_HOME"); ok && dir != "" {
		v.AddConfigPath(dir + "/drover")
	} else if home, ok := a.lookupEnv("HOME"); ok && home != "" {
		v.AddConfigPath(home + "/.config/drover")
	}
	err := v.ReadInConfig()
	var notFound viper.ConfigFileNotFoundError
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("config file %s: %w", v.ConfigFileUsed(), err)
	}
	return nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}
