package instance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/drover/drover/spierr"
)

// ReservedPrefix starts the keys of drover's own tags (drover.owner, ...),
// which a plugin's user-given labels may not use.
const ReservedPrefix = "drover."

// DecodeProperties decodes a plugin's properties strictly into v: an
// unknown attribute, a value of the wrong type or data after the object is
// a spierr.ErrInvalid error. Empty or null properties leave v as it is.
// Plugins (instance and flavor alike) use it in Validate and before use.
func DecodeProperties(op string, props json.RawMessage, v any) error {
	if trimmed := bytes.TrimSpace(props); len(trimmed) == 0 || string(trimmed) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(props))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return spierr.Invalid(op, "properties: %v", err)
	}
	if dec.More() {
		return spierr.Invalid(op, "properties: data after the JSON object")
	}
	return nil
}

// CheckLabels refuses label keys that are empty or that use drover's own
// prefix, in key order so that the error is stable.
func CheckLabels(labels map[string]string) error {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "" {
			return errors.New("labels: empty key")
		}
		if strings.HasPrefix(k, ReservedPrefix) {
			return fmt.Errorf("labels: %q: keys starting with %q are drover's own", k, ReservedPrefix)
		}
	}
	return nil
}
