#!/usr/bin/env bash
# make demo: what drover can do so far, on the examples.
set -euo pipefail
cd "$(dirname "$0")/.."
./bin/drover validate examples/*.hcl
echo
echo "drover apply (reconciling against the local Docker engine) is not built yet:"
echo "it is the next issue. Until then the demo checks the example specs."
