"""Files written by `fwkit simulate`, read back from Python; and a run killed
with SIGKILL and resumed, against an uninterrupted one."""

import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

import fwkit
from conftest import ROOT, result_datasets

EXPERIMENTS = ROOT / "data" / "experiments"
CONFIGS = sorted(EXPERIMENTS.glob("simulate_*.toml"))


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.stem)
def test_every_simulate_example_loads(run_fwkit, config):
    path = run_fwkit("simulate", config, config.stem)
    assert fwkit.kind(path) == "simulate"
    groups = fwkit.load(path)
    assert groups, "no groups with data"
    for name, ds in groups.items():
        assert ds.sizes, f"{name} is empty"


def test_double_well_occupation_histogram_and_paths(run_fwkit):
    path = run_fwkit("simulate", EXPERIMENTS / "simulate_double_well_sgd.toml", "dw")
    occ = fwkit.occupation(path)
    assert list(occ["region"].values) == ["attractor_0", "attractor_1", "none"]
    assert abs(float(occ["fraction"].sum()) - 1) < 1e-12
    # The tilt favours x > 0: attractor_1 (x ~ +1) holds most of the mass.
    assert float(occ["fraction"].sel(region="attractor_1")) > 0.8
    hist = fwkit.open_group(path, "histogram")
    assert hist["potential"].dims == ("x", "y")
    vmin = hist["potential"].where(hist["potential"] == 0, drop=True)
    assert float(vmin["x"][0]) > 0.5  # the simulated potential's minimum is on the right
    assert int(hist["count"].sum()) + int(hist.attrs["outside"]) == 500 * 19000 // 5
    tr = fwkit.transitions(path)
    assert set(tr["from_name"].values) == {"attractor_0", "attractor_1"}
    assert np.all(tr["end_step"].values > 1000)
    paths = fwkit.open_group(path, "trajectory")
    assert paths["state"].dims == ("member", "time", "component")
    np.testing.assert_allclose(paths["state"].isel(time=0).values, [[-1.0, 0.0]] * 4)


def test_episodes_shorten_as_the_step_grows(run_fwkit):
    path = run_fwkit("simulate", EXPERIMENTS / "simulate_two_time_scale.toml", "tts")
    points = fwkit.sweep_points(path)
    means, errors = [], []
    for p in points:
        dwell = fwkit.transitions(path, p)["dwell_time"].values
        dwell = dwell[np.isfinite(dwell)]
        means.append(dwell.mean())
        errors.append(dwell.std(ddof=1) / np.sqrt(dwell.size))
    # Clock-time episode lengths fall with the step a: more noise, earlier jumps.
    for a, b, ea, eb in zip(means, means[1:], errors, errors[1:]):
        assert a - b > 3 * np.hypot(ea, eb)


def test_resample_homozygosity_and_refit_collapse(run_fwkit):
    path = run_fwkit("simulate", EXPERIMENTS / "simulate_resample.toml", "wf")
    c = fwkit.open_group(path, "collapse")
    n = c.attrs["samples"]
    t = np.arange(0, 40)
    h = c["homozygosity"].values[:40]
    se = c["homozygosity_se"].values[:40]
    predicted = 1 - (1 - 1 / n) ** t
    assert np.all(np.abs(h[1:] - predicted[1:]) < 5 * se[1:])
    assert np.all(c["collapse_generation"].values > 0)
    path = run_fwkit("simulate", EXPERIMENTS / "simulate_gaussian_refit.toml", "refit")
    collapsing, mixed = (fwkit.open_group(path, p + "/collapse") for p in fwkit.sweep_points(path))
    assert collapsing["log_det_covariance"].values[-1] < -15
    assert mixed["log_det_covariance"].values[-1] > -3


def test_killed_run_resumes_to_the_same_file(fwkit_bin, tmp_path):
    config = EXPERIMENTS / "simulate_double_well_sgd.toml"
    common = ["-c", str(config), "-q", "--set", "simulate.steps=200000", "--set", "simulate.checkpoint.every=10000"]
    reference = tmp_path / "reference.h5"
    subprocess.run([fwkit_bin, "simulate", *common, "-o", str(reference)], check=True, capture_output=True)

    target = tmp_path / "resumed.h5"
    proc = subprocess.Popen([fwkit_bin, "simulate", *common, "-o", str(target)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = tmp_path / "resumed.h5.checkpoint" / "run.h5"
    deadline = time.time() + 60
    while not checkpoint.exists() and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not target.exists(), "a killed run must not leave its output"
    # Without --resume the leftover checkpoints are refused (exit 64).
    refused = subprocess.run([fwkit_bin, "simulate", *common, "-o", str(target)], capture_output=True)
    assert refused.returncode == 64 and b"--resume" in refused.stderr
    # A changed configuration cannot resume them (exit 65).
    changed = subprocess.run([fwkit_bin, "simulate", *common, "--set", "simulate.seed=8", "-o", str(target), "--resume"],
                             capture_output=True)
    assert changed.returncode == 65 and b"different configuration" in changed.stderr
    # An edited checkpoint is not resumed (exit 65): its checksum no longer holds.
    original = checkpoint.read_bytes()
    with h5py.File(checkpoint, "r+") as f:
        f["x"][0] += 1e-3
    edited = subprocess.run([fwkit_bin, "simulate", *common, "-o", str(target), "--resume"], capture_output=True)
    assert edited.returncode == 65 and b"checksum" in edited.stderr, edited.stderr
    checkpoint.write_bytes(original)
    done = subprocess.run([fwkit_bin, "simulate", *common, "-o", str(target), "--resume"],
                          check=True, capture_output=True, text=True)
    assert "resuming run at step" in done.stdout
    assert not (tmp_path / "resumed.h5.checkpoint").exists()
    assert not list(tmp_path.glob("resumed.h5.tmp-*")), "the killed run's temporary is cleaned up"
    a, b = result_datasets(reference), result_datasets(target)
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
