"""`mpirun -np R fwkit simulate`: the same result file as one process, for
members shared among processes and for sweep points dealt out to them, and a
run killed under MPI resumed with a different number of processes.

Skipped (with the reason) where fwkit was built without MPI or mpirun is
missing, unless FWKIT_REQUIRE_MPI=1 (scripts/test.sh sets it), which turns
the skip into a failure."""

import os
import pathlib
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

from conftest import ROOT, result_datasets

EXPERIMENTS = ROOT / "data" / "experiments"
DOUBLE_WELL = EXPERIMENTS / "simulate_double_well_sgd.toml"
MPI_ENV = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def mpirun(fwkit_bin):
    version = subprocess.run([fwkit_bin, "--version"], capture_output=True, text=True).stdout
    launcher = shutil.which("mpirun")
    reason = ("fwkit was built without MPI" if "(MPI)" not in version
              else "mpirun not found" if launcher is None else None)
    if reason:
        if os.environ.get("FWKIT_REQUIRE_MPI") == "1":
            pytest.fail(reason + " (FWKIT_REQUIRE_MPI=1)")
        pytest.skip(reason)

    def command(processes, *args):
        return [launcher, "--oversubscribe", "-np", str(processes), fwkit_bin, *args]
    return command


def assert_same_datasets(reference, other):
    a, b = result_datasets(reference), result_datasets(other)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)  # NaN == NaN here


def _run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=MPI_ENV, **kw)


def _provenance(path):
    with h5py.File(path, "r") as f:
        return dict(f["provenance"].attrs)


# 500 members in blocks of 64 are 8 blocks: 2 processes take 4 each, 3 take
# 2, 3 and 3 (the last block is short), so uneven shares are covered too.
@pytest.mark.parametrize("processes", [2, 3])
def test_members_shared_among_processes_give_the_serial_file(fwkit_bin, mpirun, tmp_path, processes):
    common = ["simulate", "-c", str(DOUBLE_WELL), "-q", "--set", "simulate.steps=8000"]
    serial, shared = tmp_path / "serial.h5", tmp_path / "shared.h5"
    _run([fwkit_bin, *common, "-o", str(serial)])
    out = _run(mpirun(processes, *common, "-o", str(shared)))
    assert out.stdout.count("wrote ") == 1, "only the root speaks"
    assert_same_datasets(serial, shared)
    # The run really was shared, and says so.
    prov = _provenance(shared)
    assert prov["processes"] == processes and prov["split"] == "members"
    assert "processes" not in _provenance(serial)
    with h5py.File(shared, "r") as f:  # transitions and histogram are there to compare
        assert f["transitions/member"].shape[0] > 50
        assert f["histogram/count"][()].sum() > 0
    assert not list(tmp_path.glob("*.tmp-*")) and not (tmp_path / "shared.h5.checkpoint").exists()


@pytest.mark.parametrize("split", ["points", "members"])
def test_sweep_points_dealt_out_to_processes_give_the_serial_file(fwkit_bin, mpirun, tmp_path, split):
    common = ["simulate", "-c", str(DOUBLE_WELL), "-q", "--set", "simulate.steps=4000",
              "--set", "simulate.sweep.key=simulate.step", "--set", "simulate.sweep.values=[0.08, 0.1, 0.12, 0.14]"]
    serial, shared = tmp_path / "serial.h5", tmp_path / "shared.h5"
    _run([fwkit_bin, *common, "-o", str(serial)])
    _run(mpirun(2, *common, "--split", split, "-o", str(shared)))
    assert_same_datasets(serial, shared)
    assert _provenance(shared)["split"] == split


def test_collapse_chains_shared_among_processes(fwkit_bin, mpirun, tmp_path):
    for config in ("simulate_resample.toml", "simulate_gaussian_refit.toml"):
        common = ["simulate", "-c", str(EXPERIMENTS / config), "-q"]
        serial, shared = tmp_path / f"serial_{config}.h5", tmp_path / f"shared_{config}.h5"
        _run([fwkit_bin, *common, "-o", str(serial)])
        _run(mpirun(2, *common, "-o", str(shared)))
        assert_same_datasets(serial, shared)


def _children(pid):
    out = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _kill_after_checkpoint(cmd, checkpoint):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=MPI_ENV)
    deadline = time.time() + 120
    while not checkpoint.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    for child in _children(proc.pid):  # the fwkit processes, killed outright
        os.kill(child, signal.SIGKILL)
    proc.wait(timeout=60)


@pytest.mark.parametrize("split", ["members", "points"])
def test_run_killed_under_mpi_resumes_with_another_process_count(fwkit_bin, mpirun, tmp_path, split):
    common = ["simulate", "-c", str(DOUBLE_WELL), "-q", "--set", "simulate.steps=200000",
              "--set", "simulate.checkpoint.every=5000"]
    if split == "points":
        common += ["--set", "simulate.sweep.key=simulate.step", "--set", "simulate.sweep.values=[0.1, 0.12]"]
    reference = tmp_path / "reference.h5"
    _run([fwkit_bin, *common, "-o", str(reference)])

    target = tmp_path / "resumed.h5"
    name = "run.h5" if split == "members" else "point_001.h5"  # point 1 belongs to rank 1
    _kill_after_checkpoint(mpirun(2, *common, "--split", split, "-o", str(target)),
                           tmp_path / "resumed.h5.checkpoint" / name)
    assert not target.exists(), "a killed run must not leave its output"
    # Resumed by three processes (members) or by one (points).
    again = mpirun(3, *common, "--split", "members", "-o", str(target), "--resume") if split == "members" else \
        [fwkit_bin, *common, "-o", str(target), "--resume"]
    done = _run(again)
    assert "resuming" in done.stdout
    assert not (tmp_path / "resumed.h5.checkpoint").exists()
    assert not list(tmp_path.glob("resumed.h5.tmp-*")), "the killed run's temporary is cleaned up"
    assert_same_datasets(reference, target)


def test_a_failure_ends_every_process_with_its_exit_code(mpirun, tmp_path):
    # An output in a missing folder: refused by every rank before any work
    # (it was the root's failure to create the file while the other waited).
    bad_output = subprocess.run(mpirun(2, "simulate", "-c", str(DOUBLE_WELL), "-q",
                                       "-o", str(tmp_path / "missing" / "x.h5")),
                                capture_output=True, text=True, env=MPI_ENV, timeout=120)
    assert bad_output.returncode == 73
    assert "fwkit[rank 0]: error: --output" in bad_output.stderr and "does not exist" in bad_output.stderr
    bad_config = subprocess.run(mpirun(2, "simulate", "-c", str(DOUBLE_WELL), "-q", "--set", "simulate.steps=-1",
                                       "-o", str(tmp_path / "x.h5")),
                                capture_output=True, text=True, env=MPI_ENV, timeout=120)
    assert bad_config.returncode == 78 and "simulate.steps = -1" in bad_config.stderr
    assert not list(tmp_path.iterdir())
