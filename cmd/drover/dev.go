package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

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
    token   = "dev"
    api_url = "http://127.0.0.1:8089/"
  }`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			listen, _ := cmd.Flags().GetString("listen")
			token, _ := cmd.Flags().GetString("token")
			boot, _ := cmd.Flags().GetDuration("boot-time")
			if token == "" {
				return errors.New("--token is required: the fake accepts only requests that carry it")
			}
			l, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("listen %s: %w", listen, err)
			}
			fmt.Fprintf(a.io.out, "fake DigitalOcean API on http://%s/ (token required)\n", l.Addr())
			srv := &http.Server{Handler: dofake.New(dofake.Options{Token: token, BootTime: boot}), ReadHeaderTimeout: 10 * time.Second}
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
	return cmd
}
