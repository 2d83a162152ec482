package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/docker/docker/client"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/internal/datadir"
	"github.com/drover/drover/spierr"
)

// Config is the provider block, provider "docker" "NAME" {}, decoded.
type Config struct {
	// Host is the engine address; DOCKER_HOST or the local socket when
	// empty.
	Host string `json:"host,omitempty"`
	// CertPath is a directory holding ca.pem, cert.pem and key.pem for a
	// TLS engine; DOCKER_CERT_PATH when empty.
	CertPath string `json:"cert_path,omitempty"`
	// SocketDir is the host directory under which node containers' engine
	// sockets appear; when empty, NodesDirName under drover's data
	// directory (Options.DataDir). It is a path on the machine the engine
	// runs on, so node mode needs the engine to be local to drover (its
	// sockets are reached through this directory). It must be owned by
	// drover's user and writable by no one else (see ensureSocketDir).
	SocketDir string `json:"socket_dir,omitempty"`
}

// Plugin is the docker instance provider: a machine is a container. It
// implements instance.Plugin, instance.Watcher and instance.MetricsSource
// and is safe for concurrent use.
type Plugin struct {
	cli       *client.Client
	socketDir string // absolute; "" when no data dir is known: no nodes
	// socketDirSet says socket_dir was given: the directory is the user's,
	// not drover's own, and need not be exactly 0700.
	socketDirSet bool
	// engineSocket is the path of the engine's unix socket, "" for an
	// engine reached over the network: a bind of it needs
	// allow_host_access.
	engineSocket string

	// netMu serialises creating networks, so that concurrent provisions
	// in this process do not create a network twice.
	netMu sync.Mutex

	// negMu and negotiated make the API version negotiation happen once,
	// before any other call: the client negotiates lazily on first use,
	// and concurrent first calls race on its version field.
	negMu      sync.Mutex
	negotiated atomic.Bool
}

var (
	_ instance.Plugin        = (*Plugin)(nil)
	_ instance.Watcher       = (*Plugin)(nil)
	_ instance.MetricsSource = (*Plugin)(nil)
)

// New connects to the engine the provider block config describes. It does
// not contact the engine: an engine that is down shows up as
// spierr.ErrUnavailable errors of the calls that need it. A malformed
// config is a spierr.ErrInvalid error.
func New(ctx context.Context, config json.RawMessage) (*Plugin, error) {
	return Options{}.New(ctx, config)
}

// Options are what drover tells the provider besides its provider block.
type Options struct {
	// DataDir is drover's data directory: node sockets appear under its
	// NodesDirName unless socket_dir says otherwise. Empty: drover's
	// default data directory ($DROVER_DATA_DIR, else
	// $XDG_DATA_HOME/drover, else ~/.local/share/drover).
	DataDir string
}

// New is New with o.
func (o Options) New(ctx context.Context, config json.RawMessage) (*Plugin, error) {
	const op = "docker.New"
	cfg, err := decodeConfig(config)
	if err != nil {
		return nil, spierr.Invalid(op, "provider config: %v", err)
	}
	set := cfg.SocketDir != ""
	if !set && o.DataDir == "" {
		// Only node mode needs the directory: a plugin that cannot tell
		// where it is (an external one run without a home) still serves
		// plain containers, and refuses nodes (nodeRequest).
		o.DataDir, _ = datadir.Default(os.LookupEnv)
	}
	if !set && o.DataDir != "" {
		cfg.SocketDir = filepath.Join(o.DataDir, NodesDirName)
	}
	cli, err := client.NewClientWithOpts(clientOptions(cfg)...)
	if err != nil {
		return nil, spierr.Invalid(op, "engine client: %w", err)
	}
	var dir string
	if cfg.SocketDir != "" {
		if dir, err = filepath.Abs(cfg.SocketDir); err != nil {
			return nil, spierr.Invalid(op, "socket_dir: %w", err)
		}
	}
	p := &Plugin{cli: cli, socketDir: dir, socketDirSet: set}
	if h, ok := strings.CutPrefix(cli.DaemonHost(), "unix://"); ok {
		p.engineSocket = h
	}
	return p, nil
}

// ready negotiates the API version with the engine once, before the first
// call of any method goes out.
func (p *Plugin) ready(ctx context.Context) error {
	if p.negotiated.Load() {
		return nil
	}
	p.negMu.Lock()
	defer p.negMu.Unlock()
	if p.negotiated.Load() {
		return nil
	}
	ping, err := p.cli.Ping(ctx)
	if err != nil {
		return fail("docker", err, "reach the engine")
	}
	p.cli.NegotiateAPIVersionPing(ping)
	p.negotiated.Store(true)
	return nil
}

// decodeConfig decodes the provider block strictly.
func decodeConfig(config json.RawMessage) (Config, error) {
	var cfg Config
	if len(bytes.TrimSpace(config)) > 0 && string(bytes.TrimSpace(config)) != "null" {
		dec := json.NewDecoder(bytes.NewReader(config))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// clientOptions builds the engine client's options: the environment first,
// then what the provider block says, always with API version negotiation.
func clientOptions(cfg Config) []client.Opt {
	opts := []client.Opt{client.FromEnv}
	if cfg.Host != "" {
		opts = append(opts, client.WithHost(cfg.Host))
	}
	if cfg.CertPath != "" {
		opts = append(opts, client.WithTLSClientConfig(
			filepath.Join(cfg.CertPath, "ca.pem"),
			filepath.Join(cfg.CertPath, "cert.pem"),
			filepath.Join(cfg.CertPath, "key.pem"),
		))
	}
	return append(opts, client.WithAPIVersionNegotiation())
}

// Client returns the engine client, for callers that need the engine
// itself (tests, metrics).
func (p *Plugin) Client() *client.Client { return p.cli }

// SocketDir returns the absolute directory under which node containers'
// engine sockets appear.
func (p *Plugin) SocketDir() string { return p.socketDir }

// Close releases the engine client's connections.
func (p *Plugin) Close() error { return p.cli.Close() }
