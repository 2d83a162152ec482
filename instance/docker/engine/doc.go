// Package engine holds what every part of drover that talks to Docker
// engines shares: the one classification of engine errors into spierr
// codes, and the settings that let a container run its own dockerd (a
// swarm node) without --privileged.
package engine
