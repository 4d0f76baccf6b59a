#!/usr/bin/env bash
# Runs the expression benchmark and its numpy peer side by side.
# Usage: bench/run_expression.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
"$build/bench/bench_expression" 65536 30
/usr/bin/python3 bench/peer_expression.py 65536 30
