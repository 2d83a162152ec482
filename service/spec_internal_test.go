package service

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/specs"
)

// everything is a service that sets every field drover maps.
func everything() *specs.Service {
	return &specs.Service{
		Resource:             specs.Resource{Kind: "service", Name: "web"},
		Swarm:                "demo",
		Image:                "drover/demo-app",
		Entrypoint:           []string{"/app"},
		Command:              []string{"-listen", ":8080"},
		Env:                  map[string]string{"B": "2", "A": "1=one"},
		Labels:               map[string]string{"tier": "front"},
		ContainerLabels:      map[string]string{"c": "d"},
		User:                 "1000:1000",
		Workdir:              "/srv",
		Mode:                 "replicated",
		Replicas:             3,
		Ports:                []specs.Port{{Published: 8080, Target: 8080, Protocol: "tcp"}, {Target: 9000, Protocol: "udp"}},
		PublishMode:          "ingress",
		Networks:             []string{"backend"},
		Constraints:          []string{"node.role == worker", "node.labels.zone != b"},
		PlacementPreferences: []string{"spread=node.labels.zone"},
		MaxReplicasPerNode:   2,
		StopGracePeriod:      20 * time.Second,
		Mounts: []specs.Mount{
			{Type: "volume", Source: "data", Target: "/data"},
			{Type: "tmpfs", Target: "/tmp"},
			{Type: "bind", Source: "/etc/hostname", Target: "/host", ReadOnly: true},
		},
		Resources:   &specs.Resources{ReserveCPU: 0.1, ReserveMemory: 8 << 20, LimitCPU: 0.5, LimitMemory: 64 << 20},
		Healthcheck: &specs.Healthcheck{Test: []string{"CMD", "/app", "-health"}, Interval: 2 * time.Second, Timeout: time.Second, Retries: 2, StartPeriod: time.Second},
		Log:         &specs.LogConfig{Driver: "json-file", Options: map[string]string{"max-size": "1m"}},
		Update:      specs.UpdateConfig{Parallelism: 2, Delay: time.Second, FailureAction: "rollback", Monitor: 3 * time.Second, MaxFailureRatio: 0.5, Order: "start-first"},
		Rollback:    specs.UpdateConfig{Parallelism: 1, FailureAction: "pause", Monitor: 5 * time.Second, Order: "stop-first"},
		Restart:     specs.RestartPolicy{Condition: "on-failure", Delay: time.Second, MaxAttempts: 3, Window: time.Minute},
		DependsOn:   []string{"db"},
		Drift:       "correct",
	}
}

func TestToSwarmMapsEveryField(t *testing.T) {
	d := desiredService(everything(), "me")
	s := d.spec
	cs := s.TaskTemplate.ContainerSpec
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	check("name", s.Name, "web")
	check("labels", s.Labels, map[string]string{"tier": "front", LabelOwner: "me", LabelSwarm: "demo", LabelConfig: d.swarmHash})
	check("image", cs.Image, "drover/demo-app")
	check("entrypoint", cs.Command, []string{"/app"})
	check("command", cs.Args, []string{"-listen", ":8080"})
	check("env", cs.Env, []string{"A=1=one", "B=2"})
	check("container labels", cs.Labels, map[string]string{"c": "d"})
	check("user", cs.User, "1000:1000")
	check("workdir", cs.Dir, "/srv")
	check("replicas", *s.Mode.Replicated.Replicas, uint64(3))
	check("global", s.Mode.Global, (*swarm.GlobalService)(nil))
	check("ports", s.EndpointSpec.Ports, []swarm.PortConfig{
		{Protocol: "tcp", TargetPort: 8080, PublishedPort: 8080, PublishMode: "ingress"},
		{Protocol: "udp", TargetPort: 9000, PublishMode: "ingress"},
	})
	check("networks", s.TaskTemplate.Networks, []swarm.NetworkAttachmentConfig{{Target: "backend"}})
	check("constraints", s.TaskTemplate.Placement.Constraints, []string{"node.role == worker", "node.labels.zone != b"})
	check("preferences", s.TaskTemplate.Placement.Preferences, []swarm.PlacementPreference{{Spread: &swarm.SpreadOver{SpreadDescriptor: "node.labels.zone"}}})
	check("max replicas", s.TaskTemplate.Placement.MaxReplicas, uint64(2))
	check("stop grace", *cs.StopGracePeriod, 20*time.Second)
	check("mounts", cs.Mounts, []mount.Mount{
		{Type: "volume", Source: "data", Target: "/data"},
		{Type: "tmpfs", Target: "/tmp"},
		{Type: "bind", Source: "/etc/hostname", Target: "/host", ReadOnly: true},
	})
	check("limits", *s.TaskTemplate.Resources.Limits, swarm.Limit{NanoCPUs: 5e8, MemoryBytes: 64 << 20})
	check("reservations", *s.TaskTemplate.Resources.Reservations, swarm.Resources{NanoCPUs: 1e8, MemoryBytes: 8 << 20})
	check("healthcheck test", cs.Healthcheck.Test, []string{"CMD", "/app", "-health"})
	check("healthcheck", []any{cs.Healthcheck.Interval, cs.Healthcheck.Timeout, cs.Healthcheck.Retries, cs.Healthcheck.StartPeriod}, []any{2 * time.Second, time.Second, 2, time.Second})
	check("log", *s.TaskTemplate.LogDriver, swarm.Driver{Name: "json-file", Options: map[string]string{"max-size": "1m"}})
	check("update", *s.UpdateConfig, swarm.UpdateConfig{Parallelism: 2, Delay: time.Second, FailureAction: "rollback", Monitor: 3 * time.Second, MaxFailureRatio: 0.5, Order: "start-first"})
	check("rollback", *s.RollbackConfig, swarm.UpdateConfig{Parallelism: 1, FailureAction: "pause", Monitor: 5 * time.Second, Order: "stop-first"})
	rp := s.TaskTemplate.RestartPolicy
	check("restart", []any{rp.Condition, *rp.Delay, *rp.MaxAttempts, *rp.Window}, []any{swarm.RestartPolicyConditionOnFailure, time.Second, uint64(3), time.Minute})
}

func TestToSwarmGlobalAndEmpty(t *testing.T) {
	svc := &specs.Service{Resource: specs.Resource{Kind: "service", Name: "agent"}, Swarm: "demo", Image: "a:1", Mode: "global"}
	s := desiredService(svc, "me").spec
	if s.Mode.Global == nil || s.Mode.Replicated != nil {
		t.Errorf("mode = %+v, want global", s.Mode)
	}
	tt := s.TaskTemplate
	svc.Ports, svc.PublishMode = []specs.Port{{Published: 80, Target: 8080, Protocol: "tcp"}}, "host"
	if p := desiredService(svc, "me").spec.EndpointSpec.Ports[0]; p.PublishMode != swarm.PortConfigPublishModeHost || p.PublishedPort != 80 {
		t.Errorf("host port = %+v", p)
	}
	if tt.Placement != nil || tt.Resources != nil || tt.LogDriver != nil || tt.ContainerSpec.Healthcheck != nil || s.EndpointSpec != nil || tt.Networks != nil {
		t.Errorf("unset fields are set: %+v", s)
	}
	// Unset policies are swarm's defaults, written out.
	if u := s.UpdateConfig; u.Parallelism != 0 || u.FailureAction != "pause" || u.Monitor != 5*time.Second || u.Order != "stop-first" {
		t.Errorf("update = %+v", u)
	}
	if rp := tt.RestartPolicy; rp.Condition != "any" || *rp.Delay != 0 {
		t.Errorf("restart = %+v", rp)
	}
}

// inspectedBack imitates what swarm answers for a spec drover sent: through
// JSON, networks by id, the image tagged by the client, and the fields
// swarm adds.
func inspectedBack(t *testing.T, sent swarm.ServiceSpec, ids map[string]string) swarm.ServiceSpec {
	t.Helper()
	sent = withNetworkIDs(sent, ids)
	b, err := json.Marshal(sent)
	if err != nil {
		t.Fatal(err)
	}
	var got swarm.ServiceSpec
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	got.TaskTemplate.ContainerSpec.Image = normalImage(got.TaskTemplate.ContainerSpec.Image)
	got.TaskTemplate.ContainerSpec.Isolation = "default"
	got.TaskTemplate.Runtime = swarm.RuntimeContainer
	got.TaskTemplate.ForceUpdate = 0
	return got
}

func TestProjectionRoundTrip(t *testing.T) {
	ids := map[string]string{"backend": "n0123456789"}
	names := map[string]string{"n0123456789": "backend"}
	for _, svc := range []*specs.Service{everything(), {Resource: specs.Resource{Kind: "service", Name: "min"}, Swarm: "s", Image: "busybox", Mode: "replicated", Replicas: 1}} {
		want := desiredService(svc, "me")
		have := project(inspectedBack(t, want.spec, ids), names)
		if changes := diff(have, want.view); len(changes) > 0 {
			t.Errorf("%s: a spec inspected back differs: %q", svc.Name, changes)
		}
		if have.hash() != want.swarmHash {
			t.Errorf("%s: hash %s, want %s", svc.Name, have.hash(), want.swarmHash)
		}
	}
}

// TestProjectionDefaults: a spec that leaves things to swarm reads the same
// as one that spells swarm's defaults out, and nil reads as empty.
func TestProjectionDefaults(t *testing.T) {
	grace := 10 * time.Second
	delay := 5 * time.Second
	zero := uint64(0)
	one := uint64(1)
	var zeroD time.Duration
	explicit := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Labels: map[string]string{}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{Image: "docker.io/library/busybox:latest", Env: []string{}, Labels: map[string]string{}, StopGracePeriod: &grace},
			RestartPolicy: &swarm.RestartPolicy{Condition: "any", Delay: &delay, MaxAttempts: &zero, Window: &zeroD},
			Placement:     &swarm.Placement{Constraints: []string{}},
			Resources:     &swarm.ResourceRequirements{Limits: &swarm.Limit{}},
			LogDriver:     &swarm.Driver{},
		},
		Mode:           swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &one}},
		UpdateConfig:   &swarm.UpdateConfig{Parallelism: 1, Monitor: 5 * time.Second},
		RollbackConfig: &swarm.UpdateConfig{Parallelism: 1, FailureAction: "pause", Order: "stop-first"},
		EndpointSpec:   &swarm.EndpointSpec{Mode: "vip"},
	}
	bare := swarm.ServiceSpec{TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Image: "busybox"}}}
	if changes := diff(project(bare, nil), project(explicit, nil)); len(changes) > 0 {
		t.Errorf("defaults differ: %q", changes)
	}
}

func TestDiffRendering(t *testing.T) {
	base := everything()
	tests := []struct {
		name   string
		change func(*specs.Service)
		want   []string
	}{
		{"replicas", func(s *specs.Service) { s.Replicas = 6 }, []string{"replicas: 3 -> 6"}},
		{"image", func(s *specs.Service) { s.Image = "drover/demo-app:2" }, []string{"image: drover/demo-app:latest -> drover/demo-app:2"}},
		{"env keys only", func(s *specs.Service) { s.Env = map[string]string{"A": "secret", "C": "3"} }, []string{"env: ~A +C -B"}},
		{"command hidden", func(s *specs.Service) { s.Command = []string{"-token", "xyz"} }, []string{"command"}},
		{"nested", func(s *specs.Service) { s.Update.Parallelism = 1; s.Restart.Delay = 2 * time.Second }, []string{"update.parallelism: 2 -> 1", "restart.delay: 1s -> 2s"}},
		{"healthcheck removed", func(s *specs.Service) { s.Healthcheck = nil }, []string{"healthcheck: set -> none"}},
		{"healthcheck test hidden", func(s *specs.Service) {
			s.Healthcheck = &specs.Healthcheck{Test: []string{"CMD", "x"}, Interval: 2 * time.Second, Timeout: time.Second, Retries: 2, StartPeriod: time.Second}
		}, []string{"healthcheck.test"}},
		{"ports", func(s *specs.Service) { s.Ports = s.Ports[:1] }, []string{"ports: [8080:8080/tcp, 9000/udp] -> [8080:8080/tcp]"}},
		{"resources", func(s *specs.Service) { s.Resources.LimitCPU = 1 }, []string{"resources.limit_cpu: 0.5 -> 1"}},
		{"global", func(s *specs.Service) { s.Mode = "global" }, []string{"mode: replicated -> global", "replicas: 3 -> 0"}},
		{"publish mode", func(s *specs.Service) { s.PublishMode = "host" }, []string{"ports: [8080:8080/tcp, 9000/udp] -> [8080:8080/tcp (host), 9000/udp (host)]"}},
		{"same", func(*specs.Service) {}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := everything()
			tt.change(changed)
			got := diff(desiredService(base, "me").view, desiredService(changed, "me").view)
			if !slices.Equal(got, tt.want) {
				t.Errorf("diff = %q, want %q", got, tt.want)
			}
			for _, c := range got {
				if strings.Contains(c, "secret") || strings.Contains(c, "xyz") {
					t.Errorf("a secret value shows: %q", c)
				}
			}
		})
	}
}

func TestHashCoversReplicasButNotOwner(t *testing.T) {
	a, b := everything(), everything()
	b.Replicas = 4
	if desiredService(a, "me").swarmHash == desiredService(b, "me").swarmHash {
		t.Error("replicas do not change the hash")
	}
	if desiredService(a, "me").swarmHash != desiredService(a, "other").swarmHash {
		t.Error("the owner changes the hash")
	}
	if d := desiredService(a, "me"); project(d.spec, nil).hash() != d.swarmHash {
		t.Error("drover's own labels change the hash")
	}
}

func TestImageNormalisation(t *testing.T) {
	tests := map[string]string{
		"busybox":                     "busybox:latest",
		"docker.io/library/busybox:1": "busybox:1",
		"drover/demo-app":             "drover/demo-app:latest",
		"reg:5000/a/b:2":              "reg:5000/a/b:2",
		"Not A Ref":                   "Not A Ref",
	}
	for in, want := range tests {
		if got := normalImage(in); got != want {
			t.Errorf("normalImage(%q) = %q, want %q", in, got, want)
		}
	}
	d := view{Image: "a:1"}
	if got := alignDigest(view{Image: "a:1@sha256:abc"}, d).Image; got != "a:1" {
		t.Errorf("a digest the spec does not name is compared: %q", got)
	}
	d.Image = "a:1@sha256:def"
	if got := alignDigest(view{Image: "a:1@sha256:abc"}, d).Image; got != "a:1@sha256:abc" {
		t.Errorf("a digest the spec names is ignored: %q", got)
	}
}
