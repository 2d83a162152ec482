package httpjson

import (
	"encoding/json"
	"net/http"
)

// errorBody is the body of a failed request: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

// Write writes v as the JSON body of a response with status code, never
// to be cached or sniffed as another type.
func Write(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Error: "encode response: " + err.Error()})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

// Error writes {"error": msg} with status code.
func Error(w http.ResponseWriter, code int, msg string) {
	Write(w, code, errorBody{Error: msg})
}
