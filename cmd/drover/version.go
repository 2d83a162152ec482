package main

import (
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/drover/internal/views"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func buildVersion() views.Version {
	info := views.Version{Version: version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				info.Commit = s.Value[:12]
			}
		}
	}
	return info
}

func (a *app) versionCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print drover's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := a.view(cmd)
			if err != nil {
				return err
			}
			return v.Version(buildVersion())
		},
	}
	addOutputFlag(cmd)
	return cmd
}
