"""The denoising generalization gap written by `fwkit train`: the analytic
model's gap and sampler against an independent numpy Monte Carlo over the
blurred points, the loaders over sweeps, a network's gap over training, and
bad input refused before any work."""

import subprocess

import h5py
import numpy as np
import pytest

import fwkit
import fwkit.plot as fp

CIRCLE = """
[data]
generate = "circle"
n = 20
radius = 10.0
[data.validation]
every = 2
"""


def _blurred(delta, extra=""):
    return CIRCLE + f"""
[train]
denoiser = "blurred"
blur = {delta}
seed = 4
[train.gap]
sigma_min = 0.05
sigma_max = 20.0
levels = 12
draws = 32
[train.inference]
samples = 2000
steps = 48
stop = [1.0]
""" + extra


def _run(fwkit_bin, tmp_path, text, name="run", expect=0):
    cfg = tmp_path / f"{name}.toml"
    cfg.write_text(text)
    out = tmp_path / f"{name}.h5"
    r = subprocess.run([fwkit_bin, "train", "-c", str(cfg), "-o", str(out), "-q"], capture_output=True, text=True)
    assert r.returncode == expect, r.stdout + r.stderr
    return out, r


def _denoise(train, x, sigma, delta):
    """D_delta of the training points by numpy (log-sum-exp weights)."""
    s2 = sigma**2 + delta**2
    d2 = ((x[:, None, :] - train[None, :, :]) ** 2).sum(-1)
    logw = -d2 / (2 * s2)
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    return (delta**2 * x + sigma**2 * (w @ train)) / s2


def test_analytic_gap_matches_a_numpy_monte_carlo(fwkit_bin, tmp_path):
    delta = 1.4
    path, _ = _run(fwkit_bin, tmp_path, _blurred(delta))
    g = fwkit.gap(path)
    with h5py.File(path) as f:
        train, val = f["data"][()], f["validation"][()]
    assert train.shape == (10, 2) and val.shape == (10, 2)
    rng = np.random.default_rng(11)
    draws = 4000
    for k, sigma in enumerate(g["sigma"].values):
        loss = {}
        for name, pts in (("train", train), ("val", val)):
            y = np.repeat(pts, draws, axis=0)
            x = y + sigma * rng.standard_normal(y.shape)
            loss[name] = ((_denoise(train, x, sigma, delta) - y) ** 2).sum(1).mean()
        # fwkit's fixed noise (32 draws a point) against 4000 fresh draws: within 4 of fwkit's
        # standard errors (numpy's own error is 11x smaller).
        for name in ("train", "val"):
            got = g[f"loss_{name}"].values[0, 0, k]
            assert abs(got - loss[name]) < 4 * g[f"loss_{name}_se"].values[0, 0, k], (sigma, name)
        expected_gap = loss["val"] / loss["train"] - 1
        assert abs(g["gap"].values[0, 0, k] - expected_gap) < 4 * g["gap_se"].values[0, 0, k] + 1e-3
    assert g.attrs["denoiser"] == "blurred"


def test_analytic_samples_follow_the_blurred_points(fwkit_bin, tmp_path):
    """The probability flow of the blurred model lands on the mixture of
    N(y_i, delta^2 I): each training point takes a tenth of the samples and
    the squared distance to it averages 2 delta^2 (2-D; the Gaussians sit 4.4
    widths apart, so their overlap is negligible)."""
    delta = 1.4
    path, _ = _run(fwkit_bin, tmp_path, _blurred(delta))
    with h5py.File(path) as f:
        train, samples = f["data"][()], f["samples"][()]
    d2 = ((samples[:, None, :] - train[None, :, :]) ** 2).sum(-1)
    nearest = d2.argmin(1)
    counts = np.bincount(nearest, minlength=10)
    m = len(samples)
    chi2 = ((counts - m / 10) ** 2 / (m / 10)).sum()
    assert chi2 < 27.9  # 9 degrees of freedom, P = 0.001
    r2 = d2.min(1) / delta**2
    assert abs(r2.mean() - 2) < 4 * r2.std() / np.sqrt(m) + 0.03  # 3%: the start is N(0, 80^2), not the exact law


def test_sweep_loaders_stack_points_and_figures_draw(fwkit_bin, tmp_path):
    path, _ = _run(fwkit_bin, tmp_path, _blurred(1.2, '[train.sweep]\nkey = "train.blur"\nvalues = [1.2, 2.0]\n'))
    g = fwkit.gap(path)
    assert g.sizes["sweep"] == 2 and list(g["value"].values) == [1.2, 2.0] and g.attrs["key"] == "train.blur"
    # More model error, a smaller peak.
    assert g["mean_gap"].values[0, -1].max() > g["mean_gap"].values[1, -1].max()
    one = fwkit.gap(path, 1)
    np.testing.assert_array_equal(one["gap"].values, g["gap"].values[1])
    inf = fwkit.inference(path)
    assert set(("state_to_train", "fresh_to_train", "gap_at_stop")) <= set(inf.data_vars)
    figs = fp.figures(path)
    assert "gap" in figs and "inference" in figs and "training" not in figs
    ax = figs["gap"].axes[0]
    assert ax.get_xlabel() == "noise level sigma" and "relative gap" in ax.get_ylabel()


def test_network_gap_over_training(fwkit_bin, tmp_path):
    text = CIRCLE + """
[train]
width = 16
levels = 6
spacing = "edm"
sigma_min = 0.2
sigma_max = 200.0
data_scale = 10.0
step = 0.02
steps = 200
members = 2
seed = 3
[train.gap]
draws = 4
[train.inference]
stop = [1.0, 5.0]
[train.monitor]
count = 4
samples = 32
sampler = "probability_flow"
"""
    path, _ = _run(fwkit_bin, tmp_path, text)
    g = fwkit.gap(path)
    assert g.sizes["member"] == 2 and g.sizes["monitor"] == 5 and g.sizes["sigma"] == 6
    # The gap grid is the network's levels in data units (data_scale undone).
    np.testing.assert_allclose(g["sigma"].values[[0, -1]], [0.2, 200.0], rtol=1e-9)
    assert np.all(np.isfinite(g["gap"].values))
    inf = fwkit.inference(path)
    assert inf.sizes["stop"] == 2
    assert "training" in fp.figures(path) and "gap" in fp.figures(path)


@pytest.mark.parametrize("extra, key", [
    ('[data.validation]\nevery = 1\n', "every"),
    ('[data.validation]\nfraction = 1.0\n', "fraction"),
    ('[data.validation]\nevery = 2\nfraction = 0.5\n', "fraction"),
    ('[data.validation]\npoints = [[1.0, 2.0, 3.0]]\n', "points"),
])
def test_bad_splits_are_refused_with_their_key(fwkit_bin, tmp_path, extra, key):
    text = '[data]\ngenerate = "circle"\nn = 10\nradius = 1.0\n' + extra + '[train]\ndenoiser = "optimal"\n'
    out, r = _run(fwkit_bin, tmp_path, text, expect=78)
    assert f"data.validation.{key}" in r.stderr and "line" in r.stderr
    assert not out.exists()


def test_closed_form_refuses_training_keys_and_missing_blur(fwkit_bin, tmp_path):
    _, r = _run(fwkit_bin, tmp_path, CIRCLE + '[train]\ndenoiser = "blurred"\n', "noblur", expect=78)
    assert "train.blur" in r.stderr
    _, r = _run(fwkit_bin, tmp_path, CIRCLE + '[train]\ndenoiser = "optimal"\nstep = 0.1\n', "step", expect=78)
    assert "train.step" in r.stderr


def test_a_bad_sweep_value_is_refused_before_any_point_runs(fwkit_bin, tmp_path):
    out, r = _run(fwkit_bin, tmp_path, _blurred(1.2, '[train.sweep]\nkey = "train.blur"\nvalues = [1.2, -1.0]\n'), expect=78)
    assert "sweep point train.blur = -1" in r.stderr and "train.blur" in r.stderr
    assert "==" not in r.stdout  # no point announced: nothing ran
    assert not out.exists()


def test_settings_that_would_mislead_are_refused(fwkit_bin, tmp_path):
    # a stop outside the sampler's levels would be moved to the end of them without a word
    _, r = _run(fwkit_bin, tmp_path, _blurred(1.2).replace("stop = [1.0]", "stop = [500.0]"), "stop", expect=78)
    assert "train.inference.stop" in r.stderr and "outside the sampler's levels" in r.stderr
    # a gap without a validation split would be silently skipped
    text = '[data]\ngenerate = "circle"\nn = 10\nradius = 1.0\n[train]\ndenoiser = "optimal"\n[train.gap]\ndraws = 3\n'
    _, r = _run(fwkit_bin, tmp_path, text, "nosplit", expect=78)
    assert "train.gap" in r.stderr and "validation split" in r.stderr
    # one validation point: no standard error over points
    text = '[data]\ngenerate = "circle"\nn = 10\nradius = 1.0\n[data.validation]\nevery = 10\n[train]\ndenoiser = "optimal"\n'
    _, r = _run(fwkit_bin, tmp_path, text, "onepoint", expect=78)
    assert "at least two" in r.stderr
    # a misspelt required key is named beside the missing one
    _, r = _run(fwkit_bin, tmp_path, _blurred(1.2).replace("blur = 1.2", "blurr = 1.2"), "typo", expect=78)
    assert "train.blur: is required" in r.stderr and "'train.blurr'" in r.stderr and "line 11" in r.stderr


def test_optimal_denoiser_gap_is_infinite_where_it_returns_the_training_points(fwkit_bin, tmp_path):
    text = CIRCLE + '[train]\ndenoiser = "optimal"\n[train.gap]\nsigma_min = 0.01\nsigma_max = 20.0\nlevels = 8\n'
    path, r = _run(fwkit_bin, tmp_path, text)
    g = fwkit.gap(path)
    lt = g["loss_train"].values[0, 0]
    assert lt[0] == 0 and np.isinf(g["gap"].values[0, 0, 0])  # D*(y_i + 0.01 n) = y_i to the last bit
    assert "G is infinite there" in r.stdout


def test_compare_refuses_inputs_of_the_wrong_kind(fwkit_bin, tmp_path):
    blurred, _ = _run(fwkit_bin, tmp_path, _blurred(1.2, '[train.sweep]\nkey = "train.blur"\nvalues = [1.2, 2.0]\n'), "b")
    cfg = tmp_path / "cmp.toml"
    cfg.write_text(f'[compare]\nkind = "generalization"\nnetwork = "{blurred}"\n')
    r = subprocess.run([fwkit_bin, "compare", "-c", str(cfg), "-o", str(tmp_path / "c.h5"), "-q"], capture_output=True, text=True)
    assert r.returncode == 78 and "compare.network" in r.stderr and "needs train.denoiser = \"network\"" in r.stderr
    assert "line 3" in r.stderr and not (tmp_path / "c.h5").exists()
    cfg.write_text('[compare]\nkind = "generalization"\n')
    r = subprocess.run([fwkit_bin, "compare", "-c", str(cfg), "-o", str(tmp_path / "c.h5"), "-q"], capture_output=True, text=True)
    assert r.returncode == 78 and "compare.analytic" in r.stderr


def test_an_experiment_hands_two_data_sets_to_its_stages(fwkit_bin, tmp_path):
    exp = tmp_path / "two.toml"
    exp.write_text('[experiment]\nname = "two"\n'
                   '[data]\ngenerate = "circle"\nn = 8\nradius = 1.0\n[data.validation]\nevery = 2\n'
                   '[wide]\ngenerate = "circle"\nn = 8\nradius = 5.0\n[wide.validation]\nevery = 2\n'
                   '[stages.a]\ncommand = "train"\nuse = ["data"]\ndenoiser = "optimal"\n'
                   '[stages.b]\ncommand = "train"\nuse = ["data=wide"]\ndenoiser = "optimal"\n')
    out = tmp_path / "out"
    r = subprocess.run([fwkit_bin, "run", str(exp), "-o", str(out), "-q", "--no-plots"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with h5py.File(out / "a.h5") as fa, h5py.File(out / "b.h5") as fb:
        assert np.allclose(np.hypot(*fa["data"][()].T), 1.0) and np.allclose(np.hypot(*fb["data"][()].T), 5.0)
    exp.write_text(exp.read_text().replace('use = ["data=wide"]', 'use = ["data=wide", "data"]'))
    r = subprocess.run([fwkit_bin, "run", str(exp), "-o", str(out), "-q", "--no-plots"], capture_output=True, text=True)
    assert r.returncode == 78 and "hands on [data] twice" in r.stderr
