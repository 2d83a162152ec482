// Package service reconciles a swarm's services and overlay networks to the
// spec: it creates them, updates them as the spec changes (and back when
// they are changed by hand, or reports that), reports rollouts swarm paused
// or rolled back without pushing them again, and sweeps away what drover
// created but the spec no longer declares. It only ever changes what
// carries its owner's label.
package service
