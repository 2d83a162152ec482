package external

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"

	plugin "github.com/hashicorp/go-plugin"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	plugingrpc "github.com/drover/drover/plugins/grpc"
	"github.com/drover/drover/spierr"
)

// conn is one running plugin process and its clients.
type conn struct {
	client *plugin.Client
	cmd    *exec.Cmd
	pid    int
	done   <-chan struct{} // closed when the process has exited

	inst     *plugingrpc.InstanceClient // nil if the binary serves no instance plugin
	instInfo *plugingrpc.InstanceInfo
	flav     flavor.Plugin // nil if it serves no flavor plugin
	flavInfo *plugingrpc.FlavorInfo

	mu        sync.Mutex
	providers map[string]instance.Plugin // configured, by provider key
}

// exitStatus says how the process ended; call it after done is closed.
func (c *conn) exitStatus() string {
	// go-plugin closes done after cmd.Wait returned: ProcessState is set.
	if ps := c.cmd.ProcessState; ps != nil {
		return ps.String()
	}
	return "exited"
}

// launch starts the plugin at path on the starter's thread and connects
// to it: the handshake, then Info for the instance and flavor plugins the
// binary serves.
func (s *Supervisor) launch(ctx context.Context) (*conn, error) {
	cmd := exec.Command(s.path)
	cmd.Env = append([]string{}, s.opts.Env...)
	setParentDeath(cmd)
	stderr := newTail(20)
	cfg := plugingrpc.ClientConfig(cmd, newHCLog(s.log))
	cfg.StartTimeout = s.opts.StartTimeout
	cfg.SkipHostEnv = true
	cfg.Managed = false
	cfg.Stderr = stderr
	cfg.SyncStdout = &lineLogger{log: s.log, level: slog.LevelInfo, msg: "plugin stdout"}
	cfg.SyncStderr = &lineLogger{log: s.log, level: slog.LevelWarn, msg: "plugin stderr"}
	client := plugin.NewClient(cfg)
	c := &conn{client: client, cmd: cmd, providers: map[string]instance.Plugin{}}

	var rpc plugin.ClientProtocol
	var err error
	if serr := s.starter.do(ctx, func() { rpc, err = client.Client() }); serr != nil {
		return nil, serr
	}
	if err != nil {
		client.Kill()
		return nil, startError(s.name, s.path, err, stderr.String())
	}
	if rc := client.ReattachConfig(); rc != nil {
		c.pid = rc.Pid
	}
	fail := func(err error) (*conn, error) {
		client.Kill()
		return nil, fmt.Errorf("plugin %q (%s): %w", s.name, s.path, err)
	}
	ictx, cancel := context.WithTimeout(ctx, s.opts.StartTimeout)
	defer cancel()
	if raw, err := rpc.Dispense(plugingrpc.PluginInstance); err == nil {
		ic, ok := raw.(*plugingrpc.InstanceClient)
		if !ok {
			return fail(fmt.Errorf("dispensed %T for an instance plugin", raw))
		}
		info, err := ic.Info(ictx)
		switch {
		case err == nil:
			c.inst, c.instInfo, c.done = ic, &info, ic.Done()
		case !notServed(err):
			return fail(fmt.Errorf("instance plugin info: %w", err))
		}
	}
	if raw, err := rpc.Dispense(plugingrpc.PluginFlavor); err == nil {
		fc, ok := raw.(*plugingrpc.FlavorClient)
		if !ok {
			return fail(fmt.Errorf("dispensed %T for a flavor plugin", raw))
		}
		info, err := fc.Info(ictx)
		switch {
		case err == nil:
			fl, err := fc.Flavor(ictx)
			if err != nil {
				return fail(fmt.Errorf("flavor plugin: %w", err))
			}
			c.flav, c.flavInfo = fl, &info
			if c.done == nil {
				c.done = fc.Done()
			}
		case !notServed(err):
			return fail(fmt.Errorf("flavor plugin info: %w", err))
		}
	}
	if c.inst == nil && c.flav == nil {
		return fail(errors.New("serves neither an instance nor a flavor plugin"))
	}
	return c, nil
}

// notServed says whether err means the plugin serves no such service: the
// transport reports gRPC's Unimplemented as spierr.ErrUnsupported.
func notServed(err error) bool { return errors.Is(err, spierr.ErrUnsupported) }

// lineLogger logs each line written to it: what a plugin prints on stdout
// or stderr after the handshake.
type lineLogger struct {
	log   *slog.Logger
	level slog.Level
	msg   string
	mu    sync.Mutex
	part  []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part = append(l.part, p...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			break
		}
		l.log.Log(context.Background(), l.level, l.msg, "line", string(l.part[:i]))
		l.part = l.part[i+1:]
	}
	return len(p), nil
}
