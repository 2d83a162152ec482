package runner_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	dswarm "github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/specs"
)

// The node-loss benchmark's topology, the one of the measurements in the
// notes: 1 manager, 3 workers, 4 replicas on the workers.
const lossWorkers, lossReplicas = 3, 4

// BenchmarkNodeLoss measures the time from `docker kill` of a worker that
// holds tasks to all replicas running again on live nodes: native swarm
// alone (the baseline: it waits for the node's heartbeat to lapse, then its
// restart delay) and drover (which takes the dead node out at once). Run
// with -benchtime 5x; the metric is the median.
func BenchmarkNodeLoss(b *testing.B) {
	b.Run("native", func(b *testing.B) {
		cli := dockertest.Client(b)
		dockertest.Cleanup(b, cli)
		var times []time.Duration
		for b.Loop() { // a fresh swarm per trial: a killed node's dockerd does not come back cleanly
			s := dockertest.StartSwarm(b, cli, dockertest.SwarmOptions{Managers: 1, Workers: lossWorkers, Preload: []string{dockertest.DemoImage(b)}})
			m := s.Manager()
			createService(b, m, dockertest.DemoImage(b), lossReplicas)
			waitRunning(b, m, lossReplicas)
			victim, node := victimOf(b, m, s.Workers())
			times = append(times, killAndTime(b, cli, m, victim.ContainerID, node))
			for _, n := range s.Nodes { // free the machine for the next trial; Cleanup tolerates the gap
				_ = cli.ContainerRemove(context.WithoutCancel(b.Context()), n.ContainerID, container.RemoveOptions{Force: true, RemoveVolumes: true})
			}
		}
		report(b, times)
	})
	b.Run("drover", func(b *testing.B) {
		w := newSwarmWorld(b)
		r := startLogged(b, w, w.swarmSpec(1, lossWorkers, lossReplicas, w.image, "correct"))
		w.converged(r, 5*time.Minute)
		m := w.nodeClient("managers-1")
		var times []time.Duration
		for b.Loop() {
			per, _, err := running(b.Context(), m, "web")
			if err != nil {
				b.Fatal(err)
			}
			var victim, node string
			for _, c := range w.machines() {
				if id := nodeOf(b, m, c.ID); c.Labels["drover.group"] == "workers" && per[id] > 0 {
					victim, node = c.ID, id
				}
			}
			killed := time.Now()
			times = append(times, killAndTime(b, w.cli, m, victim, node))
			b.Logf("killed %.12s at %s: %v", victim, killed.Format("15:04:05.000"), times[len(times)-1])
			w.converged(r, 3*time.Minute)
		}
		report(b, times)
	})
}

// As drover's side of the benchmark has them: the restart delay and a
// healthcheck every 250ms (a task is running once healthy).
var (
	restartDelay = time.Second
	fastHealth   = container.HealthConfig{Test: []string{"CMD", "/demo-app", "-check"}, Interval: 250 * time.Millisecond, Timeout: time.Second, Retries: 2}
)

func createService(b *testing.B, m *client.Client, image string, replicas int) {
	n := uint64(replicas)
	spec := dswarm.ServiceSpec{
		Annotations: dswarm.Annotations{Name: "web"},
		TaskTemplate: dswarm.TaskSpec{
			ContainerSpec: &dswarm.ContainerSpec{Image: image, Healthcheck: &fastHealth},
			Placement:     &dswarm.Placement{Constraints: []string{"node.role == worker"}},
			// As drover's side of the benchmark has it.
			RestartPolicy: &dswarm.RestartPolicy{Condition: dswarm.RestartPolicyConditionAny, Delay: &restartDelay},
		},
		Mode: dswarm.ServiceMode{Replicated: &dswarm.ReplicatedService{Replicas: &n}},
	}
	if _, err := m.ServiceCreate(b.Context(), spec, dswarm.ServiceCreateOptions{QueryRegistry: false}); err != nil {
		b.Fatal(err)
	}
}

func waitRunning(b *testing.B, m *client.Client, n int) {
	dockertest.WaitFor(b, 2*time.Minute, func() (bool, error) {
		_, total, err := running(b.Context(), m, "web")
		return err == nil && total == n, fmt.Errorf("%d of %d running (%v)", total, n, err)
	})
}

// victimOf picks a worker that holds tasks, and its node id.
func victimOf(b *testing.B, m *client.Client, workers []dockertest.SwarmNode) (dockertest.SwarmNode, string) {
	per, _, err := running(b.Context(), m, "web")
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range workers {
		info, err := w.Client.Info(b.Context())
		if err == nil && per[info.Swarm.NodeID] > 0 {
			return w, info.Swarm.NodeID
		}
	}
	b.Fatalf("no worker holds a task: %v", per)
	return dockertest.SwarmNode{}, ""
}

// killAndTime kills a node container and returns the time until every
// replica runs again on a ready node other than the victim's (which swarm
// still reports ready until its heartbeat lapses).
func killAndTime(b *testing.B, cli, m *client.Client, id, node string) time.Duration {
	start := time.Now()
	if err := cli.ContainerKill(b.Context(), id, "KILL"); err != nil {
		b.Fatal(err)
	}
	for time.Since(start) < 2*time.Minute {
		if per, total, err := running(b.Context(), m, "web"); err == nil && total-per[node] == lossReplicas {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond) // polling an external swarm: the thing measured
	}
	b.Fatal("replicas not back within 2 minutes")
	return 0
}

// report gives the median, the 90th percentile (nearest rank) and the
// maximum: the aim is a bound on the p90, not on the median.
func report(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	p90 := times[(len(times)*9+9)/10-1]
	b.ReportMetric(times[len(times)/2].Seconds(), "s-median")
	b.ReportMetric(p90.Seconds(), "s-p90")
	b.ReportMetric(times[len(times)-1].Seconds(), "s-max")
	b.Logf("%v", times)
}

// startLogged runs spec as swarmWorld.start does; with DROVER_BENCH_LOG
// set to a file name, the runner's debug log (every pass and how long it
// took) goes there, to see where the time of a repair goes.
func startLogged(b *testing.B, w *swarmWorld, spec *specs.Spec) *runner.Runner {
	path := os.Getenv("DROVER_BENCH_LOG")
	if path == "" {
		return w.start(spec)
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	r, err := runner.New(b.Context(), spec, runner.Options{Registry: w.registry, Managers: w.managers, Owner: w.owner, DataDir: w.data, Events: w.events, Resync: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(reconcile.WithLogger(b.Context(), log))
	done := make(chan struct{})
	go func() { r.Run(ctx, nil, nil); close(done) }()
	b.Cleanup(func() { cancel(); <-done; f.Close() })
	return r
}

// BenchmarkSwarmApply measures apply to converged for the example's shape
// (1 manager, 2 workers, a 6-replica service): drover from nothing, and the
// baseline of forming the same swarm by hand with the Docker API (node
// containers, init, joins, service) in the same run. Run with -benchtime 3x.
func BenchmarkSwarmApply(b *testing.B) {
	b.Run("native", func(b *testing.B) {
		cli := dockertest.Client(b)
		dockertest.Cleanup(b, cli)
		var times []time.Duration
		for b.Loop() {
			start := time.Now()
			s := dockertest.StartSwarm(b, cli, dockertest.SwarmOptions{Managers: 1, Workers: 2, Preload: []string{dockertest.DemoImage(b)}})
			createService(b, s.Manager(), dockertest.DemoImage(b), 6)
			waitRunning(b, s.Manager(), 6)
			times = append(times, time.Since(start))
		}
		report(b, times)
	})
	b.Run("drover", func(b *testing.B) {
		w := newSwarmWorld(b)
		var times []time.Duration
		for i := 0; b.Loop(); i++ {
			w.owner = dockertest.Name(b, fmt.Sprintf("apply%d", i)) // a fresh swarm each time
			start := time.Now()
			r := w.start(w.swarmSpec(1, 2, 6, w.image, "correct"))
			w.converged(r, 5*time.Minute)
			times = append(times, time.Since(start))
		}
		report(b, times)
	})
}
