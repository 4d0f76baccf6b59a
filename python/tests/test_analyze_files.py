"""Files written by `fwkit analyze`, read back from Python."""

import h5py
import numpy as np
import xarray as xr

import fwkit
from conftest import ROOT

EXPERIMENTS = ROOT / "data" / "experiments"


def test_xarray_opens_the_file_with_h5netcdf(run_fwkit):
    path = run_fwkit("analyze", EXPERIMENTS / "analyze_muller_brown.toml", "mb")
    ds = xr.open_dataset(path, engine="h5netcdf", group="equilibria")
    assert set(ds.dims) == {"equilibrium", "component", "eigenvalue"}
    assert ds["state"].dims == ("equilibrium", "component")
    assert ds["state"].attrs["long_name"].startswith("position")
    assert ds["loss"].attrs["units"] == "1"
    ds.close()


def test_muller_brown_values(run_fwkit):
    path = run_fwkit("analyze", EXPERIMENTS / "analyze_muller_brown.toml", "mb2")
    eq = fwkit.equilibria(path)
    names = list(eq["stability_name"].values)
    assert names.count("stable") == 3 and names.count("saddle") == 2
    deepest = eq.isel(equilibrium=int(np.argmin(eq["loss"].values)))
    np.testing.assert_allclose(deepest["state"].values, [-0.558, 1.442], atol=2e-3)
    np.testing.assert_allclose(float(deepest["loss"]), -146.70, atol=0.01)
    # Saddles have exactly one negative Hessian eigenvalue.
    saddles = eq.where(eq["stability_name"] == "saddle", drop=True)
    assert (saddles["hessian_eigenvalues"].isel(eigenvalue=0) < 0).all()
    assert (saddles["hessian_eigenvalues"].isel(eigenvalue=1) > 0).all()


def test_provenance_and_root_attributes(run_fwkit):
    path = run_fwkit("analyze", EXPERIMENTS / "analyze_maier_stein.toml", "ms", "--set", "analyze.starts=50")
    prov = fwkit.provenance(path)
    for key in ("fwkit_version", "git_hash", "git_dirty", "command_line", "config",
                "hostname", "utc_time", "schema_version", "hdf5_version"):
        assert key in prov, key
    assert "starts = 50" in prov["config"]
    assert "--set" in prov["command_line"]
    assert fwkit.kind(path) == "analyze"
    root = xr.open_dataset(path, engine="h5netcdf")
    assert root.attrs["Conventions"] == "CF-1.8"
    root.close()


def test_storage_layout(run_fwkit):
    path = run_fwkit("analyze", EXPERIMENTS / "analyze_maier_stein.toml", "ms2")
    with h5py.File(path, "r") as f:
        state = f["equilibria/state"]
        assert state.compression == "gzip" and state.shuffle
        assert np.prod(state.chunks) * state.dtype.itemsize <= 1 << 20
        # Every dimension has an attached dimension scale.
        for dim in state.dims:
            assert len(dim) == 1
        assert f["equilibria/equilibrium"].attrs["CLASS"] == b"DIMENSION_SCALE"
        # Strings are variable-length UTF-8.
        assert h5py.check_string_dtype(f["provenance"].attrs.get_id("config").dtype).encoding == "utf-8"


def test_load_every_group(run_fwkit):
    path = run_fwkit("analyze", EXPERIMENTS / "analyze_maier_stein.toml", "ms3")
    everything = fwkit.load(path)
    assert "equilibria" in everything
    eq = everything["equilibria"]
    assert eq.sizes["equilibrium"] == 3
    assert sorted(eq["index"].values.tolist()) == [0, 0, 1]
