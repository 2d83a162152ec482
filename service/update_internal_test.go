package service

import (
	"context"
	"errors"
	"testing"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/specs"
)

// sequenceAPI refuses the first updates as out of sequence, as swarm does
// when the service changed since it was inspected.
type sequenceAPI struct {
	client.APIClient // nil: any other call panics
	refuse           int
	versions         []uint64 // of each update tried
	inspected        uint64
}

func (a *sequenceAPI) ServiceUpdate(_ context.Context, _ string, v swarm.Version, _ swarm.ServiceSpec, opts swarm.ServiceUpdateOptions) (swarm.ServiceUpdateResponse, error) {
	if opts.QueryRegistry {
		return swarm.ServiceUpdateResponse{}, errors.New("the registry was queried")
	}
	a.versions = append(a.versions, v.Index)
	if len(a.versions) <= a.refuse {
		return swarm.ServiceUpdateResponse{}, errors.New("Error response from daemon: rpc error: code = Unknown desc = update out of sequence")
	}
	return swarm.ServiceUpdateResponse{}, nil
}

func (a *sequenceAPI) ServiceInspectWithRaw(context.Context, string, swarm.ServiceInspectOptions) (swarm.Service, []byte, error) {
	a.inspected++
	return swarm.Service{Meta: swarm.Meta{Version: swarm.Version{Index: 10 + a.inspected}}}, nil, nil
}

type noTargets struct{}

func (noTargets) Service(string) (*Target, bool)                { return nil, false }
func (noTargets) Network(string) (*NetworkTarget, bool)         { return nil, false }
func (noTargets) Declared(string) (services, networks []string) { return nil, nil }

type noManagers struct{}

func (noManagers) Manager(context.Context, string, string) (client.APIClient, error) {
	return nil, errors.New("none")
}

func TestUpdateRetriesOutOfSequence(t *testing.T) {
	r, err := New(noTargets{}, Options{Managers: noManagers{}, Retries: 2})
	if err != nil {
		t.Fatal(err)
	}
	have := &swarm.Service{ID: "s1", Meta: swarm.Meta{Version: swarm.Version{Index: 7}}}
	spec := desiredService(&specs.Service{Resource: specs.Resource{Name: "s"}, Image: "a"}, "me").spec
	tests := []struct {
		refuse   int
		ok       bool
		versions []uint64
	}{
		{0, true, []uint64{7}},
		{2, true, []uint64{7, 11, 12}},
		{3, false, []uint64{7, 11, 12}},
	}
	for _, tt := range tests {
		api := &sequenceAPI{refuse: tt.refuse}
		err := r.update(context.Background(), api, have, spec)
		if (err == nil) != tt.ok || len(api.versions) != len(tt.versions) {
			t.Errorf("refused %d times: err %v, versions tried %v", tt.refuse, err, api.versions)
			continue
		}
		for i := range tt.versions {
			if api.versions[i] != tt.versions[i] {
				t.Errorf("refused %d times: versions tried %v, want %v", tt.refuse, api.versions, tt.versions)
			}
		}
	}
}

func TestNewDefaults(t *testing.T) {
	if _, err := New(noTargets{}, Options{}); err == nil {
		t.Error("New without managers succeeded")
	}
	r, err := New(noTargets{}, Options{Managers: noManagers{}})
	if err != nil {
		t.Fatal(err)
	}
	if r.opts.CallTimeout.Seconds() != 60 || r.opts.Poll.Seconds() != 2 || r.opts.Retries != 3 || r.opts.Clock == nil || r.opts.Events == nil {
		t.Errorf("defaults = %+v", r.opts)
	}
	// A Managers error that is not "unavailable" is an error of the pass.
	if _, err := r.Sweep(context.Background(), "me", "demo"); err == nil {
		t.Error("a failing Managers is not an error")
	}
}
