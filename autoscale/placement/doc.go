// Package placement is group autoscaling's view of a swarm: a small,
// pure simulation of swarm's placement of tasks on nodes by their
// reservations, constraints and per-node replica limits. Grow says how
// many new nodes like a group's would place the tasks swarm has left
// pending; Unneeded says which of a group's nodes could go because their
// tasks fit on the other nodes, and why the others cannot.
//
// It knows neither Docker's API nor drover's groups: the caller turns
// swarm's nodes and tasks into Node and Task. Every result is in a
// deterministic order, so that the same swarm always explains itself the
// same way.
package placement
