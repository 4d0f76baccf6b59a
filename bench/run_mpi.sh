#!/usr/bin/env bash
# `fwkit simulate` shared among MPI processes against one process, on the
# 2-D double well f = (x^2-1)^2/4 + y^2/2 (Gaussian noise, eta = 0.05),
# reductions (occupation of two balls, moments) every 10th step, the state
# checkpointed (and, under MPI, joined) 20 times. Prints member-steps/s per
# configuration, the ratio to one process with the same total cores, and
# checks that every file has the same datasets as the serial one.
# Usage: bench/run_mpi.sh [build-dir] [members] [steps] [processes]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build/release}")
members=${2:-16384}
steps=${3:-20000}
procs=${4:-2}
fwkit="$build/bin/fwkit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cat > "$work/run.toml" <<TOML
[model.system]
kind = "double_well_2d"
[model.noise]
kind = "gaussian"
covariance = [[1.0, 0.0], [0.0, 1.0]]
[simulate]
scheme = "sgd"
step = 0.05
x0 = [-1.0, 0.0]
members = $members
steps = $steps
stride = 10
seed = 3
[simulate.regions.left]
center = [-1.0, 0.0]
radius = 0.5
[simulate.regions.right]
center = [1.0, 0.0]
radius = 0.5
TOML
sweep=(--set simulate.sweep.key=simulate.step --set "simulate.sweep.values=[0.04, 0.05, 0.06, 0.07]")

# timed LABEL MEMBER_STEPS OUTPUT COMMAND...: runs it, prints the rate.
declare -A rate
timed() {
  local label=$1 work_units=$2 out=$3
  shift 3
  local t0 t1
  t0=$(date +%s.%N)
  "$@" -c "$work/run.toml" -o "$work/$out" -q >/dev/null
  t1=$(date +%s.%N)
  rate[$label]=$(/usr/bin/python3 -c "print(f'{$work_units / ($t1 - $t0):.3g}')")
  printf '%-44s %8.2f s  %10s member-steps/s\n' "$label" "$(/usr/bin/python3 -c "print($t1 - $t0)")" "${rate[$label]}"
}
one=$((members * steps))
echo "members $members, steps $steps, $(nproc) cores, $procs processes"
OMP_NUM_THREADS=1 timed "1 process, 1 thread" $one serial1.h5 "$fwkit" simulate
OMP_NUM_THREADS=$procs timed "1 process, $procs threads" $one serial.h5 "$fwkit" simulate
OMP_NUM_THREADS=1 timed "mpirun -np $procs, 1 thread each (members)" $one mpi.h5 \
  mpirun --oversubscribe -np "$procs" "$fwkit" simulate --split members
OMP_NUM_THREADS=$procs timed "sweep of 4, 1 process, $procs threads" $((4 * one)) sweep_serial.h5 \
  "$fwkit" simulate "${sweep[@]}"
OMP_NUM_THREADS=1 timed "sweep of 4, mpirun -np $procs (points)" $((4 * one)) sweep_points.h5 \
  mpirun --oversubscribe -np "$procs" "$fwkit" simulate --split points "${sweep[@]}"
OMP_NUM_THREADS=1 timed "sweep of 4, mpirun -np $procs (members)" $((4 * one)) sweep_members.h5 \
  mpirun --oversubscribe -np "$procs" "$fwkit" simulate --split members "${sweep[@]}"
/usr/bin/python3 - "$work" <<'PY'
import sys, h5py, numpy as np
def datasets(p):
    out = {}
    with h5py.File(p, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()])
                     if isinstance(o, h5py.Dataset) and not n.startswith("provenance") else None)
    return out
w = sys.argv[1]
for ref, others in (("serial1", ["serial", "mpi"]), ("sweep_serial", ["sweep_points", "sweep_members"])):
    a = datasets(f"{w}/{ref}.h5")
    for o in others:
        b = datasets(f"{w}/{o}.h5")
        same = a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
        print(f"{o}.h5 same datasets as {ref}.h5: {same}")
PY
