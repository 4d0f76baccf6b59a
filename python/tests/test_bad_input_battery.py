"""A table-driven battery of bad input, every subcommand. Each row is one run
of fwkit in a fresh folder holding only the config (and any data files the
row names); it must end with the exact sysexits code (64 usage, 65 data,
66 missing input, 73 cannot create output, 78 config), say in stderr which
key, value or file is at fault (with `<file> line N` where the culprit is
written in a config file), and leave nothing behind: no result, no
`*.tmp-*`, no checkpoint, and every input byte for byte as it was.

Rows: case(id, subcommand, config text, extra args, exit code, [substrings
of stderr], files={name: text | None (a folder) | "@name.h5" (a result file
made once per session)}, env={...}). The config is c.toml (exp.toml for
`fwkit run`); `-o out.h5` (`-o res` for run) is added unless the row gives
-o or the config an [output] table. Not bad input, so not here: mix() weights
that do not sum to 1 (they are relative, normalised), a fractional or
negative action.seed (the seed ellipse's level V_lin; negative: automatic),
and an unstable linear drift (a valid ODE, with one unstable equilibrium)."""
import os
import shutil
import subprocess

import pytest

# ---------------------------------------------------------------- configs
DW1 = '[model.system]\nkind = "double_well_1d"\n'
DW2 = '[model.system]\nkind = "double_well_2d"\n'
MS = '[model.system]\nkind = "maier_stein"\n'
VDP = '[model.system]\nkind = "van_der_pol"\n'


def block(section, keys, extra=""):
    return f"[{section}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items()) + extra


def sim(extra="", head=DW1, **kv):  # [simulate] line 3: step 4, steps 5, members 6, x0 7, new keys 8
    return head + block("simulate", {"step": "0.01", "steps": "100", "members": "10", "x0": "[0.5]"} | kv, extra)


def ana(extra="", head=MS, **kv):  # [analyze] line 3: lower 4, upper 5, starts 6, new keys 7
    return head + block("analyze", {"lower": "[-2.0, -2.0]", "upper": "[2.0, 2.0]", "starts": "16"} | kv, extra)


def expr(drift, variables='["x"]', key="drift"):  # kind 2, variables 3, drift 4
    value = f'"{drift}"' if key == "loss" else f'["{drift}"]'
    return f'[model.system]\nkind = "expression"\nvariables = {variables}\n{key} = {value}\n'


def ana1(drift, extra=""):  # the 1-D expression model: [analyze] 5, lower 6, upper 7, starts 8
    return ana(extra, head=expr(drift), lower="[-1.0]", upper="[1.0]", starts="8")


def ode(extra="", head=VDP, **kv):  # [ode] line 3: t1 4, x0 5, new keys 6
    return head + block("ode", {"t1": "5.0", "x0": "[2.0, 0.0]"} | kv, extra)


def act(extra="", head=MS, **kv):  # [action] line 3: from 4, to 5, nodes 6, new keys 7
    return head + block("action", {"from": "[-1.0, 0.0]", "to": "[0.0, 0.0]", "nodes": "21"} | kv, extra)


def trans(extra):  # [action.transitions] line 6: lower 7, upper 8, new keys 9
    return DW2 + '[action]\nhamiltonian = "langevin"\nnodes = 21\n[action.transitions]\n' + extra


def qp(extra="", head=DW2, **kv):  # [quasipotential] 3: lower 4, upper 5, nodes 6, hamiltonians 7, new 8
    keys = {"lower": "[-1.6, -0.6]", "upper": "[-0.4, 0.6]", "nodes": "[21, 21]", "hamiltonians": '["langevin"]'}
    return head + block("quasipotential", keys | kv, extra)


def noise(lines, x0="[0.5, 0.0]"):  # [model.noise] line 3: kind 4, then 5, 6, 7
    return DW2 + "[model.noise]\n" + lines + "\n" + block("simulate", {"step": "0.01", "steps": "50", "members": "4", "x0": x0})


KERNEL = '["0.9", "0.1"], ["0.1", "0.9"]'
INCR = '["-1 - x"], ["1 - x"]'


def markov(kernel=KERNEL, incr=INCR, head="", tail=None):  # kernel line 4, increments line 5 (after head)
    text = head + f'[model.noise]\nkind = "markov"\nvariables = ["x"]\nkernel = [{kernel}]\nincrements = [{incr}]\n'
    return text + (tail if tail is not None else block("simulate", {"step": "0.05", "steps": "50", "members": "4", "x0": "[0.0]"}))


def train(extra="", data="points = [[-1.0], [0.0], [1.0]]", **kv):  # data 2; [train] 3: width 4 .. members 9, new 10
    keys = {"width": "8", "levels": "4", "step": "0.05", "steps": "20", "batch": "8", "members": "2"}
    return f"[data]\n{data}\n" + block("train", keys | kv, extra)


def cmp(extra="tolerance = [0.2]\n", kind="episodes", simulation='"tts.h5"'):  # kind 2, simulation 3, then 4
    return f'[compare]\nkind = "{kind}"\nsimulation = {simulation}\n' + extra


def exp(extra="", sim_extra="", an_extra="", name="tiny", table="stages.an"):
    """[experiment] 1, name 2, [model.system] 3, kind 4, [stages.sim] 5, command 6, step 7, steps 8,
    members 9, x0 10, sim_extra from 11; then [stages.an] (11 without sim_extra): command, lower,
    upper, starts (12-15), an_extra from 16; then extra."""
    return (f'[experiment]\nname = "{name}"\n' + DW1 + '[stages.sim]\ncommand = "simulate"\nstep = 0.01\n'
            'steps = 100\nmembers = 4\nx0 = [0.5]\n' + sim_extra + f'[{table}]\ncommand = "analyze"\n'
            'lower = [-2.0]\nupper = [2.0]\nstarts = 8\n' + an_extra + extra)


GOOD_CSV = "t,y\n0,1\n1,2\n2,2.5\n"
FSUM = ('[model.system]\nkind = "finite_sum"\nvariables = ["a", "b"]\ncomponent = "0.5*(y - a*t - b)^2"\n'
        '[model.system.data]\nfile = "pts.csv"\n[model.noise]\nkind = "minibatch"\nbatch = 2\n')  # data.file line 6
TRAIN_CSV = train(data='file = "pts.csv"')
MIX = 'kind = "mixture"\nmeans = [[1.0, 0.0], [-1.0, 0.0]]\n'  # kind 4, means 5, covariances 6, logits 7
COV2 = "{ c0 = [[1.0, 0.0], [0.0, 1.0]], c1 = [[1.0, 0.0], [0.0, 1.0]] }"
DEEP = "-(" * 1000 + "x" + ")" * 1000
D = "--dry-run"
Q = "-q"


def case(id, cmd, config, args, code, needles, files=None, env=None):
    return pytest.param(cmd, config, list(args), code, needles, files or {}, env or {}, id=id)


CASES = [
    # ------------------------------------------------------------ usage
    case("usage-no-subcommand", "", None, [], 64, ["subcommand"]),
    case("usage-unknown-subcommand", "", None, ["simulat"], 64, ["simulat"]),
    case("usage-unknown-option", "simulate", sim(), ["--frobnicate", D], 64, ["--frobnicate"]),
    case("usage-set-without-equals", "simulate", sim(), ["--set", "simulate.step", D], 64, ["--set simulate.step", "key.path=value"]),
    case("usage-set-empty-key", "simulate", sim(), ["--set", "=0.1", D], 64, ["--set =0.1"]),
    case("usage-set-unknown-key", "simulate", sim(), ["--set", "simulate.stepp=0.1", D], 78, ["simulate.stepp", "(from --set)", "did you mean 'step'"]),
    case("usage-set-unknown-section", "simulate", sim(), ["--set", "simulat.step=0.1", D], 78, ["simulat", "(from --set)", "did you mean 'simulate'"]),
    case("usage-set-other-commands-section", "simulate", sim(), ["--set", "analyze.starts=3", D], 78, ["analyze", "(from --set)"]),
    case("usage-set-wrong-type", "simulate", sim(), ["--set", "simulate.step=abc", D], 78, ["simulate.step", "'abc'", "(from --set)"]),
    case("usage-set-table-to-number", "simulate", sim(), ["--set", "simulate=3", D], 78, ["simulate = 3", "(from --set)"]),
    case("usage-set-unknown-parameter", "simulate", sim(), ["--set", "model.system.parameters.tlit=3", D], 78, ["model.system.parameters.tlit", "(from --set)"]),
    case("usage-config-twice", "simulate", sim(), ["-c", "c.toml", D], 64, ["--config"]),
    case("usage-extra-positional", "simulate", sim(), ["stray", D], 64, ["stray"]),
    case("usage-option-of-another-command", "analyze", ana(), ["--resume", D], 64, ["--resume"]),
    case("usage-bad-split", "simulate", sim(), ["--split", "ranks", D], 64, ["--split", "ranks"]),
    case("usage-systems-unknown-option", "systems", None, ["--frob"], 64, ["--frob"]),
    case("usage-empty-output", "simulate", sim(), ["-o", "", Q], 64, ["--output"]),
    case("input-missing-config", "simulate", None, ["-c", "missing.toml", D], 66, ["missing.toml"]),
    case("input-config-is-a-directory", "simulate", None, ["-c", "cdir", D], 66, ["cdir"], files={"cdir": None}),
    case("toml-unterminated-array", "simulate", "a = [1,\n", [D], 78, ["c.toml line 1", "not valid TOML"]),
    case("toml-duplicate-key", "simulate", DW1 + 'kind = "x"\n', [D], 78, ["c.toml line 3", "kind"]),
    case("toml-binary-garbage", "simulate", "\x01\x02 garbage = \x03", [D], 78, ["c.toml line 1"]),
    # ------------------------------------------------------------ absurd thread counts
    case("threads-simulate-million", "simulate", sim(threads="1000000"), [D], 78, ["simulate.threads = 1000000", "c.toml line 8"]),
    case("threads-simulate-1025", "simulate", sim(threads="1025"), [Q], 78, ["simulate.threads = 1025", "c.toml line 8"]),
    case("threads-simulate-fractional", "simulate", sim(threads="2.5"), [D], 78, ["simulate.threads", "c.toml line 8"]),
    case("threads-simulate-set-million", "simulate", sim(), [Q, "--set", "simulate.threads=1000000"], 78, ["simulate.threads", "(from --set)"]),
    case("threads-train-million", "train", train(threads="1000000"), [Q], 78, ["train.threads = 1000000", "c.toml line 10"]),
    case("threads-train-negative", "train", train(threads="-1"), [D], 78, ["train.threads = -1", "c.toml line 10"]),
    case("threads-ode-has-no-threads-key", "ode", ode(threads="1000000"), [D], 78, ["ode.threads", "c.toml line 6"]),
    case("threads-omp-env-simulate", "simulate", sim(), [Q], 78, ["OMP_NUM_THREADS"], env={"OMP_NUM_THREADS": "1000000"}),
    case("threads-omp-env-train", "train", train(), [Q], 78, ["OMP_NUM_THREADS"], env={"OMP_NUM_THREADS": "1000000"}),
    case("threads-run-stage-million", "run", exp(sim_extra="threads = 1000000\n"), [D], 78, ["threads", "exp.toml line 11"]),
    # ------------------------------------------------------------ output
    case("output-is-a-directory", "simulate", sim(), ["-o", "res", Q], 73, ["res", "is a directory"], files={"res": None}),
    case("output-in-missing-folder", "analyze", ana(), ["-o", "missing/x.h5", Q], 73, ["missing", "does not exist"]),
    case("output-is-the-config", "action", act(), ["-o", "c.toml", Q], 73, ["c.toml", "is the input"]),
    case("output-is-the-config-dotted", "quasipotential", qp(), ["-o", "./c.toml", Q], 73, ["c.toml", "is the input"]),
    case("output-path-is-the-config", "ode", ode() + '[output]\npath = "c.toml"\n', [Q], 73, ["output.path", "c.toml line 7", "is the input"]),
    case("output-path-is-a-directory", "train", train() + '[output]\npath = "sub"\n', [Q], 73, ["output.path", "c.toml line 11", "is a directory"], files={"sub": None}),
    case("output-path-missing-folder", "simulate", sim() + '[output]\npath = "nope/x.h5"\n', [Q], 73, ["output.path", "c.toml line 9", "nope"]),
    case("output-path-wrong-type", "analyze", ana() + "[output]\npath = 5\n", [D], 78, ["output.path", "c.toml line 8"]),
    case("output-path-typo", "analyze", ana() + '[output]\npaht = "x.h5"\n', [D], 78, ["output.paht", "c.toml line 8", "did you mean 'path'"]),
    case("output-is-the-data-file-simulate", "simulate", FSUM + block("simulate", {"step": "0.1", "x0": "[0.0, 0.0]", "members": "4", "steps": "20"}), ["-o", "pts.csv", Q], 73, ["pts.csv", "is the input"], files={"pts.csv": GOOD_CSV}),
    case("output-is-the-data-file-ode", "ode", FSUM + block("ode", {"x0": "[0.0, 0.0]", "t1": "1.0"}), ["-o", "pts.csv", Q], 73, ["pts.csv", "is the input"], files={"pts.csv": GOOD_CSV}),
    case("output-is-the-train-points", "train", TRAIN_CSV, ["-o", "pts.csv", Q], 73, ["pts.csv", "is the input"], files={"pts.csv": "x\n1\n2\n3\n"}),
    case("output-is-the-starts-from-file", "analyze", ana(head=expr("x^2 + y^2", '["x", "y"]', "loss"), lower="-3", upper="3", starts_from='"tts.h5"'), ["-o", "tts.h5", Q], 73, ["tts.h5", "is the input"], files={"tts.h5": "@tts.h5"}),
    # ------------------------------------------------------------ analyze
    case("analyze-unknown-key", "analyze", ana(tolerence="1e-8"), [D], 78, ["analyze.tolerence", "c.toml line 7", "did you mean 'tolerance'"]),
    case("analyze-starts-negative", "analyze", ana(starts="-3"), [D], 78, ["analyze.starts = -3", "c.toml line 6"]),
    case("analyze-starts-fractional", "analyze", ana(starts="2.5"), [D], 78, ["analyze.starts = 2.5", "c.toml line 6", "integer"]),
    case("analyze-upper-below-lower", "analyze", ana(upper="[2.0, -3.0]"), [D], 78, ["analyze.upper", "c.toml line 5"]),
    case("analyze-upper-equal-lower", "analyze", ana(upper="[2.0, -2.0]"), [D], 78, ["analyze.upper", "c.toml line 5"]),
    case("analyze-upper-short", "analyze", ana(upper="[2.0]"), [D], 78, ["analyze.upper", "c.toml line 5"]),
    case("analyze-upper-string", "analyze", ana(upper='"big"'), [D], 78, ["analyze.upper", "c.toml line 5"]),
    case("analyze-tolerance-zero", "analyze", ana(tolerance="0.0"), [D], 78, ["analyze.tolerance", "c.toml line 7"]),
    case("analyze-max-iterations-negative", "analyze", ana(max_iterations="-1"), [D], 78, ["analyze.max_iterations", "c.toml line 7"]),
    case("analyze-sgd-step-negative", "analyze", ana(sgd_step="-0.1"), [D], 78, ["analyze.sgd_step", "c.toml line 7"]),
    case("analyze-minimize-string", "analyze", ana(minimize='"yes"'), [D], 78, ["analyze.minimize", "c.toml line 7"]),
    case("analyze-merge-distance-negative", "analyze", ana(merge_distance="-1e-6"), [D], 78, ["analyze.merge_distance", "c.toml line 7"]),
    case("analyze-starts-from-wrong-dimension", "analyze", ana(starts_from="[[0.0, 0.0, 1.0]]"), [D], 78, ["analyze.starts_from", "c.toml line 7"]),
    case("analyze-starts-from-missing-file", "analyze", ana(starts_from='"nope.h5"'), [D], 66, ["analyze.starts_from", "nope.h5", "c.toml line 7"]),
    case("analyze-starts-from-file-without-states", "analyze", ana(starts_from='"an.h5"'), [Q], 78, ["analyze.starts_from", "c.toml line 7"], files={"an.h5": "@an.h5"}),
    case("analyze-model-undefined-in-the-box", "analyze", ana1("-x + log(-1 - x*x)"), [Q], 65, ["model.system.drift[0]"]),
    # ------------------------------------------------------------ expressions and systems (under analyze)
    case("expr-unbalanced-open", "analyze", ana1("-x + (1"), [D], 78, ["model.system.drift[0]", "c.toml line 4", "column 8"]),
    case("expr-unbalanced-close", "analyze", ana1("-x)"), [D], 78, ["model.system.drift[0]", "c.toml line 4", "column 3"]),
    case("expr-empty", "analyze", ana1(""), [D], 78, ["model.system.drift[0]", "c.toml line 4"]),
    case("expr-double-operator", "analyze", ana1("-x +* 2"), [D], 78, ["model.system.drift[0]", "c.toml line 4", "column 5"]),
    case("expr-unknown-function", "analyze", ana1("-x + foo(x)"), [D], 78, ["model.system.drift[0]", "c.toml line 4", "'foo'"]),
    case("expr-wrong-arity", "analyze", ana1("-x + pow(x)"), [D], 78, ["model.system.drift[0]", "c.toml line 4", "pow"]),
    case("expr-unknown-variable", "analyze", ana1("-x + z"), [D], 78, ["model.system.drift[0]", "c.toml line 4", "'z'"]),
    case("expr-nesting-1000", "analyze", ana1(DEEP), [D], 78, ["model.system.drift[0]", "c.toml line 4", "nested deeper"]),
    case("expr-division-by-zero", "analyze", ana1("-x + 1/0"), [D], 78, ["model.system.drift[0]", "c.toml line 4", "not a finite number"]),
    case("expr-huge-constant-power", "analyze", ana1("-x + 2^(2^40)"), [D], 78, ["model.system.drift[0]", "c.toml line 4", "not a finite number"]),
    case("expr-root-of-negative-constant", "analyze", ana1("-x + (0-1)^0.5"), [D], 78, ["model.system.drift[0]", "c.toml line 4", "not a finite number"]),
    case("expr-number-out-of-range", "analyze", ana1("-x + 1e400"), [D], 78, ["model.system.drift[0]", "c.toml line 4", "1e400"]),
    case("expr-sum-runs-backwards", "analyze", ana(head=expr("x^2 + sum(i = 5:1, x)", key="loss"), lower="[-1.0]", upper="[1.0]"), [D], 78, ["model.system.loss", "c.toml line 4", "backwards"]),
    case("expr-index-out-of-shape", "analyze", ana(head=expr("x[3]^2", '["x[2]"]', "loss")), [D], 78, ["model.system.loss", "c.toml line 4", "x[3]"]),
    case("expr-drift-count-mismatch", "analyze", ana(head=expr("-x", '["x", "y"]')), [D], 78, ["model.system.drift", "c.toml line 4"]),
    case("expr-drift-and-loss", "analyze", ana(head=expr("-x", '["x"]') + 'loss = "x^2"\n', lower="[-1.0]", upper="[1.0]"), [D], 78, ["model.system", "loss", "c.toml line "]),
    case("expr-duplicate-variable", "analyze", ana(head=expr('-x", "-x', '["x", "x"]')), [D], 78, ["model.system.variables", "'x'", "c.toml line 3"]),
    case("expr-reserved-variable", "analyze", ana(head=expr('-x", "-exp', '["x", "exp"]')), [D], 78, ["model.system.variables", "'exp'", "c.toml line 3"]),
    case("expr-drift-key-typo", "analyze", ana(head=expr('-x", "-y', '["x", "y"]', "dirft")), [D], 78, ["model.system.dirft", "c.toml line 4", "did you mean 'drift'"]),
    case("expr-drift-not-an-array", "analyze", ana(head='[model.system]\nkind = "expression"\nvariables = ["x", "y"]\ndrift = "-x"\n'), [D], 78, ["model.system.drift", "c.toml line 4"]),
    case("system-unknown-kind", "analyze", ana(head='[model.system]\nkind = "maier_steen"\n'), [D], 78, ["maier_steen", "c.toml line 2"]),
    case("system-kind-wrong-case", "analyze", ana(head='[model.system]\nkind = "MAIER_STEIN"\n'), [D], 78, ["MAIER_STEIN", "c.toml line 2"]),
    case("system-kind-number", "analyze", ana(head="[model.system]\nkind = 5\n"), [D], 78, ["model.system.kind", "c.toml line 2"]),
    case("system-kind-key-typo", "analyze", ana(head='[model.system]\nknd = "maier_stein"\n'), [D], 78, ["model.system.knd", "c.toml line 2"]),
    case("system-unknown-parameter", "analyze", ana(head=MS + "parameters = { betta = 3.0 }\n"), [D], 78, ["model.system.parameters.betta", "c.toml line 3"]),
    case("system-parameter-string", "analyze", ana(head=MS + 'parameters = { beta = "ten" }\n'), [D], 78, ["model.system.parameters.beta", "c.toml line 3"]),
    case("system-parameter-infinite", "analyze", ana(head=MS + "parameters = { beta = inf }\n"), [D], 78, ["model.system.parameters.beta", "c.toml line 3", "finite"]),
    case("system-parameter-out-of-range", "ode", ode(head=VDP + "parameters = { mu = -1.0 }\n"), [D], 78, ["model.system.parameters.mu", "c.toml line 3"]),
    case("system-linear-non-square", "analyze", ana(head='[model.system]\nkind = "linear"\nparameters = { A = [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]] }\n'), [D], 78, ["model.system.parameters.A", "c.toml line 3"]),
    case("system-missing", "analyze", block("analyze", {"lower": "[-1.0]", "upper": "[1.0]"}), [D], 78, ["model.system"]),
    # ------------------------------------------------------------ ode
    case("ode-unknown-key", "ode", ode(t11="3.0"), [D], 78, ["ode.t11", "c.toml line 6", "did you mean 't1'"]),
    case("ode-rtol-negative", "ode", ode(rtol="-1e-8"), [D], 78, ["ode.rtol", "c.toml line 6"]),
    case("ode-atol-zero", "ode", ode(atol="0.0"), [D], 78, ["ode.atol", "c.toml line 6"]),
    case("ode-outputs-one", "ode", ode(outputs="1"), [D], 78, ["ode.outputs", "c.toml line 6"]),
    case("ode-outputs-fractional", "ode", ode(outputs="10.5"), [D], 78, ["ode.outputs", "c.toml line 6", "integer"]),
    case("ode-max-steps-zero", "ode", ode(max_steps="0"), [D], 78, ["ode.max_steps", "c.toml line 6"]),
    case("ode-unknown-method", "ode", ode(method='"euler"'), [D], 78, ["ode.method", "c.toml line 6", "must be one of"]),
    case("ode-fixed-step-integer", "ode", ode(fixed_step="1"), [D], 78, ["ode.fixed_step", "c.toml line 6"]),
    case("ode-t0-after-t1", "ode", ode(t0="10.0"), [D], 78, ["ode.t0", "c.toml line "]),
    case("ode-t1-infinite", "ode", ode(t1="inf"), [D], 78, ["ode.t1", "c.toml line 4"]),
    case("ode-x0-short", "ode", ode(x0="[2.0]"), [D], 78, ["ode.x0", "c.toml line 5"]),
    case("ode-x0-string-entry", "ode", ode(x0='[2.0, "a"]'), [D], 78, ["ode.x0", "c.toml line 5"]),
    case("ode-x0-nan", "ode", ode(x0="[2.0, nan]"), [D], 78, ["ode.x0", "c.toml line 5", "finite"]),
    case("ode-event-syntax-dry-run", "ode", ode('[ode.events.up]\nexpression = "x +"\n'), [D], 78, ["ode.events.up.expression", "c.toml line 7"]),
    case("ode-event-syntax", "ode", ode('[ode.events.up]\nexpression = "x +"\n'), [Q], 78, ["ode.events.up.expression", "c.toml line 7"]),
    case("ode-event-unknown-name", "ode", ode('[ode.events.up]\nexpression = "w"\n'), [Q], 78, ["ode.events.up.expression", "'w'", "c.toml line 7"]),
    case("ode-event-division-by-zero", "ode", ode('[ode.events.up]\nexpression = "1/0 + x"\n'), [Q], 78, ["ode.events.up.expression", "c.toml line 7", "not a finite number"]),
    case("ode-event-direction", "ode", ode('[ode.events.up]\nexpression = "x"\ndirection = 2\n'), [D], 78, ["ode.events.up.direction", "c.toml line 8"]),
    case("ode-events-typo", "ode", ode('[ode.eventz.up]\nexpression = "x"\n'), [D], 78, ["ode.eventz", "c.toml line 6", "did you mean 'events'"]),
    case("ode-slow-fast-unknown-dry-run", "ode", ode('[ode.slow_fast]\nfast = "x"\nslow = "q"\n'), [D], 78, ["ode.slow_fast.slow", "c.toml line 8"]),
    case("ode-slow-fast-unknown", "ode", ode('[ode.slow_fast]\nfast = "x"\nslow = "q"\n'), [Q], 78, ["ode.slow_fast.slow", "c.toml line 8"]),
    case("ode-output-times-decreasing", "ode", ode(output_times="[3.0, 1.0]"), [D], 78, ["ode.output_times", "c.toml line 6"]),
    case("ode-output-times-beyond-t1", "ode", ode(output_times="[1.0, 7.0]"), [D], 78, ["ode.output_times", "c.toml line 6"]),
    case("ode-tracking-missing-step-sizes", "ode", ode("[ode.tracking]\nsteps = [0.1]\n"), [D], 78, ["ode.tracking"]),
    case("ode-tracking-negative-step", "ode", ode("[ode.tracking]\nstep_sizes = [0.1, -0.01]\n"), [D], 78, ["ode.tracking.step_sizes", "c.toml line 7"]),
    case("ode-sweep-misspelt-key", "ode", ode('[ode.sweep]\nkey = "ode.t2"\nvalues = [1.0, 2.0]\n'), [D], 78, ["ode.sweep.key", "ode.t2", "c.toml line 7"]),
    case("ode-sweep-bad-last-value", "ode", ode('[ode.sweep]\nkey = "ode.rtol"\nvalues = [1e-6, 1e-7, -1.0]\n'), [D], 78, ["ode.rtol = -1", "c.toml line 8"]),
    case("ode-sweep-no-values", "ode", ode('[ode.sweep]\nkey = "ode.t1"\nvalues = []\n'), [Q], 78, ["ode.sweep.values", "c.toml line 8"]),
    case("ode-sweep-string-value", "ode", ode('[ode.sweep]\nkey = "ode.t1"\nvalues = [1.0, "x"]\n'), [D], 78, ["ode.sweep.values", "c.toml line 8"]),
    case("ode-drift-division-by-zero", "ode", ode(head=expr("-x + 1/0"), x0="[0.5]"), [D], 78, ["model.system.drift[0]", "c.toml line 4"]),
    case("ode-log-of-negative-at-x0", "ode", ode(head=expr("-x + log(x)"), x0="[-1.0]"), [Q], 65, ["model.system.drift[0]", "ode.x0"]),
    case("ode-huge-power-at-x0", "ode", ode(head=expr("-x^(2^40)"), x0="[2.0]"), [Q], 65, ["model.system.drift[0]", "ode.x0"]),
    case("ode-markov-kernel-not-stochastic", "ode", markov('["0.9", "0.2"], ["0.1", "0.9"]', tail=block("ode", {"x0": "[0.0]", "t1": "1.0"})), [Q], 78, ["model.noise.kernel", "c.toml line 4"]),
    # ------------------------------------------------------------ action
    case("action-unknown-key", "action", act(node="41"), [D], 78, ["action.node", "c.toml line 7", "did you mean 'nodes'"]),
    case("action-unknown-hamiltonian", "action", act(hamiltonian='"quantum"'), [D], 78, ["action.hamiltonian", "c.toml line 7", "must be one of"]),
    case("action-unknown-method", "action", act(method='"neb"'), [D], 78, ["action.method", "c.toml line 7"]),
    case("action-tolerance-negative", "action", act(tolerance="-1.0"), [D], 78, ["action.tolerance", "c.toml line 7"]),
    case("action-initial-step-zero", "action", act(initial_step="0.0"), [D], 78, ["action.initial_step", "c.toml line 7"]),
    case("action-nodes-too-few", "action", act(nodes="3"), [D], 78, ["action.nodes = 3", "c.toml line 6"]),
    case("action-nodes-fractional", "action", act(nodes="41.5"), [D], 78, ["action.nodes", "c.toml line 6", "integer"]),
    case("action-to-short", "action", act(to="[0.0]"), [D], 78, ["action.to", "c.toml line 5"]),
    case("action-from-long", "action", act(**{"from": "[-1.0, 0.0, 2.0]"}), [D], 78, ["action.from", "c.toml line 4"]),
    case("action-to-equals-from", "action", act(to="[-1.0, 0.0]"), [D], 78, ["action.to", "c.toml line 5"]),
    case("action-to-string", "action", act(to='"saddle"'), [D], 78, ["action.to", "c.toml line 5"]),
    case("action-to-nested", "action", act(to="[[0.0, 0.0]]"), [D], 78, ["action.to", "c.toml line 5"]),
    case("action-from-infinite", "action", act(**{"from": "[-1.0, inf]"}), [D], 78, ["action.from", "c.toml line 4", "finite"]),
    case("action-to-missing", "action", MS + '[action]\nfrom = [-1.0, 0.0]\n', [D], 78, ["action.to"]),
    case("action-through-short", "action", act(through="[[-0.5]]"), [D], 78, ["action.through", "c.toml line 7"]),
    case("action-through-flat", "action", act(through="[-0.5, 0.3]"), [D], 78, ["action.through", "c.toml line 7"]),
    case("action-through-nan", "action", act(through="[[-0.5, nan]]"), [D], 78, ["action.through", "c.toml line 7"]),
    case("action-has-no-threads-key", "action", act(threads="1000000"), [D], 78, ["action.threads", "c.toml line 7"]),
    case("action-drift-huge-number", "action", act(head=expr("-x - 10^400"), **{"from": "[-1.0]"}, to="[0.0]"), [D], 78, ["model.system.drift[0]", "c.toml line 4"]),
    case("action-from-where-model-undefined", "action", act(head=expr("-x + log(x)"), **{"from": "[-1.0]"}, to="[1.0]"), [Q], 65, ["model.system.drift[0]", "action.from", "undefined"]),
    case("action-transitions-inverted-box", "action", trans("lower = [2.0, -1.0]\nupper = [-2.0, 1.0]\n"), [D], 78, ["action.transitions.upper", "c.toml line 8"]),
    case("action-transitions-short-upper", "action", trans("lower = [-2.0, -1.0]\nupper = [2.0]\n"), [D], 78, ["action.transitions.upper", "c.toml line 8"]),
    case("action-transitions-offset", "action", trans("lower = [-2.0, -1.0]\nupper = [2.0, 1.0]\noffset = 0.5\n"), [D], 78, ["action.transitions.offset", "c.toml line 9"]),
    case("action-transitions-unknown-key", "action", trans("lower = [-2.0, -1.0]\nupper = [2.0, 1.0]\nstart = 10\n"), [D], 78, ["action.transitions.start", "c.toml line 9"]),
    case("action-transitions-with-endpoints", "action", act("[action.transitions]\nlower = [-2.0, -1.0]\nupper = [2.0, 1.0]\n"), [D], 78, ["action.from", "c.toml line 4"]),
    # ------------------------------------------------------------ simulate
    case("simulate-unknown-key", "simulate", sim(stepp="0.1"), [D], 78, ["simulate.stepp", "c.toml line 8", "did you mean 'step'"]),
    case("simulate-step-negative", "simulate", sim(step="-0.01"), [D], 78, ["simulate.step = -0.01", "c.toml line 4"]),
    case("simulate-step-nan", "simulate", sim(step="nan"), [D], 78, ["simulate.step", "c.toml line 4"]),
    case("simulate-step-string", "simulate", sim(step='"0.01"'), [D], 78, ["simulate.step", "c.toml line 4"]),
    case("simulate-steps-zero", "simulate", sim(steps="0"), [D], 78, ["simulate.steps = 0", "c.toml line 5"]),
    case("simulate-steps-negative", "simulate", sim(steps="-100"), [D], 78, ["simulate.steps = -100", "c.toml line 5"]),
    case("simulate-steps-string", "simulate", sim(steps='"many"'), [D], 78, ["simulate.steps", "c.toml line 5"]),
    case("simulate-steps-fractional", "simulate", sim(steps="100.5"), [D], 78, ["simulate.steps", "c.toml line 5", "integer"]),
    case("simulate-members-zero", "simulate", sim(members="0"), [D], 78, ["simulate.members = 0", "c.toml line 6"]),
    case("simulate-members-too-many", "simulate", sim(members="1000000000000"), [D], 78, ["simulate.members", "c.toml line 6"]),
    case("simulate-x0-long", "simulate", sim(x0="[0.5, 1.0]"), [D], 78, ["simulate.x0", "c.toml line 7"]),
    case("simulate-x0-nested", "simulate", sim(x0="[[0.5]]"), [D], 78, ["simulate.x0", "c.toml line 7"]),
    case("simulate-unknown-scheme", "simulate", sim(scheme='"adam"'), [D], 78, ["simulate.scheme", "c.toml line 8", "must be one of"]),
    case("simulate-burn-in-whole-run", "simulate", sim(burn_in="100"), [D], 78, ["simulate.burn_in = 100", "c.toml line 8"]),
    case("simulate-stride-beyond-steps", "simulate", sim(stride="1000"), [D], 78, ["simulate.stride = 1000", "c.toml line 8"]),
    case("simulate-timescale-above-one", "simulate", sim(timescale="2.0"), [D], 78, ["simulate.timescale", "c.toml line 8"]),
    case("simulate-slow-unknown-variable", "simulate", sim(slow='["q"]'), [D], 78, ["simulate.slow", "c.toml line 8", '"q"']),
    case("simulate-seed-negative", "simulate", sim(seed="-1"), [D], 78, ["simulate.seed", "c.toml line 8"]),
    case("simulate-unknown-gradient", "simulate", sim(gradient='"numerical"'), [D], 78, ["simulate.gradient", "c.toml line 8"]),
    case("simulate-region-radius-negative", "simulate", sim("[simulate.regions.left]\ncenter = [-1.0]\nradius = -0.5\n"), [D], 78, ["simulate.regions.left.radius", "c.toml line 10"]),
    case("simulate-region-wrong-dimension", "simulate", sim("[simulate.regions.left]\ncenter = [-1.0, 0.0]\nradius = 0.5\n"), [D], 78, ["simulate.regions.left.center", "c.toml line 9"]),
    case("simulate-region-inverted-box", "simulate", sim("[simulate.regions.left]\nlower = [1.0]\nupper = [-1.0]\n"), [D], 78, ["simulate.regions.left", "c.toml line "]),
    case("simulate-region-key-typo", "simulate", sim("[simulate.regions.left]\ncentre = [-1.0]\nradius = 0.5\n"), [D], 78, ["simulate.regions.left.centre", "c.toml line 9", "did you mean 'center'"]),
    case("simulate-histogram-one-node", "simulate", sim("[simulate.histogram]\nlower = [-2.0]\nupper = [2.0]\nnodes = [1]\n"), [D], 78, ["simulate.histogram.nodes", "c.toml line 11"]),
    case("simulate-histogram-nodes-fractional", "simulate", sim("[simulate.histogram]\nlower = [-2.0]\nupper = [2.0]\nnodes = [11.5]\n"), [D], 78, ["simulate.histogram.nodes", "c.toml line 11"]),
    case("simulate-histogram-inverted", "simulate", sim("[simulate.histogram]\nlower = [2.0]\nupper = [-2.0]\nnodes = [11]\n"), [D], 78, ["simulate.histogram", "c.toml line "]),
    case("simulate-attractors-radius-zero", "simulate", sim("[simulate.attractors]\nlower = [-3.0]\nupper = [3.0]\nradius = 0.0\n"), [D], 78, ["simulate.attractors.radius", "c.toml line 11"]),
    case("simulate-checkpoint-every-zero", "simulate", sim("[simulate.checkpoint]\nevery = 0\n"), [D], 78, ["simulate.checkpoint.every", "c.toml line 9"]),
    case("simulate-trajectory-too-many-members", "simulate", sim("[simulate.trajectory]\nmembers = 100\n"), [D], 78, ["simulate.trajectory.members = 100", "c.toml line 9"]),
    case("simulate-schedule-gamma", "simulate", sim("[simulate.schedule]\ngamma = 2.0\n"), [D], 78, ["simulate.schedule.gamma", "c.toml line 9"]),
    case("simulate-sweep-misspelt-key", "simulate", sim('[simulate.sweep]\nkey = "simulate.stepp"\nvalues = [0.01, 0.02]\n'), [D], 78, ["simulate.sweep.key", "simulate.stepp", "c.toml line 9"]),
    case("simulate-sweep-misspelt-parameter", "simulate", sim('[simulate.sweep]\nkey = "model.system.parameters.tlit"\nvalues = [0.0, 0.1]\n'), [D], 78, ["model.system.parameters.tlit", "c.toml line 9"]),
    case("simulate-sweep-bad-last-value", "simulate", sim('[simulate.sweep]\nkey = "simulate.step"\nvalues = [0.01, 0.02, -0.5]\n'), [Q], 78, ["simulate.step = -0.5", "c.toml line 10"]),
    case("simulate-sweep-fractional-members", "simulate", sim('[simulate.sweep]\nkey = "simulate.members"\nvalues = [10, 2.5]\n'), [D], 78, ["simulate.members", "c.toml line 10"]),
    case("simulate-sweep-no-values", "simulate", sim('[simulate.sweep]\nkey = "simulate.step"\nvalues = []\n'), [D], 78, ["simulate.sweep.values", "c.toml line 10"]),
    case("simulate-sweep-values-typo", "simulate", sim('[simulate.sweep]\nkey = "simulate.step"\nvalue = [0.01]\n'), [D], 78, ["simulate.sweep.value", "c.toml line 10"]),
    case("simulate-sweep-infinite-value", "simulate", sim('[simulate.sweep]\nkey = "simulate.step"\nvalues = [0.01, inf]\n'), [D], 78, ["simulate.sweep.values", "c.toml line 10"]),
    case("simulate-drift-exp-overflow", "simulate", sim(head=expr("-x + exp(1000)")), [D], 78, ["model.system.drift[0]", "c.toml line 4"]),
    case("simulate-log-of-negative-at-x0", "simulate", sim(head=expr("-x + log(x)"), x0="[-1.0]"), [Q], 65, ["model.system.drift[0]", "simulate.x0"]),
    case("simulate-collapse-one-sample", "simulate", '[simulate]\nscheme = "resample"\nmembers = 4\n[simulate.collapse]\nsamples = 1\ngenerations = 10\nmean = [0.0]\ncovariance = [[1.0]]\n', [D], 78, ["simulate.collapse.samples", "c.toml line 5"]),
    case("simulate-collapse-covariance-negative", "simulate", '[simulate]\nscheme = "resample"\nmembers = 4\n[simulate.collapse]\nsamples = 30\ngenerations = 10\nmean = [0.0]\ncovariance = [[-1.0]]\n', [D], 78, ["simulate.collapse.covariance", "c.toml line 8"]),
    case("simulate-collapse-mean-covariance-mismatch", "simulate", '[simulate]\nscheme = "resample"\nmembers = 4\n[simulate.collapse]\nsamples = 30\ngenerations = 10\nmean = [0.0, 1.0]\ncovariance = [[1.0]]\n', [D], 78, ["simulate.collapse.covariance", "c.toml line 8"]),
    case("simulate-collapse-key-typo", "simulate", '[simulate]\nscheme = "resample"\nmembers = 4\n[simulate.collapse]\nsample = 30\n', [D], 78, ["simulate.collapse.sample", "c.toml line 5", "did you mean 'samples'"]),
    case("simulate-data-file-missing", "simulate", FSUM + block("simulate", {"step": "0.1", "x0": "[0.0, 0.0]", "members": "4", "steps": "20"}), [D], 66, ["model.system.data.file", "pts.csv", "c.toml line 6"]),
    case("simulate-data-cell-not-a-number", "simulate", FSUM + block("simulate", {"step": "0.1", "x0": "[0.0, 0.0]", "members": "4", "steps": "20"}), [Q], 65, ["model.system.data.file", "pts.csv:3", "c.toml line 6"], files={"pts.csv": "t,y\n0,1\n1,two\n"}),
    case("simulate-data-row-too-long", "simulate", FSUM + block("simulate", {"step": "0.1", "x0": "[0.0, 0.0]", "members": "4", "steps": "20"}), [D], 65, ["pts.csv:3", "c.toml line 6"], files={"pts.csv": "t,y\n0,1\n1,2,3\n"}),
    case("simulate-data-missing-column", "simulate", FSUM.replace('"pts.csv"\n', '"pts.csv"\ncolumns = ["t", "w"]\n') + block("simulate", {"step": "0.1", "x0": "[0.0, 0.0]", "members": "4", "steps": "20"}), [D], 65, ["pts.csv", '"w"', "c.toml line 6"], files={"pts.csv": GOOD_CSV}),
    case("simulate-batch-exceeds-data", "simulate", FSUM.replace("batch = 2", "batch = 5\nreplacement = false") + block("simulate", {"step": "0.1", "x0": "[0.0, 0.0]", "members": "4", "steps": "20"}), [D], 78, ["model.noise.batch = 5", "c.toml line 9"], files={"pts.csv": GOOD_CSV}),
    # ------------------------------------------------------------ noise laws (under simulate)
    case("noise-unknown-kind", "simulate", noise('kind = "gausian"'), [D], 78, ["model.noise.kind", "c.toml line 4", "must be one of"]),
    case("noise-covariance-indefinite", "simulate", noise('kind = "gaussian"\ncovariance = [[1.0, 2.0], [2.0, 1.0]]'), [D], 78, ["model.noise.covariance", "c.toml line 5"]),
    case("noise-covariance-negative", "simulate", noise('kind = "gaussian"\ncovariance = [[1.0, 0.0], [0.0, -1.0]]'), [D], 78, ["model.noise.covariance", "c.toml line 5"]),
    case("noise-covariance-asymmetric", "simulate", noise('kind = "gaussian"\ncovariance = [[1.0, 0.5], [0.0, 1.0]]'), [D], 78, ["model.noise.covariance", "c.toml line 5", "symmetric"]),
    case("noise-covariance-wrong-size", "simulate", noise('kind = "gaussian"\ncovariance = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]'), [D], 78, ["model.noise.covariance", "c.toml line 5", "2 x 2"]),
    case("noise-covariance-ragged", "simulate", noise('kind = "gaussian"\ncovariance = [[1.0, 0.0], [0.0]]'), [D], 78, ["model.noise.covariance", "c.toml line 5"]),
    case("noise-covariance-typo", "simulate", noise('kind = "gaussian"\ncovarianse = [[1.0, 0.0], [0.0, 1.0]]'), [D], 78, ["model.noise.covarianse", "c.toml line 5"]),
    case("noise-sigma-rows", "simulate", noise('kind = "gaussian"\nsigma = [["1", "0"]]'), [D], 78, ["model.noise.sigma", "c.toml line 5"]),
    case("noise-sigma-undefined-at-x0", "simulate", noise('kind = "gaussian"\nsigma = [["1", "0"], ["0", "log(-1 - x^2)"]]'), [Q], 65, ["model.noise.sigma", "simulate.x0"]),
    case("noise-law-unknown", "simulate", noise('kind = "additive"\nlaws = ["laplase(0.5)", "normal(1)"]'), [D], 78, ["model.noise.laws", "c.toml line 5", "laplase"]),
    case("noise-law-negative-scale", "simulate", noise('kind = "additive"\nlaws = ["laplace(-0.5)", "normal(1)"]'), [D], 78, ["model.noise.laws", "c.toml line 5", "-0.5"]),
    case("noise-law-negative-sd", "simulate", noise('kind = "additive"\nlaws = ["normal(-1)", "normal(1)"]'), [D], 78, ["model.noise.laws", "c.toml line 5", "normal(-1)"]),
    case("noise-law-arity", "simulate", noise('kind = "additive"\nlaws = ["gamma(2)", "normal(1)"]'), [D], 78, ["model.noise.laws", "c.toml line 5", "gamma"]),
    case("noise-law-unbalanced", "simulate", noise('kind = "additive"\nlaws = ["laplace(0.5", "normal(1)"]'), [D], 78, ["model.noise.laws", "c.toml line 5", "column"]),
    case("noise-law-count", "simulate", noise('kind = "additive"\nlaws = ["laplace(0.5)"]'), [D], 78, ["model.noise.laws", "c.toml line 5"]),
    case("noise-law-mixing-shape", "simulate", noise('kind = "additive"\nlaws = ["laplace(0.5)", "normal(1)"]\nmixing = [[1.0, 0.0]]'), [D], 78, ["model.noise.mixing", "c.toml line 6"]),
    case("noise-law-mix-negative-weight", "simulate", noise('kind = "additive"\nlaws = ["mix(0.5, normal(1), -0.5, laplace(1))", "normal(1)"]'), [D], 78, ["model.noise.laws", "c.toml line 5", "weight"]),
    case("noise-rademacher-negative-scale", "simulate", noise('kind = "rademacher"\nscales = [1.0, -1.0]'), [D], 78, ["model.noise.scales", "c.toml line 5"]),
    case("noise-rademacher-short", "simulate", noise('kind = "rademacher"\nscales = [1.0]'), [D], 78, ["model.noise.scales", "c.toml line 5"]),
    case("noise-discrete-sum-not-one", "simulate", noise('kind = "discrete"\natoms = [[1.0, 0.0], [-1.0, 0.0]]\nprobabilities = [0.5, 0.6]'), [D], 78, ["model.noise.probabilities", "c.toml line 6"]),
    case("noise-discrete-negative", "simulate", noise('kind = "discrete"\natoms = [[1.0, 0.0], [-1.0, 0.0]]\nprobabilities = [0.5, -0.5]'), [D], 78, ["model.noise.probabilities", "c.toml line 6"]),
    case("noise-discrete-count", "simulate", noise('kind = "discrete"\natoms = [[1.0, 0.0], [-1.0, 0.0]]\nprobabilities = [1.0]'), [D], 78, ["model.noise.probabilities", "c.toml line 6"]),
    case("noise-discrete-atom-dimension", "simulate", noise('kind = "discrete"\natoms = [[1.0], [-1.0]]\nprobabilities = [0.5, 0.5]'), [D], 78, ["model.noise.atoms", "c.toml line 5"]),
    case("noise-mixture-logit-count", "simulate", noise(MIX + f'covariances = {COV2}\nlogits = ["0"]'), [D], 78, ["model.noise.logits", "c.toml line 7"]),
    case("noise-mixture-logit-infinite", "simulate", noise(MIX + f'covariances = {COV2}\nlogits = ["0", "1/0"]'), [D], 78, ["model.noise.logits", "1/0", "c.toml line 7"]),
    case("noise-mixture-covariance-missing", "simulate", noise(MIX + "covariances = { c0 = [[1.0, 0.0], [0.0, 1.0]] }"), [D], 78, ["model.noise.covariances.c1"]),
    case("noise-mixture-covariance-negative", "simulate", noise(MIX + "covariances = { c0 = [[1.0, 0.0], [0.0, 1.0]], c1 = [[-1.0, 0.0], [0.0, 1.0]] }"), [D], 78, ["model.noise.covariances.c1", "c.toml line 6"]),
    case("noise-mixture-means-dimension", "simulate", noise('kind = "mixture"\nmeans = [[1.0], [-1.0]]\ncovariances = { c0 = [[1.0]], c1 = [[1.0]] }'), [D], 78, ["model.noise.means", "c.toml line 5"]),
    case("noise-mixture-weights-key", "simulate", noise(MIX + f"covariances = {COV2}\nweights = [0.3, 0.3]"), [D], 78, ["model.noise.weights", "c.toml line 7"]),
    case("noise-minibatch-batch-zero", "simulate", noise('kind = "minibatch"\nbatch = 0'), [D], 78, ["model.noise.batch", "c.toml line 5"]),
    case("noise-markov-rows-dry-run", "simulate", markov('["0.9", "0.2"], ["0.1", "0.9"]'), [D], 78, ["model.noise.kernel", "c.toml line 4"]),
    case("noise-markov-rows", "simulate", markov('["0.9", "0.2"], ["0.1", "0.9"]'), [Q], 78, ["model.noise.kernel", "c.toml line 4"]),
    case("noise-markov-negative-entry", "simulate", markov('["1.1", "-0.1"], ["0.1", "0.9"]'), [Q], 78, ["model.noise.kernel", "c.toml line 4"]),
    case("noise-markov-leaves-simplex-on-the-way", "simulate", markov('["0.9", "0.1"], ["0.1", "0.9 + 0.2*x"]'), [Q], 65, ["model.noise.kernel"]),
    case("noise-markov-increment-rows", "simulate", markov(incr='["-1 - x"]'), [D], 78, ["model.noise.increments", "c.toml line 5"]),
    case("noise-markov-kernel-not-square", "simulate", markov('["0.9", "0.1", "0"], ["0.1", "0.9", "0"]'), [D], 78, ["model.noise.kernel", "c.toml line 4"]),
    case("noise-markov-unknown-name", "simulate", markov(incr='["-1 - q"], ["1 - x"]'), [D], 78, ["model.noise.increments", "'q'", "c.toml line 5"]),
    case("noise-markov-with-a-system", "simulate", markov(head=DW1), [D], 78, ["model.system", "c.toml line 1"]),
    case("noise-markov-increment-undefined-at-x0", "simulate", markov(incr='["-1 - x + log(x - 1)"], ["1 - x"]'), [Q], 65, ["model.noise.increments", "simulate.x0"]),
    case("noise-markov-analyze", "analyze", markov('["0.9", "0.2"], ["0.1", "0.9"]', tail=block("analyze", {"lower": "[-3.0]", "upper": "[3.0]", "starts": "8"})), [Q], 78, ["model.noise.kernel", "c.toml line 4"]),
    # ------------------------------------------------------------ quasipotential
    case("qp-unknown-key", "quasipotential", qp(methd='"jet"'), [D], 78, ["quasipotential.methd", "c.toml line 8", "did you mean 'method'"]),
    case("qp-unknown-method", "quasipotential", qp(method='"fast"'), [D], 78, ["quasipotential.method", "c.toml line 8"]),
    case("qp-unknown-quadrature", "quasipotential", qp(quadrature='"trapezoid"'), [D], 78, ["quasipotential.quadrature", "c.toml line 8"]),
    case("qp-radius-negative", "quasipotential", qp(radius="-1"), [D], 78, ["quasipotential.radius", "c.toml line 8"]),
    case("qp-seed-radius-zero", "quasipotential", qp(seed_radius="0.0"), [D], 78, ["quasipotential.seed_radius", "c.toml line 8"]),
    case("qp-guided-integer", "quasipotential", qp(guided="2"), [D], 78, ["quasipotential.guided", "c.toml line 8"]),
    case("qp-attractor-short", "quasipotential", qp(attractor="[-1.0]"), [D], 78, ["quasipotential.attractor", "c.toml line 8"]),
    case("qp-attractor-outside-box", "quasipotential", qp(attractor="[5.0, 0.0]"), [Q], 78, ["quasipotential.attractor", "c.toml line 8"]),
    case("qp-nodes-too-few", "quasipotential", qp(nodes="[2, 21]"), [D], 78, ["quasipotential.nodes", "c.toml line 6"]),
    case("qp-nodes-negative", "quasipotential", qp(nodes="[-21, 21]"), [D], 78, ["quasipotential.nodes", "c.toml line 6"]),
    case("qp-nodes-fractional", "quasipotential", qp(nodes="[21.5, 21]"), [D], 78, ["quasipotential.nodes", "c.toml line 6"]),
    case("qp-nodes-three-entries", "quasipotential", qp(nodes="[21, 21, 21]"), [D], 78, ["quasipotential.nodes", "c.toml line 6"]),
    case("qp-nodes-scalar", "quasipotential", qp(nodes="21"), [D], 78, ["quasipotential.nodes", "c.toml line 6"]),
    case("qp-nodes-too-many", "quasipotential", qp(nodes="[100000, 100000]"), [D], 78, ["quasipotential.nodes", "c.toml line 6"]),
    case("qp-upper-equal-lower", "quasipotential", qp(upper="[-1.6, 0.6]"), [D], 78, ["quasipotential.upper", "c.toml line 5"]),
    case("qp-lower-short", "quasipotential", qp(lower="[-1.6]"), [D], 78, ["quasipotential.lower", "c.toml line 4"]),
    case("qp-unknown-hamiltonian", "quasipotential", qp(hamiltonians='["quantum"]'), [D], 78, ["quasipotential.hamiltonians", "c.toml line 7"]),
    case("qp-no-hamiltonians", "quasipotential", qp(hamiltonians="[]"), [Q], 78, ["quasipotential.hamiltonians", "c.toml line 7"]),
    case("qp-hamiltonians-string", "quasipotential", qp(hamiltonians='"langevin"'), [D], 78, ["quasipotential.hamiltonians", "c.toml line 7"]),
    case("qp-one-dimensional-model", "quasipotential", qp(head=DW1, lower="[-1.6]", upper="[-0.4]", nodes="[21]"), [D], 78, ["2-D or 3-D", "c.toml line"]),
    case("qp-drift-unknown-name", "quasipotential", qp(head=expr('-x", "-y + q', '["x", "y"]')), [D], 78, ["model.system.drift[1]", "c.toml line 4", "'q'"]),
    case("qp-has-no-threads-key", "quasipotential", qp(threads="1000000"), [D], 78, ["quasipotential.threads", "c.toml line 8"]),
    # ------------------------------------------------------------ train
    case("train-unknown-key", "train", train(widht="8"), [D], 78, ["train.widht", "c.toml line 10", "did you mean 'width'"]),
    case("train-unknown-optimizer", "train", train(optimizer='"adam"'), [D], 78, ["train.optimizer", "c.toml line 10"]),
    case("train-unknown-denoiser", "train", train(denoiser='"perfect"'), [D], 78, ["train.denoiser", "c.toml line 10"]),
    case("train-self-consuming-one", "train", train(self_consuming="1.0"), [D], 78, ["train.self_consuming", "c.toml line 10"]),
    case("train-t-min-above-t-max", "train", train(t_min="10.0"), [D], 78, ["train.t_min", "c.toml line 10"]),
    case("train-steps-and-budget", "train", train(budget="10.0"), [D], 78, ["budget", "c.toml line "]),
    case("train-width-zero", "train", train(width="0"), [D], 78, ["train.width = 0", "c.toml line 4"]),
    case("train-width-fractional", "train", train(width="8.5"), [D], 78, ["train.width", "c.toml line 4", "integer"]),
    case("train-levels-zero", "train", train(levels="0"), [D], 78, ["train.levels", "c.toml line 5"]),
    case("train-step-negative", "train", train(step="-0.05"), [D], 78, ["train.step", "c.toml line 6"]),
    case("train-batch-zero", "train", train(batch="0"), [D], 78, ["train.batch", "c.toml line 8"]),
    case("train-members-zero", "train", train(members="0"), [D], 78, ["train.members = 0", "c.toml line 9"]),
    case("train-monitor-sampler", "train", train('[train.monitor]\nsampler = "ddim"\n'), [D], 78, ["train.monitor.sampler", "c.toml line 11"]),
    case("train-monitor-count-zero", "train", train("[train.monitor]\ncount = 0\n"), [D], 78, ["train.monitor.count", "c.toml line 11"]),
    case("train-gap-without-validation", "train", train("[train.gap]\ndraws = 0\n"), [D], 78, ["train.gap", "c.toml line "]),
    case("train-sweep-misspelt-key", "train", train('[train.sweep]\nkey = "train.stepp"\nvalues = [0.01, 0.1]\n'), [D], 78, ["train.sweep.key", "train.stepp", "c.toml line 11"]),
    case("train-sweep-bad-last-value", "train", train('[train.sweep]\nkey = "train.step"\nvalues = [0.01, -0.1]\n'), [D], 78, ["train.step = -0.1", "c.toml line 12"]),
    case("train-points-ragged", "train", train(data="points = [[1.0], [0.0, 2.0]]"), [D], 78, ["data.points", "c.toml line 2"]),
    case("train-points-empty", "train", train(data="points = []"), [D], 78, ["data.points", "c.toml line 2"]),
    case("train-points-flat", "train", train(data="points = [-1.0, 0.0]"), [D], 78, ["data.points", "c.toml line 2"]),
    case("train-points-nan", "train", train(data="points = [[nan], [0.0]]"), [D], 78, ["data.points", "c.toml line 2"]),
    case("train-points-key-typo", "train", train(data="pointz = [[-1.0], [0.0], [1.0]]"), [D], 78, ["data.pointz", "c.toml line 2", "did you mean 'points'"]),
    case("train-data-table-typo", "train", train().replace("[data]", "[dta]"), [D], 78, ["dta", "c.toml line 1", "did you mean 'data'"]),
    case("train-unknown-generator", "train", train(data='generate = "gausian"\nn = 10'), [D], 78, ["data.generate", "c.toml line 2"]),
    case("train-generate-zero-points", "train", train(data='generate = "gaussian"\nn = 0'), [D], 78, ["data.n", "c.toml line 3"]),
    case("train-file-missing", "train", TRAIN_CSV, [D], 66, ["data.file", "pts.csv", "c.toml line 2"]),
    case("train-file-not-a-csv", "train", TRAIN_CSV.replace('"pts.csv"', '"pts"'), [D], 78, ["data.file", "pts", "c.toml line 2"], files={"pts": None}),
    case("train-csv-cell-not-a-number", "train", TRAIN_CSV, [Q], 65, ["pts.csv:3"], files={"pts.csv": "x\n1.0\noops\n"}),
    case("train-csv-short-row", "train", TRAIN_CSV, [Q], 65, ["pts.csv:3"], files={"pts.csv": "x,y\n1.0,2.0\n3.0\n"}),
    case("train-csv-long-row", "train", TRAIN_CSV, [Q], 65, ["pts.csv:2"], files={"pts.csv": "x,y\n1,2,3\n"}),
    case("train-csv-nan", "train", TRAIN_CSV, [Q], 65, ["pts.csv:3", "finite"], files={"pts.csv": "x\n1.0\nnan\n"}),
    case("train-csv-out-of-range", "train", TRAIN_CSV, [Q], 65, ["pts.csv:2", "1e999"], files={"pts.csv": "x\n1e999\n"}),
    case("train-csv-empty", "train", TRAIN_CSV, [Q], 65, ["pts.csv", "no points"], files={"pts.csv": ""}),
    # ------------------------------------------------------------ compare
    case("compare-unknown-kind", "compare", cmp(kind="phase_portrait"), [D], 78, ["compare.kind", "c.toml line 2", "must be one of"], files={"tts.h5": "@tts.h5"}),
    case("compare-kind-missing", "compare", "[compare]\nsimulation = \"tts.h5\"\n", [D], 78, ["compare.kind"], files={"tts.h5": "@tts.h5"}),
    case("compare-unknown-key", "compare", cmp("tolerence = [0.2]\n"), [D], 78, ["compare.tolerence", "c.toml line 4", "did you mean 'tolerance'"], files={"tts.h5": "@tts.h5"}),
    case("compare-simulation-key-typo", "compare", cmp().replace("simulation =", "simulaton ="), [D], 78, ["compare.simulaton", "c.toml line 3"], files={"tts.h5": "@tts.h5"}),
    case("compare-simulation-number", "compare", cmp(simulation="42"), [D], 78, ["compare.simulation", "c.toml line 3"]),
    case("compare-simulation-missing", "compare", cmp(simulation='"none.h5"'), [D], 66, ["compare.simulation", "none.h5", "c.toml line 3"]),
    case("compare-training-missing", "compare", '[compare]\nkind = "training"\ntraining = "tr.h5"\n', [D], 66, ["compare.training", "tr.h5", "c.toml line 3"]),
    case("compare-transitions-missing", "compare", cmp('transitions = "gone.h5"\n', kind="occupation"), [D], 66, ["compare.transitions", "gone.h5", "c.toml line 4"], files={"tts.h5": "@tts.h5"}),
    case("compare-simulation-not-hdf5", "compare", cmp(simulation='"notes.h5"'), [D], 65, ["notes.h5", "not an HDF5 file"], files={"notes.h5": "hello\n"}),
    case("compare-wrong-kind-of-file", "compare", cmp(simulation='"an.h5"'), [Q], 65, ["an.h5", "simulate file"], files={"an.h5": "@an.h5"}),
    case("compare-wrong-kind-of-file-dry-run", "compare", cmp(simulation='"an.h5"'), [D], 65, ["an.h5", "simulate file"], files={"an.h5": "@an.h5"}),
    case("compare-one-time-scale", "compare", cmp(simulation='"one.h5"'), [Q], 78, ["simulate.timescale"], files={"one.h5": "@one.h5"}),
    case("compare-one-time-scale-dry-run", "compare", cmp(simulation='"one.h5"'), [D], 78, ["simulate.timescale"], files={"one.h5": "@one.h5"}),
    case("compare-tolerance-count", "compare", cmp("tolerance = [0.1, 0.2]\n"), [Q], 78, ["compare.tolerance", "c.toml line 4"], files={"tts.h5": "@tts.h5"}),
    case("compare-tolerance-count-dry-run", "compare", cmp("tolerance = [0.1, 0.2]\n"), [D], 78, ["compare.tolerance", "c.toml line 4"], files={"tts.h5": "@tts.h5"}),
    case("compare-tolerance-negative", "compare", cmp("tolerance = [-0.2]\n"), [D], 78, ["compare.tolerance", "c.toml line 4"], files={"tts.h5": "@tts.h5"}),
    case("compare-collapse-on-sgd-file", "compare", cmp("", kind="collapse"), [Q], 78, ["simulate.scheme", "tts.h5"], files={"tts.h5": "@tts.h5"}),
    case("compare-covariance-without-loss", "compare", cmp("", kind="sgd_covariance"), [Q], 78, ["tts.h5", "loss"], files={"tts.h5": "@tts.h5"}),
    case("compare-generalization-without-inputs", "compare", '[compare]\nkind = "generalization"\n', [D], 78, ["compare.analytic"]),
    case("compare-output-is-the-input", "compare", cmp(), ["-o", "tts.h5", Q], 73, ["tts.h5", "is the input"], files={"tts.h5": "@tts.h5"}),
    case("compare-output-is-a-directory", "compare", cmp(), ["-o", "res", Q], 73, ["res", "is a directory"], files={"tts.h5": "@tts.h5", "res": None}),
    # ------------------------------------------------------------ fwkit run
    case("run-no-experiment", "run", None, [], 64, ["experiment"]),
    case("run-missing-experiment", "run", None, ["nowhere.toml"], 66, ["nowhere.toml"]),
    case("run-unknown-command", "run", exp().replace('"simulate"', '"simulator"'), [D], 78, ["stages.sim.command", "exp.toml line 6"]),
    case("run-command-missing", "run", exp().replace('command = "simulate"\n', ""), [D], 78, ["stages.sim.command"]),
    case("run-after-missing-stage", "run", exp(an_extra='after = ["nothing"]\n'), [D], 78, ["stages.an.after", "nothing", "exp.toml line 16"]),
    case("run-after-itself", "run", exp(an_extra='after = ["an"]\n'), [D], 78, ["stages.an.after", "exp.toml line 16"]),
    case("run-after-string", "run", exp(an_extra='after = "sim"\n'), [D], 78, ["stages.an.after", "exp.toml line 16"]),
    case("run-cycle", "run", exp(sim_extra='after = ["an"]\n', an_extra='after = ["sim"]\n'), [D], 78, ["cycle", "after", "exp.toml line 1"]),
    case("run-later-stage-typo-dry-run", "run", exp(an_extra="stepz = 3\n"), [D], 78, ["stepz", "exp.toml line 16"]),
    case("run-later-stage-typo", "run", exp(an_extra="stepz = 3\n"), [Q, "--no-plots"], 78, ["stepz", "exp.toml line 16"]),
    case("run-later-stage-bad-value-dry-run", "run", exp().replace("starts = 8", "starts = -8"), [D], 78, ["starts = -8", "exp.toml line 15"]),
    case("run-later-stage-bad-value", "run", exp().replace("starts = 8", "starts = -8"), [Q, "--no-plots"], 78, ["starts = -8", "exp.toml line 15"]),
    case("run-set-bad-stage-value-dry-run", "run", exp(), [D, "--set", "stages.sim.step=-1"], 78, ["stages.sim.step", "(from --set)"]),
    case("run-set-stage-key-typo-dry-run", "run", exp(), [D, "--set", "stages.sim.stepp=0.1"], 78, ["stepp", "(from --set)"]),
    case("run-set-unknown-stage", "run", exp(), [D, "--set", "stages.simm.step=0.1"], 78, ["stages.simm", "(from --set)"]),
    case("run-set-without-equals", "run", exp(), [D, "--set", "stages.sim"], 64, ["--set stages.sim"]),
    case("run-experiment-unknown-key", "run", exp().replace('name = "tiny"', 'name = "tiny"\ntitle = "x"'), [D], 78, ["experiment.title", "exp.toml line 3"]),
    case("run-experiment-table-typo", "run", exp().replace("[experiment]", "[experiments]"), [D], 78, ["experiments", "exp.toml line 1", "did you mean 'experiment'"]),
    case("run-experiment-name-with-slashes", "run", exp(name="../../evil"), [D], 78, ["experiment.name", "exp.toml line 2"]),
    case("run-stage-name-with-slash", "run", exp(table='stages."a/b"'), [Q, "--no-plots"], 78, ["a/b", "exp.toml line 11"]),
    case("run-unused-table", "run", exp("[data]\nn = 3\n"), [D], 78, ["[data]", "exp.toml line 16"]),
    case("run-use-missing-table", "run", exp().replace('[stages.sim]\n', '[stages.sim]\nuse = ["nowhere"]\n'), [D], 78, ["stages.sim.use", "nowhere", "exp.toml line 6"]),
    case("run-no-stages", "run", '[experiment]\nname = "empty"\n', [D], 78, ["stages"]),
    case("run-compare-input-names-no-stage", "run", exp('[stages.cmp]\ncommand = "compare"\nkind = "episodes"\nsimulation = "sims"\n'), [D], 66, ["stages.cmp.simulation", "sims", "exp.toml line 19"]),
    case("run-results-folder-is-a-file-dry-run", "run", exp(), [D, "-o", "res"], 73, ["res"], files={"res": "a file\n"}),
    case("run-results-folder-is-a-file", "run", exp(), [Q, "--no-plots", "-o", "res"], 73, ["res"], files={"res": "a file\n"}),
    case("run-results-folder-is-the-experiment", "run", exp(), [D, "-o", "exp.toml"], 73, ["exp.toml"]),
]


@pytest.fixture(scope="session")
def result_files(fwkit_bin, tmp_path_factory):
    """Small result files for the compare rows: a two-time-scale simulate
    file (tts.h5), the same with one time scale (one.h5), an analyze file."""
    d = tmp_path_factory.mktemp("inputs")
    tts = ('[model.system]\nkind = "expression"\nvariables = ["x", "y"]\ndrift = ["x - x^3 + y", "-x"]\n'
           '[model.noise]\nkind = "gaussian"\ncovariance = [[1.0, 0.0], [0.0, 1.0]]\n'
           '[simulate]\nstep = 0.05\nslow = ["y"]\ntimescale = 0.05\nx0 = [1.0, 0.0]\nmembers = 4\nsteps = 2000\n'
           '[simulate.regions.lower_branch]\nlower = [-10.0, -10.0]\nupper = [-0.6, 10.0]\n'
           '[simulate.regions.upper_branch]\nlower = [0.6, -10.0]\nupper = [10.0, 10.0]\n')
    (d / "tts.toml").write_text(tts)
    (d / "an.toml").write_text(ana())
    for cmd, cfg, out, extra in [("simulate", "tts.toml", "tts.h5", []), ("analyze", "an.toml", "an.h5", []),
                                 ("simulate", "tts.toml", "one.h5", ["--set", "simulate.timescale=1.0"])]:
        subprocess.run([fwkit_bin, cmd, "-c", str(d / cfg), "-o", str(d / out), "-q", *extra],
                       check=True, capture_output=True, timeout=60)
    return d


@pytest.mark.parametrize("cmd, config, args, code, needles, files, env", CASES)
def test_bad_input(fwkit_bin, result_files, tmp_path, cmd, config, args, code, needles, files, env):
    name = "exp.toml" if cmd == "run" else "c.toml"
    if config is not None:
        (tmp_path / name).write_text(config)
    for fname, value in files.items():
        if value is None:
            (tmp_path / fname).mkdir()
        elif value.startswith("@"):
            shutil.copy(result_files / value[1:], tmp_path / fname)
        else:
            (tmp_path / fname).write_text(value)
    before = {p.name: (p.read_bytes() if p.is_file() else None) for p in tmp_path.iterdir()}
    argv = [fwkit_bin] + ([cmd] if cmd else [])
    if config is not None:
        argv += [name] if cmd == "run" else ["-c", name]
        if "-o" not in args and "[output]" not in config:
            argv += ["-o", "res" if cmd == "run" else "out.h5"]
    argv += args
    try:
        run = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                             env={**os.environ, **env})
        got, err = run.returncode, run.stderr
    except subprocess.TimeoutExpired as e:
        got, err = "hang (killed after 60 s)", (e.stderr or b"").decode(errors="replace")
    problems = []
    if got != code:
        problems.append(f"exit {got}" + (f" (signal {-got})" if isinstance(got, int) and got < 0 else "")
                        + f", expected {code}")
    problems += [f"stderr lacks {n!r}" for n in needles if n not in err]
    after = {p.name: (p.read_bytes() if p.is_file() else None) for p in tmp_path.iterdir()}
    if sorted(after) != sorted(before):
        problems.append(f"left behind: {sorted(set(after) - set(before))}, gone: {sorted(set(before) - set(after))}")
    problems += [f"input {n} was changed" for n in before if n in after and after[n] != before[n]]
    shown = " ".join(a if a else "''" for a in argv[1:])
    assert not problems, f"fwkit {shown}: " + "; ".join(problems) + "\n--- stderr:\n" + err[:800]
