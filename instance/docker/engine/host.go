package engine

import "github.com/docker/docker/api/types/container"

// NodeSecurityOpt are the security options of a node container:
// dockerd inside must manage namespaces, mounts and cgroups.
var NodeSecurityOpt = []string{"seccomp=unconfined", "apparmor=unconfined"}

// NodeDataDir is where a node's dockerd keeps its data: an anonymous
// volume in a node container (a tmpfs there is noexec and breaks exec).
const NodeDataDir = "/var/lib/docker"

// NodeHostConfig is the host configuration of a node container that is
// not privileged: NodeCapabilities, NodeSecurityOpt, no masked or
// read-only system paths (what docker run's "systempaths=unconfined"
// does; the engine API has no such option) and the host's cgroup tree
// mounted read-write. Callers add their own mounts and networking, and
// an anonymous volume at NodeDataDir (container.Config.Volumes).
func NodeHostConfig() *container.HostConfig {
	return &container.HostConfig{
		CapAdd:        append([]string(nil), NodeCapabilities...),
		SecurityOpt:   append([]string(nil), NodeSecurityOpt...),
		MaskedPaths:   []string{},
		ReadonlyPaths: []string{},
		Binds:         []string{"/sys/fs/cgroup:/sys/fs/cgroup:rw"},
	}
}
