package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/drover/internal/views"
	"github.com/drover/drover/controller/api"
)

func (a *app) sourceCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "source",
		Short: "Manage the git sources the daemon follows (GitOps)",
		Long: `A git source is a repository the daemon polls: each new commit's *.hcl files
(in --path) are applied as the source's stack, named after the source. The
desired state is the union of the stacks: the sources' and those drover
apply --stack records (default "default").

These commands need a running daemon (drover run).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.sourceAddCommand(), a.sourceUpdateCommand(), a.sourceListCommand(), a.sourceShowCommand(),
		a.sourceSuspendCommand(true), a.sourceSuspendCommand(false), a.sourceSyncCommand(), a.sourceRemoveCommand())
	return cmd
}

func (a *app) sourceAddCommand() *cobra.Command {
	return a.sourceSetCommand(&cobra.Command{
		Use:   "add NAME --url URL [flags]",
		Short: "Follow a git repository: its commits are applied as the stack NAME",
		Long: `Add a git source. The daemon polls it at once, then every --interval.

Secrets never go on the command line: --ssh-key-file, --token-file and
--webhook-secret-file name files (regular, at most 64 KiB) that drover reads
and sends to the daemon, and --env NAME sends the value NAME has in this
environment (the only variables the source's specs may read with env()).
The daemon never shows them again.

Without --prune, the groups and services that leave the source are kept as
last applied and reported as orphans; with it they are removed.`,
	}, (*api.Client).AddSource)
}

func (a *app) sourceUpdateCommand() *cobra.Command {
	return a.sourceSetCommand(&cobra.Command{
		Use:   "update NAME --url URL [flags]",
		Short: "Change a git source's settings (a new token, interval, branch, ...); its stack stays",
		Long: `Replace every setting of a git source with those given, as add takes them:
settings not given take their defaults, and secrets (key, token, webhook
secret, --env values) must be given again, since the daemon never shows
them. The source's stack and revisions stay; it polls at once with the new
settings.`,
	}, (*api.Client).UpdateSource)
}

// sourceSetCommand is source add or update: cmd with the settings' flags,
// sending them with set.
func (a *app) sourceSetCommand(cmd *cobra.Command, set func(*api.Client, context.Context, api.SourceSpec) (api.SourceInfo, error)) *cobra.Command {
	cmd.Args = cobra.ExactArgs(1)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		v, err := a.view(cmd)
		if err != nil {
			return err
		}
		spec, err := a.sourceSpec(cmd, args[0])
		if err != nil {
			return err
		}
		c, err := a.needDaemon(cmd)
		if err != nil {
			return err
		}
		info, err := set(c, cmd.Context(), spec)
		if err != nil {
			return err
		}
		return v.SourceState(info)
	}
	f := cmd.Flags()
	f.String("url", "", "the repository: https://, ssh://, user@host:path or file:// (required; no credentials in it)")
	f.String("branch", "", "the branch to follow (default main)")
	f.String("tag", "", "the tag to follow, instead of a branch")
	f.String("path", "", "the directory of the repository holding the spec's *.hcl files (default its root)")
	f.Duration("interval", 0, "how often the remote is polled (default 1m, at least 10s)")
	f.Duration("timeout", 0, "bound on one poll: fetching and loading (default 60s)")
	f.String("ssh-key-file", "", "a file holding the PEM private key for an ssh:// URL")
	f.String("token-file", "", "a file holding the HTTPS access token")
	f.String("webhook-secret-file", "", "a file holding the secret that signs the source's webhook deliveries (POST /hooks/NAME)")
	f.StringArray("env", nil, "an environment variable the source's specs may read, sent with its value from this environment (repeatable)")
	f.String("notify", "", "a URL POSTed a JSON notice when a commit is applied, fails or is held")
	f.Bool("prune", false, "remove what leaves the source (default: keep it, orphaned)")
	addOutputFlag(cmd)
	return cmd
}

func (a *app) sourceListCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the git sources and their state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, c, err := a.viewAndDaemon(cmd)
			if err != nil {
				return err
			}
			list, err := c.Sources(cmd.Context())
			if err != nil {
				return err
			}
			return v.Sources(list)
		},
	}
	addOutputFlag(cmd)
	return cmd
}

func (a *app) sourceShowCommand() *cobra.Command {
	return a.sourceNamed(&cobra.Command{
		Use:   "show NAME",
		Short: "Show a git source: its settings (not its secrets), state and orphans",
	}, func(cmd *cobra.Command, c *api.Client, name string) (api.SourceInfo, error) {
		return c.Source(cmd.Context(), name)
	}, (*views.View).Source)
}

func (a *app) sourceSuspendCommand(suspend bool) *cobra.Command {
	use, short := "resume NAME", "Poll a suspended git source again"
	if suspend {
		use, short = "suspend NAME", "Stop polling a git source; what it applied stays"
	}
	return a.sourceNamed(&cobra.Command{Use: use, Short: short}, func(cmd *cobra.Command, c *api.Client, name string) (api.SourceInfo, error) {
		return c.SuspendSource(cmd.Context(), name, suspend)
	}, (*views.View).SourceState)
}

func (a *app) sourceSyncCommand() *cobra.Command {
	cmd := a.sourceNamed(&cobra.Command{
		Use:   "sync NAME",
		Short: "Poll a git source now and apply what it finds",
		Long: `Poll the source now, apply its newest commit, and print its state. It exits
non-zero when the commit failed, or is held because it would remove too
much: --allow-prune applies a held commit.`,
	}, func(cmd *cobra.Command, c *api.Client, name string) (api.SourceInfo, error) {
		allow, _ := cmd.Flags().GetBool("allow-prune")
		return c.SyncSource(cmd.Context(), name, api.SyncRequest{AllowPrune: allow})
	}, func(v *views.View, info api.SourceInfo) error {
		if err := v.SourceState(info); err != nil {
			return err
		}
		return syncOutcome(info)
	})
	cmd.Flags().Bool("allow-prune", false, "apply a held commit: confirm what it removes")
	return cmd
}

// sourceNamed completes cmd, a command on the source its argument names:
// it asks the daemon with call and renders the source it answers with
// render.
func (a *app) sourceNamed(cmd *cobra.Command, call func(*cobra.Command, *api.Client, string) (api.SourceInfo, error),
	render func(*views.View, api.SourceInfo) error) *cobra.Command {
	cmd.Args = cobra.ExactArgs(1)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		v, c, err := a.sourceTarget(cmd, args[0])
		if err != nil {
			return err
		}
		info, err := call(cmd, c, args[0])
		if err != nil {
			return err
		}
		return render(v, info)
	}
	addOutputFlag(cmd)
	return cmd
}

// syncOutcome is the error of a sync that left the source failed or
// holding a commit, or nil.
func syncOutcome(info api.SourceInfo) error {
	st := info.Status
	switch st.State {
	case api.SourceFailed:
		return &exitCodeError{code: exitError, err: fmt.Errorf("source %s failed: %s", info.Name, st.LastError)}
	case api.SourceHeld:
		return &exitCodeError{code: exitError, err: fmt.Errorf("source %s holds commit %s: %s; drover source sync %s --allow-prune applies it",
			info.Name, views.ShortSHA(st.Held), st.HeldReason, info.Name)}
	}
	return nil
}

func (a *app) sourceRemoveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "remove NAME",
		Short: "Stop following a git source (--destroy also destroys its stack)",
		Long: `Remove the source. Without --destroy, a source whose stack still declares
resources is not removed: destroy them with --destroy, which lists them and
asks for 'yes' first (-auto-approve without a terminal).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, c, err := a.sourceTarget(cmd, args[0])
			if err != nil {
				return err
			}
			name := args[0]
			destroy, _ := cmd.Flags().GetBool("destroy")
			if destroy {
				st, err := c.Status(cmd.Context())
				if err != nil {
					return err
				}
				header := fmt.Sprintf("Removing source %s with --destroy destroys its stack:", name)
				if err := a.approve(cmd, "destroy them", views.WithHeader(header, stackHeld(st, name))); err != nil {
					return err
				}
			}
			if err := c.RemoveSource(cmd.Context(), name, api.RemoveSourceRequest{Destroy: destroy}); err != nil {
				return err
			}
			return v.SourceRemoved(name, destroy)
		},
	}
	cmd.Flags().Bool("destroy", false, "also destroy the source's stack: every resource it declares or keeps")
	addApproveFlag(cmd)
	addOutputFlag(cmd)
	return cmd
}

// stackHeld lists the resources st's stack name declares or keeps, a line
// each.
func stackHeld(st api.Status, name string) []string {
	var keys []string
	for _, s := range st.Stacks {
		if s.Name == name {
			keys = append(append(keys, s.Resources...), s.Orphans...)
		}
	}
	var lines []string
	for _, rs := range st.Resources {
		if !rs.Retired && slices.Contains(keys, rs.Resource.String()) {
			lines = append(lines, views.Held(rs))
		}
	}
	return lines
}

// viewAndDaemon is the view of cmd's output flag and the daemon's client.
func (a *app) viewAndDaemon(cmd *cobra.Command) (*views.View, *api.Client, error) {
	v, err := a.view(cmd)
	if err != nil {
		return nil, nil, err
	}
	c, err := a.needDaemon(cmd)
	return v, c, err
}

// sourceTarget is viewAndDaemon for a command on the source name, which
// it checks first.
func (a *app) sourceTarget(cmd *cobra.Command, name string) (*views.View, *api.Client, error) {
	if !api.ValidSourceName(name) {
		return nil, nil, fmt.Errorf("source name: want [a-z0-9][a-z0-9_-]{0,62}: lower-case letters, digits, _ and -, at most 63")
	}
	return a.viewAndDaemon(cmd)
}
