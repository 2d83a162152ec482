package service

import (
	"maps"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/specs"
)

func TestDecide(t *testing.T) {
	svc := everything()
	want := desiredService(svc, "me")
	names := map[string]string{}
	// inspected returns the service as swarm would show want's spec, after
	// change.
	inspected := func(change func(*swarm.Service)) *swarm.Service {
		s := &swarm.Service{ID: "id1", Spec: inspectedBack(t, want.spec, nil)}
		s.Spec.Labels = maps.Clone(s.Spec.Labels)
		if change != nil {
			change(s)
		}
		return s
	}
	scaled := func(s *swarm.Service) { n := uint64(9); s.Spec.Mode.Replicated.Replicas = &n }
	older := func(s *swarm.Service) {
		s.Spec.Labels[LabelConfig] = "0ld"
		s.Spec.TaskTemplate.ContainerSpec.Image = "drover/demo-app:0"
	}
	status := func(state swarm.UpdateState, msg string) func(*swarm.Service) {
		return func(s *swarm.Service) { s.UpdateStatus = &swarm.UpdateStatus{State: state, Message: msg} }
	}
	// rolledBack imitates swarm after a rollback of the desired spec: a
	// manual one swaps the specs; one swarm starts on a failure restores
	// the previous spec and clears PreviousSpec.
	rolledBack := func(manual bool, state swarm.UpdateState) func(*swarm.Service) {
		return func(s *swarm.Service) {
			prev := s.Spec
			prev.Labels = maps.Clone(prev.Labels)
			cs := *prev.TaskTemplate.ContainerSpec
			prev.TaskTemplate.ContainerSpec = &cs
			older(s)
			msg := "update rolled back due to failure or early termination of task x"
			if manual {
				msg = "manually requested rollback"
				s.PreviousSpec = &prev
			}
			status(state, msg)(s)
		}
	}
	completed := swarm.UpdateStateRollbackCompleted
	tests := []struct {
		name    string
		have    *swarm.Service
		drift   string
		pushed  string
		action  string
		event   string
		flag    string // foreign, drift, failed:<kind>, rolling
		changes string
	}{
		{name: "missing", action: ActionCreate, event: EventCreated},
		{name: "up to date", have: inspected(nil), action: ActionNone},
		{name: "pushed again after a pause", have: inspected(func(s *swarm.Service) { s.Spec.Labels[LabelResumed] = "54" }), action: ActionNone},
		{name: "not drover's", have: inspected(func(s *swarm.Service) { delete(s.Spec.Labels, LabelOwner) }), action: ActionNone, flag: "foreign"},
		{name: "another owner's", have: inspected(func(s *swarm.Service) { s.Spec.Labels[LabelOwner] = "you" }), action: ActionNone, flag: "foreign"},
		{name: "spec changed", have: inspected(older), action: ActionUpdate, event: EventUpdated, changes: "image: drover/demo-app:0 -> drover/demo-app:latest"},
		{name: "label only", have: inspected(func(s *swarm.Service) { s.Spec.Labels[LabelConfig] = "0ld" }), action: ActionUpdate, event: EventUpdated},
		{name: "drift corrected", have: inspected(scaled), action: ActionUpdate, event: EventDriftCorrected, changes: "replicas: 9 -> 3"},
		{name: "drift reported", have: inspected(scaled), drift: "report", action: ActionNone, flag: "drift", changes: "replicas: 9 -> 3"},
		{name: "drift during a rollout", have: inspected(func(s *swarm.Service) { scaled(s); status(swarm.UpdateStateUpdating, "")(s) }), action: ActionNone, flag: "rolling"},
		{name: "our rollout", have: inspected(status(swarm.UpdateStateUpdating, "")), action: ActionNone, flag: "rolling"},
		{name: "a new spec during a rollout", have: inspected(func(s *swarm.Service) { older(s); status(swarm.UpdateStateUpdating, "")(s) }), action: ActionUpdate, event: EventUpdated},
		{name: "paused", have: inspected(status(swarm.UpdateStatePaused, "update paused")), action: ActionNone, flag: "failed:" + EventUpdatePaused},
		{name: "paused, then the spec changed", have: inspected(func(s *swarm.Service) { older(s); status(swarm.UpdateStatePaused, "update paused")(s) }), action: ActionUpdate, event: EventUpdated},
		{name: "rolled back", have: inspected(rolledBack(false, completed)), pushed: want.swarmHash, action: ActionNone, flag: "failed:" + EventUpdateRolledBack},
		{name: "rolling back", have: inspected(rolledBack(false, swarm.UpdateStateRollbackStarted)), pushed: want.swarmHash, action: ActionNone, flag: "failed:" + EventUpdateRolledBack},
		{name: "rolled back, then the spec changed", have: inspected(rolledBack(false, completed)), pushed: "0ther", action: ActionUpdate, event: EventUpdated},
		{name: "rolled back, forgotten (a restart)", have: inspected(rolledBack(false, completed)), action: ActionUpdate, event: EventUpdated},
		{name: "a hand update paused", have: inspected(func(s *swarm.Service) {
			s.Spec.TaskTemplate.ContainerSpec.Image = "bad:1"
			status(swarm.UpdateStatePaused, "update paused")(s)
		}), action: ActionUpdate, event: EventDriftCorrected},
		{name: "a hand update rolled back", have: inspected(status(completed, "update rolled back due to failure")), pushed: want.swarmHash, action: ActionNone},
		{name: "rolled back by hand", have: inspected(rolledBack(true, completed)), action: ActionUpdate, event: EventDriftCorrected},
		{name: "rolled back by hand, reported", have: inspected(rolledBack(true, completed)), drift: "report", action: ActionNone, flag: "drift"},
		{name: "completed", have: inspected(status(swarm.UpdateStateCompleted, "update completed")), action: ActionNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := *svc
			s.Drift = tt.drift
			if s.Drift == "" {
				s.Drift = DriftCorrect
			}
			d := decide(&s, want, tt.have, names, "me", tt.pushed)
			if d.action != tt.action || d.event != tt.event {
				t.Errorf("action %q event %q, want %q %q (reason %q)", d.action, d.event, tt.action, tt.event, d.reason)
			}
			flag := ""
			switch {
			case d.foreign:
				flag = "foreign"
			case d.drift:
				flag = "drift"
			case d.failed != "":
				flag = "failed:" + d.failed
			case d.rolling && d.action == ActionNone:
				flag = "rolling"
			}
			if flag != tt.flag {
				t.Errorf("flag %q, want %q (reason %q)", flag, tt.flag, d.reason)
			}
			if got := strings.Join(d.changes, "; "); tt.changes != "" && got != tt.changes {
				t.Errorf("changes %q, want %q", got, tt.changes)
			}
			if d.action != ActionNone && d.reason == "" || (d.foreign || d.drift || d.failed != "") && d.reason == "" {
				t.Error("no reason")
			}
		})
	}
}

func TestNetworkView(t *testing.T) {
	n := networkSpec()
	want := desiredNetView(n)
	opts := createOptions(n, "me", want)
	if opts.Driver != "overlay" || opts.Scope != "swarm" || !opts.Attachable || !opts.Internal || opts.IPAM.Config[0].Subnet != "10.9.0.0/24" {
		t.Errorf("create options = %+v", opts)
	}
	if _, ok := opts.Options[encryptedOpt]; !ok {
		t.Errorf("encrypted is not an option: %v", opts.Options)
	}
	if opts.Labels[LabelOwner] != "me" || opts.Labels[LabelSwarm] != "demo" || opts.Labels[LabelConfig] == "" || opts.Labels["team"] != "a" {
		t.Errorf("labels = %v", opts.Labels)
	}
	// As swarm shows it: its own options added.
	have := inspectedNetwork(opts)
	if d := diffNetwork(projectNetwork(have, want), want); len(d) > 0 {
		t.Errorf("a network as created differs: %q", d)
	}
	// A subnet swarm picked is not a difference when the spec names none.
	n.Subnet = ""
	want = desiredNetView(n)
	if d := diffNetwork(projectNetwork(have, want), want); len(d) > 0 {
		t.Errorf("swarm's subnet differs: %q", d)
	}
	n.Subnet, n.Encrypted = "10.8.0.0/24", false
	want = desiredNetView(n)
	if d := strings.Join(decideNetwork(&have, want, "me").changes, "; "); d != "encrypted: true -> false; subnet: 10.9.0.0/24 -> 10.8.0.0/24" {
		t.Errorf("diff = %q", d)
	}
	// Not comparable before swarm allocates it: no driver, options or
	// subnet yet.
	unallocated := network.Inspect{Name: "backend", Scope: "swarm", Labels: have.Labels}
	if d := decideNetwork(&unallocated, want, "me"); !d.wait || len(d.changes) > 0 {
		t.Errorf("an unallocated network: %+v", d)
	}
	if d := decideNetwork(&have, want, "you"); !d.foreign || !strings.Contains(d.reason, `belongs to drover owner "me"`) {
		t.Errorf("another owner's network: %+v", d)
	}
	have.Labels = map[string]string{"x": "y"}
	if d := decideNetwork(&have, want, "me"); !d.foreign || !strings.Contains(d.reason, "without the label drover.owner=me") {
		t.Errorf("a network not drover's: %+v", d)
	}
}

func networkSpec() *specs.Network {
	return &specs.Network{
		Resource: specs.Resource{Kind: "network", Name: "backend"},
		Swarm:    "demo", Driver: "overlay", Attachable: true, Internal: true, Encrypted: true,
		Subnet: "10.9.0.0/24", Labels: map[string]string{"team": "a"},
	}
}

// inspectedNetwork is a network created with opts as swarm shows it.
func inspectedNetwork(opts network.CreateOptions) network.Inspect {
	o := maps.Clone(opts.Options)
	if o == nil {
		o = map[string]string{}
	}
	o["com.docker.network.driver.overlay.vxlanid_list"] = "4097"
	n := network.Inspect{Name: "backend", ID: "n1", Scope: "swarm", Driver: opts.Driver, Attachable: opts.Attachable, Internal: opts.Internal, Options: o, Labels: opts.Labels}
	n.IPAM.Config = []network.IPAMConfig{{Subnet: "10.9.0.0/24", Gateway: "10.9.0.1"}}
	return n
}
