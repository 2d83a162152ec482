// Package service reconciles swarm services to their spec: create, update,
// remove, drift and rebalance.
package service
