// Package events is an in-memory hub of controller events: the daemon
// publishes api.Events, numbered in order, and subscribers (the HTTP API's
// server-sent-events stream) get the recent ones they missed followed by
// each new one.
package events
