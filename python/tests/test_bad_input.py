"""Bad input stops before any work, with the key, the line and the rule, and
never touches a file the user did not name as output (exit codes: sysexits,
64 usage, 73 cannot create, 78 config)."""
import pathlib
import shutil
import subprocess

import pytest

MODEL = """[model.system]
kind = "double_well_1d"
[simulate]
step = 0.01
steps = 100
members = 10
x0 = [0.5]
"""


def _fwkit(fwkit_bin, *args, cwd=None):
    return subprocess.run([fwkit_bin, *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text(MODEL)
    return path


def test_output_equal_to_the_config_is_refused_and_the_config_kept(fwkit_bin, config, tmp_path):
    for out in (str(config), str(tmp_path / "." / "run.toml")):
        run = _fwkit(fwkit_bin, "simulate", "-c", str(config), "-o", out, "-q")
        assert run.returncode == 73, run.stderr
        assert "is the input" in run.stderr and "overwrite" in run.stderr
        assert config.read_text() == MODEL
    # Named in [output] path of the config itself: the line is given.
    config.write_text(MODEL + '[output]\npath = "run.toml"\n')
    run = _fwkit(fwkit_bin, "simulate", "-c", "run.toml", "-q", cwd=tmp_path)
    assert run.returncode == 73
    assert "output.path" in run.stderr and "run.toml line 9" in run.stderr


def test_output_that_is_a_directory_or_in_a_missing_folder_is_refused_before_work(fwkit_bin, config, tmp_path):
    (tmp_path / "results").mkdir()
    run = _fwkit(fwkit_bin, "simulate", "-c", str(config), "-o", str(tmp_path / "results"), "-q")
    assert run.returncode == 73 and "is a directory" in run.stderr
    run = _fwkit(fwkit_bin, "simulate", "-c", str(config), "-o", str(tmp_path / "missing" / "x.h5"), "-q")
    assert run.returncode == 73 and "does not exist" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "run.toml"]


@pytest.mark.parametrize("threads", ["100000", "-5"])
def test_absurd_thread_counts_are_config_errors(fwkit_bin, config, tmp_path, threads):
    # 100000 threads crashed inside OpenMP (signal 11); 1e9 aborted with an
    # allocation failure.
    out = tmp_path / "x.h5"
    run = _fwkit(fwkit_bin, "simulate", "-c", str(config), "-o", str(out), "-q", "-s", f"simulate.threads={threads}")
    assert run.returncode == 78, run.stderr
    assert "simulate.threads" in run.stderr and "(from --set)" in run.stderr
    assert not out.exists()


@pytest.mark.parametrize("drift, message", [
    ("-(" * 600 + "x" + ")" * 600, "nested deeper than 500 levels"),
    ("-x + 1/0", "not a finite number"),
    ("-x + exp(1000)", "not a finite number"),
    ("-x - 10^400", "not a finite number"),
    ("-x + 1e999", "beyond the range of a double"),
], ids=["nesting", "division", "exp", "power", "number"])
def test_expression_limits_are_config_errors_with_key_line_and_column(fwkit_bin, tmp_path, drift, message):
    config = tmp_path / "e.toml"
    config.write_text(f'[model.system]\nkind = "expression"\nvariables = ["x"]\ndrift = ["{drift}"]\n'
                      '[analyze]\nlower = [-1.0]\nupper = [1.0]\n')
    out = tmp_path / "e.h5"
    run = _fwkit(fwkit_bin, "analyze", "-c", "e.toml", "-o", "e.h5", "-q", cwd=tmp_path)
    assert run.returncode == 78, run.stderr
    assert "model.system.drift[0] (e.toml line 4)" in run.stderr
    assert message in run.stderr and "column" in run.stderr
    assert not out.exists()


def test_a_long_generated_sum_is_accepted(fwkit_bin, tmp_path):
    # 50,000 terms overflowed the stack in the symbolic derivative.
    drift = "-x^3 + " + " + ".join(["0.00002*x"] * 50000)
    config = tmp_path / "s.toml"
    config.write_text(f'[model.system]\nkind = "expression"\nvariables = ["x"]\ndrift = ["{drift}"]\n'
                      '[analyze]\nlower = [-2.0]\nupper = [2.0]\n')
    run = _fwkit(fwkit_bin, "analyze", "-c", str(config), "-o", str(tmp_path / "s.h5"), "-q")
    assert run.returncode == 0, run.stderr
    assert "3 equilibria" in run.stdout  # x = 0 and x = +-1


def test_a_resolved_action_config_runs_again(fwkit_bin, tmp_path):
    # --print-config writes every default, action.seed = -1 (automatic)
    # included; reading it back must not be refused (it was: must be >= 0).
    config = tmp_path / "a.toml"
    config.write_text('[model.system]\nkind = "double_well_1d"\n[action]\nfrom = [-1.0]\nto = [0.0]\n'
                      'hamiltonian = "langevin"\n')
    printed = _fwkit(fwkit_bin, "action", "-c", "a.toml", "--print-config", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert "seed = -1" in printed.stdout
    (tmp_path / "resolved.toml").write_text(printed.stdout)
    again = _fwkit(fwkit_bin, "action", "-c", "resolved.toml", "-o", "a.h5", "-q", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("box, key, message", [
    ("lower = [-1.0, 2.0]\nupper = [1.0, 1.0]\nnodes = [11, 11]", "quasipotential.upper", "entry 1 (1) must exceed lower's (2)"),
    ("lower = [-1.0, -1.0]\nupper = [1.0]\nnodes = [11, 11]", "quasipotential.upper", "needs 2 entries (one per variable), has 1"),
    ("lower = [-1.0, -1.0]\nupper = [1.0, 1.0]\nnodes = [11, 11, 11]", "quasipotential.nodes", "needs 2 entries"),
], ids=["inverted", "short_upper", "long_nodes"])
def test_a_bad_grid_box_blames_the_key_at_fault(fwkit_bin, tmp_path, box, key, message):
    config = tmp_path / "q.toml"
    config.write_text('[model.system]\nkind = "maier_stein"\n[model.noise]\nkind = "gaussian"\n'
                      'covariance = [[1.0, 0.0], [0.0, 1.0]]\n[quasipotential]\nattractor = [-1.0, 0.0]\n' + box + "\n")
    run = _fwkit(fwkit_bin, "quasipotential", "-c", "q.toml", "-o", "q.h5", "-q", cwd=tmp_path)
    assert run.returncode == 78, run.stderr
    assert key in run.stderr and message in run.stderr and "q.toml line" in run.stderr
    assert not (tmp_path / "q.h5").exists()


def test_an_output_that_is_a_data_file_the_config_reads_is_refused(fwkit_bin, tmp_path):
    """The training points of `fwkit train` and a model's data file are
    inputs too: writing the result over them would destroy them."""
    (tmp_path / "pts.csv").write_text("x,y\n1,2\n3,4\n5,6\n")
    (tmp_path / "t.toml").write_text('[data]\nfile = "pts.csv"\n[train]\ndenoiser = "optimal"\n')
    run = _fwkit(fwkit_bin, "train", "-c", "t.toml", "-o", "pts.csv", "-q", cwd=tmp_path)
    assert run.returncode == 73 and "is the input" in run.stderr and "pts.csv" in run.stderr
    assert (tmp_path / "pts.csv").read_text().startswith("x,y\n1,2")
    root = pathlib.Path(__file__).resolve().parents[2]
    shutil.copy(root / "data" / "reference" / "two_layer_regression.csv", tmp_path)
    text = (root / "data" / "experiments" / "simulate_two_layer_network.toml").read_text().replace("../reference/", "")
    (tmp_path / "net.toml").write_text(text)
    before = (tmp_path / "two_layer_regression.csv").read_bytes()
    run = _fwkit(fwkit_bin, "simulate", "-c", "net.toml", "-o", "two_layer_regression.csv", "-q", cwd=tmp_path)
    assert run.returncode == 73 and "is the input" in run.stderr
    assert (tmp_path / "two_layer_regression.csv").read_bytes() == before


def test_an_action_path_where_the_model_is_undefined_names_the_node_and_point(fwkit_bin, tmp_path):
    """log(x^2 + x + 0.2399) is undefined for x in about (-0.6, -0.4) only:
    the straight path from (0, 0) to (-1, 0.5), defined at both ends, first
    enters that strip at node 80 of 201 (x = -0.4, where the argument is
    -1e-4; node 79 at x = -0.395 has +9e-4). The failure names that node, the
    point and the drift component; it was "the inner problem failed" with no
    reason."""
    (tmp_path / "a.toml").write_text('[model.system]\nkind = "expression"\nvariables = ["x", "y"]\n'
                                     'drift = ["-x + log(x*x + x + 0.2399)", "-y"]\n'
                                     '[action]\nfrom = [0.0, 0.0]\nto = [-1.0, 0.5]\n')
    run = _fwkit(fwkit_bin, "action", "-c", "a.toml", "-o", "a.h5", "-q", cwd=tmp_path)
    assert run.returncode == 65, run.stderr
    assert "at node 80 of 201: the drift's component 0 is" in run.stderr
    assert "(x = -0.4, y = 0.2)" in run.stderr and "the model is undefined on this path" in run.stderr


def test_an_action_end_where_the_model_is_undefined_is_refused_before_any_work(fwkit_bin, tmp_path):
    """log(x + 0.5) is NaN at the end (-1, 0.5): refused at once, naming the
    drift component and action.to with its line, and no result is written."""
    (tmp_path / "a.toml").write_text('[model.system]\nkind = "expression"\nvariables = ["x", "y"]\n'
                                     'drift = ["-x + log(x + 0.5)", "-y"]\n'
                                     '[action]\nfrom = [0.0, 0.0]\nto = [-1.0, 0.5]\n')
    run = _fwkit(fwkit_bin, "action", "-c", "a.toml", "-o", "a.h5", "-q", cwd=tmp_path)
    assert run.returncode == 65, run.stderr
    assert "model.system.drift[0] is" in run.stderr and "action.to (a.toml line 7) = (-1, 0.5)" in run.stderr
    assert not (tmp_path / "a.h5").exists()


@pytest.mark.parametrize("command, text, message", [
    ("simulate", MODEL + '[simulate.sweep]\nkey = "simulate.step"\nvalues = [0.01, 0.02, -0.5]\n',
     "sweep point simulate.step = -0.5: simulate.step = -0.5"),
    ("ode", '[model.system]\nkind = "double_well_1d"\n[ode]\nx0 = [0.5]\nt1 = 1.0\n'
     '[ode.sweep]\nkey = "ode.t1"\nvalues = [1.0, -2.0]\n', "sweep point ode.t1 = -2: ode.t1 = -2: must exceed ode.t0"),
], ids=["simulate", "ode"])
def test_a_bad_sweep_value_is_refused_before_any_point_runs(fwkit_bin, tmp_path, command, text, message):
    """The last point's value is bad: it was found only when that point ran,
    after the others (and left a checkpoint folder behind for simulate)."""
    (tmp_path / "s.toml").write_text(text)
    run = _fwkit(fwkit_bin, command, "-c", "s.toml", "-o", "s.h5", "-q", cwd=tmp_path)
    assert run.returncode == 78, run.stderr
    assert message in run.stderr
    assert not list(tmp_path.glob("s.h5*"))
