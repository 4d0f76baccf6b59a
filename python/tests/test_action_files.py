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


def test_transitions_three_well_ground_state(run_fwkit):
    path = run_fwkit("action", EXPERIMENTS / "action_transitions_three_well.toml", "tw")
    tr = fwkit.open_group(path, "transitions")
    assert tr["cost"].dims == ("attractor", "to")
    cost = tr["cost"].values
    assert cost.shape == (3, 3)
    np.testing.assert_allclose(np.diag(cost), 0)
    # Wells -2 and 2 share no saddle; neighbours do, both ways.
    assert np.isinf(cost[0, 2]) and np.isinf(cost[2, 0])
    assert np.all(np.isfinite(cost[[0, 1, 1, 2], [1, 0, 2, 1]]))
    ground = int(tr.attrs["ground_state"])
    assert ground == int(np.argmin(tr["w"].values)) == 1
    assert tr["log_occupation"].values[ground] == 0
    assert np.all(tr["log_occupation"].values <= 0)
    # The deepest well of f (x = 2) is the least occupied.
    x = tr["attractors"].sel(component=0).values
    assert int(np.argmin(tr["log_occupation"].values)) == int(np.argmax(x))
    # Each leg's path runs from its attractor (its first node on the small
    # seed ellipse V_lin = action.seed around it) to its saddle.
    legs = tr["leg_path"]
    assert legs.dims == ("leg", "node", "component")
    for k in range(legs.sizes["leg"]):
        start = legs.isel(leg=k, node=0).values
        end = legs.isel(leg=k, node=-1).values
        assert np.linalg.norm(start - tr["attractors"].values[int(tr["leg_from"].values[k])]) < 1e-2
        np.testing.assert_allclose(end, tr["saddles"].values[int(tr["leg_saddle"].values[k])], atol=1e-12)
    assert np.all(np.isnan(tr["eyring_kramers_prefactor"].values))  # D depends on x
