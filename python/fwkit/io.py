"""Loaders for fwkit result files (see docs/hdf5-schema.md)."""

from __future__ import annotations

import os
from typing import Dict, List

import h5py
import numpy as np
import xarray as xr

#: Meaning of the integer codes of ``/equilibria/stability``.
STABILITY_NAMES = ("stable", "saddle", "unstable", "degenerate")


def _decode(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return value.item()
    return value


def kind(path: str | os.PathLike) -> str:
    """The kind of result file ("analyze", ...), from the root attribute."""
    with h5py.File(path, "r") as f:
        return _decode(f.attrs["fwkit_kind"])


def provenance(path: str | os.PathLike) -> Dict[str, object]:
    """The ``/provenance`` attributes (version, git hash, config, ...) as a dict."""
    with h5py.File(path, "r") as f:
        return {k: _decode(v) for k, v in f["provenance"].attrs.items()}


def groups(path: str | os.PathLike) -> List[str]:
    """Paths of the groups that hold datasets (each opens with open_group)."""
    found = []
    with h5py.File(path, "r") as f:

        def visit(name, obj):
            if isinstance(obj, h5py.Group) and any(
                isinstance(child, h5py.Dataset) for child in obj.values()
            ):
                found.append(name)

        f.visititems(visit)
        if any(isinstance(child, h5py.Dataset) for child in f.values()):
            found.insert(0, "/")
    return found


def open_group(path: str | os.PathLike, group: str = "/") -> xr.Dataset:
    """One group of a result file as an xarray Dataset (loaded into memory)."""
    with xr.open_dataset(path, engine="h5netcdf", group=group) as ds:
        return ds.load()


def load(path: str | os.PathLike) -> Dict[str, xr.Dataset]:
    """Every group with data, keyed by its path."""
    return {g: open_group(path, g) for g in groups(path)}


def equilibria(path: str | os.PathLike) -> xr.Dataset:
    """The ``/equilibria`` group, with the stability codes decoded into a
    ``stability_name`` variable and complex ``eigenvalues``."""
    ds = open_group(path, "equilibria")
    names = np.array([STABILITY_NAMES[int(c)] for c in ds["stability"].values], dtype=object)
    ds["stability_name"] = ("equilibrium", names)
    ds["eigenvalues"] = ds["eigenvalue_real"] + 1j * ds["eigenvalue_imag"]
    return ds


def trajectory(path: str | os.PathLike, group: str = "trajectory") -> xr.Dataset:
    """An ODE trajectory: ``state(time, component)`` with time as coordinate."""
    return open_group(path, group)


def events(path: str | os.PathLike, group: str = "events") -> xr.Dataset:
    """The events of an ODE run, with the event names decoded into ``name``."""
    ds = open_group(path, group)
    names = ds["which"].attrs.get("flag_meanings", "").split()
    ds["name"] = ("event", np.array([names[int(k)] for k in ds["which"].values], dtype=object))
    return ds


def sweep_points(path: str | os.PathLike) -> List[str]:
    """Group paths of the points of a sweep (``sweep/point_000`` ...), in order."""
    with h5py.File(path, "r") as f:
        if "sweep" not in f:
            return []
        return [f"sweep/{name}" for name in sorted(f["sweep"].keys())]


def _join(prefix: str, name: str) -> str:
    return f"{prefix.rstrip('/')}/{name}" if prefix and prefix != "/" else name


def occupation(path: str | os.PathLike, prefix: str = "") -> xr.Dataset:
    """Occupation fractions of a ``fwkit simulate`` run with their standard
    errors, indexed by region name (the last region is "none")."""
    ds = open_group(path, _join(prefix, "occupation"))
    names = str(ds.attrs["region_names"]).split()
    return ds.assign_coords(region=np.array(names, dtype=object))


def transitions(path: str | os.PathLike, prefix: str = "") -> xr.Dataset:
    """The transitions (episodes) of a ``fwkit simulate`` run, one row per
    passage, with region names decoded and ``dwell_steps`` / ``dwell_time``
    (NaN where the entry was censored by the start of recording)."""
    ds = open_group(path, _join(prefix, "transitions"))
    names = ds["from"].attrs.get("flag_meanings", "").split()
    ds["from_name"] = ("transition", np.array([names[int(k)] for k in ds["from"].values], dtype=object))
    ds["to_name"] = ("transition", np.array([names[int(k)] for k in ds["to"].values], dtype=object))
    start = ds["start_step"].values.astype(float)
    censored = start < 0
    ds["dwell_steps"] = ("transition", np.where(censored, np.nan, ds["end_step"].values - start))
    ds["dwell_time"] = ("transition", np.where(censored, np.nan, ds["end_time"].values - ds["start_time"].values))
    return ds


TRAINING_SUMMARY_KEYS = ("memorization", "excess_risk", "loss", "nearest_distance", "sharpness", "episode_steps")


def training_summary(path: str | os.PathLike) -> Dict[str, np.ndarray]:
    """The summaries of a ``fwkit train`` run, one entry per sweep point (one
    point for an unswept run): ``step``, ``budget``, ``diverged_members`` and,
    for each of TRAINING_SUMMARY_KEYS, the value and its ``<key>_se``."""
    points = sweep_points(path) or ["/"]
    out: Dict[str, list] = {"step": [], "budget": [], "diverged_members": []}
    with h5py.File(path, "r") as f:
        for p in points:
            attrs = f[_join(p, "summary")].attrs
            for key in ("step", "budget", "diverged_members"):
                out[key].append(float(np.ravel(attrs[key])[0]))
            for key in TRAINING_SUMMARY_KEYS:
                for name in (key, key + "_se"):
                    out.setdefault(name, []).append(float(np.ravel(attrs[name])[0]))
    return {k: np.asarray(v) for k, v in out.items()}


def episodes(path: str | os.PathLike, prefix: str = "") -> xr.Dataset:
    """The completed memorization episodes of a ``fwkit train`` run, one row
    per episode (member, sample, training point, start and length)."""
    return open_group(path, _join(prefix, "episodes"))


def comparison_summary(path: str | os.PathLike) -> List[Dict[str, object]]:
    """The ``/summary`` rows of a ``fwkit compare`` file: one dict per row
    with quantity, condition, units, rule (text), predicted, observed,
    observed_se, relative_error, tolerance, judged and passed (bools)."""
    with h5py.File(path, "r") as f:
        g = f["summary"]
        text = {k: _decode(g.attrs[k]).split("\n") for k in ("quantity", "condition", "units", "rule")}
        cols = {k: np.asarray(g[k][()]) for k in ("predicted", "observed", "observed_se", "relative_error",
                                                    "tolerance", "judged", "pass")}
    rows = []
    for i in range(len(cols["predicted"])):
        row: Dict[str, object] = {k: text[k][i] for k in text}
        row.update({k: float(cols[k][i]) for k in ("predicted", "observed", "observed_se", "relative_error", "tolerance")})
        row["judged"] = bool(cols["judged"][i])
        row["passed"] = bool(cols["pass"][i])
        rows.append(row)
    return rows


def episode_comparison(path: str | os.PathLike) -> xr.Dataset:
    """The ``/episodes`` group of a ``fwkit compare`` episodes file: per sweep
    point the simulated mean episode length (steps) with its standard error
    and both predictions (``deterministic``, ``hazard``)."""
    return open_group(path, "episodes")


def potential_comparison(path: str | os.PathLike) -> xr.Dataset:
    """The ``/potential`` group of a ``fwkit compare`` potential file, with
    the ``hamiltonian`` dimension labelled by name (``discrete``,
    ``langevin``; the expected one first): per cell and step the empirical
    potential (``observed``, ``observed_se``), each Hamiltonian's cell-mass
    prediction and ``V``, and the discrepancy extrapolated to scale -> 0."""
    ds = open_group(path, "potential")
    names = _decode(ds.attrs.get("hamiltonians", "")).split()
    if len(names) == ds.sizes.get("hamiltonian", -1):
        ds = ds.assign_coords(hamiltonian=names)
    return ds


def paths_comparison(path: str | os.PathLike) -> xr.Dataset:
    """The ``/paths`` group of a ``fwkit compare`` paths file: per noise
    scale the number of transition paths, their mean RMS distance to the
    instanton (and to the straight segment), the distance density, and the
    instanton of each leg."""
    return open_group(path, "paths")
