"""fwkit.plot and scripts/fwkit-plot: PNG figures from result files, with
labelled axes, written whole or not at all."""

import subprocess

import numpy as np
import pytest

import fwkit
import fwkit.plot as fp
from conftest import ROOT

EXPERIMENTS = ROOT / "data" / "experiments"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def files(run_fwkit):
    return {
        "quasipotential": run_fwkit("quasipotential", EXPERIMENTS / "quasipotential_maier_stein.toml", "plot_qp"),
        "simulate": run_fwkit("simulate", EXPERIMENTS / "simulate_double_well_sgd.toml", "plot_sim",
                              "--set", "simulate.members=40", "--set", "simulate.steps=5000"),
        "collapse": run_fwkit("simulate", EXPERIMENTS / "simulate_gaussian_refit.toml", "plot_collapse"),
        "train": run_fwkit("train", EXPERIMENTS / "train_memorization.toml", "plot_train",
                           "--set", "train.members=2", "--set", "train.budget=300.0",
                           "--set", "train.sweep.values=[0.03, 0.1]"),
        "analyze": run_fwkit("analyze", EXPERIMENTS / "analyze_muller_brown.toml", "plot_analyze"),
    }


def _labelled(fig):
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert ax.get_xlabel() or ax.get_shared_x_axes().get_siblings(ax) != [ax], "an axis without an x label"
        assert ax.get_ylabel(), "an axis without a y label"
    assert any(ax.get_title() for ax in fig.axes), "no title"


@pytest.mark.parametrize("kind,expected", [
    ("quasipotential", {"potential_langevin"}),
    ("simulate", {"histogram", "occupation", "dwell"}),
    ("collapse", {"collapse_point_000", "collapse_point_001"}),
    ("train", {"training"}),
])
def test_each_file_kind_gets_its_figures(files, kind, expected):
    figs = fp.figures(files[kind])
    assert set(figs) == expected
    for fig in figs.values():
        _labelled(fig)


def test_the_potential_figure_shows_the_field_the_attractor_and_the_paths(files):
    fig = fp.potential_figure(files["quasipotential"])
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    labels = [line.get_label() for line in ax.get_lines()]
    assert "attractor" in labels and "minimum action path" in labels
    # The attractor marker sits at the configured attractor (-1, 0).
    star = ax.get_lines()[labels.index("attractor")]
    assert np.allclose(np.c_[star.get_xdata(), star.get_ydata()], [[-1.0, 0.0]])
    # Two paths were configured; each is drawn from its end point.
    paths = fwkit.open_group(files["quasipotential"], "quasipotential/langevin/paths")
    drawn = [line for line in ax.get_lines() if line.get_color() == "orange"]
    assert len(drawn) == paths.sizes["path"] == 2


def test_the_occupation_bars_are_the_file_s_fractions(files):
    fig = fp.occupation_figure(files["simulate"])
    heights = [p.get_height() for p in fig.axes[0].patches]
    occ = fwkit.occupation(files["simulate"])
    assert np.allclose(heights, occ["fraction"].values)


def test_the_command_writes_pngs_and_refuses_other_kinds(files, tmp_path):
    script = ROOT / "scripts" / "fwkit-plot"
    out = subprocess.run(["bash", str(script), str(files["train"]), str(files["quasipotential"]), "-o", str(tmp_path)],
                         capture_output=True, text=True, check=True)
    written = out.stdout.split()
    assert sorted(p.split("/")[-1] for p in written) == ["plot_qp_potential_langevin.png", "plot_train_training.png"]
    for p in written:
        data = open(p, "rb").read()
        assert data.startswith(PNG_MAGIC) and len(data) > 10000
    bad = subprocess.run(["bash", str(script), str(files["analyze"]), "-o", str(tmp_path / "none")],
                         capture_output=True, text=True)
    assert bad.returncode == 65
    assert "no figures for files of kind 'analyze'" in bad.stderr
    assert not list((tmp_path / "none").glob("*.png*"))
