// Package enginestream reads the JSON progress streams the Docker engine
// answers image loads and imports with.
package enginestream

import (
	"encoding/json"
	"errors"
	"io"
)

// Err reads an engine progress stream to its end and returns the first
// error it reports, or the error reading it.
func Err(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var m struct {
			Error string `json:"error"`
		}
		switch err := dec.Decode(&m); {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		case m.Error != "":
			return errors.New(m.Error)
		}
	}
}
