#!/usr/bin/env bash
# Runs the grid quasi-potential benchmark: fwkit's jet method (the default),
# then fwkit's OLIM and its numba peer (the same scheme) side by side, with
# the ratio of the times.
# Usage: bench/run_hj.sh [build-dir] [n ...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(129 257 513)
"$build/bench/bench_hj" jet "${sizes[@]}"
for n in "${sizes[@]}"; do
  line=$("$build/bench/bench_hj" olim "$n" | tail -1)
  echo "fwkit OLIM $line"
  seconds=$(echo "$line" | awk '{print $3}')
  /usr/bin/python3 bench/peer_hj.py "$n" - "$seconds"
done
