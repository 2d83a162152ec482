package metric

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/autoscale/placement"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/schema"
)

// PendingTasks is the name of the swarm_pending_tasks metric: the runner
// wakes its autoscalers when a service of their swarm changes.
const PendingTasks = "swarm_pending_tasks"

// The node labels the swarm flavor puts on a group's nodes: copies of
// flavor/swarm's NodeLabel* constants (a test checks they agree), since
// the metrics do not link a flavor's implementation.
const (
	labelInstance = "drover.instance"
	labelOwner    = "drover.owner"
	labelGroup    = "drover.group"
)

// pendingPlugin is `metric "swarm_pending_tasks" {}`: a group's demand
// from swarm's placement. It asks for the machines that would place the
// tasks swarm leaves pending, or, with none pending, for one machine
// less when one is unneeded (its tasks fit on the other nodes), naming
// the unneeded ones; see autoscale/placement.
var pendingPlugin = Plugin{
	Schema: &schema.Block{
		Description: "A worker group's demand from swarm's placement: the machines more that place the tasks swarm leaves pending for lack of resources, or one less when a machine's tasks fit on the other nodes.",
	},
	Kinds: []resource.Kind{resource.Group},
	New:   newPendingSource,
}

// newPendingSource makes the source of a swarm_pending_tasks block, which
// has no properties.
func newPendingSource(props json.RawMessage, opts Options) (Source, error) {
	if p := bytes.TrimSpace(props); len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		var none map[string]json.RawMessage
		if err := json.Unmarshal(p, &none); err != nil || len(none) > 0 {
			return nil, fmt.Errorf("metric %q has no properties", PendingTasks)
		}
	}
	return pendingSource{timeout: opts.withDefaults().Timeout}, nil
}

// swarmLister is what the metric asks of a manager (client.APIClient has
// it).
type swarmLister interface {
	NodeList(ctx context.Context, options swarm.NodeListOptions) ([]swarm.Node, error)
	ServiceList(ctx context.Context, options swarm.ServiceListOptions) ([]swarm.Service, error)
	TaskList(ctx context.Context, options swarm.TaskListOptions) ([]swarm.Task, error)
}

// pendingSource reads swarm_pending_tasks.
type pendingSource struct {
	timeout time.Duration
}

// Read implements Source: it lists the swarm's nodes, services and tasks
// through a manager and judges the group's place in it.
func (s pendingSource) Read(ctx context.Context, sc Scope) (autoscale.Reading, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if k := sc.Key(); k.Kind != resource.Group {
		return autoscale.Reading{}, fmt.Errorf("%s measures groups, and %s is not one", PendingTasks, k)
	}
	m, err := sc.Machines(ctx)
	if err != nil {
		return autoscale.Reading{}, fmt.Errorf("%s: the group's machines: %w", PendingTasks, err)
	}
	if m.Swarm == "" {
		return autoscale.Reading{}, fmt.Errorf("%s: group %s is in no swarm", PendingTasks, m.Group)
	}
	cli, err := sc.Manager(ctx)
	if err != nil {
		return autoscale.Reading{}, fmt.Errorf("%s: a manager of swarm %s: %w", PendingTasks, m.Swarm, err)
	}
	w, err := listSwarm(ctx, cli)
	if err != nil {
		return autoscale.Reading{}, fmt.Errorf("%s: swarm %s: %w", PendingTasks, m.Swarm, err)
	}
	return w.judge(m), nil
}

// swarmView is a swarm as placement sees it.
type swarmView struct {
	nodes []placement.Node
	tasks []placement.Task
}

// listSwarm lists a swarm's nodes, services and tasks.
func listSwarm(ctx context.Context, cli swarmLister) (swarmView, error) {
	nodes, err := cli.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return swarmView{}, fmt.Errorf("listing nodes: %w", err)
	}
	services, err := cli.ServiceList(ctx, swarm.ServiceListOptions{})
	if err != nil {
		return swarmView{}, fmt.Errorf("listing services: %w", err)
	}
	tasks, err := cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("desired-state", "running"))})
	if err != nil {
		return swarmView{}, fmt.Errorf("listing tasks: %w", err)
	}
	var w swarmView
	for _, n := range nodes {
		w.nodes = append(w.nodes, nodeOf(n))
	}
	w.tasks = tasksOf(services, tasks)
	return w, nil
}

// nodeOf is a swarm node as placement sees it.
func nodeOf(n swarm.Node) placement.Node {
	d := n.Description
	return placement.Node{
		ID: n.ID, Hostname: d.Hostname, Role: string(n.Spec.Role),
		Labels: n.Spec.Labels, EngineLabels: d.Engine.Labels, OS: d.Platform.OS, Arch: d.Platform.Architecture,
		Availability: string(n.Spec.Availability), Ready: n.Status.State == swarm.NodeStateReady,
		CPU: d.Resources.NanoCPUs, Memory: d.Resources.MemoryBytes, CreatedAt: n.CreatedAt,
	}
}

// tasksOf are the tasks placement looks at: those pending (not on a node
// yet, pending, or refused by every node) and those that hold their
// node's resources (assigned to running), each with the reservations and
// placement of its own spec. A task of a service that is not listed (one
// being removed) is left out.
func tasksOf(services []swarm.Service, tasks []swarm.Task) []placement.Task {
	byID := make(map[string]swarm.Service, len(services))
	for _, s := range services {
		byID[s.ID] = s
	}
	var out []placement.Task
	for _, t := range tasks {
		svc, ok := byID[t.ServiceID]
		if !ok || t.DesiredState != swarm.TaskStateRunning {
			continue
		}
		pt, ok := taskOf(svc, t)
		if ok {
			out = append(out, pt)
		}
	}
	return out
}

// holding are the states of a task that holds its node's resources.
var holding = map[swarm.TaskState]bool{
	swarm.TaskStateAssigned: true, swarm.TaskStateAccepted: true, swarm.TaskStatePreparing: true,
	swarm.TaskStateReady: true, swarm.TaskStateStarting: true, swarm.TaskStateRunning: true,
}

// taskOf is t as placement sees it; ok is false for a task that neither
// waits for a node nor holds one.
func taskOf(svc swarm.Service, t swarm.Task) (placement.Task, bool) {
	global := svc.Spec.Mode.Global != nil || svc.Spec.Mode.GlobalJob != nil
	pt := placement.Task{ID: t.ID, Name: taskName(svc, t), Service: svc.ID, Global: global}
	switch {
	case t.NodeID != "" && holding[t.Status.State]:
		pt.Node = t.NodeID
	case t.NodeID == "" && (t.Status.State == swarm.TaskStatePending || strings.Contains(t.Status.Err, "no suitable node")):
	default:
		return placement.Task{}, false
	}
	if r := t.Spec.Resources; r != nil && r.Reservations != nil {
		pt.CPU, pt.Memory = r.Reservations.NanoCPUs, r.Reservations.MemoryBytes
	}
	if p := t.Spec.Placement; p != nil {
		pt.Constraints = p.Constraints
		pt.MaxPerNode = int(min(p.MaxReplicas, uint64(maxInt)))
	}
	return pt, true
}

// maxInt is the largest int.
const maxInt = int(^uint(0) >> 1)

// taskName is how swarm names a task: web.3, or web.NODE for a global
// service's.
func taskName(svc swarm.Service, t swarm.Task) string {
	if t.Slot > 0 {
		return fmt.Sprintf("%s.%d", svc.Spec.Name, t.Slot)
	}
	if t.NodeID != "" {
		return svc.Spec.Name + "." + t.NodeID
	}
	return svc.Spec.Name + "." + t.ID
}

// groupNodes are the nodes of m's group, by their labels.
func (w swarmView) groupNodes(m Machines) []placement.Node {
	var out []placement.Node
	for _, n := range w.nodes {
		if n.Labels[labelGroup] == m.Group && n.Labels[labelOwner] == m.Owner {
			out = append(out, n)
		}
	}
	return out
}

// judge turns the swarm into the group's reading.
func (w swarmView) judge(m Machines) autoscale.Reading {
	group := w.groupNodes(m)
	tmpl, known := template(group, w.nodes, m)
	if !known {
		return w.blind(m, tmpl)
	}
	g := placement.Grow(w.nodes, w.tasks, tmpl, -1)
	coming := joining(group, m)
	r := autoscale.Reading{Metric: PendingTasks, Demand: true, Need: m.Size + max(0, g.Nodes-coming), Value: float64(g.Pending)}
	if g.Nodes > 0 || g.Fit > 0 {
		r.Detail = growDetail(g, coming)
		return r
	}
	situation := "no task pending"
	if g.Pending > 0 {
		situation = unhostableDetail(g)
	}
	w.shrink(&r, m, group, situation)
	return r
}

// template is a node like those the group's machines make: a ready one
// of the group (they are alike), else the largest of the swarm's nodes of
// the group's role, with the group's labels; known is false when there is
// neither, and tmpl is then only the group's role and labels.
func template(group, all []placement.Node, m Machines) (tmpl placement.Node, known bool) {
	var ready []placement.Node
	for _, n := range group {
		if n.Ready {
			ready = append(ready, n)
		}
	}
	if len(ready) > 0 {
		sort.Slice(ready, func(i, j int) bool { return ready[i].ID < ready[j].ID })
		tmpl = ready[0]
		tmpl.Labels = without(tmpl.Labels, labelInstance)
		return tmpl, true
	}
	tmpl = placement.Node{Role: m.Role, Labels: groupLabels(m)}
	var best *placement.Node
	for i, n := range all {
		if n.Role == m.Role && (best == nil || larger(n, *best)) {
			best = &all[i]
		}
	}
	if best == nil {
		return tmpl, false
	}
	tmpl.OS, tmpl.Arch, tmpl.CPU, tmpl.Memory = best.OS, best.Arch, best.CPU, best.Memory
	return tmpl, true
}

// larger orders nodes by cpu, then memory, then ID (the smaller first).
func larger(a, b placement.Node) bool {
	switch {
	case a.CPU != b.CPU:
		return a.CPU > b.CPU
	case a.Memory != b.Memory:
		return a.Memory > b.Memory
	}
	return a.ID < b.ID
}

// groupLabels are the node labels a new machine of the group gets, but
// its instance's.
func groupLabels(m Machines) map[string]string {
	out := make(map[string]string, len(m.Labels)+2)
	for k, v := range m.Labels {
		out[k] = v
	}
	out[labelGroup], out[labelOwner] = m.Group, m.Owner
	return out
}

// without is a copy of labels without key.
func without(labels map[string]string, key string) map[string]string {
	out := make(map[string]string, len(labels))
	for k, v := range labels {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// blind is the reading when no node shows what a machine of the group
// offers: one machine more while a pending task could go on one (by its
// constraints), else the size.
func (w swarmView) blind(m Machines, tmpl placement.Node) autoscale.Reading {
	r := autoscale.Reading{Metric: PendingTasks, Demand: true, Need: m.Size}
	coming := joining(w.groupNodes(m), m)
	var could int
	for _, t := range w.tasks {
		if t.Node == "" && !t.Global {
			r.Value++
			if placement.Matches(tmpl, t.Constraints) {
				could++
			}
		}
	}
	switch {
	case could > 0 && coming > 0:
		r.Detail = fmt.Sprintf("%s pending that a machine of the group could host: waiting for the %s still joining", count(could, "task"), count(coming, "machine"))
	case could > 0:
		r.Need++
		r.Detail = fmt.Sprintf("%s pending that a machine of the group could host, and no node shows what one offers: one more machine at a time", count(could, "task"))
	case r.Value > 0:
		r.Detail = fmt.Sprintf("%s pending, none a machine of the group could host", count(int(r.Value), "task"))
	default:
		r.Detail = "no task pending; the group has no node to judge"
	}
	return r
}

// joining is how many of the group's machines are not ready nodes yet:
// created, starting or joining. They are capacity to come: pending tasks
// they will place are no reason to grow.
func joining(group []placement.Node, m Machines) int {
	ready := 0
	for _, n := range group {
		if n.Ready {
			ready++
		}
	}
	return max(0, m.Size-ready)
}

// growDetail says why the group grows, or why pending tasks need not;
// coming machines are still joining and count towards what is needed.
func growDetail(g placement.Growth, coming int) string {
	var parts []string
	if g.Nodes > 0 {
		verb := "place"
		if g.Nodes == 1 {
			verb = "places"
		}
		s := fmt.Sprintf("%s pending for lack of %s; %s %s them",
			count(g.Placed, "task"), g.Lacking(), count(g.Nodes, "more machine"), verb)
		if coming > 0 {
			s += fmt.Sprintf(" (%d of them still joining)", min(coming, g.Nodes))
		}
		parts = append(parts, s)
	}
	if g.Fit > 0 {
		parts = append(parts, fmt.Sprintf("%s pending would fit on the nodes there are", count(g.Fit, "task")))
	}
	if len(g.Unhostable) > 0 {
		parts = append(parts, unhostableDetail(g))
	}
	return strings.Join(parts, "; ")
}

// unhostableDetail says which pending tasks no machine of the group can
// host.
func unhostableDetail(g placement.Growth) string {
	if len(g.Unhostable) == 0 {
		return fmt.Sprintf("%s pending", count(g.Pending, "task"))
	}
	s := fmt.Sprintf("%s pending that no machine of the group can host (%s", count(len(g.Unhostable), "task"), g.Unhostable[0])
	if more := len(g.Unhostable) - 1; more > 0 {
		s += fmt.Sprintf(", and %d more", more)
	}
	return s + ")"
}

// shrink sets r's Need, Unneeded and Detail (after situation) from which
// of the group's nodes are unneeded: one machine less when some are.
func (w swarmView) shrink(r *autoscale.Reading, m Machines, group []placement.Node, situation string) {
	if len(group) == 0 {
		r.Detail = situation + "; the group has no node"
		return
	}
	v := placement.Unneeded(group, w.nodes, w.tasks)
	var names, unnamed []string
	for _, n := range v.Unneeded {
		if id := n.Labels[labelInstance]; id != "" {
			r.Unneeded = append(r.Unneeded, id)
			names = append(names, nodeName(n))
		} else {
			unnamed = append(unnamed, nodeName(n))
		}
	}
	switch {
	case len(names) > 0:
		r.Need = max(0, m.Size-1)
		r.Detail = fmt.Sprintf("%s; %s unneeded: %s fit on the other nodes", situation, listed(names, "node"), tasksOfEach(len(names)))
	case len(unnamed) > 0:
		r.Detail = fmt.Sprintf("%s; %s unneeded but without the %s label that names its machine", situation, listed(unnamed, "node"), labelInstance)
	default:
		r.Detail = situation + "; no machine can go: " + keptDetail(v.Kept)
	}
}

// keptDetail says why the first kept nodes cannot go.
func keptDetail(kept []placement.Kept) string {
	const shown = 3
	var parts []string
	for i, k := range kept {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more", len(kept)-shown))
			break
		}
		parts = append(parts, k.String())
	}
	return strings.Join(parts, "; ")
}

// nodeName is how details name a node.
func nodeName(n placement.Node) string {
	if n.Hostname != "" {
		return n.Hostname
	}
	return n.ID
}

// count is "1 task" or "3 tasks".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// tasksOfEach is "its tasks" or "the tasks of each".
func tasksOfEach(n int) string {
	if n == 1 {
		return "its tasks"
	}
	return "the tasks of each"
}

// listed is "node w-3 is" or "nodes w-3, w-2 are".
func listed(names []string, noun string) string {
	if len(names) == 1 {
		return noun + " " + names[0] + " is"
	}
	return noun + "s " + strings.Join(names, ", ") + " are"
}
