#!/usr/bin/env bash
# make demo-swarm: build the node image (from Debian packages, cached) and the
# demo app image, then run `drover apply --watch examples/swarm.hcl`: a swarm
# of one manager and two workers (node containers) running a published
# 6-replica service, kept healthy until you press Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
  echo "make demo-swarm needs a running Docker engine: 'docker info' failed." >&2
  exit 1
fi
./scripts/build-node-image.sh
./scripts/build-demo-image.sh
cat <<'TXT'

drover now forms the swarm of examples/swarm.hcl and keeps it. In another
terminal:

  export DOCKER_HOST=unix:///tmp/drover/nodes/drover-managers-1/docker.sock   # the manager's engine
  docker node ls; docker service ps web               # the swarm and the service's tasks
  for t in $(docker service ps -q -f desired-state=running web); do       # each task answers on
    docker inspect -f '{{.NodeID}} {{range .Status.PortStatus.Ports}}{{.PublishedPort}}{{end}}' $t
  done                                                # its node's address (docker node inspect)
  docker service scale web=2                          # drift: drover scales it back to 6
  unset DOCKER_HOST
  docker kill drover-workers-1                        # its tasks run elsewhere within seconds,
                                                      # its node leaves the swarm, a new worker joins

Ctrl-C stops drover (the swarm stays); `bin/drover destroy examples/swarm.hcl`
removes it.

TXT
exec ./bin/drover apply --watch --timeout 15m examples/swarm.hcl
