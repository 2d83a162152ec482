package docker

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Properties are a group's instance "docker" {} block, decoded: see
// InstanceSchema for what each attribute means. Absent attributes are zero.
type Properties struct {
	Image         string            `json:"image"`
	Command       []string          `json:"command,omitempty"`
	Entrypoint    []string          `json:"entrypoint,omitempty"`
	Env           map[string]string `json:"env,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
	Networks      []string          `json:"networks,omitempty"`
	Ports         []string          `json:"ports,omitempty"`
	Volumes       []string          `json:"volumes,omitempty"`
	Privileged    bool              `json:"privileged,omitempty"`
	Capabilities  []string          `json:"capabilities,omitempty"`
	SecurityOpt   []string          `json:"security_opt,omitempty"`
	Node          bool              `json:"node,omitempty"`
	PreloadImages []string          `json:"preload_images,omitempty"`
	Resources     *Resources        `json:"resources,omitempty"`
	// AllowHostAccess opts in to the settings that give the container the
	// host (hostRisks); without it they are refused.
	AllowHostAccess bool `json:"allow_host_access,omitempty"`
}

// Resources are the limits of a container.
type Resources struct {
	CPUs   float64 `json:"cpus,omitempty"`   // cores, e.g. 0.5
	Memory int64   `json:"memory,omitempty"` // bytes
}

// minMemory is the engine's smallest memory limit.
const minMemory = 6 << 20

// decodeProperties decodes props strictly: an unknown attribute, a value of
// the wrong type or trailing data is a spierr.ErrInvalid error.
func decodeProperties(op string, props json.RawMessage) (Properties, error) {
	var p Properties
	if len(bytes.TrimSpace(props)) == 0 {
		return p, spierr.Invalid(op, "no properties: image is required")
	}
	return p, instance.DecodeProperties(op, props, &p)
}

// parseProperties decodes and checks props, and returns the warnings
// about them: the host access allow_host_access lets them have, and node
// mode. engineSocket is the path of the engine's unix socket on its
// machine, "" for an engine reached over the network.
func parseProperties(op string, props json.RawMessage, engineSocket string) (Properties, []spierr.Warning, error) {
	p, err := decodeProperties(op, props)
	if err != nil {
		return p, nil, err
	}
	if err := p.check(); err != nil {
		return p, nil, invalid(op, err)
	}
	risks := p.hostRisks(engineSocket)
	if len(risks) > 0 && !p.AllowHostAccess {
		r := risks[0]
		return p, nil, spierr.InvalidAttribute(op, r.attr, "%s; set allow_host_access = true on the instance block to allow it", r.why)
	}
	var ws []spierr.Warning
	for _, r := range risks {
		ws = append(ws, spierr.Warning{Attribute: r.attr, Message: r.attr + ": " + r.why + " (allowed by allow_host_access)"})
	}
	if p.Node {
		ws = append(ws, spierr.Warning{Attribute: "node", Message: nodeWarning})
	}
	return p, ws, nil
}

// check reports the first property that is wrong, naming it.
func (p Properties) check() error {
	checks := []func() error{
		p.checkImage, p.checkEnv, p.checkLabels, p.checkNetworks, p.checkPorts,
		p.checkVolumes, p.checkCapabilities, p.checkSecurityOpt,
		p.checkNode, p.checkResources,
	}
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

func (p Properties) checkImage() error {
	if strings.TrimSpace(p.Image) == "" {
		return attrErrorf("image", "required")
	}
	return nil
}

func (p Properties) checkEnv() error {
	for _, k := range sortedKeys(p.Env) {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return attrErrorf("env", "bad variable name %q", k)
		}
	}
	return nil
}

func (p Properties) checkLabels() error {
	if err := instance.CheckLabels(p.Labels); err != nil {
		return attrErrorf("labels", "%s", strings.TrimPrefix(err.Error(), "labels: "))
	}
	return nil
}

// networkName is what the engine accepts as a network name.
var networkName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

func (p Properties) checkNetworks() error {
	for i, n := range p.Networks {
		if !networkName.MatchString(n) {
			return attrErrorf(index("networks", i), "not a network name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)")
		}
		if slices.Index(p.Networks, n) != i {
			return attrErrorf(index("networks", i), "listed twice")
		}
		if n == "host" || n == "none" {
			return attrErrorf(index("networks", i), "the %s network cannot be combined with other networks or published ports; drover does not support it", n)
		}
	}
	return nil
}

func (p Properties) checkPorts() error {
	for i, s := range p.Ports {
		if _, _, err := parsePort(s); err != nil {
			return attrErrorf(index("ports", i), "%w", err)
		}
	}
	return nil
}

// parsePort parses "80", "80/tcp" or "53/udp".
func parsePort(s string) (port int, proto string, err error) {
	num, proto, found := strings.Cut(s, "/")
	if !found {
		proto = "tcp"
	}
	switch proto {
	case "tcp", "udp", "sctp":
	default:
		return 0, "", fmt.Errorf("protocol must be tcp, udp or sctp")
	}
	port, err = strconv.Atoi(num)
	if err != nil || port < 1 || port > 65535 || num != strconv.Itoa(port) {
		return 0, "", fmt.Errorf("want a container port such as \"80\", \"80/tcp\" or \"53/udp\"")
	}
	return port, proto, nil
}

func (p Properties) checkVolumes() error {
	for i, s := range p.Volumes {
		if _, err := parseVolume(s); err != nil {
			return attrErrorf(index("volumes", i), "%w", err)
		}
	}
	return nil
}

// volume is a parsed volumes entry.
type volume struct {
	Source   string // absolute host path (a bind), a volume name, or empty (anonymous)
	Target   string // absolute path in the container
	ReadOnly bool
}

// bind reports whether the volume is a bind of a host path.
func (v volume) bind() bool { return strings.HasPrefix(v.Source, "/") }

// volumeName is what the engine accepts as a named volume.
var volumeName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// parseVolume parses "SRC:DST[:ro|rw]" (SRC an absolute host path or a
// volume name) or "DST" (an anonymous volume).
func parseVolume(s string) (volume, error) {
	parts := strings.Split(s, ":")
	var v volume
	switch len(parts) {
	case 1:
		v.Target = parts[0]
	case 3:
		switch parts[2] {
		case "ro":
			v.ReadOnly = true
		case "rw":
		default:
			return v, fmt.Errorf("mode must be ro or rw")
		}
		fallthrough
	case 2:
		v.Source, v.Target = parts[0], parts[1]
	default:
		return v, fmt.Errorf("want \"SOURCE:TARGET[:ro|rw]\" or \"TARGET\"")
	}
	if !path.IsAbs(v.Target) {
		return v, fmt.Errorf("the target must be an absolute path")
	}
	if len(parts) > 1 && !v.bind() && !volumeName.MatchString(v.Source) {
		return v, fmt.Errorf("the source is neither an absolute host path nor a volume name")
	}
	return v, nil
}

// knownCapabilities are the Linux capabilities, without the CAP_ prefix.
var knownCapabilities = []string{
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
	"SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
	"NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL",
	"SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
	"ALL",
}

// normalCapability turns "net_admin" or "CAP_NET_ADMIN" into "NET_ADMIN".
func normalCapability(c string) string {
	return strings.TrimPrefix(strings.ToUpper(c), "CAP_")
}

func (p Properties) checkCapabilities() error {
	for i, c := range p.Capabilities {
		if !slices.Contains(knownCapabilities, normalCapability(c)) {
			return attrErrorf(index("capabilities", i), "not a Linux capability (such as \"NET_ADMIN\" or \"CAP_SYS_ADMIN\")")
		}
	}
	return nil
}

func (p Properties) checkSecurityOpt() error {
	for i, o := range p.SecurityOpt {
		if o == "" || strings.TrimSpace(o) != o {
			return attrErrorf(index("security_opt", i), "want an option such as \"no-new-privileges\"")
		}
	}
	return nil
}

func (p Properties) checkNode() error {
	if len(p.PreloadImages) > 0 && !p.Node {
		return attrErrorf("preload_images", "only for node = true (a container running its own dockerd)")
	}
	for i, img := range p.PreloadImages {
		if strings.TrimSpace(img) == "" {
			return attrErrorf(index("preload_images", i), "empty image name")
		}
	}
	if !p.Node {
		return nil
	}
	for i, s := range p.Volumes {
		v, _ := parseVolume(s)
		if slices.Contains(nodeMountTargets, path.Clean(v.Target)) {
			return attrErrorf(index("volumes", i), "a node mounts %s itself", path.Clean(v.Target))
		}
	}
	return nil
}

func (p Properties) checkResources() error {
	if p.Resources == nil {
		return nil
	}
	if p.Resources.CPUs < 0 {
		return attrErrorf("resources.cpus", "must not be negative")
	}
	if m := p.Resources.Memory; m != 0 && m < minMemory {
		return attrErrorf("resources.memory", "%d bytes is below the engine's minimum of 6MiB", m)
	}
	return nil
}

// sortedKeys returns m's keys in order, so that errors are deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
