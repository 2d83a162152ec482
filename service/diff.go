package service

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/swarm"
)

// view is the projection of a swarm service spec onto the fields drover
// sets, normalised: swarm's defaults filled in where a field is unset, nil
// and empty alike, lists whose order does not matter sorted, networks by
// name. Two specs that run the same service have equal views, so comparing
// the view of the desired spec with that of the inspected one shows no
// permanent diff; and its hash, the desired service's swarmHash, is the
// drover.config label.
//
// Field names (the json tags) are those of the spec language, and are what
// a Plan's changes show. A field tagged secret shows its name (or, for a
// map, its keys) but never its values.
type view struct {
	Image              string            `json:"image"`
	Entrypoint         []string          `json:"entrypoint" diff:"secret"`
	Command            []string          `json:"command" diff:"secret"`
	Env                map[string]string `json:"env" diff:"secret"`
	Labels             map[string]string `json:"labels"`
	ContainerLabels    map[string]string `json:"container_labels"`
	User               string            `json:"user"`
	Workdir            string            `json:"workdir"`
	Mode               string            `json:"mode"`
	Replicas           uint64            `json:"replicas"`
	Ports              []string          `json:"ports"`
	Networks           []string          `json:"networks"`
	Constraints        []string          `json:"constraints"`
	Preferences        []string          `json:"placement_preferences"`
	MaxReplicasPerNode uint64            `json:"max_replicas_per_node"`
	StopGracePeriod    time.Duration     `json:"stop_grace_period"`
	Mounts             []string          `json:"mount"`
	Resources          resourcesView     `json:"resources"`
	Healthcheck        *healthcheckView  `json:"healthcheck"`
	Log                *logView          `json:"log"`
	Update             updateView        `json:"update"`
	Rollback           updateView        `json:"rollback"`
	Restart            restartView       `json:"restart"`
}

// resourcesView has CPUs as numbers of CPUs and memory in bytes.
type resourcesView struct {
	ReserveCPU    float64 `json:"reserve_cpu"`
	ReserveMemory int64   `json:"reserve_memory"`
	LimitCPU      float64 `json:"limit_cpu"`
	LimitMemory   int64   `json:"limit_memory"`
}

type healthcheckView struct {
	Test        []string      `json:"test" diff:"secret"`
	Interval    time.Duration `json:"interval"`
	Timeout     time.Duration `json:"timeout"`
	Retries     int           `json:"retries"`
	StartPeriod time.Duration `json:"start_period"`
}

type logView struct {
	Driver  string            `json:"driver"`
	Options map[string]string `json:"options"`
}

type updateView struct {
	Parallelism     uint64        `json:"parallelism"`
	Delay           time.Duration `json:"delay"`
	FailureAction   string        `json:"failure_action"`
	Monitor         time.Duration `json:"monitor"`
	MaxFailureRatio float32       `json:"max_failure_ratio"`
	Order           string        `json:"order"`
}

type restartView struct {
	Condition   string        `json:"condition"`
	Delay       time.Duration `json:"delay"`
	MaxAttempts uint64        `json:"max_attempts"`
	Window      time.Duration `json:"window"`
}

// Swarm's defaults for what a spec leaves unset.
const (
	defaultStopGrace    = 10 * time.Second
	defaultRestartDelay = 5 * time.Second
)

// project returns the view of spec. names maps network ids to names; a
// target it lacks is taken as it is (the desired spec names its networks).
func project(spec swarm.ServiceSpec, names map[string]string) view {
	v := view{Labels: withoutDrover(spec.Labels)}
	tt := spec.TaskTemplate
	cs := tt.ContainerSpec
	if cs == nil {
		cs = &swarm.ContainerSpec{}
	}
	v.Image = normalImage(cs.Image)
	v.Entrypoint, v.Command = nilIfEmpty(cs.Command), nilIfEmpty(cs.Args)
	v.Env = envMap(cs.Env)
	v.ContainerLabels = nonEmpty(cs.Labels)
	v.User, v.Workdir = cs.User, cs.Dir
	v.StopGracePeriod = defaultStopGrace
	if cs.StopGracePeriod != nil {
		v.StopGracePeriod = *cs.StopGracePeriod
	}
	for _, m := range cs.Mounts {
		typ := string(m.Type)
		if typ == "" {
			typ = "volume"
		}
		s := typ + ":" + m.Source + ":" + m.Target
		if m.ReadOnly {
			s += ":ro"
		}
		v.Mounts = append(v.Mounts, s)
	}
	slices.Sort(v.Mounts)
	if h := cs.Healthcheck; h != nil {
		v.Healthcheck = &healthcheckView{Test: nilIfEmpty(h.Test), Interval: h.Interval, Timeout: h.Timeout, Retries: h.Retries, StartPeriod: h.StartPeriod}
	}

	switch {
	case spec.Mode.Global != nil:
		v.Mode = "global"
	case spec.Mode.Replicated != nil:
		v.Mode, v.Replicas = "replicated", 1
		if spec.Mode.Replicated.Replicas != nil {
			v.Replicas = *spec.Mode.Replicated.Replicas
		}
	case spec.Mode.ReplicatedJob != nil:
		v.Mode = "replicated-job"
	case spec.Mode.GlobalJob != nil:
		v.Mode = "global-job"
	default:
		v.Mode, v.Replicas = "replicated", 1
	}

	if e := spec.EndpointSpec; e != nil {
		for _, p := range e.Ports {
			v.Ports = append(v.Ports, portString(p))
		}
		slices.Sort(v.Ports)
	}
	// Networks: the task template's, and the deprecated service-level
	// field older clients set.
	for _, n := range append(slices.Clone(tt.Networks), spec.Networks...) { //nolint:staticcheck // read, for hand-made services
		name := n.Target
		if names[name] != "" {
			name = names[name]
		}
		v.Networks = append(v.Networks, name)
	}
	slices.Sort(v.Networks)
	v.Networks = slices.Compact(v.Networks)

	if p := tt.Placement; p != nil {
		v.Constraints = nilIfEmpty(slices.Sorted(slices.Values(p.Constraints)))
		for _, pref := range p.Preferences {
			if pref.Spread != nil {
				v.Preferences = append(v.Preferences, "spread="+pref.Spread.SpreadDescriptor)
			}
		}
		v.MaxReplicasPerNode = p.MaxReplicas
	}
	if r := tt.Resources; r != nil {
		if r.Limits != nil {
			v.Resources.LimitCPU, v.Resources.LimitMemory = cpus(r.Limits.NanoCPUs), r.Limits.MemoryBytes
		}
		if r.Reservations != nil {
			v.Resources.ReserveCPU, v.Resources.ReserveMemory = cpus(r.Reservations.NanoCPUs), r.Reservations.MemoryBytes
		}
	}
	if l := tt.LogDriver; l != nil && l.Name != "" {
		v.Log = &logView{Driver: l.Name, Options: nonEmpty(l.Options)}
	}
	v.Update, v.Rollback = projectUpdate(spec.UpdateConfig), projectUpdate(spec.RollbackConfig)
	v.Restart = restartView{Condition: string(swarm.RestartPolicyConditionAny), Delay: defaultRestartDelay}
	if rp := tt.RestartPolicy; rp != nil {
		if rp.Condition != "" {
			v.Restart.Condition = string(rp.Condition)
		}
		if rp.Delay != nil {
			v.Restart.Delay = *rp.Delay
		}
		if rp.MaxAttempts != nil {
			v.Restart.MaxAttempts = *rp.MaxAttempts
		}
		if rp.Window != nil {
			v.Restart.Window = *rp.Window
		}
	}
	return v
}

// cpus converts swarm's billionths of a CPU to CPUs.
func cpus(nano int64) float64 { return float64(nano) / 1e9 }

// projectUpdate fills in swarm's defaults for an update or rollback
// config: parallelism 1, pause on failure, a 5s monitor, stop-first.
func projectUpdate(u *swarm.UpdateConfig) updateView {
	if u == nil {
		return updateView{Parallelism: 1, FailureAction: swarm.UpdateFailureActionPause, Monitor: defaultMonitor, Order: swarm.UpdateOrderStopFirst}
	}
	v := updateView{Parallelism: u.Parallelism, Delay: u.Delay, FailureAction: u.FailureAction, Monitor: u.Monitor, MaxFailureRatio: u.MaxFailureRatio, Order: u.Order}
	if v.FailureAction == "" {
		v.FailureAction = swarm.UpdateFailureActionPause
	}
	if v.Monitor == 0 {
		v.Monitor = defaultMonitor
	}
	if v.Order == "" {
		v.Order = swarm.UpdateOrderStopFirst
	}
	return v
}

// portString writes a port as the spec does, "PUBLISHED:TARGET/PROTOCOL",
// with " (host)" for a port published on the node itself.
func portString(p swarm.PortConfig) string {
	proto := string(p.Protocol)
	if proto == "" {
		proto = "tcp"
	}
	s := strconv.Itoa(int(p.TargetPort)) + "/" + proto
	if p.PublishedPort != 0 {
		s = strconv.Itoa(int(p.PublishedPort)) + ":" + s
	}
	if p.PublishMode == swarm.PortConfigPublishModeHost {
		s += " (host)"
	}
	return s
}

// normalImage writes an image reference as the Docker client sends it:
// familiar, with ":latest" when no tag or digest is given.
func normalImage(img string) string {
	ref, err := reference.ParseNormalizedNamed(img)
	if err != nil {
		return img
	}
	return reference.FamiliarString(reference.TagNameOnly(ref))
}

// withoutDigest drops a digest pinned to an image ("app:1@sha256:..."),
// which a client that asks the registry adds to what it was given.
func withoutDigest(img string) string {
	name, _, _ := strings.Cut(img, "@")
	return name
}

// withoutDrover returns labels without drover's own.
func withoutDrover(labels map[string]string) map[string]string {
	out := map[string]string{}
	for k, val := range labels {
		if k != LabelOwner && k != LabelSwarm && k != LabelConfig && k != LabelResumed {
			out[k] = val
		}
	}
	return nonEmpty(out)
}

func envMap(env []string) map[string]string {
	if len(env) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, e := range env {
		k, val, _ := strings.Cut(e, "=")
		out[k] = val
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// hash identifies the view: equal views, equal hashes.
func (v view) hash() string { return hashJSON(v) }

// hashJSON hashes the JSON of plain data (maps are written sorted): 16 hex
// digits of its SHA-256.
func hashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("service: hash of %T: %v", v, err)) // plain data: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// alignDigest returns the view of the inspected spec, made comparable with the
// desired view: a digest pinned to the image by a client that asked a
// registry is ignored when the desired image names none.
func alignDigest(inspected view, desired view) view {
	if !strings.Contains(desired.Image, "@") {
		inspected.Image = withoutDigest(inspected.Image)
	}
	return inspected
}

// diff lists the fields in which have differs from want, as "name: have ->
// want" for values, "name: +added ~changed -removed" for maps, and the bare
// name for secret values. Nothing means no difference.
func diff(have, want view) []string {
	var out []string
	diffValue(&out, "", reflect.ValueOf(have), reflect.ValueOf(want), false)
	return out
}

func diffValue(out *[]string, name string, have, want reflect.Value, secret bool) {
	switch have.Kind() {
	case reflect.Struct:
		t := have.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			full := tag
			if name != "" {
				full = name + "." + tag
			}
			diffValue(out, full, have.Field(i), want.Field(i), secret || f.Tag.Get("diff") == "secret")
		}
	case reflect.Pointer:
		switch {
		case have.IsNil() && want.IsNil():
		case have.IsNil():
			*out = append(*out, name+": none -> set")
		case want.IsNil():
			*out = append(*out, name+": set -> none")
		default:
			diffValue(out, name, have.Elem(), want.Elem(), secret)
		}
	case reflect.Map:
		if keys := mapChanges(have, want); keys != "" {
			*out = append(*out, name+": "+keys)
		}
	default:
		if reflect.DeepEqual(have.Interface(), want.Interface()) {
			return
		}
		if secret {
			*out = append(*out, name)
			return
		}
		*out = append(*out, fmt.Sprintf("%s: %s -> %s", name, show(have), show(want)))
	}
}

// mapChanges renders the keys of string maps that differ: "+new ~changed
// -gone", keys sorted.
func mapChanges(have, want reflect.Value) string {
	h, _ := have.Interface().(map[string]string)
	w, _ := want.Interface().(map[string]string)
	return mapChangesOf(h, w)
}

func mapChangesOf(h, w map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(w)) {
		old, ok := h[k]
		switch {
		case !ok:
			parts = append(parts, "+"+k)
		case old != w[k]:
			parts = append(parts, "~"+k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if _, ok := w[k]; !ok {
			parts = append(parts, "-"+k)
		}
	}
	return strings.Join(parts, " ")
}

func show(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case string:
		if x == "" {
			return `""`
		}
		return x
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	case time.Duration:
		return x.String()
	}
	return fmt.Sprint(v.Interface())
}
