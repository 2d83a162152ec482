package instance

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   any
	}{
		{"spec", &Spec{
			Properties: json.RawMessage(`{"size":"s-1vcpu-1gb"}`),
			Tags:       map[string]string{TagGroup: "workers"},
			Init:       "#!/bin/sh\necho hi\n",
			LogicalID:  "m0",
		}},
		{"empty spec", &Spec{}},
		{"description", &Description{
			ID:        "123",
			LogicalID: "m0",
			Tags:      map[string]string{TagGroup: "managers"},
			State:     StateStopped,
			Addresses: []Address{{Kind: AddressPrivate, IP: "10.0.0.2"}, {Kind: AddressPublic, IP: "203.0.113.7"}},
			CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
			Detail:    "exit code 137",
		}},
		{"minimal description", &Description{ID: "abc", State: StatePending}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			out := reflect.New(reflect.TypeOf(tt.in).Elem()).Interface()
			if err := json.Unmarshal(data, out); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out, tt.in) {
				t.Errorf("round trip via %s = %+v, want %+v", data, out, tt.in)
			}
		})
	}
}
