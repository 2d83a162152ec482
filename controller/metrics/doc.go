// Package metrics holds the Prometheus metrics of the drover daemon:
// reconcile passes, actions taken, queue depth, instance counts per group
// and instance plugin calls. Everything is registered on the registerer
// given to New; the package has no global collectors.
package metrics
