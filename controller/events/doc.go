// Package events is an in-memory hub of controller events: the daemon
// publishes resource.Events of every kind, numbered in order, and
// subscribers (the HTTP API's server-sent-events stream) get the recent
// ones they missed followed by each new one.
package events
