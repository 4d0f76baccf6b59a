"""Files written by `fwkit action`, read back from Python."""

import numpy as np

import fwkit
from conftest import ROOT

EXPERIMENTS = ROOT / "data" / "experiments"


def test_maier_stein_path_and_cost(run_fwkit):
    path = run_fwkit("action", EXPERIMENTS / "action_maier_stein.toml", "ms_action")
    act = fwkit.open_group(path, "action")
    assert act["path"].dims == ("arclength", "component")
    assert abs(act.attrs["action_extrapolated"] - 0.5) < 1e-6
    # For beta <= 4 the path is the x-axis, and V(s) rises from ~0 to the cost.
    np.testing.assert_allclose(act["path"].sel(component=1).values, 0, atol=1e-12)
    v = act["cumulative_action"].values
    assert np.all(np.diff(v) >= -1e-15)
    assert abs(v[-1] - act.attrs["action"]) < 1e-12


def test_minibatch_discrete_cost_exceeds_langevin(run_fwkit):
    discrete = run_fwkit("action", EXPERIMENTS / "action_minibatch_sgd.toml", "mb_d")
    langevin = run_fwkit("action", EXPERIMENTS / "action_minibatch_sgd.toml", "mb_l",
                         "--set", "action.hamiltonian=\"langevin\"")
    d = fwkit.open_group(discrete, "action").attrs["action_extrapolated"]
    g = fwkit.open_group(langevin, "action").attrs["action_extrapolated"]
    assert abs(g - 0.8) < 1e-6  # 2 Delta U / Var(Z) = 0.5 / 0.625
    assert d > g  # bounded minibatch noise makes escape costlier than Gaussian
