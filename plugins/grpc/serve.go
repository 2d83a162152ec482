package plugingrpc

import (
	"fmt"
	"os"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/drover/drover/schema"
)

// ServeConfig is what a plugin binary serves: at least one of the SPIs.
type ServeConfig struct {
	Instance *InstanceProvider
	Flavor   *FlavorProvider
}

// parentPoll is how often a plugin checks that drover is still its parent.
const parentPoll = time.Second

// Serve serves cfg to the drover process that started this one, over
// gRPC, and returns only to exit: when drover closes the connection, or
// when this process's parent changes (drover died; the kernel's parent
// death signal, which drover also sets, may be missing). Logs written with
// hclog.Default() go to drover as JSON on stderr; nothing may be written
// to stdout before Serve, which carries the handshake. Run by hand, the
// binary says it is a plugin and exits.
func Serve(cfg ServeConfig) {
	logger := hclog.New(&hclog.LoggerOptions{
		Output:     os.Stderr,
		JSONFormat: true,
		Level:      hclog.Trace, // drover filters
	})
	hclog.SetDefault(logger)
	set, err := pluginSet(cfg)
	if err != nil {
		logger.Error("cannot serve", "error", err)
		fmt.Fprintln(os.Stderr, "drover plugin:", err)
		os.Exit(1)
	}
	go watchParent(logger, os.Getppid(), parentPoll, os.Getppid, os.Exit)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         set,
		GRPCServer:      newGRPCServer,
		Logger:          logger,
	})
	os.Exit(0)
}

// newGRPCServer is go-plugin's server with drover's message size limit:
// requests carry descriptions too (Observe).
func newGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	return plugin.DefaultGRPCServer(append(opts, grpc.MaxRecvMsgSize(MaxRecvMsgSize)))
}

// pluginSet is the server side's plugin set for cfg, after checking it.
func pluginSet(cfg ServeConfig) (plugin.PluginSet, error) {
	set := plugin.PluginSet{}
	if p := cfg.Instance; p != nil {
		if p.New == nil {
			return nil, fmt.Errorf("the instance provider has no New")
		}
		if err := checkSchema("provider", p.ProviderSchema); err != nil {
			return nil, err
		}
		if err := checkSchema("instance", p.InstanceSchema); err != nil {
			return nil, err
		}
		set[PluginInstance] = &instancePlugin{provider: p}
	}
	if p := cfg.Flavor; p != nil {
		if p.New == nil {
			return nil, fmt.Errorf("the flavor provider has no New")
		}
		if err := checkSchema("flavor", p.Schema); err != nil {
			return nil, err
		}
		set[PluginFlavor] = &flavorPlugin{provider: p}
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("nothing to serve: set ServeConfig.Instance or ServeConfig.Flavor")
	}
	return set, nil
}

// checkSchema refuses a schema drover would refuse; nil is no properties.
func checkSchema(what string, s *schema.Block) error {
	if s == nil {
		return nil
	}
	if err := s.Validate(); err != nil {
		return fmt.Errorf("the %s schema: %w", what, err)
	}
	return nil
}

// watchParent calls exit when this process's parent, as getppid says, is
// no longer ppid: drover died and the process was reparented. The new
// parent need not be pid 1 (subreapers), hence the comparison.
func watchParent(logger hclog.Logger, ppid int, every time.Duration, getppid func() int, exit func(int)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		if now := getppid(); now != ppid {
			logger.Error("drover, the parent process, is gone: exiting", "parent", ppid, "now", now)
			exit(1)
			return
		}
	}
}
