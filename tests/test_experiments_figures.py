"""redshift_utils.experiments.figures: every chapter-4 figure draws from result arrays of the right shape."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from redshift_utils.experiments import figures  # noqa: E402
from redshift_utils.experiments.guess_and_check import FAMILIES, SELECTIONS, GuessSettings  # noqa: E402
from redshift_utils.experiments.modulo import ModuloSettings  # noqa: E402

RNG = np.random.default_rng(0)


def labelled(fig: plt.Figure) -> bool:
    axes = [ax for ax in fig.axes if ax.axison and ax.get_xlabel()]
    return bool(axes) and all(ax.get_ylabel() for ax in axes)


def test_modulo_figures():
    s = ModuloSettings(activations=("relu", "sin"), moduli=(10, 4), prefactors=(0.5, 1.0, 2.0), seeds=2)
    result = {"test_acc": RNG.uniform(size=(2, 3, 2, 2)), "init_complexity": RNG.uniform(size=(2, 3, 2))}
    assert labelled(figures.figure7(result, s))
    unb = {"test_acc": RNG.uniform(size=(2, 2, 2, 2))}
    fig = figures.unbiased_figure(unb, s, (16, 30), ("adam", "gd"), relu_test=[0.9, 0.5])
    assert len(fig.axes[0].collections) >= 5
    plt.close("all")


def test_shortcut_and_guess_figures():
    fields = ("init_lz", "colour_acc", "digit_acc", "control_digit_acc", "train_mse")
    runs = {act: {f: RNG.uniform(0.01, 1, size=(3, 2)) for f in fields} for act in ("relu", "tanh")}
    assert labelled(figures.figure9(runs, (0.5, 1.0, 2.0)))
    stats = {(f, s): (0.6, 0.5, 0.7) for f in FAMILIES for s in SELECTIONS}
    g = GuessSettings(tasks=1, draws=10, accept=2, grid_n=8)
    fig = figures.guess_figure(stats, RNG.normal(size=(2, 4, 64)), g.task(0), 8, "C0")
    assert fig.axes[0].get_ylabel() == "test accuracy of kept draws"
    plt.close("all")
