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

# metric NAME UNIT: median of a metric a benchmark reports (b.ReportMetric)
metric() {
  awk '{ for (i = 4; i <= NF; i++) if ($i == unit) print $1, $(i-1) }' unit="$2" | median "$1" 2
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

echo "== plan: what is wanted against what it costs (median of $count) =="
out=$(go test -run '^$' -bench '^BenchmarkPlanWanted$' -benchmem -count "$count" ./group/)
echo "$out" | grep -E '^Benchmark'
for kind in size logical; do
  b=$(echo "$out" | median "BenchmarkPlanWanted/$kind/100-from-0" 5)
  for c in 10000-from-0 1000000-from-0; do
    v=$(echo "$out" | median "BenchmarkPlanWanted/$kind/$c" 5)
    awk -v k="$kind" -v c="$c" -v b="$b" -v v="$v" 'BEGIN { printf "%s %s: %d B a plan = %.2fx the bytes of 100-from-0 (baseline)\n", k, c, v, v/b }'
  done
  b=$(echo "$out" | median "BenchmarkPlanWanted/$kind/10000-from-10000" 5); v=$(echo "$out" | median "BenchmarkPlanWanted/$kind/1000000-from-10000" 5)
  awk -v k="$kind" -v b="$b" -v v="$v" 'BEGIN { printf "%s 1000000-from-10000: %d B a plan = %.2fx the bytes of 10000-from-10000 (baseline)\n", k, v, v/b }'
done
echo

echo "== reconcile: a group of 10,000 from nothing to converged on the fake instance plugin (1 run) =="
out=$(go test -run '^$' -bench '^BenchmarkReconcile10000$' -benchtime 1x ./group/)
echo "$out" | grep -E '^Benchmark'
g=$(echo "$out" | metric BenchmarkReconcile10000 ms/growing-pass); bg=$(echo "$out" | metric BenchmarkReconcile10000 baseline-ms/growing-pass)
n=$(echo "$out" | metric BenchmarkReconcile10000 passes)
awk -v g="$g" -v bg="$bg" -v n="$n" 'BEGIN { printf "%d passes; a growing pass %.0f ms against %.1f ms for a group of 100 (baseline) = %.0fx for 100x the machines\n\n", n, g, bg, g/bg }'

echo "== time to repair: docker rm -f to a replacement running (median of 10) =="
out=$(go test -run '^$' -bench '^BenchmarkTimeToRepair$' -benchtime 10x ./controller/runner/)
echo "$out" | grep -E 'Benchmark|repair_bench'
e=$(echo "$out" | median 'BenchmarkTimeToRepair/events' 5); q=$(echo "$out" | median 'BenchmarkTimeToRepair/poll-10s' 5)
awk -v e="$e" -v q="$q" 'BEGIN { printf "10 s polling (baseline) %.2f s; drover with engine events %.2f s = %.1fx faster\n", q, e, q/e }'

echo
echo "== daemon: one full resync pass over 1,000 fake instances in 50 groups (median of $count) =="
out=$(go test -run '^$' -bench '^BenchmarkResync(Pass|Baseline)$' -benchmem -count "$count" ./controller/daemon/)
echo "$out" | grep -E '^Benchmark'
b=$(echo "$out" | median BenchmarkResyncBaseline); p=$(echo "$out" | median BenchmarkResyncPass)
awk -v b="$b" -v p="$p" 'BEGIN { printf "listing the 50 groups (baseline) %.1f ms; full pass %.1f ms = %.2fx the listing (aim: under 50 ms)\n\n", b/1e6, p/1e6, p/b }'

echo "== daemon: RSS and idle CPU holding that fleet for ${BENCH_IDLE:-60s} (aim: under 100 MB, under 1%) =="
DROVER_BENCH_IDLE="${BENCH_IDLE:-60s}" go test -count=1 -run '^$' -bench '^BenchmarkIdleFootprint$' -benchtime 1x ./controller/daemon/ | grep '^idle-footprint'

echo
echo "== digitalocean: API calls per steady-state resync of 20 groups of 10 droplets on the fake API (5 resyncs) =="
out=$(go test -run '^$' -bench '^BenchmarkDigitalOceanResyncCalls$' -benchtime 5x ./controller/runner/)
echo "$out" | grep -E '^Benchmark'
b=$(echo "$out" | metric BenchmarkDigitalOceanResyncCalls baseline-calls/resync); d=$(echo "$out" | metric BenchmarkDigitalOceanResyncCalls calls/resync)
awk -v b="$b" -v d="$d" 'BEGIN { printf "a list per group (baseline) %.1f calls; drover %.1f calls = %.2fx the baseline (aim: one paginated list, ceil(200/200) = 1)\n", b, d, d/b }'

echo
echo "== swarm: docker kill of a worker holding tasks to all replicas running on live nodes (median of 5) =="
out=$(go test -run '^$' -bench '^BenchmarkNodeLoss$' -benchtime 5x -timeout 30m ./controller/runner/)
echo "$out" | grep -E 'Benchmark|swarm_bench'
n=$(echo "$out" | median 'BenchmarkNodeLoss/native' 5); d=$(echo "$out" | median 'BenchmarkNodeLoss/drover' 5)
awk -v n="$n" -v d="$d" 'BEGIN { printf "native swarm (baseline) %.2f s; drover %.2f s = %.2fx native (aim: at most 0.2x, under 3 s)\n", n, d, d/n }'

echo
echo "== swarm: apply to converged, 1 manager + 2 workers + a 6-replica service (median of 3) =="
out=$(go test -run '^$' -bench '^BenchmarkSwarmApply$' -benchtime 3x -timeout 30m ./controller/runner/)
echo "$out" | grep -E 'Benchmark|swarm_bench'
n=$(echo "$out" | median 'BenchmarkSwarmApply/native' 5); d=$(echo "$out" | median 'BenchmarkSwarmApply/drover' 5)
awk -v n="$n" -v d="$d" 'BEGIN { printf "formed by hand with the Docker API (baseline) %.1f s; drover apply %.1f s = %.2fx\n", n, d, d/n }'

echo
echo "== plugins: Describe of 1,000 instances by the fake plugin, in-process and over gRPC in a plugin process (median of $count) =="
out=$(go test -run '^$' -bench '^BenchmarkDescribe1000$' -benchmem -count "$count" ./plugins/grpc/)
echo "$out" | grep -E '^Benchmark'
i=$(echo "$out" | median 'BenchmarkDescribe1000/in-process'); g=$(echo "$out" | median 'BenchmarkDescribe1000/grpc')
r=$(echo "$out" | metric 'BenchmarkDescribe1000/grpc' ratio)
p50=$(echo "$out" | metric 'BenchmarkDescribe1000/grpc' p50-µs); p99=$(echo "$out" | metric 'BenchmarkDescribe1000/grpc' p99-µs)
awk -v i="$i" -v g="$g" -v r="$r" -v p50="$p50" -v p99="$p99" 'BEGIN { printf "in-process (baseline) %.2f ms; over gRPC %.2f ms = %.1fx the in-process call, ratio per run (p50 %.2f ms, p99 %.2f ms)\n", i/1e6, g/1e6, r, p50/1e3, p99/1e3 }'

echo
echo "== plugins: one small call to a plugin process over gRPC (median of $count) =="
out=$(go test -run '^$' -bench '^BenchmarkCall$' -benchmem -count "$count" ./plugins/grpc/)
echo "$out" | grep -E '^Benchmark'
for call in validate destroy-not-found; do
  p50=$(echo "$out" | metric "BenchmarkCall/$call" p50-µs); p99=$(echo "$out" | metric "BenchmarkCall/$call" p99-µs)
  awk -v c="$call" -v p50="$p50" -v p99="$p99" 'BEGIN { printf "%s: p50 %.0f µs, p99 %.0f µs\n", c, p50, p99 }'
done

echo
echo "== autoscale: evaluating 1,000 autoscalers with cached readings (median of $count; aim: under 10 ms of CPU) =="
out=$(go test -run '^$' -bench '^Benchmark(Decide|Formula)1000$' -benchmem -count "$count" ./autoscale/)
echo "$out" | grep -E '^Benchmark'
f=$(echo "$out" | median BenchmarkFormula1000); d=$(echo "$out" | median BenchmarkDecide1000); c=$(echo "$out" | metric BenchmarkDecide1000 cpu-ns/op)
awk -v f="$f" -v d="$d" -v c="$c" 'BEGIN { printf "the bare formula (baseline) %.3f ms; Decide with rails, history and messages %.2f ms (%.2f ms of CPU) = %.0fx the formula\n", f/1e6, d/1e6, c/1e6, d/f }'

echo
echo "== autoscale: a group's CPU crossing its target just after an evaluation (the worst moment) to the scale-up, on the daemon with the fake provider (10 crossings; aim: one interval plus the read) =="
out=$(go test -run '^$' -bench '^BenchmarkAutoscaleReaction$' -benchtime 10x ./controller/daemon/)
echo "$out" | grep -E '^Benchmark'
m=$(echo "$out" | metric BenchmarkAutoscaleReaction ms/reaction); x=$(echo "$out" | metric BenchmarkAutoscaleReaction max-ms/reaction)
i=$(echo "$out" | metric BenchmarkAutoscaleReaction baseline-ms/interval)
awk -v m="$m" -v x="$x" -v i="$i" 'BEGIN { printf "the evaluation interval (baseline) %d ms; median reaction %d ms = %.2fx, slowest %d ms = %.2fx the interval\n", i, m, m/i, x, x/i }'

echo
echo "== autoscale: pending tasks to a new worker, on a real swarm (1 run; aim: under 10 s) =="
out=$(CI="${CI:-}" go test -count=1 -run '^TestAutoscaleSwarm$' -v -timeout 20m ./controller/runner/ 2>&1) || { echo "$out" | tail -40; exit 1; }
echo "$out" | grep -E 'pending-to-create|load to 2|idle to 1' | sed 's/^ *//'

echo
echo "== gitops: a push to the revision that applies it, on the daemon with the fake provider and a local bare repository (5 pushes each, within the webhook's burst; aims: webhook under 2 s, polling at most the interval plus the apply) =="
out=$(go test -run '^$' -bench '^BenchmarkPushToApplied$' -benchtime 5x ./controller/daemon/)
echo "$out" | grep -E '^Benchmark'
a=$(echo "$out" | metric 'BenchmarkPushToApplied/apply' ms/push)
w=$(echo "$out" | metric 'BenchmarkPushToApplied/webhook' ms/push); wx=$(echo "$out" | metric 'BenchmarkPushToApplied/webhook' max-ms/push)
p=$(echo "$out" | metric 'BenchmarkPushToApplied/poll-1s' ms/push); px=$(echo "$out" | metric 'BenchmarkPushToApplied/poll-1s' max-ms/push)
awk -v a="$a" -v w="$w" -v wx="$wx" -v p="$p" -v px="$px" 'BEGIN {
  printf "the same change applied by hand (baseline) %.1f ms\n", a
  printf "signed webhook, 10 min interval: median %.0f ms (slowest %.0f ms) = %.0fx the apply\n", w, wx, w/a
  printf "polling every 1 s, no webhook: median %.0f ms (slowest %.0f ms) = %.0fx the apply; the interval is 1000 ms\n", p, px, p/a }'
