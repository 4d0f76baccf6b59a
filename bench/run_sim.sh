#!/usr/bin/env bash
# Runs the ensemble benchmark and its numpy / numba peers side by side.
# Usage: bench/run_sim.sh [build-dir] [members] [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
members=${2:-4096}
steps=${3:-2000}
"$build/bench/bench_sim" "$members" "$steps" 3
/usr/bin/python3 bench/peer_sim.py "$members" "$steps" 3
