package docker

import s "github.com/drover/drover/schema"

// PluginName is the name specs use: instance "docker" {}.
const PluginName = "docker"

// ProviderSchema is the body of provider "docker" "NAME" {}: which engine.
func ProviderSchema() *s.Block {
	return &s.Block{Attributes: []s.Attribute{
		{Name: "host", Type: s.String, Description: `engine address, such as "unix:///var/run/docker.sock" or "tcp://10.0.0.5:2376"; DOCKER_HOST or the local socket when unset`},
		{Name: "cert_path", Type: s.String, Description: "directory holding ca.pem, cert.pem and key.pem for a TLS engine (DOCKER_CERT_PATH)"},
		{Name: "socket_dir", Type: s.String, Description: "host directory where node containers' engine sockets appear, as <socket_dir>/<name>/docker.sock; node mode needs the engine on this machine. Default: <data-dir>/nodes, made 0700 by drover. It must be owned by drover's user and writable by no one else, and the directories above it by no one but that user or root (or be sticky, as /tmp is)"},
	}}
}

// InstanceSchema is the body of a group's instance "docker" {}: a machine
// is a container.
func InstanceSchema() *s.Block {
	return &s.Block{
		Attributes: []s.Attribute{
			{Name: "image", Type: s.String, Required: true},
			{Name: "command", Type: s.ListOf(s.String), Description: "overrides the image's CMD"},
			{Name: "entrypoint", Type: s.ListOf(s.String), Description: "overrides the image's ENTRYPOINT"},
			{Name: "env", Type: s.MapOf(s.String)},
			{Name: "labels", Type: s.MapOf(s.String), Description: "container labels besides drover's own"},
			{Name: "networks", Type: s.ListOf(s.String), Description: "engine networks to attach to, created (bridge) when missing"},
			{Name: "ports", Type: s.ListOf(s.String), Description: `container ports to publish on random host ports, such as "80/tcp"`},
			{Name: "volumes", Type: s.ListOf(s.String), Description: `"SOURCE:TARGET[:ro]" binds or named volumes`},
			{Name: "privileged", Type: s.Bool, Default: false, Description: "all capabilities; fails where the engine may not grant CAP_SYS_RESOURCE, use capabilities there"},
			{Name: "capabilities", Type: s.ListOf(s.String), Description: "capabilities to add, an explicit alternative to privileged"},
			{Name: "security_opt", Type: s.ListOf(s.String)},
			{Name: "node", Type: s.Bool, Default: false, Description: "the container runs its own dockerd (a swarm node); its socket is reachable on the host. Root-equivalent on the engine's machine (validate and plan warn), but needs no allow_host_access"},
			{Name: "allow_host_access", Type: s.Bool, Default: false, Description: "allow the settings that give the container the host: binds of the host's root (/), of the engine's socket or of system directories (/etc, /proc, /sys, /dev, /var/lib/docker, ...), privileged, the capabilities ALL, SYS_ADMIN, SYS_MODULE, SYS_RAWIO and DAC_READ_SEARCH, and the security options seccomp=unconfined, apparmor=unconfined, systempaths=unconfined and label=disable; refused without it, warned about with it"},
			{Name: "preload_images", Type: s.ListOf(s.String), Description: "host images copied into a node's engine after it starts"},
		},
		Blocks: []s.Block{{
			Type: "resources",
			Attributes: []s.Attribute{
				{Name: "cpus", Type: s.Number, Min: s.Ptr(0), Description: "CPU limit in cores"},
				{Name: "memory", Type: s.Size, Description: "memory limit"},
			},
		}},
	}
}
