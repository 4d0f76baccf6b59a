"""fwkit analysis package: load fwkit's HDF5 result files into xarray and numpy.

Every fwkit result file is netCDF-4 compatible, so each group opens as an
``xarray.Dataset`` with named dimensions and coordinates::

    import fwkit
    eq = fwkit.open_group("analyze.h5", "equilibria")
    print(eq.state.sel(equilibrium=0).values)
    print(fwkit.provenance("analyze.h5")["git_hash"])
"""

from .generalization import gap, gap_comparison, inference
from .io import (
    STABILITY_NAMES,
    TRAINING_SUMMARY_KEYS,
    comparison_summary,
    episode_comparison,
    episodes,
    equilibria,
    events,
    groups,
    kind,
    load,
    occupation,
    open_group,
    paths_comparison,
    potential_comparison,
    provenance,
    sweep_points,
    trajectory,
    training_summary,
    transitions,
)

__all__ = [
    "STABILITY_NAMES",
    "TRAINING_SUMMARY_KEYS",
    "comparison_summary",
    "episode_comparison",
    "episodes",
    "equilibria",
    "events",
    "gap",
    "gap_comparison",
    "groups",
    "inference",
    "kind",
    "load",
    "occupation",
    "open_group",
    "paths_comparison",
    "potential_comparison",
    "provenance",
    "sweep_points",
    "trajectory",
    "training_summary",
    "transitions",
]
