#!/usr/bin/env bash
# Runs the ODE benchmark and its scipy peer side by side.
# Usage: bench/run_ode.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
out=$("$build/bench/bench_ode" 5)
echo "$out"
ref=$(echo "$out" | sed -n 's/^# van_der_pol reference x(3000) = //p')
# shellcheck disable=SC2086
/usr/bin/python3 bench/peer_ode.py $ref 3
