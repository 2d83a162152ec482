package webhook

import (
	"math"
	"testing"
	"time"
)

func TestNewOptions(t *testing.T) {
	src := newSources()
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
	}{
		{"no sources", Options{}, true},
		{"negative body cap", Options{Sources: src, MaxBody: -1}, true},
		{"negative rate", Options{Sources: src, Rate: -time.Second}, true},
		{"negative burst", Options{Sources: src, Burst: -1}, true},
		{"negative deliveries", Options{Sources: src, Deliveries: -1}, true},
		{"rate times burst overflows", Options{Sources: src, Rate: time.Hour, Burst: math.MaxInt}, true},
		{"defaults", Options{Sources: src}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := New(tc.opts)
			if (err != nil) != tc.wantErr {
				t.Fatalf("New: err %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			o := rc.opts
			if o.MaxBody != DefaultMaxBody || o.Rate != DefaultRate || o.Burst != DefaultBurst ||
				o.Deliveries != DefaultDeliveries || o.Now == nil || o.Log == nil {
				t.Errorf("defaults not applied: %+v", o)
			}
		})
	}
}
