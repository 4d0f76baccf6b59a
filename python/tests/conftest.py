import os
import pathlib
import subprocess

import h5py
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def result_datasets(path):
    """Every dataset of a result file outside /provenance, by path: what
    must be identical between runs that differ only in how they were run."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and not name.startswith("provenance"):
                out[name] = obj[()]
        f.visititems(visit)
    return out


@pytest.fixture(scope="session")
def fwkit_bin():
    path = os.path.abspath(os.environ.get("FWKIT_BIN", str(ROOT / "build" / "release" / "bin" / "fwkit")))
    if not os.path.exists(path):
        pytest.fail(f"fwkit binary not found at {path}; build it or set FWKIT_BIN")
    return path


@pytest.fixture(scope="session")
def run_fwkit(fwkit_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("results")

    def run(subcommand, config, name, *extra):
        target = out / f"{name}.h5"
        subprocess.run(
            [fwkit_bin, subcommand, "-c", str(config), "-o", str(target), "-q", *extra],
            check=True,
            capture_output=True,
        )
        return target

    return run


def run_test_set(fwkit_bin, experiment, out):
    """`fwkit run` on an experiment at the reduced size of its `# test-set:` line."""
    sets = experiment.read_text().split("# test-set:")[1].splitlines()[0].split()
    run = subprocess.run([fwkit_bin, "run", str(experiment), "-o", str(out), "-q", "--no-plots",
                          *[a for kv in sets for a in ("--set", kv)]], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return out
