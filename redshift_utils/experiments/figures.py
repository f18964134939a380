"""The larger figures of chapter 4, drawn from the tidy result arrays of the experiments.

Why here: each figure is a dozen lines of matplotlib bookkeeping (panels per task or activation,
legends, reference lines) that says nothing about the argument; the chapter calls one function
and says in its prose what to see. Every figure has labelled axes and a title, on the book's
white style (``redshift_utils.plotting.use_book_style``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from redshift_utils.experiments.guess_and_check import FAMILIES, SELECTIONS
from redshift_utils.experiments.modulo import ModuloSettings
from redshift_utils.plotting import ACTIVATION_COLORS, show_function


def figure7(result: Mapping[str, np.ndarray], settings: ModuloSettings) -> plt.Figure:
    """Test accuracy (mean over seeds) against complexity at initialisation (top) and the prefactor
    (bottom), one column per task; dashed: the majority class."""
    s = settings
    fig, axes = plt.subplots(2, len(s.moduli), figsize=(3.6 * len(s.moduli), 6.4), squeeze=False)
    for k, modulus in enumerate(s.moduli):
        for a, activation in enumerate(s.activations):
            acc, c0 = result["test_acc"][a, :, k].mean(-1), result["init_complexity"][a].mean(-1)
            colour = ACTIVATION_COLORS[activation]
            axes[0, k].scatter(c0, acc, color=colour, s=22, label=activation)
            axes[1, k].plot(s.prefactors, acc, "o-", color=colour, ms=4, label=activation)
        for row, xlabel in enumerate(("Fourier complexity at initialisation", "activation prefactor p")):
            axes[row, k].axhline(s.majority(modulus), color="gray", ls="--", lw=1)
            axes[row, k].set(xscale="log", xlabel=xlabel, ylabel="test accuracy", ylim=(0.25, 1.02))
        axes[0, k].set_title(f"M = {modulus}")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(s.activations), fontsize=9)
    fig.suptitle("Modulo tasks: test accuracy of trained MLPs vs complexity at initialisation (top) and prefactor")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def unbiased_figure(
    unbiased: Mapping[str, np.ndarray],
    settings: ModuloSettings,
    frequencies: Sequence[int],
    methods: Sequence[str],
    relu_test: Sequence[float] | None,
) -> plt.Figure:
    """Test accuracy (mean over seeds) of the unbiased model per (K, method) and task, with the tuned
    ReLU MLP (stars, if given) and the majority class (dashed)."""
    s = settings
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    jobs = [(i, m) for i in range(len(frequencies)) for m in range(len(methods))]
    for j, ((i, m), marker) in enumerate(zip(jobs, "osD^v<>p" * 4, strict=False)):
        xs = np.arange(len(s.moduli)) - 0.35 + (j + 0.5) * 0.7 / len(jobs)
        colour = ACTIVATION_COLORS["unbiased"] if m == 1 else "0.45"
        label = f"unbiased, K = {frequencies[i]}, {methods[m]}"
        ax.scatter(xs, unbiased["test_acc"][i, m].mean(-1), marker=marker, color=colour, s=36, label=label)
    if relu_test is not None:
        ax.scatter(range(len(s.moduli)), relu_test, marker="*", s=160, color=ACTIVATION_COLORS["relu"], zorder=3,
                   label="ReLU MLP, tuned prefactor")  # fmt: skip
    for k, modulus in enumerate(s.moduli):
        ax.hlines(s.majority(modulus), k - 0.45, k + 0.45, color="gray", ls="--", lw=1,
                  label="majority class" if k == 0 else None)  # fmt: skip
    ax.set(xticks=range(len(s.moduli)), xticklabels=[f"M = {m}" for m in s.moduli], ylim=(0, 1.02),
           ylabel="test accuracy (mean over seeds)",
           title="The unbiased model fits every training set but does not learn the task")  # fmt: skip
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def figure9(runs: Mapping[str, Mapping[str, np.ndarray]], prefactors: Sequence[float]) -> plt.Figure:
    """Per activation (columns): LZ at initialisation (top; band: seeds), colour reliance, digit
    accuracy and the no-shortcut ceiling (middle; dotted: chance), training error (bottom)."""
    names = list(runs)
    fig, axes = plt.subplots(3, len(names), figsize=(3.2 * len(names), 7.8), squeeze=False)
    curves = (("colour_acc", "s-", "colour reliance"), ("digit_acc", "o-", "digit accuracy"),
              ("control_digit_acc", "o--", "digit acc., no shortcut"))  # fmt: skip
    for col, act in enumerate(names):
        colour, lz = ACTIVATION_COLORS[act], runs[act]["init_lz"]
        axes[0, col].plot(prefactors, lz.mean(1), "o-", color=colour)
        axes[0, col].fill_between(prefactors, lz.min(1), lz.max(1), color=colour, alpha=0.2)
        axes[0, col].set(title=act, ylabel="LZ complexity at init")
        for field, style, label in curves:
            if np.isfinite(runs[act][field]).all():
                axes[1, col].plot(prefactors, runs[act][field].mean(1), style, ms=4, label=label)
        axes[1, col].axhline(0.1, color="gray", lw=1, ls=":")
        axes[1, col].set(ylim=(0, 1.02), ylabel="test accuracy (10 levels)")
        axes[2, col].plot(prefactors, runs[act]["train_mse"].mean(1), "o-", color=colour)
        axes[2, col].set(yscale="log", ylabel="training squared error")
        for row in range(3):
            axes[row, col].set(xscale="log", xlabel="activation prefactor p")
    axes[1, 0].legend(fontsize=8)
    fig.suptitle("Shortcut learning: LZ at initialisation (top; band: seeds), what is learned (middle; dotted: "
                 "chance), training error (bottom)")  # fmt: skip
    fig.tight_layout()
    return fig


def guess_figure(
    stats: Mapping[tuple[str, str], tuple[float, float, float]],
    examples: np.ndarray,
    task: tuple,
    grid_n: int,
    mlp_colour: str,
) -> plt.Figure:
    """Left: mean test accuracy of the kept draws per family and selection (95% CI over tasks; dotted:
    chance). Right: task 0's target and the lowest-loss draw of each family and loss (dots: training
    points). ``task`` is ``GuessSettings.task(0)``; ``examples`` is ``run_guess``'s ``example``."""
    points, labels, train, _ = task
    fig, (ax, ax_img) = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1.4, 1]})
    for k, family in enumerate(FAMILIES):
        est = np.array([stats[family, s] for s in SELECTIONS])
        colour = mlp_colour if family == "mlp" else ACTIVATION_COLORS["unbiased"]
        ax.bar(np.arange(len(SELECTIONS)) + (k - 0.5) * 0.38, est[:, 0], 0.38, capsize=3, color=colour, label=family,
               yerr=[est[:, 0] - est[:, 1], est[:, 2] - est[:, 0]])  # fmt: skip
    ax.axhline(0.5, color="gray", ls=":", lw=1)
    ticks = ["kept by\ncross-entropy", "kept by\nsquared loss", "fit every\ntrain point", "no\nselection"]
    ax.set_xticks(np.arange(len(SELECTIONS)), ticks, fontsize=8)
    ax.set(ylabel="test accuracy of kept draws", ylim=(0, 1), title="Guess and check: mean over tasks (95% CI)")
    ax.legend()
    images = [("target", labels.numpy())] + [
        (f"{family}, {selection.split()[0]}", examples[f, j] > 0)
        for f, family in enumerate(FAMILIES)
        for j, selection in enumerate(SELECTIONS[:2])
    ]
    ax_img.axis("off")
    for k, (title, values) in enumerate(images):
        sub = ax_img.inset_axes([(k % 3) / 3, 0.52 - 0.52 * (k // 3), 0.3, 0.45])
        show_function(sub, np.asarray(values, dtype=np.float32).reshape(grid_n, grid_n), title=title)
        sub.scatter(*np.asarray(points[train]).T, s=6, c=np.where(labels[train].numpy() > 0, "red", "deepskyblue"))
    ax_img.set_title("Task 0: target and the lowest-loss draw of each kind (dots: training points)", fontsize=9)
    fig.tight_layout()
    return fig


def correlation_figure(
    default: Mapping[str, np.ndarray] | None,
    default_activations: Sequence[str],
    grid: Mapping[str, np.ndarray] | None,
    grid_activations: Sequence[str],
    moduli: Sequence[int],
    rhos: Mapping[int, tuple[float, float, float]],
) -> plt.Figure:
    """Test accuracy against complexity at initialisation, one point per architecture (means over
    seeds), one panel per task: the chapter's default setting (filled) and the study's grid (open).

    ``default`` and ``grid`` are ``modulo_study.architectures`` stacks; ``*_activations`` name the
    activation of each architecture; ``rhos`` the Spearman correlation per M (pooled) for the titles.
    """
    fig, axes = plt.subplots(1, len(moduli), figsize=(3.6 * len(moduli), 3.8), squeeze=False)
    for k, modulus in enumerate(moduli):
        ax = axes[0, k]
        for stack, names, filled in ((grid, grid_activations, False), (default, default_activations, True)):
            if stack is None:
                continue
            x, y = stack["init"][:, k].mean(-1), stack["test"][:, k].mean(-1)
            for activation in dict.fromkeys(names):
                pick = np.array([n == activation for n in names])
                colour = ACTIVATION_COLORS[activation]
                ax.scatter(x[pick], y[pick], s=22 if filled else 16, color=colour if filled else "none",
                           edgecolors=colour, label=activation if filled or default is None else None)  # fmt: skip
        rho = rhos.get(modulus, (np.nan, np.nan, np.nan))
        ax.set(xscale="log", xlabel="Fourier complexity at initialisation", ylabel="test accuracy (mean over seeds)",
               title=f"M = {modulus}: rho {rho[0]:+.2f} [{rho[1]:+.2f}, {rho[2]:+.2f}]", ylim=(0.25, 1.02))  # fmt: skip
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=max(1, len(labels)), fontsize=9)
    fig.suptitle("Complexity at initialisation vs test accuracy after training (filled: default setting; open: grid)")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def coverage_figure(points: Sequence[int], remaining: np.ndarray) -> plt.Figure:
    """The fraction of the complex start's excess complexity left after training, against the number
    of training points, with its seed interval; dotted: the rule's bands (0.25 and 0.75)."""
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    r = np.asarray(remaining, dtype=np.float64)
    ax.errorbar(points, r[:, 0], yerr=np.abs(r[:, 1:].T - r[:, 0]), fmt="o-", color="black", capsize=3)
    for edge in (0.25, 0.75):
        ax.axhline(edge, color="gray", ls=":", lw=1)
    ax.axhline(0, color="gray", lw=0.8)
    ax.set(xscale="log", xlabel="training points on the 64 x 64 grid", ylabel="fraction of the excess remaining",
           title="Appendix E.3 against data coverage (95% CI over seeds)")  # fmt: skip
    ax.set_xticks(list(points), [str(n) for n in points])
    fig.tight_layout()
    return fig
