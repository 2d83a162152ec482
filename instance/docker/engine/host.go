package engine

import (
	"path/filepath"

	"github.com/docker/docker/api/types/container"
)

// NodeSecurityOpt are the security options of a node container:
// dockerd inside must manage namespaces, mounts and cgroups.
var NodeSecurityOpt = []string{"seccomp=unconfined", "apparmor=unconfined"}

// The paths a node container mounts.
const (
	// NodeDataDir is where a node's dockerd keeps its data: an anonymous
	// volume in a node container (a tmpfs there is noexec and breaks exec).
	NodeDataDir = "/var/lib/docker"
	// NodeRunDir holds the node's engine socket; a host directory bound
	// there (NodeRunBind) makes the socket appear on the host.
	NodeRunDir = "/var/run"
	// NodeCgroupDir is the cgroup tree, the host's, mounted read-write
	// (read-only, dockerd cannot make its cgroups).
	NodeCgroupDir = "/sys/fs/cgroup"
)

// NodeHostConfig is the host configuration of a node container that is
// not privileged: NodeCapabilities, NodeSecurityOpt, no masked or
// read-only system paths (what docker run's "systempaths=unconfined"
// does; the engine API has no such option) and the host's cgroup tree
// mounted read-write. Callers add their own mounts (NodeRunBind) and
// networking, and an anonymous volume at NodeDataDir
// (container.Config.Volumes).
func NodeHostConfig() *container.HostConfig {
	return &container.HostConfig{
		CapAdd:        append([]string(nil), NodeCapabilities...),
		SecurityOpt:   append([]string(nil), NodeSecurityOpt...),
		MaskedPaths:   []string{},
		ReadonlyPaths: []string{},
		Binds:         []string{NodeCgroupDir + ":" + NodeCgroupDir + ":rw"},
	}
}

// NodeRunBind is the bind of the host directory dir over a node's
// NodeRunDir: the node's engine socket then is NodeSocket(dir).
func NodeRunBind(dir string) string { return dir + ":" + NodeRunDir + ":rw" }

// NodeSocket is the path on the host of the engine socket of a node whose
// NodeRunDir is bound to the host directory dir.
func NodeSocket(dir string) string { return filepath.Join(dir, "docker.sock") }
