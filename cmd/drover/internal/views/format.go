package views

import (
	"encoding/json"
	"errors"
	"io"
)

// Format is how a View writes what it shows.
type Format int

// The formats: Text for people, JSON for programs.
const (
	Text Format = iota
	JSON
)

// String is the format's name on the command line.
func (f Format) String() string {
	if f == JSON {
		return "json"
	}
	return "text"
}

// ErrFormat is the error of an output format that is not text or json.
var ErrFormat = errors.New("want text or json")

// ParseFormat reads an output format: text (also spelled table, as status,
// events and history once called it) or json.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "text", "table":
		return Text, nil
	case "json":
		return JSON, nil
	}
	return Text, ErrFormat
}

// writeIndented writes v as indented JSON: the documents (status, plan,
// validation).
func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeLine writes v as JSON on one line: the streams (events) and the
// version.
func writeLine(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}
