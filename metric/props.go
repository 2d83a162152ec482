package metric

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/drover/drover/schema"
)

// targetAttribute is the schema of a utilisation metric's target: what
// the metric's mean is kept at. The schema's Min is inclusive; New
// refuses 0 (see decodeTarget).
func targetAttribute(description string) schema.Attribute {
	return schema.Attribute{Name: "target", Type: schema.Number, Required: true, Min: schema.Ptr(0), Description: description}
}

// targetProps are the properties of a metric block that has only a
// target.
type targetProps struct {
	Target *float64 `json:"target"`
}

// decodeTarget decodes props (an object holding a target and nothing
// else) and returns the target, which must be a finite number above 0.
// Its errors name the property, never its value.
func decodeTarget(props json.RawMessage) (float64, error) {
	var p targetProps
	if err := decodeStrict(props, &p); err != nil {
		return 0, err
	}
	switch {
	case p.Target == nil:
		return 0, errors.New("target is required")
	case !(*p.Target > 0) || math.IsInf(*p.Target, 0):
		return 0, errors.New("target must be a number greater than 0")
	}
	return *p.Target, nil
}

// decodeStrict decodes props, a JSON object, into v, refusing unknown
// properties. Its errors name a property at most, never a value: a
// property's value may be a secret.
func decodeStrict(props json.RawMessage, v any) error {
	if len(bytes.TrimSpace(props)) == 0 {
		props = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(props))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("property %s: want %s", typ.Field, kindName(typ.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown property %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return errors.New("the properties are not a JSON object of the metric's schema")
}

// kindName names the JSON value a Go type decodes from.
func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "a " + t.Kind().String()
}
