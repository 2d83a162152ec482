// Package vanilla is the plain flavor: an init script and labels, health from
// the machine's own state and healthcheck.
package vanilla
