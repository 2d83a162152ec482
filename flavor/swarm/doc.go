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
//   - An engine on a unix socket (the docker provider's node containers,
//     engine = "provider", the default) is used as it is. An engine reached
//     over the network is reached only with mutual TLS, never over a plain
//     TCP port: drover checks the engine's certificate against the swarm's
//     CA and the machine's drover.name, and shows its own client
//     certificate (see package pki, and NewClusters for where the CAs
//     live).
//
// # Swarm on droplets (engine = "tls")
//
// A droplet's engine cannot be reached through a socket on the
// controller's host. With engine = "tls", Prepare puts in front of the
// machine's init script (its cloud-init user data) a POSIX sh script that
// installs Docker if the image lacks it, writes the swarm's CA certificate
// and a certificate and key made for this machine, and makes dockerd serve
// its API on EnginePort (2376) with --tlsverify (see tlsEngineScript); the
// provider reports tcp://<ip>:2376 in instance.TagEngine. Neither the CA's
// key nor drover's client key ever leaves the controller.
//
// cloud-init installs and secures the engine; drover joins it, over mutual
// TLS, in Observe, exactly as it joins node containers. Join tokens are
// therefore never in user data, which anything on a droplet can read from
// the metadata service and which cannot change after creation: they are
// read from a manager when a machine needs one and sent only to that
// machine's authenticated engine.
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
