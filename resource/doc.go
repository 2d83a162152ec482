// Package resource is the vocabulary every kind of resource shares: the
// key that names one (kind and name, written "group.web"), the one Event
// type reconcilers and the daemon emit, and the one Status shape the API,
// metrics and CLI show. It imports nothing of drover: every other package
// may use it.
package resource
