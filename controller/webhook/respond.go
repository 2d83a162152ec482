package webhook

import (
	"net/http"

	"github.com/drover/drover/internal/httpjson"
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
	httpjson.Error(w, http.StatusUnauthorized, unauthorizedBody)
}
