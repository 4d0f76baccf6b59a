#!/usr/bin/env bash
# The discrete-time SGD quasi-potential beside the Langevin one on the same
# grid: a finite-sum loss of n data points (default 40) under minibatch noise
# (batch 1, with replacement), H = <b, p> + Lambda_x(p) with the minibatch
# law's exact log-moment generating function, against its Gaussian
# (covariance) approximation. Prints each solve's time, accepted nodes and
# the ratio of the times.
# Usage: bench/run_hj_discrete.sh [build-dir] [points] [n ...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
points=${2:-40}
sizes=("${@:3}")
[ ${#sizes[@]} -gt 0 ] || sizes=(41 81 161)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=$(/usr/bin/python3 -c "
import math
n = $points
a = ', '.join(f'{0.8 * math.sin(i + 1):.6f}' for i in range(n))
u = ', '.join(f'{1.5 * math.cos(0.7 * i):.6f}' for i in range(n))
print(f'a = [{a}]\nu = [{u}]')")
solve() {  # hamiltonian nodes -> "seconds accepted"
  cat >"$work/qp.toml" <<TOML
[model.parameters]
w = 0.5
[model.system]
kind = "finite_sum"
variables = ["x", "y"]
component = "(x^2 - 1)^2/4 + a*x + 0.5*(y - w*u*x)^2"
[model.system.data]
$data
[model.noise]
kind = "minibatch"
batch = 1
replacement = true
[quasipotential]
lower = [-1.7, -0.9]
upper = [-0.3, 0.9]
nodes = [$2, $2]
hamiltonians = ["$1"]
radius = 4
TOML
  "$build/bin/fwkit" quasipotential -c "$work/qp.toml" -o "$work/qp_$1_$2.h5" -q |
    sed -n 's/.*(\([0-9]*\) nodes accepted.*updates, \([0-9.]*\) s).*/\2 \1/p'
}
echo "finite sum of $points points, minibatch noise (batch 1), one thread"
printf '%6s  %-28s  %-28s  %s\n' grid "langevin (jet): s, nodes" "discrete (olim): s, nodes" "discrete/langevin"
for n in "${sizes[@]}"; do
  read -r tl nl < <(solve langevin "$n")
  read -r td nd < <(solve discrete "$n")
  printf '%4s^2  %10s s %10s        %10s s %10s        %.2fx\n' "$n" "$tl" "$nl" "$td" "$nd" \
    "$(awk -v a="$td" -v b="$tl" 'BEGIN { print a / b }')"
done
