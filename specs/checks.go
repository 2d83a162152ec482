package specs

import (
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// check runs the checks that look across resources. It sees only the
// resources that decoded; complete says whether every group did, since a
// swarm's managers cannot be counted otherwise.
func check(spec *Spec, complete bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if complete {
		diags = append(diags, checkSwarmManagers(spec)...)
	}
	diags = append(diags, checkNetworks(spec)...)
	diags = append(diags, checkServices(spec)...)
	return diags
}

// checkSwarmManagers wants at least one manager group per swarm, warns about
// an even number of managers, and refuses autoscaled managers.
func checkSwarmManagers(spec *Spec) hcl.Diagnostics {
	var diags hcl.Diagnostics
	managers := map[string]int{}
	groups := map[string][]string{}
	for _, g := range spec.Groups {
		swarm, role, ok := g.SwarmRole()
		if !ok || role != "manager" {
			continue
		}
		managers[swarm] += g.Size
		groups[swarm] = append(groups[swarm], fmt.Sprintf("group.%s (%d)", g.Name, g.Size))
		if g.Autoscale != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Autoscaled manager group",
				Detail:   fmt.Sprintf("group.%s holds managers of swarm.%s; their number decides the quorum, so it is fixed: remove the autoscale block and autoscale a worker group instead.", g.Name, swarm),
				Subject:  g.Range("autoscale").Ptr(),
			})
		}
	}
	for _, sw := range spec.Swarms {
		n, ok := managers[sw.Name]
		switch {
		case !ok:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Swarm without managers",
				Detail:   fmt.Sprintf("No group has flavor \"swarm\" with swarm = swarm.%s and role = \"manager\", so the swarm could never form.", sw.Name),
				Subject:  sw.DeclRange.Ptr(),
			})
		case n%2 == 0:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Even number of managers",
				Detail:   fmt.Sprintf("swarm.%s has %d managers (%s). A swarm of %d managers survives the loss of %d, no more than %d would: use an odd number.", sw.Name, n, strings.Join(groups[sw.Name], ", "), n, (n-1)/2, n-1),
				Subject:  sw.DeclRange.Ptr(),
			})
		}
	}
	return diags
}

func checkNetworks(spec *Spec) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, n := range spec.Networks {
		if n.Subnet == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(n.Subnet); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid subnet",
				Detail:   fmt.Sprintf("%q is not a CIDR such as \"10.20.0.0/24\".", n.Subnet),
				Subject:  n.Range("subnet").Ptr(),
			})
		}
	}
	return diags
}

// checkServices checks what services share: networks and dependencies on
// their own swarm, no dependency cycles, no port published twice on a swarm.
func checkServices(spec *Spec) hcl.Diagnostics {
	var diags hcl.Diagnostics
	networks := map[string]*Network{}
	for _, n := range spec.Networks {
		networks[n.Name] = n
	}
	services := map[string]*Service{}
	for _, s := range spec.Services {
		services[s.Name] = s
	}
	ports := map[string]string{} // swarm/port -> service
	for _, s := range spec.Services {
		for i, name := range s.Networks {
			if n, ok := networks[name]; ok && n.Swarm != s.Swarm {
				diags = append(diags, crossSwarm(s, fmt.Sprintf("networks[%d]", i), "network."+name, n.Swarm))
			}
		}
		for i, name := range s.DependsOn {
			if d, ok := services[name]; ok && d.Swarm != s.Swarm {
				diags = append(diags, crossSwarm(s, fmt.Sprintf("depends_on[%d]", i), "service."+name, d.Swarm))
			}
		}
		for i, p := range s.Ports {
			if p.Published == 0 {
				continue
			}
			key := fmt.Sprintf("%s/%d/%s", s.Swarm, p.Published, p.Protocol)
			if other, taken := ports[key]; taken && other != s.Name {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Port published twice",
					Detail:   fmt.Sprintf("Port %d/%s on swarm.%s is already published by service.%s.", p.Published, p.Protocol, s.Swarm, other),
					Subject:  s.Range(fmt.Sprintf("ports[%d]", i)).Ptr(),
				})
			}
			ports[key] = s.Name
		}
	}
	return append(diags, checkDependencyCycles(spec.Services, services)...)
}

func crossSwarm(s *Service, path, target, otherSwarm string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Reference across swarms",
		Detail:   fmt.Sprintf("%s runs on swarm.%s, but %s is on swarm.%s.", s.Addr(), s.Swarm, target, otherSwarm),
		Subject:  s.Range(path).Ptr(),
	}
}

// checkDependencyCycles reports each depends_on cycle once, at the service
// of the cycle that sorts first.
func checkDependencyCycles(list []*Service, byName map[string]*Service) hcl.Diagnostics {
	var diags hcl.Diagnostics
	state := map[string]int{} // 0 new, 1 on the stack, 2 done
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		state[name] = 1
		stack = append(stack, name)
		for _, dep := range byName[name].DependsOn {
			if _, ok := byName[dep]; !ok {
				continue
			}
			switch state[dep] {
			case 0:
				visit(dep)
			case 1:
				cycle := append([]string(nil), stack[indexOf(stack, dep):]...)
				first := append([]string(nil), cycle...)
				sort.Strings(first)
				s := byName[first[0]]
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Dependency cycle",
					Detail:   fmt.Sprintf("Services depend on each other in a cycle: %s -> %s.", strings.Join(cycle, " -> "), dep),
					Subject:  s.Range("depends_on").Ptr(),
				})
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = 2
	}
	for _, s := range list {
		if state[s.Name] == 0 {
			visit(s.Name)
		}
	}
	return diags
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}
