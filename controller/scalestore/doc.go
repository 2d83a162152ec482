// Package scalestore keeps what each autoscaler remembers (the count it
// set, its last actions, its recent recommendations), so that a restart of
// drover or a re-apply of the same spec keeps the autoscaled count.
package scalestore
