package docker_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/instance/instancetest"
)

// TestConformance runs the instance SPI conformance suite against the
// local engine with the demo app image.
func TestConformance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good, _ := json.Marshal(map[string]any{
		"image":  e.demo,
		"env":    map[string]string{"GREETING": "conformance"},
		"labels": map[string]string{"app": "demo"},
		"ports":  []string{"8080/tcp"},
	})
	instancetest.Run(t, instancetest.Harness{
		New:        func(t *testing.T) instance.Plugin { return e.plugin },
		Properties: good,
		BadProperties: []json.RawMessage{
			json.RawMessage(`{}`),
			json.RawMessage(`"image"`),
			json.RawMessage(`{"image": "x", "bogus": 1}`),
			json.RawMessage(`{"image": 3}`),
			json.RawMessage(`{"image": "x", "ports": ["http"]}`),
			json.RawMessage(`{"image": "x", "volumes": ["data:relative"]}`),
			json.RawMessage(`{"image": "x", "capabilities": ["CAP_FLY"]}`),
			json.RawMessage(`{"image": "x", "labels": {"drover.group": "mine"}}`),
			json.RawMessage(`{"image": "x", "preload_images": ["y"]}`),
		},
		Tags: dockertest.Tags(t, map[string]string{instance.TagOwner: dockertest.Name(t, "")}),
		Settle: func(t *testing.T, check func() error) {
			dockertest.WaitFor(t, 30*time.Second, func() (bool, error) { err := check(); return err == nil, err })
		},
	})
}
