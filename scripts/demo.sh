#!/usr/bin/env bash
# The main job, end to end: set up, build, run, and show the result.
# The equilibrium analysis of the Mueller–Brown system, then a small run of
# the memorization study (a diffusion model trained at three step sizes with
# the same budget eta * steps), both written to out/demo/ and read back from
# Python.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target fwkit_cli

mkdir -p out/demo
result=out/demo/analyze_muller_brown.h5
./build/release/bin/fwkit analyze --config data/experiments/analyze_muller_brown.toml \
  --output "$result"

echo
echo "== read back with the Python package (xarray, engine h5netcdf)"
PYTHONPATH=python /usr/bin/python3 - "$result" <<'PY'
import sys
import fwkit
path = sys.argv[1]
eq = fwkit.equilibria(path)
print(f"{'#':>3} {'x':>10} {'y':>10}  {'type':<8} {'f(x)':>12}")
for i in eq["equilibrium"].values:
    e = eq.sel(equilibrium=i)
    x, y = e["state"].values
    print(f"{i:>3} {x:>10.6f} {y:>10.6f}  {e['stability_name'].item():<8} {float(e['loss']):>12.6f}")
print("written by fwkit", fwkit.provenance(path)["fwkit_version"], "at", fwkit.provenance(path)["utc_time"])
PY

echo
echo "== memorization against the step size (reduced train_memorization.toml)"
train=out/demo/train_memorization.h5
./build/release/bin/fwkit train --config data/experiments/train_memorization.toml --output "$train" -q \
  --set train.members=4 --set train.budget=1000.0 --set 'train.sweep.values=[0.01, 0.0316, 0.1]' >/dev/null
PYTHONPATH=python /usr/bin/python3 - "$train" <<'PY'
import sys
import fwkit
s = fwkit.training_summary(sys.argv[1])
print(f"{'step':>8} {'memorization':>18} {'excess risk':>18}")
for i in range(len(s["step"])):
    print(f"{s['step'][i]:>8.4f} {s['memorization'][i]:>10.3f} +- {s['memorization_se'][i]:.3f}"
          f" {s['excess_risk'][i]:>10.4f} +- {s['excess_risk_se'][i]:.4f}")
PY
