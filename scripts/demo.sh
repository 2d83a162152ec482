#!/usr/bin/env bash
# make demo: build the demo app image (no registry needed) and run
# `drover apply --watch examples/quickstart.hcl`: three app containers that
# drover keeps healthy until you press Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
  echo "make demo needs a running Docker engine: 'docker info' failed." >&2
  exit 1
fi
./scripts/build-demo-image.sh
cat <<'TXT'

drover now applies examples/quickstart.hcl and keeps healing it. In another
terminal, break it and watch the repairs:

  docker ps --filter label=drover.group=web       # the machines
  docker rm -f drover-web-2                        # lost: replaced within a second
  docker kill drover-web-3                         # dead: replaced
  curl -X POST http://$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' drover-web-1):8080/sick
                                                   # unhealthy: replaced after 10s

Ctrl-C stops drover (the machines stay); `bin/drover destroy examples/quickstart.hcl`
removes them.

TXT
exec ./bin/drover apply --watch examples/quickstart.hcl
