package docker_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/drover/drover/spierr"
)

// TestValidate checks each property family: what is accepted, and that
// what is rejected is spierr.ErrInvalid naming the property.
func TestValidate(t *testing.T) {
	p := newPlugin(t)
	good := []string{
		`{"image": "demo"}`,
		`{"image": "demo", "command": ["a", "b"], "entrypoint": ["/x"]}`,
		`{"image": "demo", "env": {"A": "1", "B_2": "x=y"}}`,
		`{"image": "demo", "labels": {"app": "web", "com.example.tier": "front"}}`,
		`{"image": "demo", "networks": ["backend", "front.end_1"]}`,
		`{"image": "demo", "ports": ["80", "80/tcp", "53/udp", "9/sctp"]}`,
		`{"image": "demo", "volumes": ["/srv:/data", "/srv:/ro:ro", "/srv:/rw:rw", "cache:/cache", "/anon"]}`,
		`{"image": "demo", "privileged": false, "capabilities": ["NET_ADMIN", "CAP_SYS_TIME", "sys_nice"]}`,
		`{"image": "demo", "security_opt": ["no-new-privileges", "apparmor=docker-default"]}`,
		`{"image": "demo", "privileged": true, "capabilities": ["ALL"], "security_opt": ["seccomp=unconfined"], "volumes": ["/:/host"], "allow_host_access": true}`,
		`{"image": "drover/node:bookworm", "node": true, "preload_images": ["demo"], "volumes": ["data:/var/lib/docker"]}`,
		`{"image": "demo", "resources": {"cpus": 0.5, "memory": 67108864}}`,
		`{"image": "demo", "resources": {}}`,
		`{"image": "demo", "env": null, "node": false}`,
	}
	for _, g := range good {
		if err := p.Validate(t.Context(), []byte(g)); err != nil {
			t.Errorf("Validate(%s) = %v, want nil", g, err)
		}
	}
	bad := []struct{ props, mention string }{
		{``, "image"},
		{`[]`, "properties"},
		{`{}`, "image"},
		{`{"image": " "}`, "image"},
		{`{"image": "demo", "imgae": "x"}`, `unknown field "imgae"`},
		{`{"image": "demo"} {}`, "after"},
		{`{"image": "demo", "node": "yes"}`, "node"},
		{`{"image": "demo", "env": {"A=B": "1"}}`, "env"},
		{`{"image": "demo", "env": {"": "1"}}`, "env"},
		{`{"image": "demo", "labels": {"drover.owner": "me"}}`, "labels"},
		{`{"image": "demo", "networks": ["bad name"]}`, "networks[0]"},
		{`{"image": "demo", "networks": ["a", "a"]}`, "networks[1]"},
		{`{"image": "demo", "networks": ["host"]}`, "networks[0]"},
		{`{"image": "demo", "ports": ["8080:80"]}`, "ports[0]"},
		{`{"image": "demo", "ports": ["80", "0"]}`, "ports[1]"},
		{`{"image": "demo", "ports": ["70000"]}`, "ports[0]"},
		{`{"image": "demo", "ports": ["80/icmp"]}`, "ports[0]"},
		{`{"image": "demo", "ports": ["080"]}`, "ports[0]"},
		{`{"image": "demo", "volumes": ["relative"]}`, "volumes[0]"},
		{`{"image": "demo", "volumes": ["/a:/b:rx"]}`, "volumes[0]"},
		{`{"image": "demo", "volumes": ["/a:b"]}`, "volumes[0]"},
		{`{"image": "demo", "volumes": ["bad name:/b"]}`, "volumes[0]"},
		{`{"image": "demo", "volumes": ["/a:/b:ro:x"]}`, "volumes[0]"},
		{`{"image": "demo", "capabilities": ["NET_ADMIN", "FLY"]}`, "capabilities[1]"},
		{`{"image": "demo", "security_opt": [""]}`, "security_opt[0]"},
		{`{"image": "demo", "preload_images": ["x"]}`, "preload_images"},
		{`{"image": "demo", "node": true, "preload_images": [""]}`, "preload_images[0]"},
		{`{"image": "demo", "node": true, "volumes": ["/x:/var/run"]}`, "volumes[0]"},
		{`{"image": "demo", "resources": {"cpus": -1}}`, "resources.cpus"},
		{`{"image": "demo", "resources": {"memory": 1024}}`, "resources.memory"},
		{`{"image": "demo", "resources": {"disk": 1}}`, "disk"},
	}
	for _, b := range bad {
		err := p.Validate(t.Context(), []byte(b.props))
		if !errors.Is(err, spierr.ErrInvalid) {
			t.Errorf("Validate(%s) = %v, want a spierr.ErrInvalid error", b.props, err)
			continue
		}
		if !strings.Contains(err.Error(), b.mention) {
			t.Errorf("Validate(%s) = %q, want it to mention %q", b.props, err, b.mention)
		}
	}
}

// TestValidateEchoesNoValue: a refused value is named by its attribute,
// never repeated (it may be derived from a secret).
func TestValidateEchoesNoValue(t *testing.T) {
	p := newPlugin(t)
	for _, props := range []string{
		`{"image": "demo", "networks": ["ZZ SECRET"]}`,
		`{"image": "demo", "ports": ["ZZSECRET"]}`,
		`{"image": "demo", "ports": ["80/ZZSECRET"]}`,
		`{"image": "demo", "volumes": ["/a:/b:ZZSECRET"]}`,
		`{"image": "demo", "volumes": ["/a:ZZSECRET"]}`,
		`{"image": "demo", "volumes": ["ZZ SECRET:/b"]}`,
		`{"image": "demo", "volumes": ["ZZSECRET:/b:ro:x"]}`,
		`{"image": "demo", "capabilities": ["ZZSECRET"]}`,
		`{"image": "demo", "security_opt": [" ZZSECRET"]}`,
		`{"image": "demo", "node": true, "volumes": ["/ZZSECRET:/var/run"]}`,
		`{"image": "demo", "volumes": ["/etc/ZZSECRET/..:/e"]}`,
	} {
		err := p.Validate(t.Context(), []byte(props))
		if err == nil || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("Validate(%s) = %v, want an error that does not repeat the value", props, err)
		}
	}
}
