// Package docker is the docker instance provider: a machine is a container on
// a Docker engine, optionally one running its own dockerd as a swarm node.
package docker
