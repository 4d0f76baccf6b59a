"""Figures of the denoising generalization gap: G(sigma) over a sweep of the
analytic model or coloured by training time for a network, the split losses
against training time at the peak sigma, and where sampling trajectories go
(fwkit train with a validation split; fwkit compare kind = "generalization")."""

from __future__ import annotations

from typing import Dict

import h5py
import matplotlib.pyplot as plt
import numpy as np

from . import generalization as gp
from .io import _decode, sweep_points


def _label(key: str) -> str:
    return {"train.blur": "delta", "train.step": "step"}.get(key, key)


def _gap_axis(ax):
    """Gaps span decades between models (0.1 to 1000): a symmetric log axis
    keeps the small curves visible beside the large."""
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_xscale("log")


def analytic_gap_figure(path):
    """G(sigma) of a closed-form denoiser, one curve per sweep point (band:
    one standard error)."""
    ds = gp.gap(path)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), constrained_layout=True)
    stacked = "sweep" in ds.dims
    values = ds["value"].values if stacked else [np.nan]
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(values)))
    for i, v in enumerate(values):
        one = ds.isel(sweep=i) if stacked else ds
        g, se = one["mean_gap"].values[-1], one["mean_gap_se"].values[-1]
        s = one["sigma"].values
        label = f"{_label(ds.attrs.get('key', ''))} = {v:g}" if stacked else "gap"
        ax.plot(s, g, color=colours[i], label=label)
        ax.fill_between(s, g - se, g + se, color=colours[i], alpha=0.2, lw=0)
    _gap_axis(ax)
    ax.set_xlabel("noise level sigma")
    ax.set_ylabel("relative gap G = (L_val - L_train) / L_train")
    ax.set_title(f"denoising generalization gap ({_decode(ds.attrs.get('denoiser', ''))})")
    ax.legend(fontsize=8)
    return fig


def network_gap_figure(path, point=None):
    """A network's member-mean G(sigma) at every monitor, coloured by
    training step, and the training and validation losses against the step
    at the last monitor's peak sigma."""
    ds = gp.gap(path, point)
    steps, s = ds["monitor"].values, ds["sigma"].values
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    cmap = plt.cm.plasma
    for t in range(len(steps)):
        axes[0].plot(s, ds["mean_gap"].values[t], color=cmap(0.1 + 0.8 * t / max(1, len(steps) - 1)), lw=1.2)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(steps.min(), steps.max()))
    fig.colorbar(sm, ax=axes[0], label="training step")
    axes[0].axhline(0, color="0.6", lw=0.8)
    axes[0].set_xscale("log")
    axes[0].set_xlabel("noise level sigma")
    axes[0].set_ylabel("relative gap G (member mean)")
    axes[0].set_title("network: the gap at every monitor")
    k = int(np.argmin(np.abs(np.log(s / float(np.ravel(ds.attrs["peak_sigma"])[0])))))
    for name, colour in (("loss_train", "C0"), ("loss_val", "C3")):
        m = ds[name].values[:, :, k].mean(axis=0)
        e = np.sqrt((ds[name + "_se"].values[:, :, k] ** 2).mean(axis=0))
        axes[1].errorbar(steps, m, yerr=e, fmt="o-", color=colour, capsize=3, label=name.replace("loss_", "L_"))
    axes[1].set_xlabel("training step")
    axes[1].set_ylabel(f"denoising loss at sigma = {s[k]:.3g}")
    axes[1].set_title("training and validation loss at the peak")
    axes[1].legend(fontsize=8)
    return fig


def inference_figure(path, point=None):
    """Mean nearest-neighbour distance of the sampling states to the noisy
    training and validation samples at each stop, beside the gap G there."""
    ds = gp.inference(path, point)
    where = ""
    if "sweep" in ds.dims:  # a sweep: the first point stands for the figure
        where = f" ({ds.attrs.get('key', 'sweep')} = {float(ds['value'].values[0]):g})"
        ds = ds.isel(sweep=0)
    ds = ds.mean("member", keep_attrs=True)  # members share the sampler noise and the noisy samples
    s = ds["sigma"].values
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for name, colour, label in (("state_to_train", "C0", "to noisy training samples"),
                                ("state_to_val", "C3", "to noisy validation samples")):
        a0.errorbar(s, ds[name].values, yerr=ds[name + "_se"].values, fmt="o-", color=colour, capsize=3, label=label)
    a0.set_xscale("log")
    a0.set_xlabel("sigma at which sampling stopped")
    a0.set_ylabel("mean nearest-neighbour distance of the states")
    a0.legend(fontsize=8)
    a0.set_title("where inference goes" + where + ", member mean")
    pref = ds["state_to_val"].values / ds["state_to_train"].values - 1
    base = ds["fresh_to_val"].values / ds["fresh_to_train"].values - 1
    a1.plot(s, ds["gap_at_stop"].values, "s-", color="k", label="training gap G")
    a1.plot(s, base, "^--", color="C0", label="preference of fresh noisy training samples")
    a1.plot(s, pref, "o-", color="C2", label="preference of the sampling states")
    a1.axhline(0, color="0.6", lw=0.8)
    a1.set_yscale("symlog", linthresh=0.1)  # the baseline is often tens of times the rest
    a1.set_xscale("log")
    a1.set_xlabel("sigma")
    a1.set_ylabel("relative difference (preference: d_val / d_train - 1)")
    a1.legend(fontsize=8)
    a1.set_title("overfit in training, not in inference")
    return fig


def gap_comparison_figure(path):
    """The analytic model's G(sigma) over delta beside the network's last one."""
    parts = gp.gap_comparison(path)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), constrained_layout=True)
    if "analytic" in parts:
        a = parts["analytic"]
        colours = plt.cm.viridis(np.linspace(0, 0.9, a.sizes["delta"]))
        for i, d in enumerate(a["delta"].values):
            ax.plot(a["sigma"].values, a["gap"].values[i], color=colours[i], label=f"analytic, delta = {d:g}")
    if "network" in parts:
        n = parts["network"]
        for i in range(n.sizes["point"]):
            v = n["point"].values[i]
            tag = "" if not np.isfinite(v) else f", {_label(_decode(n.attrs.get('key', '')))} = {v:g}"
            ax.errorbar(n["sigma"].values, n["gap_last"].values[i], yerr=n["gap_last_se"].values[i], fmt="o-",
                        color=f"C{3 + i}", ms=3, capsize=2, label="network, last monitor" + tag)
    _gap_axis(ax)
    ax.set_xlabel("noise level sigma")
    ax.set_ylabel("relative gap G")
    ax.set_title("the network's gap beside the analytic model's")
    ax.legend(fontsize=7)
    return fig


def train_gap_figures(path) -> Dict[str, object]:
    """Every gap figure of a train file (none without a validation split)."""
    points = sweep_points(path) or ["/"]
    with h5py.File(path, "r") as f:
        has = [p for p in points if "gap" in (f if p == "/" else f[p])]
        denoiser = _decode(f[(points[0] if points[0] != "/" else "") + "/gap"].attrs.get("denoiser", "")) if has else ""
    out: Dict[str, object] = {}
    if not has:
        return out
    if denoiser == "network":
        for p in has:
            tag = "" if p == "/" else "_" + p.split("/")[-1]
            out["gap" + tag] = network_gap_figure(path, None if p == "/" else p)
    else:
        out["gap"] = analytic_gap_figure(path)
    with h5py.File(path, "r") as f:
        if "inference" in (f if has[0] == "/" else f[has[0]]):
            out["inference"] = inference_figure(path)
    return out
