package dockertest

import (
	"strings"
	"testing"

	"github.com/docker/docker/client"

	"github.com/drover/drover/instance"
)

// CleanupOwned removes, when t ends, the containers (with their volumes),
// networks and volumes named owner or owner-..., or labelled with owner as
// their drover owner: what one test made, removed at its own end. Cleanup
// alone sweeps only after the last test of the process, which lets the
// node containers of a finished parallel test run on beside the others.
// owner is a name made by Name.
func CleanupOwned(t testing.TB, cli *client.Client, owner string) {
	t.Helper()
	t.Cleanup(func() { sweep(t, cli, ownedBy(owner)) })
}

// ownedBy selects what CleanupOwned removes.
func ownedBy(owner string) func(labels map[string]string, name string) bool {
	return func(labels map[string]string, name string) bool {
		return name == owner || strings.HasPrefix(name, owner+"-") || labels[instance.TagOwner] == owner
	}
}
