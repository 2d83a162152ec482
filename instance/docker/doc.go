// Package docker is the docker instance provider: a machine is a container
// on a Docker engine, optionally one running its own dockerd as a swarm
// node.
//
// One file per concern: client.go (connecting), properties.go (decoding
// and checking the instance block), config.go (the container a spec
// becomes, built without calling the engine), networks.go (creating and resolving
// networks), provision.go, node.go (node containers: capabilities,
// socket directory, image preload), describe.go, destroy.go, watch.go,
// cpu.go (CPU use from the engine's stats) and errors.go (the one mapping of engine errors to spierr codes),
// hostaccess.go (the settings that need allow_host_access) and
// socketdir.go (where node sockets live, and its checks).
//
// What users should know:
//   - drover does not pull images: the image (and every preload image)
//     must be on the engine; a missing one is spierr.ErrInvalid.
//   - An init script (instance.Spec.Init) runs under /bin/sh before the
//     image's entrypoint and cmd, which then replace the shell: the image
//     needs /bin/sh (FROM scratch images have none).
//   - privileged = true fails on engines that cannot grant every
//     capability (CAP_SYS_RESOURCE in sandboxes); list capabilities
//     instead. Nodes get every capability but SYS_RESOURCE unless
//     privileged.
//   - A node's engine is reached through its socket, bind-mounted at
//     <socket_dir>/<name>/docker.sock on the engine's machine, so node
//     mode needs the engine to run on drover's machine. The address is
//     the container label TagEngine. socket_dir defaults to
//     <data-dir>/nodes, a 0700 directory drover makes and checks before
//     each node (socket_dir of one's own is checked alike).
//   - Settings that give a container the host (binds of /, of the
//     engine's socket or of system directories, privileged, ALL and the
//     capabilities that escape on their own, unconfined security options)
//     need allow_host_access = true and are warned about even then (Check).
//     Node mode needs no opt-in; it is warned about as root-equivalent.
package docker
