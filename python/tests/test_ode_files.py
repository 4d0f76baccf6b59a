"""Files written by `fwkit ode`, read back from Python."""

import math

import numpy as np
import xarray as xr

import fwkit
from conftest import ROOT

EXPERIMENTS = ROOT / "data" / "experiments"


def test_van_der_pol_trajectory_events_and_slow_fast(run_fwkit):
    path = run_fwkit("ode", EXPERIMENTS / "ode_van_der_pol.toml", "vdp")
    traj = fwkit.trajectory(path)
    assert traj["time"].attrs["units"] == "time"
    assert traj["state"].dims == ("time", "component")
    assert float(traj["time"][-1]) == 1000.0
    ev = fwkit.events(path)
    assert set(ev["name"].values) == {"x_up"}
    times = ev["time"].values
    period = np.mean(np.diff(times[-3:]))
    mu = 100.0
    predicted = (3 - 2 * math.log(2)) * mu + 7.014 * mu ** (-1 / 3)
    assert abs(period - predicted) / predicted < 1e-3
    sf = fwkit.open_group(path, "slow_fast")
    np.testing.assert_allclose(sorted(sf["fold_fast"].values), [-1, 1], atol=1e-10)
    np.testing.assert_allclose(sorted(sf["jump_landing"].values), [-2, 2], atol=1e-10)
    assert abs(sf.attrs["period"] - (3 - 2 * math.log(2)) * mu) < 1e-6 * mu


def test_tracking_table(run_fwkit):
    path = run_fwkit("ode", EXPERIMENTS / "ode_sgd_tracking.toml", "track")
    tr = xr.open_dataset(path, engine="h5netcdf", group="tracking")
    assert tr["mean_distance"].dims == ("step_size",)
    assert 0.4 < float(tr.attrs["slope"]) < 0.6
    assert np.all(np.diff(tr["mean_distance"].values) > 0)
    tr.close()
    assert fwkit.provenance(path)["seed"] == 7


def test_sweep_groups(run_fwkit):
    path = run_fwkit("ode", EXPERIMENTS / "ode_sweep_mu.toml", "sweep")
    points = fwkit.sweep_points(path)
    assert points == ["sweep/point_000", "sweep/point_001", "sweep/point_002"]
    periods = [fwkit.open_group(path, p + "/slow_fast").attrs["period"] for p in points]
    np.testing.assert_allclose(periods, [(3 - 2 * math.log(2)) * mu for mu in (3, 10, 30)], rtol=1e-8)
    for p in points:
        assert fwkit.trajectory(path, p + "/trajectory").sizes["time"] == 801
