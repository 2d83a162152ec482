package placement

import (
	"fmt"
	"time"
)

// Node roles and availabilities, as swarm names them.
const (
	RoleManager = "manager"
	RoleWorker  = "worker"

	Active = "active"
	Pause  = "pause"
	Drain  = "drain"
)

// Node is a swarm node as placement sees it.
type Node struct {
	ID       string
	Hostname string
	Role     string // RoleManager or RoleWorker
	// Labels are the node's labels (node.labels.X); EngineLabels its
	// engine's (engine.labels.X).
	Labels       map[string]string
	EngineLabels map[string]string
	// OS and Arch are the node's platform (node.platform.os and .arch).
	OS, Arch     string
	Availability string // Active, Pause or Drain
	Ready        bool
	// CPU (NanoCPUs) and Memory (bytes) are what the node offers tasks.
	CPU    int64
	Memory int64
	// CreatedAt is when the node joined: among equally loaded nodes, the
	// newest goes first.
	CreatedAt time.Time
}

// schedulable says whether swarm places new tasks on the node.
func (n Node) schedulable() bool { return n.Ready && n.Availability == Active }

// name is how explanations name the node.
func (n Node) name() string {
	if n.Hostname != "" {
		return n.Hostname
	}
	return n.ID
}

// Task is a swarm task as placement sees it: one that runs, or should.
type Task struct {
	ID string
	// Name is how explanations name it (web.3); ID when empty.
	Name    string
	Service string
	// CPU (NanoCPUs) and Memory (bytes) are the task's reservations.
	CPU    int64
	Memory int64
	// Constraints are its service's placement constraints, in swarm's
	// syntax ("node.role == worker").
	Constraints []string
	// MaxPerNode is its service's max replicas per node; 0 is no limit.
	MaxPerNode int
	// Global is set for a task of a global service: it is not moved off
	// a node that goes, and every new node that matches runs one.
	Global bool
	// Node is the node it is on; empty while it is pending.
	Node string
}

// name is how explanations name the task.
func (t Task) name() string {
	if t.Name != "" {
		return t.Name
	}
	return t.ID
}

// size renders a task's reservations: "cpu 1.5, memory 512MiB".
func (t Task) size() string {
	switch {
	case t.CPU > 0 && t.Memory > 0:
		return fmt.Sprintf("cpu %s, memory %s", cpus(t.CPU), bytes(t.Memory))
	case t.CPU > 0:
		return "cpu " + cpus(t.CPU)
	case t.Memory > 0:
		return "memory " + bytes(t.Memory)
	}
	return "no reservation"
}

// cpus renders NanoCPUs as cores: 1.5.
func cpus(n int64) string { return fmt.Sprintf("%g", float64(n)/1e9) }

// bytes renders a size in the largest binary unit that keeps it whole
// enough: 512MiB, 1.5GiB.
func bytes(n int64) string {
	const k = 1024
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(n), 0
	for v >= k && i < len(units)-1 {
		v, i = v/k, i+1
	}
	return fmt.Sprintf("%.4g%s", v, units[i])
}
