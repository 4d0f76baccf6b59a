#!/usr/bin/env bash
# analyze's minimise-first search on a 129-parameter network (the two-layer
# family) beside scipy.optimize from the same starts, in one script.
# Usage: bench/run_minimize.sh [build-dir] [starts]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
starts=${2:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" "$starts" <<'PY'
import sys
import numpy as np
work, k = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(3)
x = rng.normal(size=(400, 6))
y = (x @ rng.normal(size=6) + 0.5 * rng.normal(size=400) > 0).astype(int)
np.savetxt(f"{work}/data.csv", np.column_stack([x, y]), delimiter=",", header="x[1],x[2],x[3],x[4],x[5],x[6],y",
           comments="", fmt="%.17g")
np.savetxt(f"{work}/starts.csv", rng.uniform(-2, 2, size=(k, 129)), delimiter=",", fmt="%.17g")
starts = np.loadtxt(f"{work}/starts.csv", delimiter=",", ndmin=2)
with open(f"{work}/analyze.toml", "w") as f:
    f.write('[model.system]\nkind = "two_layer"\ninputs = ["x"]\nwidth = 16\nactivation = "softplus"\n'
            'loss = "logistic"\nweight_decay = 0.01\n[model.system.data]\nfile = "data.csv"\n'
            '[analyze]\nlower = -2\nupper = 2\nnewton = false\ntolerance = 1e-9\nstarts_from = [\n')
    f.write(",\n".join("[" + ", ".join(f"{v:.17g}" for v in s) + "]" for s in starts) + "]\n")
PY
t0=$(date +%s.%N)
"$build/bin/fwkit" analyze -q -c "$work/analyze.toml" -o "$work/analyze.h5" | grep -E "equilibria \(|by loss" | cut -c1-200
t1=$(date +%s.%N)
echo "fwkit analyze: $starts starts in $(echo "$t1 - $t0" | bc) s (L-BFGS beyond 50 parameters, then Lanczos for the spectrum's ends)"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peer_minimize.py "$work/data.csv" "$work/starts.csv"
