#!/usr/bin/env bash
# Benchmarks, each reported as a ratio against a baseline measured in the
# same run (machines here are noisy). Needs Docker for the repair timing.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${BENCH_COUNT:-5}"

# median NAME: median of the ns/op (or the given metric column) of a benchmark
median() {
  awk -v name="$1" -v col="${2:-3}" '$1 ~ "^"name"(-[0-9]+)?$" { v[n++] = $col }
    END { if (!n) exit 1; for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
          print (n % 2) ? v[int(n/2)] : (v[n/2-1] + v[n/2]) / 2 }'
}

echo "== spec load: 500 groups + 500 services (median of $count) =="
out=$(go test -run '^$' -bench '^Benchmark(Parse|Load)500$' -benchmem -count "$count" ./specs/)
echo "$out" | grep -E '^Benchmark'
p=$(echo "$out" | median BenchmarkParse500); l=$(echo "$out" | median BenchmarkLoad500)
awk -v p="$p" -v l="$l" 'BEGIN { printf "parse only (baseline) %.1f ms; load + validate %.1f ms = %.2fx the parse\n\n", p/1e6, l/1e6, l/p }'

echo "== plan: a 10,000-instance group (median of $count) =="
out=$(go test -run '^$' -bench '^Benchmark(Plan|SortBaseline)10000$' -benchmem -count "$count" ./group/)
echo "$out" | grep -E '^Benchmark'
s=$(echo "$out" | median BenchmarkSortBaseline10000); p=$(echo "$out" | median BenchmarkPlan10000)
awk -v s="$s" -v p="$p" 'BEGIN { printf "sorting the instances (baseline) %.1f ms; plan %.1f ms = %.2fx the sort\n\n", s/1e6, p/1e6, p/s }'

echo "== time to repair: docker rm -f to a replacement running (median of 10) =="
out=$(go test -run '^$' -bench '^BenchmarkTimeToRepair$' -benchtime 10x ./controller/runner/)
echo "$out" | grep -E 'Benchmark|repair_bench'
e=$(echo "$out" | median 'BenchmarkTimeToRepair/events' 5); q=$(echo "$out" | median 'BenchmarkTimeToRepair/poll-10s' 5)
awk -v e="$e" -v q="$q" 'BEGIN { printf "10 s polling (baseline) %.2f s; drover with engine events %.2f s = %.1fx faster\n", q, e, q/e }'
