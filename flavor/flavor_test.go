package flavor

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/drover/drover/instance"
)

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   any
		json string
	}{
		{"healthy", &Health{Status: Healthy}, `{"status":"healthy"}`},
		{"unknown with reason", &Health{Status: Unknown, Reason: "joining"}, `{"status":"unknown","reason":"joining"}`},
		{"unhealthy", &Health{Status: Unhealthy, Reason: "node down"}, `{"status":"unhealthy","reason":"node down"}`},
		{"allocation", &Allocation{Group: "managers", Size: 3, LogicalIDs: []instance.LogicalID{"m0", "m1", "m2"}},
			`{"group":"managers","size":3,"logical_ids":["m0","m1","m2"]}`},
		{"allocation without ids", &Allocation{Group: "workers", Size: 5}, `{"group":"workers","size":5}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tt.json {
				t.Errorf("JSON = %s, want %s", data, tt.json)
			}
			out := reflect.New(reflect.TypeOf(tt.in).Elem()).Interface()
			if err := json.Unmarshal(data, out); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out, tt.in) {
				t.Errorf("round trip = %+v, want %+v", out, tt.in)
			}
		})
	}
}
