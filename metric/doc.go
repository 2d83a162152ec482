// Package metric holds the autoscalers' metric plugins, one file each: the
// `metric "NAME" {}` blocks of an autoscale block. A Source reads one
// block's metric for one autoscaled resource, within a timeout, from what
// the runner gives it (Scope); it never decides anything.
package metric
