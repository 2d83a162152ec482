package plugingrpc

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/spierr"
)

// TestCheckOverGRPC: a plugin's warnings and the attribute its errors
// name cross the connection, whatever capabilities the plugin declares.
func TestCheckOverGRPC(t *testing.T) {
	for _, watcher := range []bool{false, true} {
		var declared []instance.Declaration
		if watcher {
			declared = append(declared, instance.Watching)
		}
		c := dialInstance(t, InstanceProvider{
			Capabilities: declared,
			New: func(ctx context.Context, cfg json.RawMessage) (instance.Plugin, error) {
				// An engine that is never called: Validate is offline.
				return docker.New(ctx, json.RawMessage(`{"host": "tcp://192.0.2.1:2376", "socket_dir": "`+t.TempDir()+`"}`))
			},
		})
		p := configure(t, c, "local")
		ch, ok := p.(instance.Checker)
		if !ok {
			t.Fatalf("watcher=%v: the remote plugin %T has no Check", watcher, p)
		}
		tests := []struct {
			name, props, attr, warning string
		}{
			{"refused", `{"image": "x", "volumes": ["/srv:/s", "/:/host"]}`, "volumes[1]", ""},
			{"bad label", `{"image": "x", "labels": {"drover.x": "y"}}`, "labels", ""},
			{"allowed", `{"image": "x", "privileged": true, "allow_host_access": true}`, "", "privileged"},
			{"node", `{"image": "x", "node": true}`, "", "node"},
		}
		for _, tt := range tests {
			ws, err := ch.Check(t.Context(), json.RawMessage(tt.props))
			if tt.attr != "" {
				if !errors.Is(err, spierr.ErrInvalid) || spierr.AttributeOf(err) != tt.attr {
					t.Errorf("%s: Check = %v (attribute %q), want an invalid error about %s", tt.name, err, spierr.AttributeOf(err), tt.attr)
				}
				if err := p.Validate(t.Context(), json.RawMessage(tt.props)); spierr.AttributeOf(err) != tt.attr {
					t.Errorf("%s: Validate = %v, want an error about %s", tt.name, err, tt.attr)
				}
				continue
			}
			if err != nil || len(ws) != 1 || ws[0].Attribute != tt.warning || !strings.Contains(ws[0].Message, tt.warning) {
				t.Errorf("%s: Check = %+v, %v; want one warning about %s", tt.name, ws, err, tt.warning)
			}
		}
	}
}

// TestCheckWithoutWarnings: a plugin that has no Check answers Check
// with its Validate and no warnings.
func TestCheckWithoutWarnings(t *testing.T) {
	f := fake.New(nil)
	p := configure(t, dialInstance(t, provide(f)), "k")
	ws, err := p.(instance.Checker).Check(t.Context(), json.RawMessage(`{}`))
	if err != nil || ws != nil {
		t.Errorf("Check = %+v, %v; want no warnings and no error", ws, err)
	}
}
