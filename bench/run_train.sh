#!/usr/bin/env bash
# Runs the training benchmark and its numpy peer side by side.
# Usage: bench/run_train.sh [build-dir] [steps] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
steps=${2:-20000}
repeats=${3:-3}
"$build/bench/bench_train" "$steps" "$repeats"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peer_train.py "$steps" "$repeats"
