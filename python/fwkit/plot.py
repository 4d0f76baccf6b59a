"""Figures from fwkit result files (matplotlib, headless).

Each function takes a result file (and, for sweeps, the group prefix of one
point) and returns a ``matplotlib.figure.Figure`` with labelled axes::

    import fwkit.plot as fp
    fig = fp.potential_figure("quasipotential.h5")
    fig.savefig("V.png", dpi=150)

``python3 -m fwkit.plot FILE [-o DIR]`` (or ``scripts/fwkit-plot``) writes
every figure that applies to a file as PNGs and prints their paths.

Conventions (SCIENCE.md): ``V`` is the quasi-potential, in units of the noise
scale (``eps`` for an SDE, ``eta`` for constant-step SGD): the stationary
density goes as ``exp(-V / scale)``. The empirical potential of a simulation
is ``-scale log(density / max density)``.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
from typing import Dict, List

import matplotlib

matplotlib.use("Agg")
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from . import io  # noqa: E402
from .plot_gap import gap_comparison_figure, train_gap_figures  # noqa: E402
from .plot_compare import covariance_comparison_figure, paths_comparison_figure, potential_comparison_figure  # noqa: E402,F401


def _state_dims(da) -> List[str]:
    return [d for d in da.dims if d != "component"]


def _slice_to_2d(da, point=None):
    """A 2-D field; 3-D fields are cut through `point` (or the middle) along
    the last axis. Returns the field and a note for the title."""
    dims = _state_dims(da)
    if len(dims) <= 2:
        return da, ""
    last = dims[-1]
    coord = da[last].values
    k = int(np.argmin(np.abs(coord - point[-1]))) if point is not None else len(coord) // 2
    return da.isel({last: k}), f", {last} = {coord[k]:.3g}"


def _finite_levels(values: np.ndarray, count: int) -> np.ndarray:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.linspace(0, 1, count)
    top = np.percentile(finite, 99)
    if top <= finite.min():
        top = finite.min() + 1
    return np.linspace(finite.min(), top, count)


def _field(ax, da, label: str, levels: int = 24):
    """Filled contours of a 1-D or 2-D field with a colour bar; x along the
    first state dimension."""
    dims = _state_dims(da)
    if len(dims) == 1:
        x = da[dims[0]].values
        ax.plot(x, da.values, color="C0")
        ax.set_xlabel(dims[0])
        ax.set_ylabel(label)
        return
    x, y = da[dims[0]].values, da[dims[1]].values
    z = da.transpose(dims[1], dims[0]).values  # rows along y
    lv = _finite_levels(z, levels)
    cs = ax.contourf(x, y, np.where(np.isfinite(z), np.minimum(z, lv[-1]), np.nan), levels=lv, cmap="viridis")
    ax.contour(x, y, np.where(np.isfinite(z), z, np.nan), levels=lv[::3], colors="white", linewidths=0.4)
    ax.figure.colorbar(cs, ax=ax, label=label)
    ax.set_xlabel(dims[0])
    ax.set_ylabel(dims[1])
    ax.set_aspect("equal", adjustable="box")


def hamiltonians(path) -> List[str]:
    """The Hamiltonian groups (``langevin``, ``discrete``) of a quasipotential file."""
    with h5py.File(path, "r") as f:
        return sorted(f["quasipotential"].keys()) if "quasipotential" in f else []


def potential_figure(path, hamiltonian: str | None = None):
    """The quasi-potential V of a ``fwkit quasipotential`` file: filled
    contours (3-D: the plane through the attractor), the attractor(s) and the
    minimum action paths traced back from the configured points."""
    hamiltonian = hamiltonian or hamiltonians(path)[0]
    group = f"quasipotential/{hamiltonian}"
    ds = io.open_group(path, group)
    attractor = np.asarray(ds.attrs["attractor"], dtype=float) if "attractor" in ds.attrs else None
    if "attractor_state" in ds:
        points = ds["attractor_state"].values
    else:
        points = attractor[None, :] if attractor is not None else np.zeros((0, len(_state_dims(ds["V"]))))
    v, note = _slice_to_2d(ds["V"], points[0] if len(points) else None)
    fig, ax = plt.subplots(figsize=(6.4, 5.2), constrained_layout=True)
    _field(ax, v, "V (units of the noise scale)")
    dims = _state_dims(v)
    if len(dims) == 2:
        if len(points):
            ax.plot(points[:, 0], points[:, 1], "r*", ms=12, label="attractor" if len(points) == 1 else "attractors")
        with h5py.File(path, "r") as f:
            has_paths = f"{group}/paths" in f
        if has_paths:
            paths = io.open_group(path, f"{group}/paths")
            for i, p in enumerate(paths["state"].values):
                ax.plot(p[:, 0], p[:, 1], color="orange", lw=1.5, label="minimum action path" if i == 0 else None)
        ax.legend(loc="upper right", fontsize=8)
    ax.set_title(f"quasi-potential ({hamiltonian}{note})")
    return fig


def histogram_figure(path, prefix: str = ""):
    """The empirical potential ``-scale log(density / max density)`` of a
    ``fwkit simulate`` histogram (3-D: the middle plane)."""
    ds = io.open_group(path, io._join(prefix, "histogram"))
    scale = float(np.ravel(ds.attrs.get("noise_scale", [np.nan]))[0])
    v, note = _slice_to_2d(ds["potential"])
    fig, ax = plt.subplots(figsize=(6.4, 5.2), constrained_layout=True)
    _field(ax, v, f"-scale log(p / max p), scale = {scale:.3g}")
    ax.set_title(f"empirical potential from {int(ds['count'].values.sum())} samples{note}")
    return fig


def occupation_figure(path, prefix: str = ""):
    """Fractions of recorded time in each region, with standard errors."""
    ds = io.occupation(path, prefix)
    names = [str(n) for n in ds["region"].values]
    fig, ax = plt.subplots(figsize=(6.4, 4), constrained_layout=True)
    ax.bar(names, ds["fraction"].values, yerr=ds["standard_error"].values, capsize=4, color="C0")
    ax.set_xlabel("region")
    ax.set_ylabel("fraction of recorded time")
    ax.set_title("occupation (error bars: one standard error)")
    return fig


def dwell_figure(path, prefix: str = ""):
    """Distribution of the dwell times before each kind of transition
    (uncensored passages), in steps, on log axes."""
    ds = io.transitions(path, prefix)
    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    dwell = ds["dwell_steps"].values
    pairs = sorted({(a, b) for a, b in zip(ds["from_name"].values, ds["to_name"].values)})
    finite = dwell[np.isfinite(dwell) & (dwell > 0)]
    if finite.size:
        bins = np.logspace(np.log10(finite.min()), np.log10(finite.max()) + 1e-9, 30)
        for a, b in pairs:
            sel = (ds["from_name"].values == a) & (ds["to_name"].values == b) & np.isfinite(dwell) & (dwell > 0)
            if sel.any():
                ax.hist(dwell[sel], bins=bins, histtype="step", lw=1.5, label=f"{a} -> {b} ({int(sel.sum())})")
        ax.set_xscale("log")
        ax.legend(fontsize=8)
    ax.set_xlabel("dwell before the transition (steps)")
    ax.set_ylabel("transitions")
    ax.set_title("dwell times (uncensored)")
    return fig


def collapse_figure(path, prefix: str = ""):
    """Per-generation statistics of a collapse run (refitting or
    resampling), mean over members with one-standard-error bands."""
    ds = io.open_group(path, io._join(prefix, "collapse"))
    keys = [k for k in ("variance", "log_det_covariance", "mean_shift", "homozygosity", "distinct") if k in ds]
    fig, axes = plt.subplots(len(keys), 1, figsize=(6.4, 2.2 * len(keys)), sharex=True, constrained_layout=True)
    axes = np.atleast_1d(axes)
    g = ds["generation"].values
    for ax, k in zip(axes, keys):
        m = ds[k].values
        se = ds[k + "_se"].values if k + "_se" in ds else np.zeros_like(m)
        ax.plot(g, m, color="C0", label="mean over members")
        ax.fill_between(g, m - se, m + se, color="C0", alpha=0.3, label="one standard error")
        ax.set_ylabel(k)
    axes[0].legend(fontsize=8)
    axes[-1].set_xlabel("generation")
    axes[0].set_title(f"collapse ({ds.attrs.get('kind', '')})")
    return fig


def training_figure(path):
    """A ``fwkit train`` run: memorization fraction and mean episode length
    against the swept value (or at the single point), with standard errors."""
    s = io.training_summary(path)
    with h5py.File(path, "r") as f:
        if "sweep" in f:
            key = io._decode(f["sweep"].attrs.get("key", "sweep"))
            values = np.asarray(f["sweep"].attrs["values"], dtype=float)
        else:
            key, values = "step", s["step"]
    fig, axes = plt.subplots(2, 1, figsize=(6.4, 6), sharex=True, constrained_layout=True)
    for ax, k, label in ((axes[0], "memorization", "memorization fraction"),
                         (axes[1], "episode_steps", "mean episode length (steps)")):
        ax.errorbar(values, s[k], yerr=s[k + "_se"], fmt="o-", capsize=4, label="simulated (one standard error)")
        ax.set_ylabel(label)
        ax.legend(fontsize=8)
    if len(values) > 1 and values.min() > 0 and values.max() / values.min() > 10:
        axes[1].set_xscale("log")
    axes[1].set_xlabel(key)
    axes[0].set_title("memorization against " + key)
    return fig


def episodes_comparison_figure(path):
    """A ``fwkit compare`` episodes file: the mean episode length in clock time
    (steps times the step size a) against the swept value, simulated with
    standard errors beside the adiabatic-hazard prediction and the noise-free
    relaxation cycle; below, the distribution of simulated lengths per point."""
    e = io.episode_comparison(path)
    key = e.attrs.get("sweep_key", "") or "run"
    x = e["point"].values
    a = e["step"].values
    lengths = io.open_group(path, "episode_lengths")
    fig, axes = plt.subplots(2, 1, figsize=(6.4, 7.2), constrained_layout=True)
    ax = axes[0]
    ax.errorbar(x, e["simulated_mean"].values * a, yerr=e["simulated_se"].values * a, fmt="o", capsize=4,
                color="k", label="simulated (one standard error)", zorder=3)
    ax.plot(x, e["hazard"].values * a, "s-", color="C0", label="adiabatic Kramers hazard")
    ax.plot(x, e["deterministic"].values * a, "^--", color="C3", label="relaxation cycle (no noise)")
    ax.set_ylabel("mean episode length (clock time a n)")
    ax.set_title("memorization episodes: predicted and simulated")
    ax.legend(fontsize=8)
    if len(x) > 1 and x.min() > 0 and x.max() / x.min() >= 5:
        ax.set_xscale("log")
    ax.set_xlabel(key)
    ax = axes[1]
    point = lengths["point"].values.astype(int)
    length = lengths["length"].values
    for i in range(len(x)):
        t = length[point == i] * a[i]
        if t.size == 0:
            continue
        label = f"{key} = {x[i]:g}" if key != "run" else "simulated"
        # Lengths come in whole recording strides: bins a whole number of them wide.
        steps = np.unique(length[point == i])
        quantum = np.min(np.diff(steps)) if steps.size > 1 else 1.0
        width = quantum * max(1.0, np.ceil((steps[-1] - steps[0]) / 40 / quantum))
        edges = (np.arange(steps[0] - width / 2, steps[-1] + width, width)) * a[i]
        ax.hist(t, bins=edges, density=True, histtype="step", color=f"C{i}", label=label)
        ax.axvline(e["hazard"].values[i] * a[i], color=f"C{i}", ls=":", lw=1)
    ax.set_xlabel("episode length (clock time a n)")
    ax.set_ylabel("probability density (1 / clock time)")
    ax.set_title("distribution of simulated episode lengths (dotted: hazard mean)", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def collapse_comparison_figure(path):
    """A ``fwkit compare`` collapse file: the simulated ensemble means (bands of
    two standard errors) against the exact expectations, generation by
    generation, for every sweep point: the variance and, where defined, log
    det Sigma (Gaussian refit) or the homozygosity (resample)."""
    c = io.open_group(path, "collapse")
    key = c.attrs.get("sweep_key", "") or "run"
    second = "log_det" if "expected_log_det" in c else "homozygosity" if "expected_homozygosity" in c else None
    fig, axes = plt.subplots(2 if second else 1, 1, figsize=(6.4, 7.2 if second else 4), squeeze=False,
                             sharex=True, constrained_layout=True)
    axes = axes[:, 0]
    t = c["generation"].values
    panels = [("variance", "variance (tr Sigma / d)", True)]
    if second == "log_det":
        panels.append(("log_det", "log det Sigma", False))
    elif second == "homozygosity":
        panels.append(("homozygosity", "homozygosity", False))
    for ax, (name, label, logy) in zip(axes, panels):
        for i, value in enumerate(c["point"].values):
            tag = f"{key} = {value:g}" if key != "run" else "simulated"
            sim = c[name].values[i]
            if not np.any(np.isfinite(sim)):
                continue
            se = c[name + "_se"].values[i]
            ax.plot(t, sim, color=f"C{i}", lw=1.2, label=f"simulated, {tag}")
            ax.fill_between(t, sim - 2 * se, sim + 2 * se, color=f"C{i}", alpha=0.25, lw=0)
            exp = c["expected_" + name].values[i]
            if np.any(np.isfinite(exp)):
                ax.plot(t, exp, color="k", ls="--", lw=1, label="exact expectation" if i == 0 else None)
        if logy:
            ax.set_yscale("log")
            # Absorbed chains (variance exactly 0 up to rounding) would stretch the axis.
            exp = c["expected_" + name].values
            ax.set_ylim(bottom=0.3 * np.nanmin(np.where(exp > 0, exp, np.nan)))
        ax.set_ylabel(label)
        ax.legend(fontsize=8)
    axes[0].set_title(f"collapse ({c.attrs.get('scheme', '')}): simulated (2 se bands) and exact")
    axes[-1].set_xlabel("generation")
    return fig


def occupation_comparison_figure(path):
    """A ``fwkit compare`` occupation file: the log occupation ratio of each
    attractor against the ground state, against 1 / scale: simulated (one
    standard error), the W-graph + Hwang prediction, and the fitted line."""
    o = io.open_group(path, "occupation")
    key = o.attrs.get("scale_key", "scale")
    name = key.split(".")[-1]
    names = o.attrs.get("region_names", "").split()
    g = int(o.attrs.get("ground_state", 0))
    s = o["point"].values
    inv = 1 / s
    grid = np.linspace(0, inv.max() * 1.05, 200)[1:]
    fig, ax = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    for i in range(o.sizes["attractor"]):
        if i == g:
            continue
        f, se = o["fraction"].values, o["fraction_se"].values
        ratio = f[:, i] / f[:, g]
        err = np.hypot(se[:, i] / f[:, i], se[:, g] / f[:, g])
        label = f"{names[i]} / {names[g]}" if len(names) > max(i, g) else f"attractor {i} / {g}"
        ax.errorbar(inv, np.log(ratio), yerr=err, fmt="o", color=f"C{i}", capsize=3, label=f"simulated {label}")
        dw = float(o["w"].values[i] - o["w"].values[g])
        ax.plot(grid, -dw * grid + float(o["log_prefactor"].values[i]), "--", color=f"C{i}",
                label="W-graph, Hwang prefactor")
        fitted = float(o["fitted_exponent"].values[i])
        b = np.mean(np.log(ratio) + fitted * inv)
        ax.plot(grid, -fitted * grid + b, ":", color=f"C{i}", label=f"fitted: exponent {fitted:.3g}")
    ax.set_xlabel(f"1 / {name}")
    ax.set_ylabel("log occupation ratio (against the ground state)")
    ax.set_title("occupation of the attractors: predicted and simulated")
    ax.legend(fontsize=8)
    return fig


def transitions_figure(path):
    """An ``fwkit action`` transitions file: the attractors (labelled with
    their W-graph energies), the saddles and each leg's minimum action path,
    in the first two coordinates."""
    t = io.open_group(path, "transitions")
    fig, ax = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    if "leg_path" in t:
        for leg in range(t.sizes["leg"]):
            p = t["leg_path"].values[leg]
            cost = float(t["leg_cost"].values[leg])
            ax.plot(p[:, 0], p[:, 1], lw=1.2, color=f"C{leg}",
                    label=f"{int(t['leg_from'].values[leg])} -> saddle {int(t['leg_saddle'].values[leg])}: cost {cost:.4g}")
    a = t["attractors"].values
    ax.plot(a[:, 0], a[:, 1], "ko", label="attractors")
    for i, (x, y) in enumerate(a[:, :2]):
        ax.annotate(f"{i}: W = {float(t['w'].values[i]):.4g}", (x, y), textcoords="offset points", xytext=(4, 6), fontsize=8)
    if "saddles" in t:
        sd = t["saddles"].values
        ax.plot(sd[:, 0], sd[:, 1], "kx", ms=8, label="saddles")
    ax.set_xlabel("coordinate 0")
    ax.set_ylabel("coordinate 1")
    ax.set_title(f"minimum action legs ({t.attrs.get('hamiltonian', '')} Hamiltonian); ground state {int(t.attrs.get('ground_state', 0))}")
    ax.legend(fontsize=8)
    return fig


def training_comparison_figure(path):
    """A ``fwkit compare`` training file: the diffusion model's memorization
    fraction and clock-time episode length against the step (one standard
    error), and, when given, the two-time-scale model's episode lengths
    (simulated and the hazard prediction) beside them, each as a ratio to
    its smallest step."""
    t = io.open_group(path, "training")
    with h5py.File(path, "r") as f:
        beside = "two_time_scale" in f
    fig, axes = plt.subplots(2, 1, figsize=(6.4, 7.2), constrained_layout=True)
    step = t["step"].values
    ax = axes[0]
    ax.errorbar(step, t["memorization"].values, yerr=t["memorization_se"].values, fmt="o-", capsize=4,
                label="diffusion model (one standard error)")
    ax.set_xscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("memorization fraction")
    ax.set_title("memorization against the step size")
    ax.legend(fontsize=8)
    ax = axes[1]
    e, se = t["episode_time"].values, t["episode_time_se"].values
    ax.errorbar(step / step.min(), e / e[np.argmin(step)], yerr=se / e[np.argmin(step)], fmt="o-", capsize=4,
                label="diffusion model, simulated")
    if beside:
        m = io.open_group(path, "two_time_scale")
        a = m["step"].values
        k = np.argmin(a)
        ax.errorbar(a / a.min(), m["simulated"].values / m["simulated"].values[k],
                    yerr=m["simulated_se"].values / m["simulated"].values[k], fmt="s", capsize=4,
                    label="two-time-scale SGD, simulated")
        ax.plot(a / a.min(), m["hazard"].values / m["hazard"].values[k], "--", label="two-time-scale SGD, hazard prediction")
    ax.set_xscale("log")
    ax.set_xlabel("step / smallest step")
    ax.set_ylabel("episode length (clock time) / at smallest step")
    ax.set_title("memorization episodes shorten with the step", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def exits_comparison_figure(path):
    """A ``fwkit compare`` exits file: the mean exit time from each attractor
    (clock time, log scale) against 1 / scale, simulated with one standard
    error, beside Eyring–Kramers where it applies."""
    e = io.open_group(path, "exits")
    names = e.attrs.get("region_names", "").split()
    name = e.attrs.get("scale_key", "scale").split(".")[-1]
    inv = 1 / e["point"].values
    grid = np.linspace(inv.min() * 0.95, inv.max() * 1.05, 100)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    for i in range(e.sizes["attractor"]):
        label = names[i] if i < len(names) else f"attractor {i}"
        ax.errorbar(inv, e["mean_time"].values[:, i], yerr=e["mean_time_se"].values[:, i], fmt="o", color=f"C{i}",
                    capsize=3, label=f"simulated, leaving {label}")
        a, c = float(e["kramers_prefactor"].values[i]), float(e["least_cost"].values[i])
        if np.isfinite(a):
            ax.plot(grid, a * np.exp(c * grid), "--", color=f"C{i}", label=f"Eyring–Kramers, leaving {label}")
    ax.set_yscale("log")
    ax.set_xlabel(f"1 / {name}")
    ax.set_ylabel("mean exit time (clock time)")
    ax.set_title("mean transition times: predicted and simulated")
    ax.legend(fontsize=8)
    return fig


def figures(path) -> Dict[str, object]:
    """Every figure that applies to a result file, by a short name."""
    k = io.kind(path)
    out: Dict[str, object] = {}
    if k == "quasipotential":
        for h in hamiltonians(path):
            out[f"potential_{h}"] = potential_figure(path, h)
    elif k == "simulate":
        points = io.sweep_points(path) or [""]
        with h5py.File(path, "r") as f:
            present = {p: {g for g in ("histogram", "occupation", "transitions", "collapse") if io._join(p, g) in f}
                       for p in points}
        makers = (("histogram", histogram_figure), ("occupation", occupation_figure), ("transitions", dwell_figure),
                  ("collapse", collapse_figure))
        for p in points:
            tag = "" if not p else "_" + p.split("/")[-1]
            for group, make in makers:
                if group not in present[p]:
                    continue
                fig = make(path, p)
                if p:  # a sweep point: say which
                    with h5py.File(path, "r") as f:
                        key = io._decode(f["sweep"].attrs.get("key", "sweep"))
                        value = float(np.ravel(f[p].attrs["value"])[0])
                    ax = fig.axes[0]
                    ax.set_title(f"{ax.get_title()}\n{key} = {value:g}")
                out[("dwell" if group == "transitions" else group) + tag] = fig
    elif k == "train":
        with h5py.File(path, "r") as f:
            first = f[(io.sweep_points(path) or ["/"])[0]]
            trained = "step" in first["summary"].attrs
        if trained:  # a closed-form denoiser has no training to draw
            out["training"] = training_figure(path)
        out.update(train_gap_figures(path))
    elif k == "action":
        with h5py.File(path, "r") as f:
            has = "transitions" in f and "attractors" in f["transitions"]
        if has:
            out["transitions"] = transitions_figure(path)
    elif k == "compare":
        with h5py.File(path, "r") as f:
            present = set(f.keys())
        if "episodes" in present:
            out["episodes"] = episodes_comparison_figure(path)
        if "collapse" in present:
            out["collapse"] = collapse_comparison_figure(path)
        if "occupation" in present:
            out["occupation"] = occupation_comparison_figure(path)
        if "exits" in present:
            out["exits"] = exits_comparison_figure(path)
        if "training" in present:
            out["training"] = training_comparison_figure(path)
        if "potential" in present:
            out["potential"] = potential_comparison_figure(path)
        if "paths" in present:
            out["paths"] = paths_comparison_figure(path)
        if "analytic" in present or "network" in present:
            out["generalization"] = gap_comparison_figure(path)
        if "sgd_covariance" in present:
            out["sgd_covariance"] = covariance_comparison_figure(path)
    else:
        raise ValueError(f"{path}: no figures for files of kind '{k}' (quasipotential, simulate, train and compare have them)")
    return out


def save_figures(path, outdir, dpi: int = 150) -> List[pathlib.Path]:
    """Writes every figure of a file to ``outdir/<file stem>_<name>.png``."""
    outdir = pathlib.Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    stem = pathlib.Path(path).stem
    written = []
    for name, fig in figures(path).items():
        target = outdir / f"{stem}_{name}.png"
        tmp = target.with_suffix(".png.tmp")
        fig.savefig(tmp, dpi=dpi, format="png")
        os.replace(tmp, target)  # never a half-written PNG under the final name
        plt.close(fig)
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="fwkit-plot", description="PNG figures from fwkit result files")
    parser.add_argument("files", nargs="+", help="fwkit HDF5 result files")
    parser.add_argument("-o", "--output", default=".", help="folder for the PNGs (default: the current one)")
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--skip-other-kinds", action="store_true",
                        help="pass over files of kinds that have no figures (fwkit run hands over every result)")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        if args.skip_other_kinds and io.kind(path) not in ("quasipotential", "simulate", "train", "compare", "action"):
            print(f"{path}: no figures for kind '{io.kind(path)}'", file=sys.stderr)
            continue
        try:
            for p in save_figures(path, args.output, args.dpi):
                print(p)
        except (OSError, KeyError, ValueError) as e:
            print(f"fwkit-plot: error: {e}", file=sys.stderr)
            status = 65
    return status


if __name__ == "__main__":
    sys.exit(main())
