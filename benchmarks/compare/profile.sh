#!/usr/bin/env bash
# Flat perf profiles (self time by symbol, one thread) of the bench_compare workloads whose targets
# are missed, the evidence behind README's "what limits it".
# Usage: benchmarks/compare/profile.sh [build folder, default build/native] > profiles.txt
set -euo pipefail
binary="${1:-build/native}/benchmarks/bench_compare"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
for workload in train_step_seed000_b384 train_step_seed002_b512 sample_ddpm50_seed000_n100000 \
                sample_langevin12x100_seed002_n10000; do
  echo "== $workload/threads:1"
  perf record -q -o "$data/perf.data" "$binary" --benchmark_filter="^$workload/threads:1\$" \
    --benchmark_min_time=2 2>/dev/null | grep "^$workload"
  perf report -i "$data/perf.data" --no-children --sort sym --percent-limit 1 2>/dev/null |
    grep -v '^#' | grep '%' | sed 's/  *$//'
  echo
done
