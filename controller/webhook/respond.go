package webhook

import (
	"encoding/json"
	"net/http"
)

// Response is the body of a delivery's 200 or 202.
type Response struct {
	// Accepted is true when the source was asked to poll.
	Accepted bool `json:"accepted"`
	// Note says why a delivery made no poll (a ping, an ignored event).
	Note string `json:"note,omitempty"`
}

// Error is the body of every other answer, as the API's errors are.
type Error struct {
	Error string `json:"error"`
}

// unauthorizedBody is the one answer to every delivery that does not
// authenticate, whatever the reason, so that it tells nothing.
const unauthorizedBody = "a valid signature or token for this source is required"

func writeUnauthorized(w http.ResponseWriter) {
	writeError(w, http.StatusUnauthorized, unauthorizedBody)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, Error{Error: msg})
}

// writeJSON writes v as the JSON body of a response with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		b, _ = json.Marshal(Error{Error: "encode response: " + err.Error()})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}
