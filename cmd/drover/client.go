package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/drover/internal/views"
	"github.com/drover/drover/controller/api"
)

// daemon returns a client of the daemon the CLI should talk to, or nil
// when commands should run in-process: no --addr (or DROVER_ADDR) was
// given and nothing answers on the default socket. An address that was
// given but does not answer is an error, never a silent fallback.
func (a *app) daemon(cmd *cobra.Command) (*api.Client, error) {
	addr := a.v.GetString("addr")
	explicit := addr != ""
	if !explicit {
		dir, err := a.dataDir()
		if err != nil {
			return nil, nil
		}
		addr = filepath.Join(dir, "drover.sock")
		if _, err := os.Stat(addr); err != nil {
			return nil, nil
		}
	}
	c, err := api.NewClient(addr, a.v.GetString("token"))
	if err != nil {
		return nil, fmt.Errorf("%w (from %s)", err, a.settingSource(cmd, "addr"))
	}
	if err := c.Ping(cmd.Context()); err != nil {
		if explicit {
			return nil, fmt.Errorf("%w (address from %s)", err, a.settingSource(cmd, "addr"))
		}
		return nil, nil
	}
	return c, nil
}

// needDaemon is daemon for the commands that only make sense against one.
func (a *app) needDaemon(cmd *cobra.Command) (*api.Client, error) {
	c, err := a.daemon(cmd)
	if err == nil && c == nil {
		err = errors.New("no drover daemon is reachable: start one with `drover run`, or point --addr (DROVER_ADDR) at it")
	}
	return c, err
}

// author says who is applying: user@host.
func author() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}

// daemonError renders an API error: a spec's diagnostics as validate
// would, other errors as they are.
func (a *app) daemonError(err error) error {
	var se *api.StatusError
	if !errors.As(err, &se) || len(se.Body.Diagnostics) == 0 {
		return err
	}
	if err := views.APIDiagnostics(a.io.err, se.Body.Diagnostics); err != nil {
		return err
	}
	return &exitCodeError{code: exitError, err: fmt.Errorf("the daemon refused the spec: %s", se.Body.Error)}
}
