// Package webhook is the daemon's webhook receiver: it verifies signed
// deliveries from GitHub, GitLab or a generic sender on POST /hooks/{name},
// refuses replays and floods, and asks the named git source to poll at
// once. It is served on a listener of its own, never on the API's.
package webhook
