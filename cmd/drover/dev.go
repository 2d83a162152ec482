package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/spf13/cobra"

	"github.com/drover/drover/instance/digitalocean/dofake"
)

func (a *app) devCommand() *cobra.Command {
	dev := &cobra.Command{
		Use:   "dev",
		Short: "Tools for developing and trying drover without a cloud",
	}
	dev.AddCommand(a.fakeDigitalOceanCommand())
	return dev
}

func (a *app) fakeDigitalOceanCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fake-digitalocean",
		Short: "Serve a fake of the DigitalOcean API, for specs whose provider sets api_url",
		Long: `Serve a fake of the DigitalOcean API that behaves as the real one does for
everything drover calls: droplets, actions, tags, SSH keys, regions, sizes,
images and droplet CPU metrics, with the real API's JSON, pagination,
rate-limit headers and error bodies. Point a provider at it:

  provider "digitalocean" "fake" {
    token   = env("DIGITALOCEAN_TOKEN")
    region  = "fra1"
    api_url = "http://127.0.0.1:8089/"
  }

Faults can be injected to watch drover cope: --error-rate answers that
share of requests 500 (half of the failed writes happen anyway, their
reply lost), --list-lag keeps new droplets out of lists for a while, and
--rate-limit sets the request budget per minute (the real API's is 250).

With --machines IMAGE every droplet is also a container of IMAGE on the
local Docker engine (drover/node:bookworm, made by make node-image) that
runs the droplet's user data, so a swarm of droplets really forms:

  drover dev fake-digitalocean --token dev --machines drover/node:bookworm
  DIGITALOCEAN_TOKEN=dev drover apply --watch examples/digitalocean-fake-swarm.hcl

The containers are removed when the fake stops.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			listen, _ := cmd.Flags().GetString("listen")
			token, _ := cmd.Flags().GetString("token")
			boot, _ := cmd.Flags().GetDuration("boot-time")
			errRate, _ := cmd.Flags().GetFloat64("error-rate")
			lag, _ := cmd.Flags().GetDuration("list-lag")
			rate, _ := cmd.Flags().GetInt("rate-limit")
			if errRate < 0 || errRate > 1 {
				return fmt.Errorf("--error-rate %v: want a share between 0 and 1", errRate)
			}
			if token == "" {
				return errors.New("--token is required: the fake accepts only requests that carry it")
			}
			l, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("listen %s: %w", listen, err)
			}
			fmt.Fprintf(a.io.out, "fake DigitalOcean API on http://%s/ (token required)\n", l.Addr())
			machinesImage, _ := cmd.Flags().GetString("machines")
			var machines *dofake.Machines
			if machinesImage != "" {
				cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
				if err != nil {
					return fmt.Errorf("--machines: docker client: %w", err)
				}
				defer cli.Close()
				if _, err := cli.ImageInspect(cmd.Context(), machinesImage); err != nil {
					return fmt.Errorf("--machines %s: %w (make node-image builds drover/node:bookworm)", machinesImage, err)
				}
				// A fake's droplets live in its memory: containers left by
				// one that was killed belong to nothing now.
				if err := removeLabelled(cmd.Context(), cli, devMachineLabel); err != nil {
					return fmt.Errorf("--machines: removing the containers of an earlier run: %w", err)
				}
				machines = &dofake.Machines{Engine: cli, Image: machinesImage, Prefix: "drover-dev-droplet-", Labels: map[string]string{devMachineLabel: "fake-digitalocean"}}
			}
			if rate == 0 {
				rate = -1 // the fake's "no limit"
			}
			fake := dofake.New(dofake.Options{Token: token, BootTime: boot, RatePerMinute: rate, RateWindow: time.Minute, Machines: machines})
			defer func() {
				if cerr := fake.Close(); cerr != nil {
					fmt.Fprintf(a.io.err, "removing the droplets' containers: %v\n", cerr)
				}
			}()
			fake.Inject(dofake.Faults{ServerErrorRate: errRate, ListLag: lag})
			srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
			go func() { <-cmd.Context().Done(); srv.Close() }()
			if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().String("listen", "127.0.0.1:8089", "address to serve on")
	cmd.Flags().String("token", "", "the bearer token the fake accepts (required)")
	cmd.Flags().Duration("boot-time", 5*time.Second, "how long a new droplet stays \"new\" before it is \"active\"")
	cmd.Flags().Float64("error-rate", 0, "share of requests (0..1) answered 500")
	cmd.Flags().Duration("list-lag", 0, "how long a new droplet is missing from lists")
	cmd.Flags().Int("rate-limit", 250, "requests per minute before 429 (0: no limit)")
	cmd.Flags().String("machines", "", "back every droplet with a container of this image on the local Docker engine, running its user data")
	return cmd
}

// devMachineLabel marks the containers of dev fake-digitalocean --machines.
const devMachineLabel = "drover.dev"

// removeLabelled removes the containers (and their anonymous volumes) that
// carry label.
func removeLabelled(ctx context.Context, cli client.APIClient, label string) error {
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", label))})
	if err != nil {
		return err
	}
	for _, c := range list {
		if err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !errdefs.IsNotFound(err) {
			return err
		}
	}
	return nil
}
