#!/usr/bin/env bash
# The main job, end to end: set up, build, and run flagship 1 — memorization
# episodes in two-time-scale SGD against the step size and the time-scale
# ratio, simulated and predicted (the relaxation cycle of the ODE limit, the
# adiabatic Kramers hazard). Results, summary.md and the figures land in
# out/memorization_vs_step/; the summary table is printed, then the numbers
# are read back with the Python package.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target fwkit_cli

results=out/memorization_vs_step
./build/release/bin/fwkit run data/experiments/memorization_vs_step.toml -o "$results"

echo
echo "== read back with the Python package (xarray, engine h5netcdf)"
PYTHONPATH=python /usr/bin/python3 - "$results" <<'PY'
import sys
import fwkit
e = fwkit.episode_comparison(f"{sys.argv[1]}/episodes_vs_step.h5")
print("mean memorization episode in clock time (steps x a): bigger steps end it sooner")
print(f"{'step a':>8} {'simulated':>18} {'hazard':>9} {'no noise':>9}")
for i in range(e.sizes["point"]):
    a = float(e["step"][i])
    print(f"{a:>8.3f} {a * float(e['simulated_mean'][i]):>10.2f} +- {a * float(e['simulated_se'][i]):.2f}"
          f" {a * float(e['hazard'][i]):>9.2f} {a * float(e['deterministic'][i]):>9.2f}")
PY
echo
echo "figures: $results/figures/"
ls "$results/figures" | sed 's/^/  /'
