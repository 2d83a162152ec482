package runner_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/metric/prometheustest"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// webAutoscale is web's autoscaler in autoscaleSpec: its tasks' CPU, a
// quarter of a core each, 1 to 2 replicas, acting at once, a 10 s window.
const webAutoscale = `
    min                  = 1
    max                  = 2
    interval             = "2s"
    converge_timeout     = "3m"
    cooldown_up          = "0s"
    cooldown_down        = "0s"
    stabilization_window = "10s"`

// autoscaleSpec is a swarm of one manager and an autoscaled worker group
// (1 to 2 machines, on pending tasks) running "web", autoscaled on its
// tasks' CPU with the attributes webScale (webAutoscale), whose CPU
// reservations (reserve) let one task on a worker: a second replica needs
// a second worker; extra is more of the spec.
func (w *swarmWorld) autoscaleSpec(webScale string, reserve float64, extra string) *specs.Spec {
	w.t.Helper()
	node := fmt.Sprintf(`instance "docker" {
    image          = %q
    node           = true
    networks       = [%q]
    preload_images = [%q]
  }`, w.node, w.network, w.image)
	src := fmt.Sprintf(`
swarm "t" {}
group "managers" {
  size = 1
  %s
  flavor "swarm" {
    swarm = swarm.t
    role  = "manager"
  }
  health { grace = "90s" }
}
group "workers" {
  %s
  flavor "swarm" {
    swarm = swarm.t
    role  = "worker"
  }
  health { grace = "90s" }
  autoscale {
    min                  = 1
    max                  = 2
    interval             = "2s"
    converge_timeout     = "3m"
    cooldown_up          = "0s"
    cooldown_down        = "0s"
    stabilization_window = "10s"
    metric "swarm_pending_tasks" {}
  }
}
service "web" {
  swarm        = swarm.t
  image        = %q
  ports        = ["8080"]
  publish_mode = "host"
  constraints  = ["node.role == worker"]
  resources { reserve_cpu = %g } # a node container has the machine's 2 cores
  restart { delay = "1s" }
  autoscale {
    %s
    metric "cpu" { target = 0.25 }
  }
}
%s`, node, node, w.image, reserve, webScale, extra)
	l, _ := specs.NewLoader(specs.Options{Schemas: w.registry})
	spec, err := l.LoadSources(specs.Source{Name: "autoscale.hcl", Src: []byte(src)})
	if err != nil {
		w.t.Fatal(err)
	}
	return spec
}

// setLoad makes every running task of svc burn share of a core.
func setLoad(ctx context.Context, m *client.Client, svc string, share float64) error {
	urls, err := taskURLs(ctx, m, svc)
	if err != nil {
		return err
	}
	if len(urls) == 0 {
		return fmt.Errorf("no running task of %s", svc)
	}
	for _, u := range urls {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%sload?cpu=%g", u, share), nil)
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", u, resp.Status)
		}
	}
	return nil
}

// evaluations are the recorded evaluations of key's autoscaler, in order.
func (r *recorder) evaluations(key resource.Key) []resource.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []resource.Event
	for _, e := range r.all {
		if e.Resource == key && e.Autoscale != nil {
			out = append(out, e)
		}
	}
	return out
}

// queueService is a service on the manager scaled by a Prometheus query
// of the gauge queue (target 1 a replica, 1 to 3 replicas).
func queueService(prom *prometheustest.Server, image string) string {
	return fmt.Sprintf(`
service "queue" {
  swarm       = swarm.t
  image       = %q
  constraints = ["node.role == manager"]
  autoscale {
    min                  = 1
    max                  = 3
    interval             = "2s"
    converge_timeout     = "3m"
    cooldown_up          = "0s"
    cooldown_down        = "0s"
    stabilization_window = "0s"
    metric "prometheus" {
      address = %q
      query   = "max(drover_test_queue)"
      target  = 1
    }
  }
}`, image, prom.URL())
}

// pendingToCreate are the times of svc's first scale-up and of the first
// machine of group created after it.
func (r *recorder) pendingToCreate(svc, group resource.Key) (up, created time.Time, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.all {
		switch {
		case up.IsZero() && e.Resource == svc && e.Kind == autoscale.EventAutoscaled && e.Autoscale.Action == string(autoscale.Up):
			up = e.Time
		case !up.IsZero() && e.Resource == group && e.Kind == "created":
			return up, e.Time, true
		}
	}
	return up, created, false
}

// The autoscalers on a real swarm:
//   - a Prometheus query drives a service's replicas; with Prometheus
//     down, the service holds its count and its status says why;
//   - a service whose task burns CPU scales up at the first evaluation
//     that reads the load; its second replica's CPU reservation fits no
//     worker, so the worker group grows and it is placed;
//   - idle again, the service shrinks after its window and the group
//     shrinks to its min through a drained node, never losing the replica
//     that is left.
func TestAutoscaleSwarm(t *testing.T) {
	t.Parallel()
	gauge := prometheustest.NewGauge(t, "drover_test_queue")
	gauge.Set(1)
	prom := prometheustest.Start(t, gauge.Target())
	w := newSwarmWorld(t)
	r := w.start(w.autoscaleSpec(webAutoscale, 1.2, queueService(prom, w.image)))
	w.converged(r, boundSwarm)
	m := w.nodeClient("managers-1")
	web, workers, queue := resource.Service.KeyOf("web"), resource.Group.KeyOf("workers"), resource.Service.KeyOf("queue")

	gauge.Set(3) // three times the target on one replica: three replicas
	dockertest.WaitFor(t, boundShort, func() (bool, error) {
		_, n, err := running(t.Context(), m, "queue")
		return n == 3, fmt.Errorf("%d tasks of queue running (%v); %s", n, err, w.state(r))
	})
	prom.Stop()
	gauge.Set(0) // unseen: a metric that cannot be read holds
	dockertest.WaitFor(t, boundShort, func() (bool, error) {
		st, _ := r.Status(queue)
		a := st.Autoscale
		return a != nil && a.Rule == autoscale.RuleMissing && a.Metrics[0].Error != "" && a.Desired == 3,
			fmt.Errorf("queue's autoscaler: %+v", a)
	})
	if st, _ := r.Status(queue); strings.Contains(fmt.Sprint(st.Autoscale), strings.TrimPrefix(prom.URL(), "http://")) {
		t.Fatalf("the status shows the Prometheus address: %+v", st.Autoscale)
	}

	loaded := time.Now()
	if err := setLoad(t.Context(), m, "web", 0.8); err != nil {
		t.Fatal(err)
	}
	dockertest.WaitFor(t, boundSwarm, func() (bool, error) {
		_, n, err := running(t.Context(), m, "web")
		st, _ := r.Status(workers)
		return n == 2 && st.Observed.Ready == 2, fmt.Errorf("%d tasks of web running (%v), workers %d/%d ready; %s", n, err, st.Observed.Ready, st.Desired, w.state(r))
	})
	t.Logf("load to 2 replicas on 2 workers: %v", time.Since(loaded).Round(100*time.Millisecond))
	if up, created, ok := w.events.pendingToCreate(web, workers); ok {
		t.Logf("pending-to-create: %v from web's scale-up (its second task pending) to a worker created (its event, once the create call returned)", created.Sub(up).Round(10*time.Millisecond))
	}
	firstUp(t, w.events.evaluations(web), 0.25*1.1)
	if ev := w.events.evaluations(workers); !strings.Contains(fmt.Sprint(ev), "autoscaled") {
		t.Fatalf("the workers grew without their autoscaler deciding it: %v", ev)
	}

	if err := setLoad(t.Context(), m, "web", 0); err != nil {
		t.Fatal(err)
	}
	idle := time.Now()
	lowest := 2
	dockertest.WaitFor(t, boundSwarm, func() (bool, error) {
		_, n, err := running(t.Context(), m, "web")
		if err == nil {
			lowest = min(lowest, n)
		}
		st, _ := r.Status(workers)
		return n == 1 && st.Desired == 1 && st.Observed.Total == 1 && r.Converged(),
			fmt.Errorf("%d tasks of web running (%v), workers %d/%d; %s", n, err, st.Observed.Total, st.Desired, w.state(r))
	})
	t.Logf("idle to 1 replica on 1 worker: %v", time.Since(idle).Round(100*time.Millisecond))
	if lowest < 1 {
		t.Fatalf("web had %d running tasks while the workers shrank: a replica was lost", lowest)
	}
	for _, key := range []resource.Key{web, workers} {
		downsAfterWindow(t, w.events.evaluations(key), 10*time.Second)
	}
}

// firstUp checks that the first evaluation reading the metric above
// above scaled up: the load was acted on within one interval of being
// seen.
func firstUp(t *testing.T, evals []resource.Event, above float64) {
	t.Helper()
	for _, e := range evals {
		a := e.Autoscale
		if len(a.Metrics) > 0 && a.Metrics[0].Error == "" && a.Metrics[0].Value > above {
			if a.Action != string(autoscale.Up) {
				t.Fatalf("the first evaluation that read the load held: %s", e)
			}
			return
		}
	}
	t.Fatalf("no evaluation read a value above %v: %v", above, evals)
}

// downsAfterWindow checks the stabilisation window: no scale-down went
// below a recommendation made within window before it.
func downsAfterWindow(t *testing.T, evals []resource.Event, window time.Duration) {
	t.Helper()
	for i, e := range evals {
		if e.Autoscale.Action != string(autoscale.Down) {
			continue
		}
		for _, before := range evals[:i] {
			if e.Time.Sub(before.Time) < window && before.Autoscale.Recommended > e.Autoscale.Desired {
				t.Fatalf("%s scaled down to %d at %s, within %v of a recommendation of %d at %s",
					e.Resource, e.Autoscale.Desired, e.Time.Format(time.TimeOnly), window, before.Autoscale.Recommended, before.Time.Format(time.TimeOnly))
			}
		}
	}
}
