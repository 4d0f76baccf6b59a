"""Figures of ``fwkit compare`` files: the quasi-potential against the
simulated density, transition paths against the instanton, and SGD's
stationary variances against the discrete Lyapunov prediction."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import io


def potential_comparison_figure(path):
    """A ``fwkit compare`` potential file: the empirical potential of each
    compared cell, extrapolated to scale -> 0, against each Hamiltonian's V
    (on the diagonal for the potential the dynamics follow), and, when both
    are present, the difference of the two potentials beside the
    discrepancy the simulation shows for the other one (the same map if the
    theory is right)."""
    p = io.open_group(path, "potential")
    names = p.attrs.get("hamiltonians", "").split()
    used = p["compared"].values.astype(bool)
    dims = [d for d in p["compared"].dims]
    V, d0, se = p["V"].values, p["extrapolated"].values, p["extrapolated_se"].values
    two = len(names) > 1 and len(dims) == 2
    fig, axes = plt.subplots(1, 3 if two else 1, figsize=(16, 4.8) if two else (6.4, 4.8), constrained_layout=True,
                             squeeze=False)
    ax = axes[0, 0]
    top = 0.0
    for h, name in enumerate(names):
        v, obs = V[h][used], (V[h] + d0[h])[used]
        top = max(top, float(np.nanmax(v)), float(np.nanmax(obs)))
        ax.errorbar(v, obs, yerr=se[h][used], fmt="o", ms=2.5, elinewidth=0.5, alpha=0.6, color=f"C{h}",
                    label=f"against V({name})", zorder=3 - h)
    ax.plot([0, top], [0, top], "k--", lw=1, label="equal")
    ax.set_xlabel("V at the cell's node (units of the noise scale)")
    ax.set_ylabel("empirical potential, extrapolated to scale -> 0")
    ax.set_title(f"{int(used.sum())} cells with enough samples")
    ax.legend(fontsize=8)
    if two:
        x, y = p[dims[0]].values, p[dims[1]].values
        diff = np.where(used, V[0] - V[1], np.nan).T  # rows along y
        seen = np.where(used, d0[1], np.nan).T
        lim = float(np.nanmax(np.abs(np.concatenate([diff[np.isfinite(diff)], seen[np.isfinite(seen)]]))))
        for ax, z, title in ((axes[0, 1], diff, f"theory: V({names[0]}) - V({names[1]})"),
                             (axes[0, 2], seen, f"simulation: extrapolated discrepancy of V({names[1]})")):
            m = ax.pcolormesh(x, y, z, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="nearest")
            fig.colorbar(m, ax=ax, label="units of V")
            ax.set_xlabel(dims[0])
            ax.set_ylabel(dims[1])
            ix, iy = np.nonzero(used)
            pad_x, pad_y = 3 * (x[1] - x[0]), 3 * (y[1] - y[0])
            ax.set_xlim(x[ix.min()] - pad_x, x[ix.max()] + pad_x)
            ax.set_ylim(y[iy.min()] - pad_y, y[iy.max()] + pad_y)
            ax.set_aspect("equal", adjustable="box")
            ax.set_title(title, fontsize=10)
    fig.suptitle("quasi-potential against simulation")
    return fig


def paths_comparison_figure(path):
    """A ``fwkit compare`` paths file: the mean RMS distance of the transition
    paths to the instanton against the noise scale (log-log, one standard
    error, with the fitted exponent and the sqrt(scale) law), the distance
    to the straight segment beside it; and the distribution of a path
    sample's distance divided by sqrt(scale), which collapses onto one curve
    when the tube width goes as sqrt(scale)."""
    p = io.open_group(path, "paths")
    name = p.attrs.get("scale_key", "scale").split(".")[-1]
    s = p["point"].values
    d, se = p["mean_distance"].values, p["mean_distance_se"].values
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8), constrained_layout=True)
    ax = axes[0]
    inst = p["instanton"].values
    for leg in range(inst.shape[0]):
        c = inst[leg][np.all(np.isfinite(inst[leg]), axis=1)]
        ax.plot(c[:, 0], c[:, 1], "-", lw=1.5, color=f"C{leg}", label=f"instanton, leg {leg}")
        ax.plot([c[0, 0], c[-1, 0]], [c[0, 1], c[-1, 1]], "k:", lw=1, label="straight segment" if leg == 0 else None)
        ax.plot(c[[0, -1], 0], c[[0, -1], 1], "ko")
    ax.set_xlabel("coordinate 0")
    ax.set_ylabel("coordinate 1")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title("the instantons between the attractors")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.errorbar(s, d, yerr=se, fmt="o", capsize=3, label="to the instanton (simulated)")
    ax.plot(s, p["line_distance"].values, "s", color="C3", label="to the straight segment (simulated)")
    grid = np.geomspace(s.min() * 0.9, s.max() * 1.1, 50)
    k = int(np.argmin(s))
    ax.plot(grid, d[k] * np.sqrt(grid / s[k]), "k--", lw=1, label="~ sqrt(scale) (predicted)")
    e = float(np.ravel(p.attrs.get("exponent", [np.nan]))[0])
    ax.plot(grid, d[k] * (grid / s[k]) ** e, ":", color="C0", label=f"fitted: exponent {e:.3f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(name)
    ax.set_ylabel("mean RMS distance of a transition path")
    ax.set_title("transition paths narrow about the instanton")
    ax.legend(fontsize=8)
    ax = axes[2]
    r = p["distance"].values
    for i, scale in enumerate(s):
        root = np.sqrt(scale)
        ax.plot(r / root, p["density"].values[i] * root, "-", label=f"{name} = {scale:g}, {int(p['paths'].values[i])} paths")
    ax.set_xlabel(f"distance to the instanton / sqrt({name})")
    ax.set_ylabel("probability density")
    ax.set_title("distance of path samples, rescaled by sqrt(scale)")
    ax.legend(fontsize=8)
    return fig


def covariance_comparison_figure(path):
    """Left: simulated against predicted variance of every coordinate (one
    standard error), one colour per step, the identity dashed. Right: the
    ratio simulated / predicted - 1 of every coordinate against the step,
    with its mean: the O(eta) term the linearisation leaves out."""
    g = io.open_group(path, "sgd_covariance")
    steps = g["step"].values
    pred, sim, se = g["predicted"].values, g["simulated"].values, g["simulated_se"].values
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), constrained_layout=True)
    ax = axes[0]
    live = pred > 1e-8 * pred.max()
    for i, eta in enumerate(steps):
        m = live[i]
        ax.errorbar(pred[i, m], sim[i, m], yerr=se[i, m], fmt="o", ms=3, color=f"C{i}", label=f"step {eta:g}")
    lo, hi = pred[live].min() * 0.7, pred[live].max() * 1.4
    ax.plot([lo, hi], [lo, hi], "k--", lw=1, label="prediction")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("predicted variance (discrete Lyapunov)")
    ax.set_ylabel("simulated variance")
    ax.set_title("stationary variance of each parameter")
    ax.legend(fontsize=8)
    ax = axes[1]
    ratio = np.where(live, sim / np.where(live, pred, 1) - 1, np.nan)
    for j in range(ratio.shape[1]):
        ax.plot(steps, ratio[:, j], "-", color="0.75", lw=0.8)
    ax.plot(steps, np.nanmean(ratio, axis=1), "o-", color="C3", label="mean over the parameters")
    ax.axhline(0, color="k", lw=1, ls="--")
    ax.set_xlim(0, steps.max() * 1.05)  # the prediction is the eta -> 0 limit
    ax.set_xlabel("step eta")
    ax.set_ylabel("simulated / predicted - 1")
    ax.set_title("the linearisation's O(eta) remainder")
    ax.legend(fontsize=8)
    return fig
