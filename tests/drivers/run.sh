#!/usr/bin/env bash
# End-to-end tests of the fwkit command: exit codes for each class of bad
# input, the standard options, and every example config in data/experiments.
# Usage: run.sh FWKIT_BINARY SOURCE_DIR
set -u
fwkit=$(realpath "$1")
src=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
pass=0
fail=0

# expect CODE DESCRIPTION COMMAND... : runs the command, checks its exit code.
expect() {
  local want=$1 what=$2
  shift 2
  "$@" >out.txt 2>err.txt
  local got=$?
  if [ "$got" -eq "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $what: exit $got, expected $want"
    sed 's/^/    /' err.txt | head -5
  fi
}
# expect_text PATTERN FILE DESCRIPTION
expect_text() {
  if grep -q -- "$1" "$2"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $3: '$1' not in $2:"
    sed 's/^/    /' "$2" | head -5
  fi
}

cat > good.toml <<'TOML'
[model.system]
kind = "maier_stein"
[analyze]
lower = [-2.0, -2.0]
upper = [2.0, 2.0]
starts = 64
TOML

# Usage errors: 64.
expect 64 "no subcommand" "$fwkit"
expect 64 "unknown option" "$fwkit" analyze --no-such-option
expect 64 "--set without =" "$fwkit" analyze -c good.toml --set nonsense
# Missing input: 66.
expect 66 "missing config" "$fwkit" analyze -c does-not-exist.toml
expect_text "does-not-exist.toml" err.txt "missing config names the file"
# Config errors: 78, naming the key.
printf '[model.system]\nkind = "maier_stein"\n[analyze]\nlower = [-2.0, -2.0]\nupper = [2.0, 2.0]\nstart = 5\n' > typo.toml
expect 78 "unknown key" "$fwkit" analyze -c typo.toml
expect_text "unknown key 'analyze.start'" err.txt "unknown key is named"
expect_text "did you mean 'starts'" err.txt "unknown key gets a suggestion"
expect 78 "wrong type" "$fwkit" analyze -c good.toml --set 'analyze.starts="many"'
expect_text "analyze.starts" err.txt "wrong type names the key"
expect 78 "out of range" "$fwkit" analyze -c good.toml --set analyze.tolerance=-1
expect_text "must be > 0" err.txt "out of range names the rule"
expect 78 "bad box" "$fwkit" analyze -c good.toml --set 'analyze.upper=[2.0, -3.0]'
expect 78 "unknown system" "$fwkit" analyze -c good.toml --set model.system.kind=maier_steen
expect_text "not a built-in system" err.txt "unknown system is explained"
printf '[model.system]\nkind = "expression"\nvariables = ["x"]\ndrift = ["x - x^^3"]\n[analyze]\nlower = [-2.0]\nupper = [2.0]\n' > expr.toml
expect 78 "bad expression" "$fwkit" analyze -c expr.toml
expect_text "model.system.drift\[0\]" err.txt "bad expression names the key"
expect_text "column 7" err.txt "bad expression names the column"
expect 78 "malformed TOML" bash -c "printf 'a = [1,\n' > broken.toml; '$fwkit' analyze -c broken.toml"
# Cannot create output: 73, and nothing computed.
expect 73 "unwritable output" "$fwkit" analyze -c good.toml -o /nonexistent-dir/out.h5
# Standard options.
expect 0 "--print-config" "$fwkit" analyze -c good.toml --print-config
expect_text "tolerance = 1e-10" out.txt "--print-config shows defaults"
expect_text "max_iterations = 100" out.txt "--print-config shows defaults"
expect 0 "--dry-run" "$fwkit" analyze -c good.toml --dry-run -o dry.h5
if [ -e dry.h5 ] || ls dry.h5.tmp-* >/dev/null 2>&1; then
  fail=$((fail + 1)); echo "FAIL: --dry-run left a file"
else
  pass=$((pass + 1))
fi
expect 0 "analyze" "$fwkit" analyze -c good.toml -o good.h5 --quiet
expect_text "3 equilibria (2 stable, 1 saddles" out.txt "Maier-Stein equilibria"
[ -s good.h5 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: good.h5 not written"; }
expect 0 "--set overrides" "$fwkit" analyze -c good.toml -o set.h5 -q --set model.system.kind=double_well_2d
expect_text "f(x)" out.txt "gradient system reports f"
expect 0 "systems" "$fwkit" systems
expect_text "muller_brown" out.txt "systems lists the catalog"
expect 0 "--version" "$fwkit" --version

# fwkit ode: its own rules.
cat > vdp.toml <<'TOML'
[model.system]
kind = "van_der_pol"
[ode]
t1 = 50.0
x0 = [2.0, 0.0]
[ode.events.up]
expression = "x"
direction = 1
TOML
expect 0 "ode" "$fwkit" ode -c vdp.toml -o vdp.h5 -q
expect_text "event up" out.txt "ode reports events"
expect 78 "ode: wrong x0 length" "$fwkit" ode -c vdp.toml --set 'ode.x0=[1.0]'
expect_text "ode.x0" err.txt "ode: x0 error names the key"
expect 78 "ode: unknown method" "$fwkit" ode -c vdp.toml --set ode.method=euler
expect_text "must be one of" err.txt "ode: method error lists the choices"
expect 78 "ode: direction out of range" "$fwkit" ode -c vdp.toml --set ode.events.up.direction=2
expect 78 "ode: bad event expression" "$fwkit" ode -c vdp.toml --set 'ode.events.up.expression="x +"'
expect_text "ode.events.up.expression" err.txt "ode: event expression error names the key"
expect 78 "ode: t1 before t0" "$fwkit" ode -c vdp.toml --set ode.t0=60.0
expect 78 "ode: unknown slow variable" "$fwkit" ode -c vdp.toml --set ode.slow_fast.fast=x --set ode.slow_fast.slow=q
expect_text "not a state variable" err.txt "ode: unknown variable is explained"
expect 78 "ode: imex without implicit part" "$fwkit" ode -c vdp.toml --set ode.method=imex
expect 0 "ode: imex with an implicit part" "$fwkit" ode -c vdp.toml --set ode.method=imex --set 'ode.implicit=["x"]' -o imex.h5 -q

# fwkit action: its own rules.
cat > act.toml <<'TOML'
[model.system]
kind = "maier_stein"
parameters = { beta = 2.0 }
[action]
from = [-1.0, 0.0]
to = [0.0, 0.0]
nodes = 41
TOML
expect 0 "action" "$fwkit" action -c act.toml -o act.h5 -q
expect_text "extrapolated" out.txt "action reports the extrapolated cost"
expect 78 "action: wrong endpoint length" "$fwkit" action -c act.toml --set 'action.to=[0.0]'
expect_text "action.to" err.txt "action: endpoint error names the key"
expect 78 "action: too few nodes" "$fwkit" action -c act.toml --set action.nodes=3
expect 78 "action: unknown Hamiltonian" "$fwkit" action -c act.toml --set action.hamiltonian=quantum
expect_text "must be one of" err.txt "action: Hamiltonian error lists the choices"
cat > tr3.toml <<'TOML'
[model.system]
kind = "double_well_2d"
parameters = { tilt = 0.1 }
[action]
hamiltonian = "langevin"
nodes = 51
[action.transitions]
lower = [-2.0, -1.0]
upper = [2.0, 1.0]
TOML
expect 0 "action: transitions between the attractors in a box" "$fwkit" action -c tr3.toml -o tr3.h5 -q
expect_text "Eyring-Kramers" out.txt "action: gradient Langevin transitions report Eyring-Kramers"
expect 78 "action: transitions box with one attractor" "$fwkit" action -c tr3.toml --set 'action.transitions.upper=[0.0, 1.0]'
expect_text "action.transitions.lower/upper" err.txt "action: too few attractors names the keys"
expect 78 "action: transitions offset out of range" "$fwkit" action -c tr3.toml --set action.transitions.offset=0.5
expect_text "action.transitions.offset" err.txt "action: offset error names the key"
expect 0 "action: off-axis initial path (beta = 10)" "$fwkit" action -c act.toml -o act10.h5 -q \
  --set model.system.parameters.beta=10.0 --set 'action.through=[[-0.5, 0.3]]'
expect_text "S = 0.34" out.txt "action: beta = 10 escape is cheaper than the axis"
expect 78 "action: through point of the wrong length" "$fwkit" action -c act.toml --set 'action.through=[[-0.5]]'

# fwkit simulate: its own rules.
cat > sim.toml <<'TOML'
[model.system]
kind = "double_well_2d"
[simulate]
step = 0.1
x0 = [-1.0, 0.0]
members = 20
steps = 2000
[simulate.regions.left]
center = [-1.0, 0.0]
radius = 0.5
TOML
expect 0 "simulate" "$fwkit" simulate -c sim.toml -o sim.h5 -q
expect_text "occupation left" out.txt "simulate reports occupation"
expect 78 "simulate: unknown scheme" "$fwkit" simulate -c sim.toml --set simulate.scheme=adam
expect_text "must be one of" err.txt "simulate: scheme error lists the choices"
expect 78 "simulate: wrong x0 length" "$fwkit" simulate -c sim.toml --set 'simulate.x0=[1.0]'
expect_text "simulate.x0" err.txt "simulate: x0 error names the key"
expect 78 "simulate: burn-in too long" "$fwkit" simulate -c sim.toml --set simulate.burn_in=2000
expect_text "simulate.burn_in = 2000" err.txt "simulate: burn-in error names key and value"
expect 78 "simulate: langevin needs Gaussian noise" "$fwkit" simulate -c sim.toml --set simulate.scheme=langevin \
  --set model.noise.kind=rademacher --set 'model.noise.scales=[1.0, 1.0]'
expect_text "needs Gaussian noise" err.txt "simulate: scheme/noise mismatch is explained"
expect 78 "simulate: ula needs a loss" "$fwkit" simulate -c sim.toml --set simulate.scheme=ula --set model.system.kind=maier_stein
expect 78 "simulate: negative region radius" "$fwkit" simulate -c sim.toml --set simulate.regions.left.radius=-1.0
expect 78 "simulate: collapse with one sample" "$fwkit" simulate -c sim.toml --set simulate.scheme=resample \
  --set simulate.collapse.samples=1
expect 0 "simulate: --dry-run" "$fwkit" simulate -c sim.toml --dry-run -o simdry.h5
[ -e simdry.h5 ] || [ -e simdry.h5.checkpoint ] && { fail=$((fail + 1)); echo "FAIL: simulate --dry-run left files"; } || pass=$((pass + 1))
expect 64 "simulate: unknown --split" "$fwkit" simulate -c sim.toml --split ranks
expect_text "split" err.txt "simulate: --split error names the option"
expect 0 "simulate: --split alone is harmless" "$fwkit" simulate -c sim.toml --split points -q -o split.h5

# fwkit quasipotential: its own rules.
cat > qp.toml <<'TOML'
[model.system]
kind = "double_well_2d"
[quasipotential]
lower = [-1.6, -0.6]
upper = [-0.4, 0.6]
nodes = [31, 31]
hamiltonians = ["langevin"]
TOML
expect 0 "quasipotential" "$fwkit" quasipotential -c qp.toml -o qp.h5 -q
expect_text "whole box" out.txt "quasipotential reports its status"
expect_text "quasi-potential (jet)" out.txt "quasipotential: one attractor, Gaussian noise: the jet method by default"
expect 78 "quasipotential: 1-D model" "$fwkit" quasipotential -c qp.toml --set model.system.kind=double_well_1d \
  --set 'quasipotential.lower=[-1.6]' --set 'quasipotential.upper=[-0.4]' --set 'quasipotential.nodes=[31]'
expect_text "2-D or 3-D" err.txt "quasipotential: dimension error is explained"
expect 78 "quasipotential: too few nodes" "$fwkit" quasipotential -c qp.toml --set 'quasipotential.nodes=[2, 31]'
expect 78 "quasipotential: unknown Hamiltonian" "$fwkit" quasipotential -c qp.toml --set 'quasipotential.hamiltonians=["quantum"]'
expect_text "quasipotential.hamiltonians" err.txt "quasipotential: Hamiltonian error names the key"
expect 0 "quasipotential: two attractors give a global potential" "$fwkit" quasipotential -c qp.toml -o qpg.h5 -q \
  --set 'quasipotential.lower=[-1.6, -0.6]' --set 'quasipotential.upper=[1.6, 0.6]' --set 'quasipotential.nodes=[33, 13]'
expect_text "global quasi-potential over 2 attractors" out.txt "quasipotential: W-graph report"
expect 78 "quasipotential: stop_at_boundary with two attractors" "$fwkit" quasipotential -c qp.toml \
  --set 'quasipotential.lower=[-1.6, -0.6]' --set 'quasipotential.upper=[1.6, 0.6]' --set quasipotential.stop_at_boundary=true
expect_text "quasipotential.stop_at_boundary" err.txt "quasipotential: stop_at_boundary error names the key"
expect 78 "quasipotential: attractor not stable" "$fwkit" quasipotential -c qp.toml --set 'quasipotential.attractor=[-0.9, 0.0]'
expect_text "quasipotential.attractor: (-0.9, 0) is not a stable equilibrium" err.txt "quasipotential: an unstable attractor is named, before any work"
expect 0 "quasipotential: an attractor to 4 digits" "$fwkit" quasipotential -c qp.toml -o qpr.h5 -q --set 'quasipotential.attractor=[-1.00004, 0.0]'
expect_text "attractor 0 refined to the stable equilibrium" out.txt "quasipotential: an attractor to 4 digits is refined"
expect 0 "quasipotential: method = olim" "$fwkit" quasipotential -c qp.toml -o qpo.h5 -q --set quasipotential.method=olim
expect_text "quasi-potential (olim)" out.txt "quasipotential: the method is reported"
expect 78 "quasipotential: unknown method" "$fwkit" quasipotential -c qp.toml --set quasipotential.method=fast
expect_text "quasipotential.method" err.txt "quasipotential: method error names the key"
expect 78 "quasipotential: jet with Rademacher noise" "$fwkit" quasipotential -c qp.toml --set quasipotential.method=jet \
  --set model.noise.kind=rademacher --set 'model.noise.scales=[0.8, 0.6]' --set 'quasipotential.hamiltonians=["discrete"]'
expect_text "Gaussian" err.txt "quasipotential: jet needs Gaussian noise, and says so"
# Noise on the velocity of an underdamped oscillator only: D is singular.
for method in jet olim; do
  expect 78 "quasipotential: degenerate noise ($method)" "$fwkit" quasipotential -c qp.toml -o degenerate.h5 \
    --set quasipotential.method=$method --set model.system.kind=expression --set 'model.system.variables=["x", "v"]' \
    --set 'model.system.drift=["v", "-x - v"]' --set model.noise.kind=gaussian \
    --set 'model.noise.sigma=[[0.0, 0.0], [0.0, 1.0]]' --set 'quasipotential.lower=[-1.0, -1.0]' \
    --set 'quasipotential.upper=[1.0, 1.0]'
  expect_text "model.noise: D(x) = sigma sigma^T is singular" err.txt "quasipotential: degenerate noise is refused ($method)"
  if [ -e degenerate.h5 ]; then fail=$((fail + 1)); echo "FAIL: degenerate noise left a file"; else pass=$((pass + 1)); fi
done

# train: bad input names the key, the value and the rule.
cat > tr.toml <<'TOML'
[data]
points = [[-1.0], [0.0], [1.0]]
[train]
width = 8
levels = 4
step = 0.05
steps = 200
batch = 8
members = 2
[train.monitor]
count = 4
samples = 16
TOML
expect 0 "train: small run" "$fwkit" train -c tr.toml -o tr.h5 -q
expect_text "memorization fraction" out.txt "train prints its summary"
expect 78 "train: steps and budget" "$fwkit" train -c tr.toml --set train.budget=10.0
expect_text "give exactly one of steps or budget" err.txt "train: steps/budget rule named"
expect 78 "train: self_consuming out of range" "$fwkit" train -c tr.toml --set train.self_consuming=1.0
expect_text "train.self_consuming" err.txt "train: self_consuming named"
expect 78 "train: ragged points" "$fwkit" train -c tr.toml --set 'data.points=[[1.0], [0.0, 2.0]]'
expect_text "data.points" err.txt "train: ragged points named"
expect 78 "train: gd with self-consuming data" "$fwkit" train -c tr.toml --set train.optimizer=gd --set train.self_consuming=0.5
printf 'x\n1.0\noops\n' > bad.csv
printf '[data]\nfile = "bad.csv"\n[train]\nstep = 0.1\nsteps = 10\n[train.monitor]\ncount = 2\n' > trcsv.toml
expect 65 "train: bad CSV row" "$fwkit" train -c trcsv.toml -o trcsv.h5 -q
expect_text "bad.csv:3" err.txt "train: bad CSV names the file and line"
if [ -e trcsv.h5 ]; then fail=$((fail + 1)); echo "FAIL: train left a file after bad data"; else pass=$((pass + 1)); fi
expect 66 "train: missing points file" "$fwkit" train -c trcsv.toml --set 'data.file="nowhere.csv"'

# compare: bad input. A simulate file without two time scales, and files of
# the wrong kind.
cat > tts.toml <<'TOML'
[model.system]
kind = "expression"
variables = ["x", "y"]
drift = ["x - x^3 + y", "-x"]
[model.noise]
kind = "gaussian"
covariance = [[1.0, 0.0], [0.0, 1.0]]
[simulate]
step = 0.05
slow = ["y"]
timescale = 0.05
x0 = [1.0, 0.0]
members = 16
steps = 8000
[simulate.regions.lower_branch]
lower = [-10.0, -10.0]
upper = [-0.6, 10.0]
[simulate.regions.upper_branch]
lower = [0.6, -10.0]
upper = [10.0, 10.0]
TOML
# eps = 0.05: the adiabatic hazard is 14% short here (docs/validation.md).
printf '[compare]\nkind = "episodes"\nsimulation = "tts.h5"\ntolerance = [0.2]\n' > cmp.toml
expect 0 "compare: simulate two time scales" "$fwkit" simulate -c tts.toml -o tts.h5 -q
expect 0 "compare: episodes" "$fwkit" compare -c cmp.toml -o cmp.h5
expect_text "mean episode length (adiabatic hazard)" out.txt "compare prints its table"
expect_text "judged rows within tolerance" out.txt "compare prints its verdict"
expect 1 "compare: a tolerance too tight is reported with status 1" "$fwkit" compare -c cmp.toml -o cmp_tight.h5 \
  --set 'compare.tolerance=[0.0001]'
expect_text "FAIL" out.txt "compare: the failing row is marked"
if [ -e cmp_tight.h5 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: compare wrote no file for a failed tolerance"; fi
expect 65 "compare: not a simulate file" "$fwkit" compare -c cmp.toml -o bad.h5 --set 'compare.simulation="cmp.h5"'
expect_text "the episode comparison reads a simulate file" err.txt "compare: wrong kind is explained"
expect 66 "compare: missing simulation" "$fwkit" compare -c cmp.toml -o bad.h5 --set 'compare.simulation="none.h5"'
expect 78 "compare: unknown kind" "$fwkit" compare -c cmp.toml -o bad.h5 --set compare.kind=phase_portrait
expect_text "compare.kind" err.txt "compare: kind error names the key"
expect 78 "compare: tolerance count" "$fwkit" compare -c cmp.toml -o bad.h5 --set 'compare.tolerance=[0.1, 0.2]'
expect_text "one per sweep point" err.txt "compare: tolerance rule stated"
expect 0 "compare: one time scale" "$fwkit" simulate -c tts.toml -o one.h5 -q --set simulate.timescale=1.0
expect 78 "compare: one time scale refused" "$fwkit" compare -c cmp.toml -o bad.h5 --set 'compare.simulation="one.h5"'
expect_text "simulate.timescale" err.txt "compare: timescale named"
if [ -e bad.h5 ]; then fail=$((fail + 1)); echo "FAIL: compare left a file after bad input"; else pass=$((pass + 1)); fi

# run: bad experiments are refused before anything runs.
cat > exp.toml <<'TOML'
[experiment]
name = "tiny"
[model.system]
kind = "expression"
variables = ["x", "y"]
drift = ["x - x^3 + y", "-x"]
[model.noise]
kind = "gaussian"
covariance = [[1.0, 0.0], [0.0, 1.0]]
[stages.sim]
command = "simulate"
step = 0.05
slow = ["y"]
timescale = 0.05
x0 = [1.0, 0.0]
members = 16
steps = 8000
[stages.sim.regions.lower_branch]
lower = [-10.0, -10.0]
upper = [-0.6, 10.0]
[stages.sim.regions.upper_branch]
lower = [0.6, -10.0]
upper = [10.0, 10.0]
[stages.cmp]
command = "compare"
kind = "episodes"
simulation = "sim"
tolerance = [0.2]
TOML
expect 0 "run: tiny experiment" "$fwkit" run exp.toml -o tiny --no-plots
expect_text "| sim | simulate | sim.h5 | ran |" tiny/summary.md "run: summary lists the stages"
expect_text "judged rows within tolerance" tiny/summary.md "run: summary has the verdict"
expect_text "simulation = 'sim.h5'" tiny/cmp.toml "run: a stage name stands for its result file"
expect 0 "run: again" "$fwkit" run exp.toml -o tiny --no-plots
expect_text "| sim | simulate | sim.h5 | reused |" tiny/summary.md "run: unchanged stages are reused"
expect 0 "run: a changed stage runs again, with what depends on it" "$fwkit" run exp.toml -o tiny --no-plots \
  --set stages.sim.seed=2
expect_text "| cmp | compare | cmp.h5 | ran |" tiny/summary.md "run: the comparison reruns after its input changed"
# A run killed during a simulation goes on from its checkpoints.
long=(--set stages.sim.steps=4000000 --set stages.sim.members=64 --set 'stages.sim.checkpoint.every=100000')
setsid "$fwkit" run exp.toml -o killed --no-plots "${long[@]}" >/dev/null 2>&1 &
runner=$!
for _ in $(seq 300); do [ -d killed/sim.h5.checkpoint ] && break; sleep 0.1; done
sleep 0.3
kill -TERM -- "-$runner" 2>/dev/null
wait "$runner" 2>/dev/null
if [ -d killed/sim.h5.checkpoint ] && [ ! -e killed/sim.h5 ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL: run: no checkpoint left by the killed simulation"; fi
expect 0 "run: resumed after a kill" "$fwkit" run exp.toml -o killed --no-plots "${long[@]}"
expect_text "resuming run at step" killed/sim.log "run: the simulation resumed from its checkpoint"
expect 64 "run: no experiment" "$fwkit" run
expect 66 "run: missing experiment" "$fwkit" run nowhere.toml
expect 78 "run: unknown command" "$fwkit" run exp.toml -o bad --set stages.sim.command=simulator
expect_text "stages.sim.command" err.txt "run: command error names the key"
expect 78 "run: waiting for a missing stage" "$fwkit" run exp.toml -o bad --set 'stages.cmp.after=["nothing"]'
expect_text "stages.cmp.after" err.txt "run: after error names the key"
expect 78 "run: a cycle" "$fwkit" run exp.toml -o bad --set 'stages.sim.after=["cmp"]'
expect_text "form a cycle" err.txt "run: cycle explained"
expect 78 "run: a shared table nobody uses" "$fwkit" run exp.toml -o bad --set data.n=3
expect_text "\[data\] is not used by any stage" err.txt "run: unused table explained"
expect 78 "run: unknown experiment key" "$fwkit" run exp.toml -o bad --set experiment.title=x
expect_text "experiment.title" err.txt "run: unknown experiment key named"
expect 78 "run: a stage's bad key fails the stage" "$fwkit" run exp.toml -o bad --no-plots --set stages.sim.stepp=0.1
expect_text "stage sim (simulate), checked before any stage runs" err.txt "run: the failing stage is named"
expect_text "stages.sim.stepp" err.txt "run: the stage's error names the key"

# Finite-sum data from a file: found from the config's folder (and from the
# experiment's by fwkit run), bad data refused before any work.
mkdir -p data_cfg
printf '# points\nt,y\n0,1\n1,2\n2,2.5\n' > data_cfg/points.csv
cat > data_cfg/fit.toml <<'TOML'
[model.system]
kind = "finite_sum"
variables = ["a", "b"]
component = "0.5*(y - a*t - b)^2"
[model.system.data]
file = "points.csv"
[model.noise]
kind = "minibatch"
batch = 2
replacement = false
[simulate]
step = 0.1
x0 = [0.0, 0.0]
members = 8
steps = 200
TOML
expect 0 "data file: found from the config's folder" "$fwkit" simulate -c data_cfg/fit.toml -o fit.h5 -q
expect_text "a: mean" out.txt "data file: coordinates named by the variables"
printf 't,y\n0,1\n1,two\n' > data_cfg/points.csv
expect 65 "data file: a cell that is not a number" "$fwkit" simulate -c data_cfg/fit.toml -o fit_bad.h5 -q
expect_text 'points.csv:3, column "y"' err.txt "data file: the file, line and column named"
expect 1 "data file: nothing written on bad data" test -e fit_bad.h5
rm data_cfg/points.csv
expect 66 "data file: missing" "$fwkit" simulate -c data_cfg/fit.toml -o fit_bad.h5 -q
expect_text "model.system.data.file" err.txt "data file: the key named"
printf 't,y\n0,1\n1,2\n2,2.5\n' > data_cfg/points.csv
{ sed -n '1,/^\[simulate\]/p' data_cfg/fit.toml | sed '$d'
  printf '[experiment]\nname = "fit"\n[stages.sgd]\ncommand = "simulate"\nstep = 0.1\nx0 = [0.0, 0.0]\nmembers = 8\nsteps = 200\n'
} > data_cfg/fit_run.toml
{ sed -n '1,/^\[simulate\]/p' data_cfg/fit.toml | sed '$d'
  printf '[analyze]\nlower = [-5.0, -5.0]\nupper = [5.0, 5.0]\nsgd_step = 0.1\n'
} > data_cfg/fit_analyze.toml
expect 0 "analyze: the SGD covariance prediction" "$fwkit" analyze -c data_cfg/fit_analyze.toml -o fit_an.h5 -q
expect_text "SGD at eta = 0.1, around equilibrium 0: stationary sd" out.txt "analyze: the predicted spread printed"
{ sed -n '1,/^\[analyze\]/p' data_cfg/fit_analyze.toml
  printf 'lower = -5\nupper = 5\nstarts_from = "../fit.h5"\nnewton = false\n'
} > data_cfg/fit_from.toml
expect 0 "analyze: starts from a simulate file's end states" "$fwkit" analyze -c data_cfg/fit_from.toml -o fit_from.h5 -q
expect_text "from 8 starts" out.txt "analyze: one start per simulated member"
expect_text "minimisation from every start: 8 converged" out.txt "analyze: every minimisation said converged"
{ sed -n '1,/^\[analyze\]/p' data_cfg/fit_analyze.toml
  printf 'lower = -5\nupper = 5\nstarts_from = [[0.0, 0.0, 1.0]]\n'
} > data_cfg/fit_bad_from.toml
expect 78 "analyze: a start of the wrong dimension" "$fwkit" analyze -c data_cfg/fit_bad_from.toml -o fit_bad_from.h5 -q
expect_text "analyze.starts_from = point 1 with 3 entries" err.txt "analyze: the start named"
expect 0 "data file: fwkit run reads it from the experiment's folder" "$fwkit" run data_cfg/fit_run.toml -o fit_out -q --no-plots
expect 0 "data file: fwkit run wrote the stage" test -e fit_out/sgd.h5

# Every example config runs.
for cfg in "$src"/data/experiments/*.toml; do
  name=$(basename "$cfg" .toml)
  # "# test-set: key=value ..." shrinks a flagship-size example for the test.
  sets=()
  for kv in $(sed -n 's/^# test-set: *//p' "$cfg"); do sets+=(--set "$kv"); done
  if head -1 "$cfg" | grep -q '^# fwkit run'; then  # an experiment: every stage, then its summary
    expect 0 "experiment $name" "$fwkit" run "$cfg" -o "$name" -q --no-plots "${sets[@]}"
    expect_text "judged rows within tolerance" "$name/summary.md" "experiment $name: summary"
    if [ "$name" = flat_minima_win ]; then  # basins split at the saddle: no exit times from them
      printf '[compare]\nkind = "exits"\nsimulation = "sgd.h5"\ntransitions = "wgraph.h5"\n' > "$name/bad_exits.toml"
      expect 78 "compare exits: regions holding the saddle" "$fwkit" compare -c "$name/bad_exits.toml" -o "$name/bad.h5"
      expect_text "leave the saddles outside" err.txt "compare exits: the recrossing rule is stated"
    fi
    continue
  fi
  sub=$(sed -n 's/^# fwkit: *\([a-z]*\).*/\1/p' "$cfg" | head -1)
  expect 0 "example $name" "$fwkit" "${sub:-analyze}" -c "$cfg" -o "$name.h5" -q "${sets[@]}"
done

# The 17-parameter network of the examples: ode, then analyze from the ODE's
# end state, then action between two states where the straight path leaves
# the range of the noise (two identical hidden units stay identical under
# every minibatch gradient).
net="$src/data/experiments/simulate_two_layer_network.toml"
mkdir -p net_cfg && cp "$src/data/reference/two_layer_regression.csv" net_cfg/
net_model() { sed -n '/^\[model/,/^\[simulate\]/p' "$net" | sed '$d' | sed 's#\.\./reference/##'; }
{ net_model; printf '[ode]\nx0 = [0.5, -0.5, 0.3, 0.6, -0.4, 0.2, 0.1, 0.8, 0, 0, 0, 0, 0.5, 0.5, -0.5, 0.3, 0]\nt1 = 2000\n'; } > net_cfg/ode.toml
expect 0 "network: ode" "$fwkit" ode -c net_cfg/ode.toml -o net_ode.h5 -q
{ net_model; printf '[analyze]\nlower = -3\nupper = 3\nstarts_from = "../net_ode.h5"\nnewton = false\n'; } > net_cfg/analyze.toml
expect 0 "network: analyze from the ODE's end state" "$fwkit" analyze -c net_cfg/analyze.toml -o net_an.h5 -q
expect_text "1 equilibria (1 stable" out.txt "network: the ODE's end state minimised to a stable minimum"
expect_text "stable minima by loss: f = " out.txt "network: the minimum's loss printed"
{ net_model
  printf 'lambda = "gaussian"\n[action]\nnodes = 11\n'
  printf 'from = [0.5, -0.5, 0.3, 0.6, -0.4, 0.2, -0.4, 0.2, 0, 0, 0.1, 0.1, 0.5, 0.5, -0.5, -0.5, 0]\n'
  printf 'to = [0.5, -0.5, 0.3, 0.6, -0.4, 0.2, 0.1, 0.8, 0, 0, 0.1, 0, 0.5, 0.5, -0.5, 0.3, 0]\n'
} > net_cfg/action.toml
expect 65 "network: action along a path the noise cannot take" "$fwkit" action -c net_cfg/action.toml -o net_act.h5 -q
expect_text "at node 0 of 11: the noise covariance there is singular (rank 13 of 17)" out.txt "network: the node, the rank and the reason stated"

# The saddle between two minima by the string method with a climbing image.
printf '[model.system]\nkind = "expression"\nvariables = ["x", "y", "z"]\nloss = "(x^2 - 1)^2/4 + 0.1*x + y^2/2 + (z - 0.3*x)^2"\n' > string.toml
printf '[action]\nmethod = "string"\nnodes = 21\nfrom = [-1.0467, 0, -0.314]\nto = [0.9456, 0, 0.2837]\n' >> string.toml
expect 0 "action string: a saddle between two minima" "$fwkit" action -c string.toml -o string.h5 -q
expect_text "1 negative Hessian eigenvalue" out.txt "action string: the saddle's index checked"
printf '[model.system]\nkind = "expression"\nvariables = ["x", "y"]\ndrift = ["y", "-x"]\n[action]\nmethod = "string"\nfrom = [1, 0]\nto = [0, 1]\n' > string_bad.toml
expect 78 "action string: refused without a loss" "$fwkit" action -c string_bad.toml -o string_bad.h5 -q
expect_text 'needs a gradient system' err.txt "action string: the reason stated"

# The potential comparison's inputs, checked before anything is computed.
pot=langevin_vs_sgd_potentials
# (Files of two different models: the mismatch is allowed here, to reach the input checks.)
printf '[compare]\nkind = "potential"\nsimulation = "simulate_minibatch_sgd.h5"\nquasipotential = "%s/potentials.h5"\nallow_model_mismatch = true\n' "$pot" > pot_bad.toml
expect 78 "compare potential: a histogram without member groups" "$fwkit" compare -c pot_bad.toml -o pot_bad.h5
expect_text "simulate.histogram.groups" err.txt "compare potential: the groups key is named"
printf '[compare]\nkind = "potential"\nsimulation = "%s/sgd.h5"\nquasipotential = "%s/sgd.h5"\n' "$pot" "$pot" > pot_bad.toml
expect 65 "compare potential: a simulate file given as the quasipotential" "$fwkit" compare -c pot_bad.toml -o pot_bad.h5
expect_text "reads a quasipotential file" err.txt "compare potential: the wrong file kind explained"
printf '[compare]\nkind = "potential"\nsimulation = "%s/sgd.h5"\nquasipotential = "%s/potentials.h5"\nquadrature = 40\n' "$pot" "$pot" > pot_bad.toml
expect 78 "compare potential: quadrature out of range" "$fwkit" compare -c pot_bad.toml -o pot_bad.h5
expect_text "compare.quadrature" err.txt "compare potential: the quadrature key is named"
expect 1 "compare potential: nothing written on bad input" test -e pot_bad.h5

# The path comparison: regions must leave the saddles outside, and it needs kept trajectories.
flat=flat_minima_win
printf '[compare]\nkind = "paths"\nsimulation = "%s/sgd.h5"\ntransitions = "%s/wgraph.h5"\n' "$flat" "$flat" > paths_bad.toml
expect 78 "compare paths: regions holding the saddle" "$fwkit" compare -c paths_bad.toml -o paths_bad.h5
expect_text "away from the saddles" err.txt "compare paths: the saddle rule is stated"
printf '[compare]\nkind = "paths"\nsimulation = "%s/exits.h5"\ntransitions = "%s/wgraph.h5"\n' "$flat" "$flat" > paths_bad.toml
expect 78 "compare paths: no trajectories kept" "$fwkit" compare -c paths_bad.toml -o paths_bad.h5
expect_text "simulate.trajectory" err.txt "compare paths: the trajectory key is named"
expect 1 "compare paths: nothing written on bad input" test -e paths_bad.h5

echo "drivers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
