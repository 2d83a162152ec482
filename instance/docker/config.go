package docker

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"github.com/drover/drover/instance"
)

// createRequest is everything needed to create one container, built from
// the spec, the properties and the image's own command without calling the
// engine.
type createRequest struct {
	Name    string
	Config  *container.Config
	Host    *container.HostConfig
	Network *network.NetworkingConfig
	// Networks are the networks by name, in order; attachNetworks turns
	// them into Host.NetworkMode, Network and Connect.
	Networks []string
	// Connect are the networks to connect after create and before start
	// (the engine takes one network at create).
	Connect []string
	// NodeDir is, for a node, the host directory bind-mounted over the
	// container's /var/run; empty otherwise.
	NodeDir string
}

// imageCommand is an image's own entrypoint and cmd.
type imageCommand struct {
	Entrypoint []string
	Cmd        []string
}

// initName is $0 of the init wrapper, as ps shows it.
const initName = "drover-init"

// buildRequest builds the container for spec. img is the image's own
// command; it is only used when spec.Init is set.
func (p *Plugin) buildRequest(spec instance.Spec, props Properties, img imageCommand) (createRequest, error) {
	ep, cmd, err := command(spec.Init, props, img)
	if err != nil {
		return createRequest{}, err
	}
	exposed, bindings := ports(props.Ports)
	binds, anon := volumes(props.Volumes)
	req := createRequest{
		Name: spec.Name,
		Config: &container.Config{
			Hostname:     spec.Name,
			Image:        props.Image,
			Entrypoint:   ep,
			Cmd:          cmd,
			Env:          env(props.Env),
			Labels:       labels(spec, props.Labels),
			ExposedPorts: exposed,
			Volumes:      anon,
		},
		Host: &container.HostConfig{
			Binds:        binds,
			PortBindings: bindings,
			Privileged:   props.Privileged,
			CapAdd:       capabilities(props.Capabilities),
			SecurityOpt:  slices.Clone(props.SecurityOpt),
			Resources:    resources(props.Resources),
		},
	}
	req.Networks = slices.Clone(props.Networks)
	if props.Node {
		if err := p.nodeRequest(&req, props); err != nil {
			return createRequest{}, err
		}
	}
	if err := securityOpt(req.Host); err != nil {
		return createRequest{}, err
	}
	return req, nil
}

// command returns the entrypoint and cmd to run. Without an init script
// they are the properties' overrides (nil keeps the image's). With one,
// the container runs
//
//	/bin/sh -c '<init>
//	exec "$@"' drover-init <entrypoint...> <cmd...>
//
// so the init script runs first and the image's own command (or the
// overrides) then replaces the shell, inheriting what the script exported.
// The image must therefore have /bin/sh. The script runs as sh -c runs
// it: a failing command does not stop it unless it says set -e.
func command(init string, props Properties, img imageCommand) (entrypoint, cmd []string, err error) {
	if init == "" {
		return slices.Clone(props.Entrypoint), slices.Clone(props.Command), nil
	}
	ep, c := img.Entrypoint, img.Cmd
	if props.Entrypoint != nil {
		ep, c = props.Entrypoint, nil // as docker run --entrypoint: the image's CMD goes too
	}
	if props.Command != nil {
		c = props.Command
	}
	run := append(slices.Clone(ep), c...)
	if len(run) == 0 {
		return nil, nil, fmt.Errorf("image %q has no entrypoint or cmd to run after the init script, and the properties set none", props.Image)
	}
	ep, cmd = wrapInit(init, run)
	return ep, cmd, nil
}

// wrapInit returns the entrypoint and cmd that run the shell script init,
// then exec run.
func wrapInit(init string, run []string) (entrypoint, cmd []string) {
	return []string{"/bin/sh", "-c", init + "\nexec \"$@\"", initName}, slices.Clone(run)
}

// labels are the container's labels: the spec's tags win over the
// properties' labels (which may not use drover's prefix anyway), so that
// Describe reports the tags as given. A logical id is recorded as the
// instance.TagLogicalID label if the tags lack it.
func labels(spec instance.Spec, extra map[string]string) map[string]string {
	out := make(map[string]string, len(spec.Tags)+len(extra)+1)
	maps.Copy(out, extra)
	if spec.LogicalID != "" {
		out[instance.TagLogicalID] = string(spec.LogicalID)
	}
	maps.Copy(out, spec.Tags)
	return out
}

// env renders env as sorted "K=V" strings.
func env(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return out
}

// ports exposes every port and publishes it on a random host port.
func ports(specs []string) (nat.PortSet, nat.PortMap) {
	if len(specs) == 0 {
		return nil, nil
	}
	exposed, bindings := nat.PortSet{}, nat.PortMap{}
	for _, s := range specs {
		num, proto, _ := parsePort(s) // checked by Validate
		port := nat.Port(fmt.Sprintf("%d/%s", num, proto))
		exposed[port] = struct{}{}
		bindings[port] = []nat.PortBinding{{HostIP: "", HostPort: ""}}
	}
	return exposed, bindings
}

// volumes turns the volumes property into binds (host paths and named
// volumes, as docker run -v) and anonymous volumes.
func volumes(specs []string) (binds []string, anon map[string]struct{}) {
	for _, s := range specs {
		v, _ := parseVolume(s) // checked by Validate
		if v.Source == "" {
			if anon == nil {
				anon = map[string]struct{}{}
			}
			anon[v.Target] = struct{}{}
			continue
		}
		mode := "rw"
		if v.ReadOnly {
			mode = "ro"
		}
		binds = append(binds, v.Source+":"+v.Target+":"+mode)
	}
	return binds, anon
}

// capabilities normalises capability names to the engine's "CAP_X" form.
func capabilities(caps []string) []string {
	var out []string
	for _, c := range caps {
		n := normalCapability(c)
		if n != "ALL" {
			n = "CAP_" + n
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// resources converts the limits: cores to nano-CPUs, bytes as they are.
func resources(r *Resources) container.Resources {
	if r == nil {
		return container.Resources{}
	}
	return container.Resources{NanoCPUs: int64(r.CPUs * 1e9), Memory: r.Memory}
}

// securityOpt turns the security options into what the engine takes, as
// docker run does: "systempaths=unconfined" is no engine option but empty
// masked and read-only path lists, and "seccomp=FILE" sends the profile
// in the file (read on this machine).
func securityOpt(h *container.HostConfig) error {
	var out []string
	for _, o := range h.SecurityOpt {
		key, value, _ := strings.Cut(o, "=")
		switch {
		case key == "systempaths" && value == "unconfined":
			h.MaskedPaths, h.ReadonlyPaths = []string{}, []string{}
			continue
		case key == "seccomp" && value != "unconfined" && !strings.HasPrefix(strings.TrimSpace(value), "{"):
			profile, err := os.ReadFile(value)
			if err != nil {
				return fmt.Errorf("security_opt: seccomp profile: %w", err)
			}
			o = "seccomp=" + string(profile)
		}
		out = append(out, o)
	}
	h.SecurityOpt = out
	return nil
}
