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
    token   = env("DIGITALOCEAN_TOKEN")
    region  = "fra1"
    api_url = "http://127.0.0.1:8089/"
  }

Faults can be injected to watch drover cope: --error-rate answers that
share of requests 500 (half of the failed writes happen anyway, their
reply lost), --list-lag keeps new droplets out of lists for a while, and
--rate-limit sets the request budget per minute (the real API's is 250).`,
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
			if rate == 0 {
				rate = -1 // the fake's "no limit"
			}
			fake := dofake.New(dofake.Options{Token: token, BootTime: boot, RatePerMinute: rate, RateWindow: time.Minute})
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
	return cmd
}
