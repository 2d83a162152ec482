package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/drover/internal/views"
	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/daemon"
	"github.com/drover/drover/resource"
)

func (a *app) runCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the controller: keep the applied specs true until stopped",
		Long: `Run drover as a daemon. It keeps every applied spec as a numbered revision in
its store (<data-dir>/drover.db), reconciles the current one until it is
stopped (SIGINT or SIGTERM), and serves the HTTP API that drover apply,
status, events, history and rollback use.

The API listens on a unix socket, <data-dir>/drover.sock by default (mode
0600). With --listen HOST:PORT it listens on TCP instead, and then only with
a bearer token (--token or DROVER_TOKEN). /metrics, /healthz and /readyz are
served on the same listener. Only one daemon may use a data dir at a time.

The daemon also follows the git sources drover source adds. With
--webhook-listen HOST:PORT (or DROVER_WEBHOOK_LISTEN) it takes their push
webhooks there, on a listener of its own: a source with a webhook secret
is polled when a delivery it signed arrives.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := a.dataDir()
			if err != nil {
				return err
			}
			d, err := daemon.New(cmd.Context(), daemon.Options{
				Registry: a.schemas, Managers: a.clusters, Engines: a.clusters, DataDir: dir, Owner: a.v.GetString("owner"),
				Listen: a.v.GetString("listen"), Token: a.v.GetString("token"), Resync: a.v.GetDuration("resync"),
				WebhookListen: a.v.GetString("webhook-listen"),
			})
			if err != nil {
				return err
			}
			if err := a.lockDataDir(); err != nil { // after the store's own lock: two daemons meet there first
				return err
			}
			fmt.Fprintf(a.io.out, "drover daemon: data dir %s, API on %s, owner %q\n", dir, d.Addr(), a.v.GetString("owner"))
			if addr := d.WebhookAddr(); addr != "" {
				fmt.Fprintf(a.io.out, "drover daemon: webhooks on http://%s/hooks/NAME\n", addr)
			}
			return d.Run(cmd.Context())
		},
	}
	cmd.Flags().String("listen", "", "where the API listens: a unix socket path or HOST:PORT (default <data-dir>/drover.sock)")
	cmd.Flags().String("webhook-listen", "", "where the git sources' webhooks (POST /hooks/NAME, each checked with its source's secret) are received: HOST:PORT (default: no webhook listener)")
	markSettings(cmd.Flags(), "listen", "webhook-listen")
	return cmd
}

func (a *app) statusCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each resource of the daemon's current revision: desired, observed, converged or why not",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := a.view(cmd)
			if err != nil {
				return err
			}
			c, err := a.needDaemon(cmd)
			if err != nil {
				return err
			}
			st, err := c.Status(cmd.Context())
			if err != nil {
				return err
			}
			return v.Status(st)
		},
	}
	addOutputFlag(cmd)
	return cmd
}

func (a *app) historyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List the revisions the daemon recorded, newest first (* marks the current one)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := a.view(cmd)
			if err != nil {
				return err
			}
			c, err := a.needDaemon(cmd)
			if err != nil {
				return err
			}
			revs, err := c.History(cmd.Context())
			if err != nil {
				return err
			}
			return v.History(revs)
		},
	}
	addOutputFlag(cmd)
	return cmd
}

func (a *app) eventsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Show what the controller did and why; -f follows new events",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := a.view(cmd)
			if err != nil {
				return err
			}
			c, err := a.needDaemon(cmd)
			if err != nil {
				return err
			}
			follow, _ := cmd.Flags().GetBool("follow")
			since, _ := cmd.Flags().GetInt64("since")
			err = followEvents(cmd.Context(), c, since, follow, v.Events())
			if cmd.Context().Err() != nil {
				return nil // interrupted while following
			}
			return err
		},
	}
	cmd.Flags().BoolP("follow", "f", false, "keep printing events as they happen, until interrupted")
	cmd.Flags().Int64("since", 0, "only events after this id")
	addOutputFlag(cmd)
	return cmd
}

func (a *app) rollbackCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollback REVISION",
		Short: "Make an earlier revision's spec current again, as a new revision",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || n <= 0 {
				return fmt.Errorf("revision %q: want a revision number, as drover history lists them", args[0])
			}
			c, err := a.needDaemon(cmd)
			if err != nil {
				return err
			}
			msg, _ := cmd.Flags().GetString("message")
			since := a.lastEvent(cmd.Context(), c)
			res, err := c.Rollback(cmd.Context(), api.RollbackRequest{Revision: n, Author: author(), Message: msg})
			if err != nil {
				return a.daemonError(err)
			}
			fmt.Fprintf(a.io.out, "Revision %d recorded: the spec of revision %d.\n", res.Revision.Number, n)
			return a.maybeWait(cmd, c, res.Revision.Number, since)
		},
	}
	addWaitFlags(cmd)
	return cmd
}

func addWaitFlags(cmd *cobra.Command) {
	cmd.Flags().Bool("wait", false, "show progress until the daemon has converged to the new revision")
	cmd.Flags().Duration("timeout", 10*time.Minute, "give up if not converged after this long (in-process, or with --wait)")
	cmd.Flags().StringP("message", "m", "", "say why, like a commit message; drover history shows it")
}

// followEvents writes the daemon's events after since to log, and with
// follow those that come next until ctx ends.
func followEvents(ctx context.Context, c *api.Client, since int64, follow bool, log *views.EventLog) error {
	return c.Events(ctx, since, follow, func(e resource.Event) error { log.Emit(e); return log.Err() })
}

// lastEvent is the id of the daemon's newest event, so that waiting shows
// only what follows; 0 when it cannot be had.
func (a *app) lastEvent(ctx context.Context, c *api.Client) int64 {
	var last int64
	_ = c.Events(ctx, 0, false, func(e resource.Event) error { last = e.ID; return nil })
	return last
}

// maybeWait waits for revision rev to converge when --wait is set.
func (a *app) maybeWait(cmd *cobra.Command, c *api.Client, rev, since int64) error {
	if wait, _ := cmd.Flags().GetBool("wait"); !wait {
		return nil
	}
	timeout, _ := cmd.Flags().GetDuration("timeout")
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	defer cancel()
	if err := a.waitConverged(ctx, c, rev, since); err != nil {
		return &exitCodeError{code: exitError, err: err}
	}
	return nil
}
