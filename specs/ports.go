package specs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Port is a port a service publishes on the swarm's routing mesh.
type Port struct {
	// Published is the port on every node; 0 lets swarm pick one.
	Published uint16
	Target    uint16
	Protocol  string // "tcp" (default), "udp" or "sctp"
}

// ParsePort reads "PUBLISHED:TARGET[/PROTOCOL]" or "TARGET[/PROTOCOL]".
func ParsePort(s string) (Port, error) {
	p := Port{Protocol: "tcp"}
	spec, proto, hasProto := strings.Cut(s, "/")
	if hasProto {
		switch proto {
		case "tcp", "udp", "sctp":
			p.Protocol = proto
		default:
			return p, fmt.Errorf("port %q: protocol %q is not tcp, udp or sctp", s, proto)
		}
	}
	pub, target, hasPub := strings.Cut(spec, ":")
	if !hasPub {
		target, pub = pub, ""
	}
	var err error
	if p.Target, err = portNumber(target, false); err != nil {
		return p, fmt.Errorf("port %q: target %w", s, err)
	}
	if hasPub {
		if p.Published, err = portNumber(pub, true); err != nil {
			return p, fmt.Errorf("port %q: published port %w", s, err)
		}
	}
	return p, nil
}

func portNumber(s string, zeroOK bool) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 && !zeroOK {
		return 0, fmt.Errorf("%q is not a port number (1-65535)", s)
	}
	return uint16(n), nil
}

// String writes the port the way ParsePort reads it.
func (p Port) String() string {
	s := strconv.Itoa(int(p.Target)) + "/" + p.Protocol
	if p.Published != 0 {
		s = strconv.Itoa(int(p.Published)) + ":" + s
	}
	return s
}

// MarshalJSON writes the port as its string.
func (p Port) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads a port string.
func (p *Port) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	parsed, err := ParsePort(s)
	if err != nil {
		return err
	}
	*p = parsed
	return nil
}
