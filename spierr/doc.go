// Package spierr defines the typed errors shared by the instance and flavor
// SPIs: a small set of codes that tell the controller whether to retry, and a
// wire form that keeps them intact across a plugin process boundary.
package spierr
