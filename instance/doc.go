// Package instance is the instance SPI: the interface through which the
// controller creates, destroys and describes the machines of a group, with
// the types it exchanges and the one encoding of drover's tags that every
// plugin uses.
package instance
