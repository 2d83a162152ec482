package external

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	hclog "github.com/hashicorp/go-hclog"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/vanilla"
	"github.com/drover/drover/instance"
	plugingrpc "github.com/drover/drover/plugins/grpc"
	s "github.com/drover/drover/schema"
	"github.com/drover/drover/spierr"
)

// The test binary is also every fake plugin of these tests: run with
// envMode set, it becomes the plugin of that mode instead of running the
// tests (plugins get no other environment: Options.Env passes it).
const (
	envMode = "DROVER_EXTERNAL_TEST_MODE"
	envFile = "DROVER_EXTERNAL_TEST_FILE" // a file the mode writes to
)

func TestMain(m *testing.M) {
	switch mode := os.Getenv(envMode); mode {
	case "":
		os.Exit(m.Run())
	case "mem":
		serveMem(false)
	case "junk":
		fmt.Println("hello from a chatty plugin")
		serveMem(false)
	case "hang":
		serveMem(true)
	case "exit": // log the attempt, complain, fail before the handshake
		appendLine(os.Getenv(envFile), "attempt")
		fmt.Fprintln(os.Stderr, "boom: no config")
		os.Exit(1)
	case "sleep": // record the pid, never handshake, never watch the parent
		appendLine(os.Getenv(envFile), strconv.Itoa(os.Getpid()))
		select {}
	case "parent": // a drover that starts a "sleep" plugin and waits to be killed
		runParent()
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
}

func appendLine(path, line string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	fmt.Fprintln(f, line)
	f.Close()
}

func runParent() {
	self, _ := os.Executable()
	m := NewManager(map[string]string{"sleeper": self}, Options{
		StartTimeout: time.Hour,
		Env:          []string{envMode + "=sleep", envFile + "=" + os.Getenv(envFile)},
	})
	m.Start(context.Background())
	sup, _ := m.Supervisor("sleeper")
	sup.Info(context.Background()) // blocks: the plugin never handshakes
	select {}
}

// serveMem serves "mem", an in-memory instance plugin with Labeller and a
// list lag, and the vanilla flavor.
func serveMem(hang bool) {
	plugingrpc.Serve(plugingrpc.ServeConfig{
		Instance: &plugingrpc.InstanceProvider{
			ProviderSchema: &s.Block{Attributes: []s.Attribute{{Name: "prefix", Type: s.String}}},
			InstanceSchema: &s.Block{},
			Capabilities:   []instance.Declaration{instance.Labelling},
			ListLag:        5 * time.Second,
			New: func(ctx context.Context, config json.RawMessage) (instance.Plugin, error) {
				var cfg struct{ Prefix string }
				if err := json.Unmarshal(config, &cfg); err != nil {
					return nil, spierr.Invalid("New", "config: %v", err)
				}
				hclog.Default().Info("mem provider configured", "prefix", cfg.Prefix)
				return &mem{prefix: cfg.Prefix, hang: hang, insts: map[instance.ID]instance.Description{}}, nil
			},
		},
		Flavor: &plugingrpc.FlavorProvider{
			Schema: vanilla.Schema(),
			New:    func(context.Context) (flavor.Plugin, error) { return vanilla.New(), nil },
		},
	})
}

type mem struct {
	prefix string
	hang   bool
	mu     sync.Mutex
	n      int
	insts  map[instance.ID]instance.Description
}

func (m *mem) Validate(context.Context, json.RawMessage) error { return nil }

func (m *mem) Provision(_ context.Context, spec instance.Spec) (instance.ID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	id := instance.ID(fmt.Sprintf("%s%d", m.prefix, m.n))
	m.insts[id] = instance.Description{ID: id, State: instance.StateRunning, Tags: spec.Tags}
	return id, nil
}

func (m *mem) Destroy(_ context.Context, id instance.ID, _ instance.DestroyReason) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.insts[id]; !ok {
		return spierr.NotFound("Destroy", "no %s", id)
	}
	delete(m.insts, id)
	return nil
}

func (m *mem) Describe(_ context.Context, sel map[string]string) ([]instance.Description, error) {
	if m.hang {
		select {} // ignores its context: only the caller's deadline ends the call
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []instance.Description
	for _, d := range m.insts {
		if instance.Matches(d.Tags, sel) {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *mem) Label(_ context.Context, id instance.ID, labels map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.insts[id]
	if !ok {
		return spierr.NotFound("Label", "no %s", id)
	}
	for k, v := range labels {
		d.Tags[k] = v
	}
	return nil
}

func (m *mem) ListLag() time.Duration { return 5 * time.Second }
