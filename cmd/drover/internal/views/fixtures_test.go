package views

import (
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
)

// status is a daemon's status: a group on its way, a converged service
// and a group being retired.
var status = api.Status{Revision: 3, Hash: "abc123", Resources: []resource.Status{
	{Resource: resource.Group.KeyOf("web"), Kind: resource.Group, Name: "web", Desired: 3,
		Observed: resource.Counts{Desired: 3, Total: 3, Ready: 1, Starting: 1, Creating: 1, Dead: 1, Outdated: 2},
		Reason:   "waiting for web-3", Conditions: []resource.Condition{{Type: "Ready", Status: "False", Reason: "Starting"}}, Passes: 4, LastPass: when},
	{Resource: resource.Service.KeyOf("api"), Kind: resource.Service, Name: "api", Desired: 2, Observed: resource.Counts{Ready: 2}, Converged: true,
		Autoscale: &resource.Autoscaling{Min: 1, Max: 10, Current: 2, Ready: 2, Recommended: 4, Desired: 2, Action: "hold", Rule: "cooldown_up",
			Message: "held by cooldown_up", At: when, NextUp: when.Add(time.Minute), Metrics: []resource.MetricReading{
				{Metric: "cpu", Value: 0.9, Target: 0.5, Recommended: 4}, {Metric: "prometheus", Target: 10, Recommended: 2, Error: "the query returned no series"},
			}}},
	{Resource: resource.Group.KeyOf("old"), Kind: resource.Group, Name: "old", Retired: true, Observed: resource.Counts{Total: 1}},
}, Stacks: []api.StackInfo{
	{Name: "default", Revision: 2, Resources: []string{"service.api"}},
	{Name: "app", Revision: 3, Commit: &commit, Resources: []string{"group.web"}, Orphans: []string{"group.old"}},
}, Sources: sources[:1]}

// commit is a source's commit, with a message of two paragraphs.
var commit = api.CommitInfo{Source: "app", SHA: "0123456789abcdef0123456789abcdef01234567", Author: "ann", Message: "web: scale to 3\n\nThe launch."}

// sources are a ready source, one holding a commit and one whose fetch
// failed.
var sources = []api.SourceInfo{
	{Name: "app", URL: "https://git.example.com/app.git", Branch: "prod", Path: "deploy", Interval: time.Minute, Timeout: time.Minute,
		Prune: true, EnvNames: []string{"DB_PASS", "REGION"}, Auth: "token", Webhook: true, Added: when.Add(-time.Hour),
		Status: api.SourceStatus{State: api.SourceReady, Seen: commit.SHA, Applied: commit.SHA, Revision: 3, LastFetch: when}},
	{Name: "infra", URL: "git@git.example.com:ops/infra.git", Tag: "v1.2", Interval: 5 * time.Minute, Timeout: time.Minute, Auth: "ssh-key",
		Added: when.Add(-time.Hour), Status: api.SourceStatus{State: api.SourceHeld, Seen: "89abcdef0123456789abcdef0123456789abcdef", Applied: "fedcba9876543210fedcba9876543210fedcba98",
			Revision: 2, LastFetch: when, Held: "89abcdef0123456789abcdef0123456789abcdef", HeldReason: "it removes 3 of the stack's 4 resources",
			Orphans: []string{"service.cache"}}},
	{Name: "broken", URL: "https://git.example.com/broken.git", Interval: time.Minute, Timeout: time.Minute, Suspended: true, Added: when,
		Status: api.SourceStatus{State: api.SourceFailed, LastError: "spec.hcl:3,5-10: Unsupported argument; An argument named \"imgae\" is not expected here, and this line is long\nsecond line"}},
}

// revisions are a daemon's history, newest first.
var revisions = []api.RevisionInfo{
	{Number: 3, Kind: api.KindApply, Hash: "fed", Author: "ann", Time: when.Add(time.Minute), Resources: []string{"group.web"}, Current: true,
		Message: "web: scale to 3", Stack: "app", Commit: &commit},
	{Number: 2, Kind: api.KindRollback, Hash: "def", Author: "ann@host", Time: when, RollbackOf: 1, Resources: []string{"group.web"}, Message: "back", Stack: "default"},
	{Number: 1, Kind: api.KindApply, Hash: "abc", Time: when.Add(-time.Hour), Resources: []string{"group.web", "service.api"}},
}

// events are one of each shape: a group's machine, a service, the daemon's.
var events = []resource.Event{
	{ID: 7, Time: when, Resource: resource.Group.KeyOf("web"), Kind: "create_failed", Instance: "web-3", Reason: "missing", Error: "quota", Revision: 2},
	{ID: 8, Time: when, Resource: resource.Service.KeyOf("api"), Kind: "updated", Reason: "image changed"},
	{ID: 9, Time: when, Kind: "applied", Reason: "apply by ann@host", Revision: 3},
}

// plan changes a group and two services.
var plan = Plan{
	Groups: []group.Plan{
		{Group: "idle", Counts: resource.Counts{Desired: 1, Total: 1}},
		{Group: "web", Counts: resource.Counts{Desired: 3, Total: 3}, Changes: []group.Change{
			{Kind: group.ChangeCreate, Name: "web-4", Reason: group.Reason{Code: group.ReasonMissing}},
			{Kind: group.ChangeReplace, Name: "web-10", Reason: group.Reason{Code: group.ReasonConfigChanged}},
			{Kind: group.ChangeDestroy, Name: "web-2", Reason: group.Reason{Code: group.ReasonSurplus}},
		}},
	},
	Services: []service.Plan{
		{Resource: resource.Service.KeyOf("api"), Action: service.ActionUpdate, Reason: "spec changed", Changes: []string{"image: a -> b", "replicas: 2 -> 3"}},
		{Resource: resource.Service.KeyOf("db"), Action: service.ActionCreate, Reason: "missing"},
		{Resource: resource.Network.KeyOf("front"), Action: service.ActionNone},
		{Resource: resource.Service.KeyOf("far"), Action: service.ActionUnknown, Reason: "no manager reachable"},
	},
}
