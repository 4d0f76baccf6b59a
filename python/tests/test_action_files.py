"""Files written by `fwkit action`, read back from Python."""

import subprocess
import tomllib

import h5py
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


def _stationary_basin_mass(eps, edges):
    """Exact stationary mass of x-intervals for the triple well's x, which
    moves on its own: dX = -u'(X) dt + sqrt(eps d(X)) dW (Ito), so
    p(x) ~ exp(-Phi(x) / eps) / d(x) with Phi = int 2 u' / d. Returns the
    masses and Phi on the quadrature grid."""
    x = np.linspace(-4.0, 4.0, 400001)
    d = 0.5 + 1.5 * np.exp(-(x - 2) ** 2)
    du = x * (x**2 - 4) ** 2 / 8 + x**3 * (x**2 - 4) / 4 - 0.05
    g = 2 * du / d
    phi = np.concatenate([[0.0], np.cumsum((g[1:] + g[:-1]) / 2 * np.diff(x))])
    p = np.exp(-(phi - phi.min()) / eps) / d
    cum = np.concatenate([[0.0], np.cumsum((p[1:] + p[:-1]) / 2 * np.diff(x))])
    mass = np.diff(np.interp(edges, x, cum)) / cum[-1]
    return mass, x, phi


def test_three_well_occupation_ranking_confirmed_by_simulation(run_fwkit):
    # The W-graph says the middle well is the ground state and the deepest
    # well of f (x = 2, where the noise is strong) the least occupied; the
    # simulation engine runs the same model and counts time in each basin.
    action = fwkit.open_group(run_fwkit("action", EXPERIMENTS / "action_transitions_three_well.toml", "tw_w"),
                              "transitions")
    config_path = EXPERIMENTS / "simulate_three_well_occupation.toml"
    with open(config_path, "rb") as f:
        config = tomllib.load(f)
    occ = fwkit.open_group(run_fwkit("simulate", config_path, "tw_sim"), "occupation")
    names = occ.attrs["region_names"].split()
    assert names == ["left", "middle", "right", "none"]
    frac = occ["fraction"].values[:3]
    se = occ["standard_error"].values[:3]
    assert occ["fraction"].values[3] == 0  # the basins cover the plane

    # Basins in x order hold the attractors in x order.
    x_att = action["attractors"].sel(component=0).values
    order = np.argsort(x_att)
    regions = config["simulate"]["regions"]
    edges = [-4.0, regions["left"]["upper"][0], regions["middle"]["upper"][0], 4.0]
    assert all(edges[k] < x_att[order[k]] < edges[k + 1] for k in range(3))
    w = action["w"].values[order]

    # The ranking: the simulated occupations order the basins as -W does.
    assert int(np.argmax(frac)) == int(np.argmin(w)) == 1
    assert list(np.argsort(-frac)) == list(np.argsort(w))
    assert int(np.argmin(frac)) == 2  # the deepest well of f

    # The numbers: the exact stationary masses of the basins at this eps.
    # Tolerance: 4 standard errors over members, plus Euler-Maruyama's O(h)
    # bias of the invariant measure, k h / 4 = 1% of a well's mass at the
    # stiffest wells (u''(+-2) = 8, h = 0.005).
    eps, h = config["simulate"]["eps"], config["simulate"]["step"]
    exact, x, phi = _stationary_basin_mass(eps, edges)
    assert 8 * h / 4 <= 0.01
    np.testing.assert_array_less(np.abs(frac - exact), 4 * se + 0.01 * exact)

    # The same density's exponent is the quasi-potential the W-graph uses:
    # W_i - W_min = Phi(x_i) - Phi(x_ground) (leg errors ~3e-5).
    phi_at = np.interp(x_att[order], x, phi)
    np.testing.assert_allclose(w - w.min(), phi_at - phi_at[1], atol=2e-4)


def _run_raw(fwkit_bin, tmp_path, name, text):
    config = tmp_path / f"{name}.toml"
    config.write_text(text)
    out = tmp_path / f"{name}.h5"
    run = subprocess.run([fwkit_bin, "action", "-c", str(config), "-o", str(out), "-q"],
                         capture_output=True, text=True)
    return run, out


def test_one_dimensional_box_finds_the_barrier_top(fwkit_bin, tmp_path):
    # f = (x^2 - 1)^2 / 4, D = 1: the barrier top x = 0 is the 1-D saddle; each
    # leg costs 2 Delta f = 1/2, so W is finite and the occupations equal.
    run, out = _run_raw(fwkit_bin, tmp_path, "dw1", """
[model.system]
kind = "double_well_1d"
[action]
hamiltonian = "langevin"
[action.transitions]
lower = [-2.0]
upper = [2.0]
""")
    assert run.returncode == 0, run.stdout + run.stderr
    tr = fwkit.open_group(out, "transitions")
    assert tr["leg_cost"].values.shape == (2,)
    np.testing.assert_allclose(tr["leg_cost"].values, 0.5, atol=1e-6)
    np.testing.assert_allclose(tr["log_occupation"].values, 0, atol=1e-9)
    assert tr.attrs["connected"] == 1
    assert tr.attrs["all_legs_converged"] == 1 and tr.attrs["outcome"] == "established"


def test_impossible_transition_is_infinite_and_exits_nonzero(fwkit_bin, tmp_path):
    # Rademacher steps of 0.1 cannot climb against a drift of up to 0.385.
    model = """
[model.system]
kind = "double_well_1d"
[model.noise]
kind = "rademacher"
scales = [0.1]
"""
    run, out = _run_raw(fwkit_bin, tmp_path, "inf", model + "[action]\nfrom = [-1.0]\nto = [0.0]\n")
    assert run.returncode == 65
    assert "infinite" in run.stderr
    act = fwkit.open_group(out, "action")
    assert np.isinf(act.attrs["action"]) and act.attrs["action"] > 0
    assert act.attrs["outcome"] == "failed" and act.attrs["converged"] == 0
    run, out = _run_raw(fwkit_bin, tmp_path, "inf_tr", model + "[action.transitions]\nlower = [-2.0]\nupper = [2.0]\n")
    assert run.returncode == 65, run.stdout + run.stderr
    assert "no leg of finite cost leaves it" in run.stderr
    tr = fwkit.open_group(out, "transitions")
    assert np.all(np.isinf(tr["leg_cost"].values))
    assert tr.attrs["connected"] == 0
    assert tr.attrs["outcome"].startswith("not established")


def test_one_transition_keys_are_refused_with_a_reason(fwkit_bin, tmp_path):
    # from == to, and from beside [action.transitions]: config errors (78)
    # naming the key and its line, before any work and without an output.
    model = "[model.system]\nkind = \"double_well_1d\"\n"
    run, out = _run_raw(fwkit_bin, tmp_path, "same", model + "[action]\nfrom = [-1.0]\nto = [-1.0]\n")
    assert run.returncode == 78
    assert "action.to" in run.stderr and "line 5" in run.stderr and "itself" in run.stderr
    assert not out.exists()
    run, out = _run_raw(fwkit_bin, tmp_path, "length", model + "[action]\nfrom = [-1.0, 0.0]\nto = [0.0]\n")
    assert run.returncode == 78
    assert "action.from = [ -1.0, 0.0 ]" in run.stderr and "line 4" in run.stderr and "expected 1" in run.stderr
    run, out = _run_raw(fwkit_bin, tmp_path, "both", model +
                        "[action]\nfrom = [-1.0]\n[action.transitions]\nlower = [-2.0]\nupper = [2.0]\n")
    assert run.returncode == 78
    assert "action.from" in run.stderr and "[action.transitions] finds its own ends" in run.stderr
    assert not out.exists()


def test_saddle_point_of_the_action_is_left(fwkit_bin, tmp_path):
    # Maier-Stein with beta = 10 from the default straight path: the axis is a
    # critical path with S = 1/2 but not the minimum (0.34004, the grid
    # quasi-potential of tests/validation/test_gmam_defaults_validation.cpp).
    run, out = _run_raw(fwkit_bin, tmp_path, "ms10", """
[model.system]
kind = "maier_stein"
parameters = { beta = 10.0, mu = 1.0 }
[action]
from = [-1.0, 0.0]
to = [0.0, 0.0]
hamiltonian = "langevin"
""")
    assert run.returncode == 0, run.stdout + run.stderr
    act = fwkit.open_group(out, "action")
    assert "saddle point of the action" in act.attrs["saddle_check"]
    assert abs(act.attrs["action_extrapolated"] - 0.34004) < 2e-5
    assert np.abs(act["path"].sel(component=1).values).max() > 0.1


def test_compare_refuses_files_of_different_models(fwkit_bin, tmp_path):
    # Every file carries its model's fingerprint; compare names the keys
    # that differ instead of comparing a simulation with another model's theory.
    def model(loss):
        return f'[model.system]\nkind = "expression"\nvariables = ["x"]\nloss = "{loss}"\n'
    run, trans = _run_raw(fwkit_bin, tmp_path, "tr", model("(x^2 - 1)^2/4") + """
[action]
hamiltonian = "langevin"
[action.transitions]
lower = [-2.0]
upper = [2.0]
""")
    assert run.returncode == 0, run.stdout + run.stderr
    sim_cfg = tmp_path / "sim.toml"
    sim_cfg.write_text(model("(x^2 - 1)^2/4 + 0.1*x") + """
[simulate]
scheme = "langevin"
eps = 0.3
step = 0.01
x0 = [-1.0]
members = 4
steps = 100
[simulate.regions.left]
lower = [-3.0]
upper = [0.0]
[simulate.regions.right]
lower = [0.0]
upper = [3.0]
""")
    sim = tmp_path / "sim.h5"
    done = subprocess.run([fwkit_bin, "simulate", "-c", str(sim_cfg), "-o", str(sim), "-q"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    with h5py.File(sim) as a, h5py.File(trans) as b:
        assert a["provenance"].attrs["model_hash"] != b["provenance"].attrs["model_hash"]
    cmp_cfg = tmp_path / "cmp.toml"
    cmp_cfg.write_text(f'[compare]\nkind = "occupation"\nsimulation = "{sim}"\ntransitions = "{trans}"\n')
    out = tmp_path / "cmp.h5"
    refused = subprocess.run([fwkit_bin, "compare", "-c", str(cmp_cfg), "-o", str(out), "-q"], capture_output=True, text=True)
    assert refused.returncode == 65
    assert "different models" in refused.stderr and "model.system.loss" in refused.stderr
    assert not out.exists()


def test_downhill_from_a_saddle_costs_zero_and_converges(fwkit_bin, tmp_path):
    # Mueller-Brown (scale 0.01) from its saddle (0.212, 0.293) to the minimum
    # (0.623, 0.028), both Newton-polished by `fwkit analyze`: the path follows
    # the drift and costs 0. The flow degenerates where lambda -> 0 at both
    # ends, so the residual stalls near 2e-6; it was reported as stalled
    # (exit 65) although S = 4e-10 is the global minimum of a cost >= 0.
    run, out = _run_raw(fwkit_bin, tmp_path, "downhill", """
[model.system]
kind = "muller_brown"
parameters = { scale = 0.01 }
[action]
from = [0.2124865820006621, 0.2929883251073677]
to = [0.6234994049308776, 0.0280377585286855]
hamiltonian = "langevin"
""")
    assert run.returncode == 0, run.stdout + run.stderr
    act = fwkit.open_group(out, "action")
    assert act.attrs["outcome"] == "converged" and act.attrs["converged"] == 1
    assert "is zero (1e-08 of the path's drift work" in act.attrs["status"]
    assert abs(act.attrs["action"]) < 1e-8 and abs(act.attrs["action_extrapolated"]) < 1e-8
    assert "is zero (" in run.stdout
