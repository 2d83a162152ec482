// Package httpjson writes the JSON responses of drover's HTTP servers (the
// API and the webhook receiver): one encoding, one error body.
package httpjson
