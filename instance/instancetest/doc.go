// Package instancetest is the conformance suite of the instance SPI: every
// provider (docker, digitalocean against its fake, an external plugin over
// gRPC) runs Run against its backend and must pass it.
package instancetest
