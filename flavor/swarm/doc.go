// Package swarm is the swarm flavor: machines of a group join a Docker swarm
// as managers or workers, are healthy when their node is ready, and are
// drained or demoted before they are destroyed.
package swarm
