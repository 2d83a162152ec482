package metric_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/metric"
	"github.com/drover/drover/resource"
)

// stats is one stats read as the engine sends it, in the engine's units:
// CPU times in nanoseconds.
type stats struct {
	preTotal, preSystem uint64 // the first sample; preSystem 0: none
	total, system       uint64 // the second sample
	online              int    // online_cpus; 0 sends percpu instead
	percpu              int    // how many percpu_usage entries to send
	memUsage, memLimit  uint64
	memStats            map[string]uint64
}

// json is the stats response's JSON, written out with the engine's field
// names so that the test also checks how they decode.
func (s stats) json() string {
	percpu := make([]string, s.percpu)
	for i := range percpu {
		percpu[i] = "1"
	}
	mem, _ := json.Marshal(s.memStats)
	return fmt.Sprintf(`{"read":"2026-01-01T00:00:01Z","preread":"2026-01-01T00:00:00Z",
"precpu_stats":{"cpu_usage":{"total_usage":%d},"system_cpu_usage":%d,"online_cpus":%d},
"cpu_stats":{"cpu_usage":{"total_usage":%d,"percpu_usage":[%s]},"system_cpu_usage":%d,"online_cpus":%d},
"memory_stats":{"usage":%d,"limit":%d,"stats":%s}}`,
		s.preTotal, s.preSystem, s.online, s.total, strings.Join(percpu, ","), s.system, s.online,
		s.memUsage, s.memLimit, mem)
}

// busy is a stats read of a container that used share of all the host's
// cores between samples one second apart, on a host of cores cores.
func busy(cores int, share float64) stats {
	const second = uint64(1e9)
	system := second * uint64(cores)
	return stats{
		preTotal: 5e9, preSystem: 1e12,
		total: 5e9 + uint64(share*float64(system)), system: 1e12 + system,
		online: cores, memLimit: 1 << 30,
	}
}

// fakeContainer is one container of a fakeEngine.
type fakeContainer struct {
	stopped    bool
	nanoCPUs   int64
	stats      stats
	inspectErr error
	// block makes its stats read wait until its context ends.
	block bool
}

// fakeEngine serves the containers it holds; any other is gone.
type fakeEngine struct {
	containers map[string]fakeContainer

	mu        sync.Mutex
	streamed  bool // a stats read asked for a stream
	inflight  int
	maxFlight int
	// full, when set, holds every stats read until fullAt reads are in
	// flight at once (or their context ends), and then for overWait
	// more, or until a read more enters: a bound on parallel reads
	// shows as fullAt, never more.
	full     chan struct{}
	fullAt   int
	over     chan struct{}
	overWait time.Duration
	reached  bool // fullAt, then fullAt+1, were reached
	overSeen bool
}

var _ metric.Engine = (*fakeEngine)(nil)

func (e *fakeEngine) ContainerInspect(ctx context.Context, id string) (container.InspectResponse, error) {
	c, ok := e.containers[id]
	switch {
	case !ok:
		return container.InspectResponse{}, fmt.Errorf("No such container: %s: %w", id, cerrdefs.ErrNotFound)
	case c.inspectErr != nil:
		return container.InspectResponse{}, c.inspectErr
	}
	return container.InspectResponse{ContainerJSONBase: &container.ContainerJSONBase{
		ID:         id,
		State:      &container.State{Running: !c.stopped},
		HostConfig: &container.HostConfig{Resources: container.Resources{NanoCPUs: c.nanoCPUs}},
	}}, nil
}

func (e *fakeEngine) ContainerStats(ctx context.Context, id string, stream bool) (container.StatsResponseReader, error) {
	c, ok := e.containers[id]
	if !ok {
		return container.StatsResponseReader{}, fmt.Errorf("No such container: %s: %w", id, cerrdefs.ErrNotFound)
	}
	e.enter(stream)
	defer e.leave()
	if err := e.wait(ctx, c.block); err != nil {
		return container.StatsResponseReader{}, err
	}
	return container.StatsResponseReader{Body: io.NopCloser(strings.NewReader(c.stats.json())), OSType: "linux"}, nil
}

// enter counts a stats read in flight, opening full when fullAt are.
func (e *fakeEngine) enter(stream bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.streamed = e.streamed || stream
	e.inflight++
	e.maxFlight = max(e.maxFlight, e.inflight)
	switch {
	case e.full != nil && e.inflight == e.fullAt && !e.reached:
		e.reached = true
		go e.release()
	case e.over != nil && e.inflight == e.fullAt+1 && !e.overSeen:
		e.overSeen = true
		close(e.over)
	}
}

// release opens full once a read more than fullAt entered, or after
// overWait: a bounded reader never lets one more in, and nothing else
// can tell that no read is coming.
func (e *fakeEngine) release() {
	select {
	case <-e.over:
	case <-time.After(e.overWait):
	}
	close(e.full)
}

func (e *fakeEngine) leave() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.inflight--
}

// wait holds a read: until ctx ends if block, else until full opens.
func (e *fakeEngine) wait(ctx context.Context, block bool) error {
	var gate <-chan struct{}
	switch {
	case block:
	case e.full != nil:
		gate = e.full
	default:
		return nil
	}
	select {
	case <-gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// scope is a Scope of fixed containers or machines.
type scope struct {
	key        resource.Key
	containers []metric.Container
	machines   metric.Machines
	err        error
}

func (s scope) Key() resource.Key { return s.key }

func (s scope) Containers(ctx context.Context) ([]metric.Container, error) {
	return s.containers, s.err
}

func (s scope) Machines(ctx context.Context) (metric.Machines, error) { return s.machines, s.err }

func (s scope) Manager(ctx context.Context) (client.APIClient, error) {
	return nil, errors.New("no manager in this test")
}

var (
	service  = resource.Key{Kind: resource.Service, Name: "web"}
	group    = resource.Key{Kind: resource.Group, Name: "workers"}
	swarmKey = resource.Key{Kind: resource.Swarm, Name: "main"}
)

// serviceOf is a scope of service web whose containers are every
// container of e, in the order of ids.
func serviceOf(e metric.Engine, ids ...string) scope {
	s := scope{key: service}
	for _, id := range ids {
		s.containers = append(s.containers, metric.Container{ID: id, Task: "task-" + id, Engine: e})
	}
	return s
}

// newSource makes the builtin metric name's source of props.
func newSource(t *testing.T, name, props string, opts metric.Options) metric.Source {
	t.Helper()
	p, ok := metric.Builtins()[name]
	if !ok {
		t.Fatalf("no builtin metric %q", name)
	}
	src, err := p.New(json.RawMessage(props), opts)
	if err != nil {
		t.Fatalf("New(%s): %v", props, err)
	}
	return src
}

// read reads src once in s.
func read(t *testing.T, src metric.Source, s metric.Scope) (autoscale.Reading, error) {
	t.Helper()
	return src.Read(t.Context(), s)
}

// near reports whether got is within 1e-9 of want.
func near(got, want float64) bool { return got > want-1e-9 && got < want+1e-9 }

// fakeProvider is a provider plugin that measures CPU (when cpu is set)
// and records the ids it was asked about.
type fakeProvider struct {
	instance.Plugin
	cpu   map[instance.ID]float64
	err   error
	asked []instance.ID
}

func (p *fakeProvider) CPU(ctx context.Context, ids []instance.ID) (map[instance.ID]float64, error) {
	p.asked = append(p.asked, ids...)
	return p.cpu, p.err
}

// noMetrics is a provider plugin without MetricsSource.
type noMetrics struct{ instance.Plugin }
