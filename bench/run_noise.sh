#!/usr/bin/env bash
# Runs the non-Gaussian ensemble benchmark and its numpy peer side by side.
# Usage: bench/run_noise.sh [build-dir] [members] [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
members=${2:-4096}
steps=${3:-2000}
"$build/bench/bench_noise" "$members" "$steps" 3
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peer_noise.py "$members" "$steps" 3
