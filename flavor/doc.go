// Package flavor is the flavor SPI: the interface through which the
// controller prepares an instance spec for the role its group plays (e.g. a
// swarm manager or worker), checks an instance's health and drains it before
// it is destroyed.
package flavor
