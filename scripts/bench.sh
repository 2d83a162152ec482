#!/usr/bin/env bash
# Benchmarks, reported as ratios against a baseline measured in the same run
# (machines here are noisy): loading 500 groups + 500 services against HCL
# parsing alone of the same source.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${BENCH_COUNT:-5}"
out=$(go test -run '^$' -bench '^Benchmark(Parse|Load)500$' -benchmem -count "$count" ./specs/)
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk '
  /^BenchmarkParse500/ { p[np++] = $3 }
  /^BenchmarkLoad500/  { l[nl++] = $3 }
  function median(a, n,   i, j, t) {
    for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[int(n/2)] : (a[n/2-1] + a[n/2]) / 2
  }
  END {
    if (np == 0 || nl == 0) { print "bench: no results"; exit 1 }
    mp = median(p, np); ml = median(l, nl)
    printf "\nspec load, 500 groups + 500 services (median of %d):\n", nl
    printf "  parse only (baseline): %8.1f ms\n", mp / 1e6
    printf "  load + validate:       %8.1f ms  (%.2fx the parse)\n", ml / 1e6, ml / mp
  }'
