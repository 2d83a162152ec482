package docker

import (
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// hostRisk is a setting that gives a container the host: a way out of
// its isolation, or root on the engine's machine.
type hostRisk struct {
	attr string // the attribute, such as "volumes[2]"
	why  string // what it gives, without the setting's value
}

// nodeWarning is the warning of every node: it runs its own dockerd, so
// it has the capabilities and unconfined profiles that takes.
const nodeWarning = "node: a node runs its own dockerd, with the capabilities and the unconfined seccomp and AppArmor profiles that takes; it is root-equivalent on the engine's machine"

// dangerousCapabilities are the capabilities that break a container out
// on their own: ALL of them, mounting and most of the kernel (SYS_ADMIN),
// loading kernel modules (SYS_MODULE), raw I/O to devices (SYS_RAWIO),
// and opening host files by handle (DAC_READ_SEARCH, the "shocker"
// escape).
var dangerousCapabilities = []string{"ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", "DAC_READ_SEARCH"}

// hostTrees are host directories no part of which a container gets
// without allow_host_access: the kernel's views, the devices, the boot
// files and the engine's own state.
var hostTrees = []string{"/proc", "/sys", "/dev", "/boot", "/var/lib/docker", "/var/lib/containerd"}

// hostDirs are host directories a container does not get whole (nor any
// directory above them) without allow_host_access; what is below them
// (a project under /home/user, /etc/ssl/certs) is not refused.
var hostDirs = []string{"/etc", "/root", "/home", "/run", "/var/run"}

// engineSockets are where engines listen unless DOCKER_HOST says
// otherwise: bound into a container, each is root on the host.
var engineSockets = []string{"/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock"}

// hostRisks lists the settings of p that need allow_host_access, in
// attribute order. engineSocket is the engine's own socket path ("" for a
// network engine). Node mode's own capabilities and profiles are not
// listed: a node needs them, and Check warns about node mode instead.
func (p Properties) hostRisks(engineSocket string) []hostRisk {
	var out []hostRisk
	for i, s := range p.Volumes {
		v, err := parseVolume(s)
		if err != nil || !v.bind() {
			continue
		}
		if why := bindRisk(v.Source, engineSocket); why != "" {
			out = append(out, hostRisk{attr: index("volumes", i), why: why})
		}
	}
	if p.Privileged {
		out = append(out, hostRisk{attr: "privileged", why: "a privileged container has every capability and every device of the host"})
	}
	for i, c := range p.Capabilities {
		if n := normalCapability(c); slices.Contains(dangerousCapabilities, n) {
			out = append(out, hostRisk{attr: index("capabilities", i), why: "capability " + n + " lets the container out of its isolation"})
		}
	}
	for i, o := range p.SecurityOpt {
		if why := securityOptRisk(o); why != "" {
			out = append(out, hostRisk{attr: index("security_opt", i), why: why})
		}
	}
	return out
}

// bindRisk says why binding the host path src gives the container the
// host, or "" if it does not. The path is judged as written, with ".."
// and repeated slashes resolved, and, when it exists on this machine, once
// more with its symlinks resolved.
func bindRisk(src, engineSocket string) string {
	paths := []string{path.Clean(src)}
	if real, err := filepath.EvalSymlinks(src); err == nil && real != paths[0] {
		paths = append(paths, real)
	}
	sockets := slices.Clone(engineSockets)
	if engineSocket != "" {
		sockets = append(sockets, path.Clean(engineSocket))
	}
	for _, p := range paths {
		switch {
		case p == "/":
			return "a bind of the host's root directory gives the container the whole host"
		case slices.ContainsFunc(sockets, func(s string) bool { return within(s, p) }),
			path.Base(p) == "docker.sock" || path.Base(p) == "containerd.sock":
			return "a bind of the engine's socket (or a directory holding it) is root on the host"
		case slices.ContainsFunc(hostTrees, func(t string) bool { return within(p, t) || within(t, p) }):
			return "a bind of " + sensitiveName(p, hostTrees) + " gives the container the host's kernel, devices or engine state"
		case slices.ContainsFunc(hostDirs, func(d string) bool { return within(d, p) }):
			return "a bind of " + sensitiveName(p, hostDirs) + " gives the container the host's configuration or its users' files"
		}
	}
	return ""
}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// sensitiveName names the sensitive directory p is, is in or holds, for
// the message: a fixed name from the lists, never the spec's own value.
func sensitiveName(p string, dirs []string) string {
	for _, d := range dirs {
		if within(p, d) || within(d, p) {
			return d
		}
	}
	return "a host system directory"
}

// securityOptRisk says why the security option o takes a protection away,
// or "" if it does not. Options are written "key=value" or, as older
// engines took them, "key:value".
func securityOptRisk(o string) string {
	key, value, ok := strings.Cut(o, "=")
	if !ok {
		key, value, _ = strings.Cut(o, ":")
	}
	key, value = strings.ToLower(strings.TrimSpace(key)), strings.ToLower(strings.TrimSpace(value))
	switch {
	case key == "seccomp" && value == "unconfined":
		return "seccomp=unconfined lifts the system call filter"
	case key == "apparmor" && value == "unconfined":
		return "apparmor=unconfined lifts the AppArmor profile"
	case key == "systempaths" && value == "unconfined":
		return "systempaths=unconfined unmasks the host's /proc and /sys paths"
	case key == "label" && value == "disable":
		return "label=disable turns SELinux separation off"
	}
	return ""
}
