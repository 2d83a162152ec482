// Package swarm is the swarm flavor: it forms and mends a Docker swarm out of
// a group's machines (the first manager initialises it, the others join as
// managers or workers), reports a machine healthy when its node is ready,
// takes the nodes of machines confirmed dead out of the swarm at once, and
// drains or demotes a node before its machine is destroyed, never losing the
// managers' quorum.
//
// Rules it relies on:
//
//   - One manager group per swarm. Only a manager group initialises a swarm,
//     and only when no manager of it is known and none of the group's
//     machines is in a swarm; two manager groups naming the same swarm could
//     each initialise one.
//   - Every engine is reached through the address in the instance.TagEngine
//     tag that the provider sets; join tokens are read from a manager when
//     needed and never leave this package (not in tags, errors or health
//     reasons).
//   - Nodes are found by the node labels NodeLabelInstance, NodeLabelOwner and
//     NodeLabelGroup, which Observe puts on every node it sees active. Node
//     labels from the flavor's labels are added or overwritten, never
//     removed: a change of labels changes the group's config hash, so the
//     group reconciler replaces its machines anyway.
//
// What this process knows of a swarm (the engines of its managers) is held
// by a Clusters, shared by every swarm flavor plugin and by the service
// reconciler.
package swarm
