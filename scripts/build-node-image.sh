#!/usr/bin/env bash
# Builds the swarm node image, a machine that runs its own dockerd (Docker in
# Docker), from Debian packages: no registry needed. The result is cached:
# nothing is done when the engine already has the image (FORCE=1 rebuilds).
#
#   scripts/build-node-image.sh [TAG]      default drover/node:bookworm
#
# The packages come from the Debian mirror this machine's apt already uses
# for bookworm (sources.list, sources.list.d/*.list or *.sources), or from
# DEBIAN_MIRROR when set (see apt-mirror.sh).
#
# Where a registry is reachable, docker:dind works as a node image too.
set -euo pipefail
tag="${1:-drover/node:bookworm}"
. "$(dirname "$0")/apt-mirror.sh"

command -v docker >/dev/null || { echo "build-node-image: the docker CLI is missing; install Docker Engine 20.10 or newer" >&2; exit 1; }
if [ -z "${FORCE:-}" ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "node image $tag: already built (FORCE=1 rebuilds)"
  exit 0
fi
if ! command -v debootstrap >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "build-node-image: installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null || {
      apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null; }
  else
    echo "build-node-image: debootstrap is missing: install it (apt-get install debootstrap) and run again as root" >&2
    exit 1
  fi
fi
[ "$(id -u)" = 0 ] || { echo "build-node-image: debootstrap needs root" >&2; exit 1; }
mirror=$(debian_mirror 2>&1) || { echo "build-node-image: $mirror" >&2; exit 1; }

rootfs=$(mktemp -d /tmp/drover-node-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "node image $tag: debootstrap bookworm from $mirror (about a minute)"
debootstrap --variant=minbase --include=docker.io,iptables,ca-certificates,procps,iproute2 \
  bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import \
  -c 'CMD ["dockerd","--host=unix:///var/run/docker.sock","--storage-driver=vfs"]' \
  -c 'LABEL org.drover.node-image=bookworm' \
  - "$tag" >/dev/null
echo "node image $tag: built ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
