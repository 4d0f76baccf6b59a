#!/usr/bin/env bash
# The main job, end to end: set up, build, run, and show the result.
# For now: the equilibrium analysis of the Mueller–Brown system, written to
# out/demo/analyze_muller_brown.h5 and read back from Python.
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
