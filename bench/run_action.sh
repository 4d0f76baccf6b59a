#!/usr/bin/env bash
# Runs the gMAM benchmark and its numpy/scipy peer (the same scheme) side by side.
# Usage: bench/run_action.sh [build-dir] [nodes]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
nodes=${2:-401}
"$build/bench/bench_action" "$nodes"
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peer_action.py "$nodes"
