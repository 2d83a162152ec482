// Package api is drover's HTTP API: the wire types, the server that the
// daemon mounts on its unix socket (or TCP, behind a bearer token), and the
// client the CLI uses to reach it.
package api
