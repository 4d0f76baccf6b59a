"""Files written by `fwkit train`, read back from Python and checked against
an independent numpy evaluation of the saved network."""

import h5py
import numpy as np
import pytest

import fwkit
from conftest import ROOT

EXPERIMENTS = ROOT / "data" / "experiments"


def _test_sets(config):
    sets = []
    for line in config.read_text().splitlines():
        if line.startswith("# test-set:"):
            for kv in line.split(":", 1)[1].split():
                sets += ["--set", kv]
    return sets


@pytest.mark.parametrize("config", sorted(EXPERIMENTS.glob("train_*.toml")), ids=lambda p: p.stem)
def test_every_train_example_loads(run_fwkit, config):
    path = run_fwkit("train", config, config.stem, *_test_sets(config))
    assert fwkit.kind(path) == "train"
    s = fwkit.training_summary(path)
    assert np.all(s["diverged_members"] == 0)
    assert np.all((s["memorization"] >= 0) & (s["memorization"] <= 1))
    for group in fwkit.sweep_points(path) or ["/"]:
        ds = fwkit.open_group(path, group)
        assert ds["loss"].dims == ("member", "monitor")
        assert ds["samples"].dims == ("member", "sample", "component")
        assert int(ds["monitor"][0]) == 0


def _eps_hat(theta, x, level, dim, levels, width):
    """The network of solvers/train/score_net.hpp, written again in numpy."""
    h, d, k = width, dim, levels
    w1x = theta[: h * d].reshape(d, h).T
    w1e = theta[h * d : h * d + h * k].reshape(k, h).T
    b1 = theta[h * d + h * k : h * d + h * k + h]
    off = h * d + h * k + h
    w2 = theta[off : off + d * h].reshape(h, d).T
    b2 = theta[off + d * h :]
    a = x @ w1x.T + w1e[:, level].T + b1
    return np.maximum(a, 0) @ w2.T + b2


def test_saved_parameters_reproduce_the_recorded_excess_risk(run_fwkit, tmp_path):
    """The excess risk at the last monitor is (1/2) mean |eps_hat - eps*|^2
    over the design; recompute it from the saved parameters and data with an
    independent numpy network and eps* on fresh draws (same law, so equal
    within Monte Carlo error)."""
    config = tmp_path / "t.toml"
    config.write_text(
        "[data]\npoints = [[-1.0], [0.0], [1.0]]\n"
        "[train]\nwidth = 16\nlevels = 6\nt_min = 0.05\nt_max = 3.0\nstep = 0.05\nsteps = 2000\n"
        "design_draws = 64\nmembers = 1\n[train.monitor]\ncount = 4\nsamples = 32\n"
    )
    path = run_fwkit("train", config, "pyeval")
    ds = fwkit.open_group(path, "/")
    theta = ds["parameters"].values[0]
    data = ds["data"].values
    t = ds["level"].values
    alpha, sigma = np.exp(-t), np.sqrt(1 - np.exp(-2 * t))
    np.testing.assert_allclose(ds["alpha"].values, alpha, rtol=1e-14)
    rng = np.random.default_rng(3)
    n = 200_000
    i = rng.integers(0, data.shape[0], n)
    k = rng.integers(0, len(t), n)
    z = rng.standard_normal((n, 1))
    x = alpha[k, None] * data[i] + sigma[k, None] * z
    eps = _eps_hat(theta, x, k, 1, len(t), 16)
    logw = -((x[:, None, :] - alpha[k, None, None] * data[None, :, :]) ** 2).sum(-1) / (2 * sigma[k, None] ** 2)
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    eps_star = (x - alpha[k, None] * (w @ data)) / sigma[k, None]
    per = 0.5 * ((eps - eps_star) ** 2).sum(-1)
    recorded = float(ds["excess_risk"].values[0, -1])
    # The design has 3 points x 6 levels x 64 draws = 1152 rows; its own
    # Monte Carlo error dominates: allow 4 standard errors of a 1152 mean.
    se = per.std() / np.sqrt(1152)
    assert abs(per.mean() - recorded) < 4 * se + 1e-3, (per.mean(), recorded, se)


def test_episodes_are_consistent_with_the_series(run_fwkit):
    config = EXPERIMENTS / "train_memorization.toml"
    path = run_fwkit("train", config, "mem_eps", *_test_sets(config))
    point = fwkit.sweep_points(path)[0]
    ep = fwkit.episodes(path, point)
    with h5py.File(path, "r") as f:
        stride = int(f[point]["monitor"][1] - f[point]["monitor"][0])
        steps = int(np.ravel(f[point]["summary"].attrs["steps"])[0])
    lengths = ep["length_steps"].values
    assert len(lengths) > 0
    assert np.all(lengths % stride == 0) and np.all(lengths > 0)
    assert np.all(ep["start_step"].values + lengths <= steps)
    assert np.all((ep["point"].values >= 0) & (ep["point"].values < 4))
