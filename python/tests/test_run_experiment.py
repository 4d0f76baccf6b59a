"""fwkit run on flagship 1 at reduced size: the stages, summary.md, the
comparison files read back through the package, and the figures."""

import re
import subprocess

import numpy as np
import pytest

import fwkit
import fwkit.plot as fp
from conftest import ROOT, run_test_set

FLAGSHIP = ROOT / "data" / "experiments" / "memorization_vs_step.toml"
SMALL = ["--set", "stages.steps.members=40", "--set", "stages.separation.members=40",
         "--set", "stages.separation.steps=40000", "--set", "stages.separation.sweep.values=[0.02, 0.005]",
         "--set", "stages.episodes_vs_separation.tolerance=[0.1, 0.05]"]


@pytest.fixture(scope="module")
def results(fwkit_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("flagship") / "memorization"
    run = subprocess.run([fwkit_bin, "run", str(FLAGSHIP), "-o", str(out), *SMALL],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out, run.stdout


def test_every_stage_leaves_its_config_result_and_log(results):
    out, _ = results
    for stage in ("steps", "separation", "episodes_vs_step", "episodes_vs_separation"):
        for suffix in (".toml", ".h5", ".log"):
            assert (out / (stage + suffix)).is_file()
    assert fwkit.kind(out / "steps.h5") == "simulate"
    assert fwkit.kind(out / "episodes_vs_step.h5") == "compare"


def test_summary_md_is_the_comparison_files_rows(results):
    out, stdout = results
    md = (out / "summary.md").read_text()
    assert md in stdout  # printed as written
    rows = fwkit.comparison_summary(out / "episodes_vs_step.h5")
    # Per step: the hazard and the noise-free bound; then the clock-time ratio.
    assert len(rows) == 2 * 3 + 1
    for row in rows:
        assert row["quantity"] in md
        assert row["passed"] == (abs(row["relative_error"]) <= row["tolerance"]
                                 if row["rule"].startswith("within") else row["passed"])
    hazard = [r for r in rows if "hazard" in r["quantity"] and "clock" not in r["quantity"]]
    e = fwkit.episode_comparison(out / "episodes_vs_step.h5")
    np.testing.assert_allclose([r["predicted"] for r in hazard], e["hazard"].values)
    np.testing.assert_allclose([r["observed"] for r in hazard], e["simulated_mean"].values)
    judged = sum(r["judged"] for f in ("episodes_vs_step", "episodes_vs_separation")
                 for r in fwkit.comparison_summary(out / f"{f}.h5"))
    assert f"**{judged} of {judged} judged rows within tolerance.**" in md


def test_the_simulated_means_are_the_simulate_files_episodes(results):
    """The comparison's observed mean, recomputed here from the simulate
    file's transitions (each member's first episode per branch dropped)."""
    out, _ = results
    e = fwkit.episode_comparison(out / "episodes_vs_step.h5")
    for i, point in enumerate(fwkit.sweep_points(out / "steps.h5")):
        t = fwkit.transitions(out / "steps.h5", point)
        means = []
        for a, b in ((0, 1), (1, 0)):
            sel = (t["from"].values == a) & (t["to"].values == b)
            members = t["member"].values[sel]
            lengths = (t["end_step"].values - t["start_step"].values)[sel]
            first = np.r_[True, members[1:] != members[:-1]]
            means.append(lengths[~first].mean())
        assert e["simulated_mean"].values[i] == pytest.approx(0.5 * sum(means), rel=1e-12)


def test_noise_shortens_episodes_in_clock_time_as_the_step_grows(results):
    out, _ = results
    e = fwkit.episode_comparison(out / "episodes_vs_step.h5")
    clock = e["simulated_mean"].values * e["step"].values
    assert np.all(np.diff(clock) < 0)  # steps 0.01 < 0.02 < 0.05
    assert np.all(e["simulated_mean"].values < e["deterministic"].values)


def test_the_figures_show_the_file_s_numbers(results):
    out, md = results
    pngs = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert "episodes_vs_step_episodes.png" in pngs
    for name in re.findall(r"\]\((figures/[^)]+)\)", md):
        assert (out / name).is_file()
    fig = fp.episodes_comparison_figure(out / "episodes_vs_step.h5")
    e = fwkit.episode_comparison(out / "episodes_vs_step.h5")
    top = fig.axes[0]
    assert top.get_xlabel() == "simulate.step" and "clock time" in top.get_ylabel()
    labels = [t.get_text() for t in top.get_legend().get_texts()]
    assert any("hazard" in s for s in labels) and any("relaxation" in s for s in labels)
    hazard_line = [l for l in top.get_lines() if l.get_label() == "adiabatic Kramers hazard"][0]
    np.testing.assert_allclose(hazard_line.get_ydata(), e["hazard"].values * e["step"].values)
    assert fig.axes[1].get_xlabel() and fig.axes[1].get_ylabel()


COLLAPSE = ROOT / "data" / "experiments" / "collapse_fresh_data.toml"


@pytest.fixture(scope="module")
def collapse_results(fwkit_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("collapse") / "collapse"
    run = subprocess.run([fwkit_bin, "run", str(COLLAPSE), "-o", str(out), "-q",
                          "--set", "stages.refit.members=600", "--set", "stages.resample.members=600"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_collapse_rows_are_exact_expectations_within_their_standard_errors(collapse_results):
    rows = fwkit.comparison_summary(collapse_results / "resample_expected.h5")
    # Two sweep points, four generations, variance and homozygosity.
    assert len(rows) == 2 * 4 * 2
    n = 30
    for row in rows:
        assert row["rule"] == "within 4 se"
        assert row["passed"] == (abs(row["observed"] - row["predicted"]) <= 4 * row["observed_se"])
        if row["quantity"] == "homozygosity" and "alpha = 0," in row["condition"]:
            t = int(row["condition"].split("generation ")[1])
            assert row["predicted"] == pytest.approx(1 - (1 - 1 / n) ** t, rel=1e-12)


def test_collapse_figure_draws_the_expectations(collapse_results):
    path = collapse_results / "refit_expected.h5"
    assert (collapse_results / "figures" / "refit_expected_collapse.png").is_file()
    fig = fp.collapse_comparison_figure(path)
    c = fwkit.open_group(path, "collapse")
    assert [ax.get_ylabel() for ax in fig.axes] == ["variance (tr Sigma / d)", "log det Sigma"]
    exact = [l for l in fig.axes[0].get_lines() if l.get_linestyle() == "--"]
    assert len(exact) == c.sizes["point"]
    np.testing.assert_allclose(exact[0].get_ydata(), c["expected_variance"].values[0])
    assert fig.axes[1].get_xlabel() == "generation"


FLAT = ROOT / "data" / "experiments" / "flat_minima_win.toml"


@pytest.fixture(scope="module")
def flat_results(fwkit_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("flat") / "flat"
    run = subprocess.run([fwkit_bin, "run", str(FLAT), "-o", str(out), "-q",
                          "--set", "stages.sgd.members=48", "--set", "stages.sgd.steps=200000",
                          "--set", "stages.sgd.sweep.values=[0.2, 0.14, 0.1]",
                          "--set", "stages.hwang.prefactor_tolerance=0.25",
                          "--set", "stages.exits.members=48", "--set", "stages.exits.steps=150000",
                          "--set", "stages.exits.sweep.values=[0.25, 0.18, 0.13]",
                          "--set", "stages.kramers.prefactor_tolerance=0.25"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_hwang_prefactor_is_the_curvature_ratio(flat_results):
    """Equally deep minima at (-1, 0) and (1, 0) with valley curvatures
    k(x) = 1 + 0.6 tanh(2x) across: det Hess V is proportional to k, so the
    flat minimum's mass over the steep one's tends to sqrt(k(1) / k(-1))."""
    o = fwkit.open_group(flat_results / "hwang.h5", "occupation")
    names = o.attrs["region_names"].split()
    k = lambda x: 1 + 0.6 * np.tanh(2 * x)  # noqa: E731
    g = int(o.attrs["ground_state"])
    other = 1 - g
    expected = np.sqrt(k(1.0) / k(-1.0))
    if names[g] == "flat":
        expected = 1 / expected
    assert np.exp(o["log_prefactor"].values[other]) == pytest.approx(expected, rel=1e-6)
    assert int(o.attrs["prefactor_judged"]) == 1
    rows = fwkit.comparison_summary(flat_results / "hwang.h5")
    most = [r for r in rows if r["quantity"].startswith("most occupied")][0]
    assert names[int(most["predicted"])] == "flat" and most["passed"]
    # Equal depths: the exponent is reported, not judged.
    slope = [r for r in rows if r["quantity"].startswith("W(")][0]
    assert not slope["judged"] and abs(slope["predicted"]) < 1e-3


def test_occupation_figure_shows_the_simulated_ratios(flat_results):
    fig = fp.occupation_comparison_figure(flat_results / "hwang.h5")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "1 / step" and "log occupation ratio" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(s.startswith("simulated") for s in labels) and "W-graph, Hwang prefactor" in labels


DIFFUSION = ROOT / "data" / "experiments" / "diffusion_memorizes_less.toml"


def test_training_slopes_are_weighted_least_squares_of_the_train_file(fwkit_bin, tmp_path):
    out = tmp_path / "diffusion"
    run = subprocess.run([fwkit_bin, "run", str(DIFFUSION), "-o", str(out), "-q",
                          "--set", "stages.train.members=4", "--set", "stages.train.budget=600.0",
                          "--set", "stages.train.monitor.samples=64",
                          "--set", "stages.train.sweep.values=[0.01, 0.03, 0.1]",
                          "--set", "stages.steps.members=40", "--set", "stages.memorization.standard_errors=1"],
                         capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    s = fwkit.training_summary(out / "train.h5")
    x = np.log(s["step"])
    for key, scale, name in (("memorization", 1.0, "memorization_slope"),
                             ("episode_steps", s["step"], "episode_slope")):
        y, se = s[key] * scale, s[key + "_se"] * scale
        w = 1 / se**2
        A = np.vstack([np.ones_like(x), x]).T
        coef = np.linalg.solve(A.T @ (w[:, None] * A), A.T @ (w * y))
        t = fwkit.open_group(out / "memorization.h5", "training")
        assert t.attrs[name] == pytest.approx(coef[1], rel=1e-9)
    fig = fp.training_comparison_figure(out / "memorization.h5")
    assert [ax.get_ylabel() for ax in fig.axes] == ["memorization fraction",
                                                     "episode length (clock time) / at smallest step"]
    assert (out / "figures" / "memorization_training.png").is_file()


def test_exit_times_use_the_eyring_kramers_prefactors_of_the_legs(flat_results):
    """Eyring–Kramers for f = (x^2 - 1)^2/4 + k(x) y^2/2 from a minimum (+-1, 0)
    over the saddle (0, 0): Hess f(s) = diag(-1, k(0)), Hess f(m) = diag(2,
    k(+-1)), |lambda_-| = 1: A = 2 pi sqrt(k(0) / (2 k(m)))."""
    e = fwkit.open_group(flat_results / "kramers.h5", "exits")
    names = e.attrs["region_names"].split()
    k = lambda x: 1 + 0.6 * np.tanh(2 * x)  # noqa: E731
    for i, name in enumerate(names):
        m = -1.0 if name == "flat" else 1.0
        assert e["kramers_prefactor"].values[i] == pytest.approx(2 * np.pi * np.sqrt(k(0.0) / (2 * k(m))), rel=1e-3)
        assert e["least_cost"].values[i] == pytest.approx(0.5, rel=1e-3)  # 2 (f(s) - f(m)) / Sigma
    # The flat minimum is left more slowly at every step.
    t = e["mean_time"].values
    assert np.all(t[:, names.index("flat")] > t[:, names.index("steep")])


POTENTIALS = ROOT / "data" / "experiments" / "langevin_vs_sgd_potentials.toml"


@pytest.fixture(scope="module")
def potential_results(fwkit_bin, tmp_path_factory):
    return run_test_set(fwkit_bin, POTENTIALS, tmp_path_factory.mktemp("potentials") / "potentials")


def _minibatch_potential_on_the_axis(x):
    """V of the discrete-time Hamiltonian along y = 0, where the data's
    mirror symmetry keeps p_y = 0: -x p + Lambda(p) = 0 with Lambda(p) =
    log(e^{3p} / 4 + 3 e^{-p} / 4), so x = Lambda(p) / p and V(x) = int_0^x p."""
    lam = lambda p: np.log(0.25 * np.exp(3 * p) + 0.75 * np.exp(-p))  # noqa: E731

    def p_of(t):  # bisection on Lambda(p) - t p, which has one root of the sign of t
        lo, hi = (1e-12, 40.0) if t > 0 else (-40.0, -1e-12)
        f = lambda p: lam(p) - t * p  # noqa: E731
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if (f(mid) > 0) == (f(hi) > 0):
                hi = mid
            else:
                lo = mid
        return 0.5 * (lo + hi)

    xi = np.linspace(0, x, 801)
    p = np.array([0.0] + [p_of(t) for t in xi[1:]])
    return float(np.sum(0.5 * (p[1:] + p[:-1]) * np.diff(xi)))


def test_the_two_potentials_are_the_closed_forms(potential_results):
    """Langevin: linear drift -theta and D = Cov Z = diag(3, 9/8), so
    V = x^2 / 3 + 8 y^2 / 9 exactly. Discrete: on the mirror axis the 1-D
    characteristic, computed here by quadrature."""
    p = fwkit.potential_comparison(potential_results / "potential.h5")
    assert list(p["hamiltonian"].values) == ["discrete", "langevin"]
    np.testing.assert_array_equal(p["V"].sel(hamiltonian="langevin").values, p["V"].values[1])
    x, y = p["x"].values, p["y"].values
    used = p["compared"].values.astype(bool)
    X, Y = np.meshgrid(x, y, indexing="ij")
    np.testing.assert_allclose(p["V"].values[1][used], (X ** 2 / 3 + 8 * Y ** 2 / 9)[used], atol=2e-3)
    j = int(np.argmin(np.abs(y)))
    rows = [i for i in range(len(x)) if used[i, j] and abs(x[i]) > 0.1]
    assert len(rows) >= 10
    for i in rows:
        assert p["V"].values[0][i, j] == pytest.approx(_minibatch_potential_on_the_axis(x[i]), abs=4e-3)
    # The skew: cheaper to the right, dearer to the left than Langevin.
    right, left = max(rows), min(rows)
    assert p["V"].values[0][right, j] < p["V"].values[1][right, j] - 0.01
    assert p["V"].values[0][left, j] > p["V"].values[1][left, j] + 0.01


def test_the_predicted_cell_masses_are_the_integrals_of_exp_minus_v(potential_results):
    """For the separable Langevin V the mass of a cell is a product of error
    functions: the comparison's prediction must be its -s log ratio."""
    import math
    p = fwkit.open_group(potential_results / "potential.h5", "potential")
    x, y, s = p["x"].values, p["y"].values, p["point"].values
    hx, hy = x[1] - x[0], y[1] - y[0]
    ref = np.unravel_index(int(p.attrs["reference_cell"]), (len(x), len(y)))
    erf = np.vectorize(math.erf)

    def log_mass(i, j, scale):
        def one(c, h, lo, hi, a):  # int exp(-a t^2 / scale) over the clipped dual cell
            t0, t1 = max(c - h / 2, lo), min(c + h / 2, hi)
            k = math.sqrt(a / scale)
            return math.sqrt(math.pi) / (2 * k) * float(erf(k * t1) - erf(k * t0))
        return math.log(one(x[i], hx, x[0], x[-1], 1 / 3) * one(y[j], hy, y[0], y[-1], 8 / 9))

    used = np.argwhere(p["compared"].values.astype(bool))
    for i, j in used[:: max(1, len(used) // 40)]:
        for k, scale in enumerate(s):
            exact = -scale * (log_mass(i, j, scale) - log_mass(*ref, scale))
            assert p["predicted"].values[1, k, i, j] == pytest.approx(exact, abs=2e-3)


def test_the_observed_potential_and_its_jackknife_are_the_group_counts(potential_results):
    p = fwkit.open_group(potential_results / "potential.h5", "potential")
    ref = int(p.attrs["reference_cell"])
    for k, point in enumerate(fwkit.sweep_points(potential_results / "sgd.h5")):
        h = fwkit.open_group(potential_results / "sgd.h5", point + "/histogram")
        g = h["group_count"].values.reshape(h.sizes["group"], -1).astype(float)
        n = g.sum(axis=0)
        np.testing.assert_array_equal(n, h["count"].values.ravel())
        scale = p["point"].values[k]
        used = p["compared"].values.ravel().astype(bool)
        e = -scale * np.log(n[used] / n[ref])
        np.testing.assert_allclose(p["observed"].values[k].ravel()[used], e, rtol=1e-12)
        loo = -scale * np.log((n[used] - g[:, used]) / (n[ref] - g[:, ref])[:, None])
        G = g.shape[0]
        se = np.sqrt((G - 1) / G * ((loo - loo.mean(axis=0)) ** 2).sum(axis=0))
        np.testing.assert_allclose(p["observed_se"].values[k].ravel()[used], se, rtol=1e-9)


def test_sgd_follows_its_own_potential_not_langevin_s(potential_results):
    rows = {r["quantity"]: r for r in fwkit.comparison_summary(potential_results / "potential.h5")}
    own = rows["RMS discrepancy extrapolated to s -> 0 (discrete)"]
    other = rows["RMS discrepancy extrapolated to s -> 0 (langevin)"]
    assert own["judged"] and own["passed"]
    # The Langevin potential misses by what the two potentials differ, many
    # times the noise floor; the SGD one by no more than a few floors.
    assert other["observed"] > 5 * own["observed"]
    assert other["observed"] == pytest.approx(other["predicted"], rel=0.25)
    assert own["observed"] < 3 * own["observed_se"] + 0.005
    slope = rows["slope of the langevin discrepancy against V(discrete) - V(langevin)"]
    assert slope["judged"] and slope["passed"]
    fig = fp.potential_comparison_figure(potential_results / "potential.h5")
    assert fig.axes[0].get_xlabel().startswith("V at the cell's node")
    assert len(fig.axes) == 5  # three panels and two colour bars


PATHS = ROOT / "data" / "experiments" / "transition_paths.toml"


@pytest.fixture(scope="module")
def paths_results(fwkit_bin, tmp_path_factory):
    return run_test_set(fwkit_bin, PATHS, tmp_path_factory.mktemp("paths") / "paths")


def _segment_distance(points, curve):
    """Distance from each point to a polyline, by brute force over its segments."""
    a, b = curve[:-1], curve[1:]
    ab = b - a
    keep = (ab ** 2).sum(axis=1) > 0
    a, ab = a[keep], ab[keep]
    t = np.clip(((points[:, None, :] - a[None]) * ab[None]).sum(-1) / (ab ** 2).sum(-1)[None], 0, 1)
    q = a[None] + t[..., None] * ab[None]
    return np.sqrt(((points[:, None, :] - q) ** 2).sum(-1)).min(axis=1)


def test_path_distances_recomputed_from_the_trajectories(paths_results):
    """Transition paths cut from the simulate file's trajectories, measured
    against an instanton built here independently: the gradient drift's
    downhill half is the other well's uphill minimum action path reversed."""
    out = paths_results
    t = fwkit.open_group(out / "instanton.h5", "transitions")
    att, legs = t["attractors"].values, t["leg_path"].values
    frm, to = t["leg_from"].values, t["leg_to"].values

    def instanton(i, j):
        up = legs[np.flatnonzero((frm == i) & (to == j))[0]]
        down = legs[np.flatnonzero((frm == j) & (to == i))[0]][::-1]
        return np.vstack([up, down])

    p = fwkit.paths_comparison(out / "paths.h5")
    for k, point in enumerate(fwkit.sweep_points(out / "langevin.h5")):
        x = fwkit.open_group(out / "langevin.h5", point + "/trajectory")["state"].values
        rms, line = [], []
        for traj in x:
            region = np.full(len(traj), -1)
            for i, z in enumerate(att):
                region[((traj - z) ** 2).sum(axis=1) <= 0.3 ** 2] = i
            idx = np.flatnonzero(region >= 0)
            for a, b in zip(idx[:-1], idx[1:]):
                if region[a] != region[b] and b > a + 1:
                    seg = traj[a + 1:b]
                    rms.append(np.sqrt(np.mean(_segment_distance(seg, instanton(region[a], region[b])) ** 2)))
                    line.append(np.sqrt(np.mean(_segment_distance(seg, att[[region[a], region[b]]]) ** 2)))
        assert int(p["paths"].values[k]) == len(rms)
        assert p["mean_distance"].values[k] == pytest.approx(np.mean(rms), rel=0.01)
        assert p["line_distance"].values[k] == pytest.approx(np.mean(line), rel=1e-9)
    # The instanton bends through the saddle at (0, -1/2), the straight
    # segment misses it by 1/2: paths hug the first.
    inst = p["instanton"].values[0]
    inst = inst[np.all(np.isfinite(inst), axis=1)]
    assert np.min(np.hypot(inst[:, 0], inst[:, 1] + 0.5)) < 1e-2
    assert np.all(p["mean_distance"].values < 0.5 * p["line_distance"].values)


def test_paths_exponent_and_figure(paths_results):
    rows = fwkit.comparison_summary(paths_results / "paths.h5")
    e = [r for r in rows if r["quantity"].startswith("exponent")][0]
    assert e["judged"] and e["passed"] and e["predicted"] == 0.5
    fig = fp.paths_comparison_figure(paths_results / "paths.h5")
    assert len(fig.axes) == 3
    assert fig.axes[2].get_xlabel().startswith("distance to the instanton / sqrt(")
