#!/usr/bin/env bash
# Build the demo app image (default drover/demo-app:latest, override with
# DEMO_IMAGE) from examples/demo-app: a static Go binary in a FROM scratch
# image, so no registry is needed. Skips the build when the image already
# carries the label org.drover.source=<sha256 of main.go + Dockerfile>.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

image="${DEMO_IMAGE:-drover/demo-app:latest}"
src=examples/demo-app

die() { echo "build-demo-image: $*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "make demo needs Go to build the demo app, but 'go' is not on PATH"
command -v docker >/dev/null 2>&1 || die "make demo needs a running Docker engine, but the 'docker' CLI is not on PATH"
if ! err=$(docker version --format '{{.Server.Version}}' 2>&1 >/dev/null); then
  die "make demo needs a running Docker engine: $(echo "$err" | tail -n 1)"
fi

hash=$(cat "$src/main.go" "$src/Dockerfile" | sha256sum | cut -d' ' -f1)
current=$(docker image inspect --format '{{index .Config.Labels "org.drover.source"}}' "$image" 2>/dev/null || true)
if [[ "$current" == "$hash" ]]; then
  echo "demo image $image is up to date (source ${hash:0:12}), reused"
  exit 0
fi

start=$SECONDS
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$ctx/demo-app" "./$src"
cp "$src/Dockerfile" "$ctx/Dockerfile"
# Keep the build's output (and the legacy builder's deprecation notice) quiet
# unless it fails.
if ! out=$(docker build -q --label "org.drover.source=$hash" -t "$image" "$ctx" 2>&1); then
  echo "$out" >&2
  die "docker build of $image failed"
fi
echo "demo image $image built (source ${hash:0:12}) in $((SECONDS - start))s"
