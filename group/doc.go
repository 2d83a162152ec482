// Package group reconciles machine groups: observe instances, plan scale,
// heal, roll and quorum actions, and carry them out.
package group
