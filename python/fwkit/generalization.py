"""Loaders for the denoising generalization gap of ``fwkit train`` (groups
``gap`` and ``inference``, docs/hdf5-schema.md) and of ``fwkit compare``
kind = "generalization"."""

from __future__ import annotations

import os
from typing import List

import h5py
import numpy as np
import xarray as xr

from .io import _decode, _join, open_group, sweep_points


def _points(path: str | os.PathLike) -> List[str]:
    return sweep_points(path) or ["/"]


def _sweep(path, group: str, point):
    """One point's group, or every point's stacked along ``sweep`` (coordinate
    ``value``: the sweep values, attribute ``key``: the swept key)."""
    points = _points(path)
    if point is not None:
        prefix = points[point] if isinstance(point, int) else point
        return open_group(path, _join(prefix, group))
    if points == ["/"]:
        return open_group(path, group)
    with h5py.File(path, "r") as f:
        key = _decode(f["sweep"].attrs["key"])
        values = [float(np.ravel(f[p].attrs["value"])[0]) for p in points]
        missing = [p for p in points if group not in f[p]]
    if missing:
        raise KeyError(f"{path}: {missing[0]} has no '{group}' group (train with a validation split)")
    parts = [open_group(path, _join(p, group)) for p in points]
    per_point = [v for v in ("point_loss_train", "point_loss_val") if v in parts[0]]
    if per_point and len({(d.sizes.get("point"), d.sizes.get("vpoint")) for d in parts}) > 1:
        # a sweep over the number of points: the per-point losses do not stack (read one point for them)
        parts = [d.drop_vars(per_point + [c for c in ("point", "vpoint") if c in d.variables]) for d in parts]
    try:  # points must share their coordinates (a step sweep at a fixed budget has other monitor steps)
        out = xr.concat(parts, dim="sweep", coords="minimal", compat="override", combine_attrs="drop_conflicts",
                        join="exact")
    except ValueError as e:
        raise ValueError(f"{path}: the sweep points' {group} groups have different coordinates ({e}); "
                         f"pick one with point=<index>") from None
    out = out.assign_coords(value=("sweep", values))
    out.attrs["key"] = key
    return out


def gap(path: str | os.PathLike, point: int | str | None = None) -> xr.Dataset:
    """The generalization gap of a ``fwkit train`` file: ``loss_train``,
    ``loss_val`` (with ``_se``), ``gap`` and ``gap_se`` over (member, monitor,
    sigma), the member means ``mean_gap``/``mean_gap_se`` over (monitor,
    sigma), the per-point losses ``point_loss_train`` / ``point_loss_val``
    over (member, monitor, sigma, point / vpoint), and the peak of the last
    monitor in the attributes. A sweep file
    gives every point stacked along ``sweep`` (coordinate ``value``) unless
    ``point`` picks one (an index or a group path)."""
    return _sweep(path, "gap", point)


def inference(path: str | os.PathLike, point: int | str | None = None) -> xr.Dataset:
    """Where sampling trajectories go, over (member, stop): mean nearest-
    neighbour distances of the states (and of their denoised outputs) to the
    noisy training and validation samples at the stop's sigma, Fréchet
    distances, the relative overfit and the training gap at the same sigma.
    Sweep files as in :func:`gap`."""
    return _sweep(path, "inference", point)


def gap_comparison(path: str | os.PathLike) -> dict:
    """The groups of a ``fwkit compare`` generalization file: ``analytic``
    (over delta and sigma) and ``network`` (over point and sigma), each
    present only when its input was given."""
    out = {}
    with h5py.File(path, "r") as f:
        present = [g for g in ("analytic", "network") if g in f]
    for g in present:
        out[g] = open_group(path, g)
    return out
