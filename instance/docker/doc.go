// Package docker is the docker instance provider: a machine is a container
// on a Docker engine, optionally one running its own dockerd as a swarm
// node.
//
// One file per concern: client.go (connecting), properties.go (decoding
// and checking the instance block), config.go (the container a spec
// becomes, built without calling the engine), networks.go (creating and resolving
// networks), provision.go, node.go (node containers: capabilities,
// socket directory, image preload), describe.go, destroy.go, watch.go and
// errors.go (the one mapping of engine errors to spierr codes).
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
//     the container label TagEngine.
package docker
