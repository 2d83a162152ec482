// Package autoscale decides how many replicas or machines a resource
// should have, from its metrics' readings and what it remembers of earlier
// decisions: target tracking with a tolerance, a scale-down stabilisation
// window, separate up and down cooldowns, a step limit. Decide is pure; the
// runner reads the metrics, stores State and acts on the Decision.
package autoscale
