"""Where do the modulo claims hold? A grid over the settings the paper leaves open (chapter 4).

The paper gives no split, width, depth or training length for its modulo task (section 4.1),
and one setting can make a claim hold or fail by luck. This study trains the tunable MLPs
(TanH, Gaussian, Sin) at every prefactor, and a ReLU MLP at prefactor 1 as the control, in
every cell of a grid of train fractions x widths x depths, each model until it fits its
training set or a stated step budget. It reports, cell by cell, whether "tuned TanH, Gaussian
and Sin solve every M" and "ReLU solves M = 10 and fits but fails on the others" hold, with
seed-level intervals: the region of settings where each claim holds. It also pools every
trained architecture into the correlation between complexity at initialisation and test
accuracy (the reading group's strongest sentence) and reads the Gaussian MLP's best prefactor
per M. Each cell is one ``modulo.run_modulo`` call, cached on its own by the chapter, so the
full grid (the ``paper`` preset) resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

from redshift_utils.experiments.common import NO, OPEN, YES, all_of, seed_interval
from redshift_utils.experiments.modulo import ModuloSettings, quadratic_peak, tune_per_seed
from redshift_utils.stats import bootstrap_ci

TUNABLE = ("tanh", "gaussian", "sin")
CONTROL = "relu"


@dataclass(frozen=True)
class Cell:
    """One setting of the grid: train fraction, width and depth."""

    train_fraction: float
    width: int
    depth: int

    @property
    def label(self) -> str:
        """A short name for tables and figures (numbers only: it is shown as it is in both editions)."""
        return f"{self.train_fraction:g} / {self.width} / {self.depth}"


@dataclass(frozen=True)
class StudySettings:
    """The grid and what every cell shares (task, optimiser, learning rate, seeds, prefactors, budget)."""

    base: ModuloSettings
    train_fractions: tuple[float, ...]
    widths: tuple[int, ...]
    depths: tuple[int, ...]
    prefactors: tuple[float, ...]
    seeds: int
    steps: int

    @classmethod
    def from_params(cls, params: Mapping[str, Any], base: ModuloSettings) -> StudySettings:
        """The study of chapter 4's ``study_*`` parameters, on the task of ``base`` (the chapter's modulo run)."""
        from redshift_utils.experiments.common import log_prefactors

        return cls(
            base=base,
            train_fractions=tuple(params["study_train_fractions"]),
            widths=tuple(params["study_widths"]),
            depths=tuple(params["study_depths"]),
            prefactors=tuple(
                log_prefactors(params["prefactor_min"], params["study_prefactor_max"], params["study_prefactor_steps"])
            ),
            seeds=params["study_seeds"],
            steps=params["study_steps"],
        )

    def cells(self) -> list[Cell]:
        """Every cell of the grid, train fraction slowest, then width, then depth."""
        return [Cell(f, w, d) for f, w, d in itertools.product(self.train_fractions, self.widths, self.depths)]

    def run_settings(self, cell: Cell, control: bool) -> ModuloSettings:
        """The ``run_modulo`` settings of one cell: the tunable sweep, or the ReLU control at p = 1."""
        return dataclasses.replace(
            self.base,
            activations=(CONTROL,) if control else TUNABLE,
            prefactors=(1.0,) if control else self.prefactors,
            seeds=self.seeds,
            train_fraction=cell.train_fraction,
            width=cell.width,
            depth=cell.depth,
            train=dataclasses.replace(self.base.train, steps=self.steps),
            until_fit=True,
        )

    def n_models(self) -> int:
        """Trained MLPs in the whole grid."""
        per_cell = (len(TUNABLE) * len(self.prefactors) + 1) * len(self.base.moduli) * self.seeds
        return per_cell * len(self.cells())


def cell_verdicts(
    tunable: Mapping[str, np.ndarray],
    control: Mapping[str, np.ndarray],
    moduli: Sequence[int],
    solved: float,
    fitted: float,
    verdict: Callable[..., tuple[str, float]],
    seed: int = 0,
) -> dict[str, Any]:
    """The two claims in one cell, each ``(verdict, margin)``, with the numbers behind them.

    ``tunable`` is a ``run_modulo`` result for TanH, Gaussian, Sin; ``control`` for ReLU at p = 1.
    Tuned solve: per activation and M, the validation-tuned test accuracy's seed interval above
    ``solved``; all nine hold -> reproduced. ReLU: its test accuracy on M = 10 above ``solved``, and
    on every other M its training accuracy above ``fitted`` and its test accuracy below ``solved``.
    Also returns ``relu_fits`` (per M: the fraction of seeds whose ReLU reached training accuracy 1).
    ``verdict`` is the book's ``interval_verdict(low, high, boundary, above=...)``.
    """

    def ru_verdict(interval: tuple[float, float, float], boundary: float, *, above: bool) -> tuple[str, float]:
        return verdict(interval[1], interval[2], boundary, above=above)

    tuned = tune_per_seed(tunable)
    solve = {
        (act, m): ru_verdict(seed_interval(tuned["test_acc"][a, k], seed), solved, above=True)
        for (a, act), (k, m) in itertools.product(enumerate(TUNABLE), enumerate(moduli))
    }
    train, test = control["train_acc"][0, 0], control["test_acc"][0, 0]  # [M, seed]
    relu: list[tuple[str, float]] = []
    for k, m in enumerate(moduli):
        if m == 10:
            relu.append(ru_verdict(seed_interval(test[k], seed), solved, above=True))
        else:
            relu.append(ru_verdict(seed_interval(train[k], seed), fitted, above=True))
            relu.append(ru_verdict(seed_interval(test[k], seed), solved, above=False))
    return {
        "tuned_solve": all_of(list(solve.values())),
        "tuned_cases": solve,
        "tuned_test": tuned["test_acc"].mean(-1),  # [activation, M]
        "relu": all_of(relu),
        "relu_train": train.mean(-1),
        "relu_test": test.mean(-1),
        "relu_fits": (train == 1.0).mean(-1),
    }


def region(verdicts: Sequence[tuple[str, float]]) -> tuple[str, float, int]:
    """A claim over the grid: verdict, margin and the number of cells where it holds.

    "reproduced" when it holds in every cell, "partly" in some, "not reproduced" when it fails
    in every cell, "inconclusive" otherwise (no cell holds, some cannot decide). The margin is
    the weakest cell's towards holding (negative unless every cell holds).
    """
    holds = sum(v == YES for v, _ in verdicts)
    signed = [m if v == YES else -abs(m) for v, m in verdicts]
    margin = float(np.nanmin(signed)) if np.isfinite(signed).any() else float("nan")
    if holds == len(verdicts):
        return YES, margin, holds
    if holds:
        return "partly", margin, holds
    return (NO if all(v == NO for v, _ in verdicts) else OPEN), margin, holds


def best_prefactor(
    test_acc: np.ndarray, prefactors: Sequence[float], *, n_boot: int = 1000, seed: int = 0
) -> dict[str, np.ndarray]:
    """The best prefactor per M of one activation, raw and fitted, each with a seed-level interval.

    ``test_acc`` is ``[prefactor, M, seed]``. The raw best is the argmax of the mean test accuracy
    over seeds (the first of ties); the fitted best is the vertex of the quadratic in log p fitted
    to every (prefactor, seed) run (``quadratic_peak``). A bootstrap replicate resamples whole
    seeds, the same for every M. Returns ``raw`` and ``fitted`` as ``(M, 3)`` arrays of
    (estimate, low, high) prefactors and ``boot_fitted`` ``(n_boot, M)`` log-prefactors.
    """
    acc = np.asarray(test_acc, dtype=np.float64)
    _, K, S = acc.shape
    log_p = np.log(np.asarray(prefactors, dtype=np.float64))

    def both(seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raw = log_p[np.argmax(acc[:, :, seeds].mean(-1), axis=0)]
        x = np.repeat(log_p, len(seeds))
        fitted = np.array([quadratic_peak(x, acc[:, k][:, seeds].ravel()) for k in range(K)])
        return raw, fitted

    raw, fitted = both(np.arange(S))
    draws = np.random.default_rng(seed).integers(0, S, size=(n_boot, S))
    boots = [both(row) for row in draws]
    boot_raw, boot_fit = np.array([b[0] for b in boots]), np.array([b[1] for b in boots])

    def table(estimate: np.ndarray, replicates: np.ndarray) -> np.ndarray:
        low, high = np.quantile(replicates, [0.025, 0.975], axis=0)
        return np.exp(np.stack([estimate, low, high], axis=1))

    return {"raw": table(raw, boot_raw), "fitted": table(fitted, boot_fit), "boot_fitted": boot_fit}


def init_vs_test(
    init: np.ndarray,
    test: np.ndarray,
    groups: Sequence[object] | None = None,
    *,
    n_boot: int = 1000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Spearman correlation across architectures between complexity at initialisation and test accuracy.

    ``init`` and ``test`` are ``[architecture, seed]`` for one task. Each architecture is one
    point, its means over seeds (the points of Figure 7); the interval resamples whole seeds,
    the same for every architecture (the seed is the independent draw), and recomputes the means
    and the correlation. With ``groups`` (one label per architecture, e.g. its train fraction) the
    statistic is the mean of the within-group correlations: more data raises every architecture's
    accuracy at once, and pooling groups would credit that to whatever else differs between them.
    A resample in which a group's means are constant is dropped.
    """
    init, test = np.asarray(init, dtype=np.float64), np.asarray(test, dtype=np.float64)
    S = init.shape[1]
    labels = np.zeros(len(init)) if groups is None else np.unique(np.asarray(groups), return_inverse=True)[1]

    def rho(seeds: np.ndarray) -> float:
        x, y = init[:, seeds].mean(1), test[:, seeds].mean(1)
        values = []
        for g in np.unique(labels):
            xg, yg = x[labels == g], y[labels == g]
            if np.ptp(xg) == 0 or np.ptp(yg) == 0:
                return float("nan")
            values.append(scipy_stats.spearmanr(xg, yg).statistic)
        return float(np.mean(values))

    estimate = rho(np.arange(S))
    if S < 2:
        return estimate, float("nan"), float("nan")
    draws = np.random.default_rng(seed).integers(0, S, size=(n_boot, S))
    boots = np.array([rho(row) for row in draws])
    boots = boots[np.isfinite(boots)]
    if boots.size == 0:
        return estimate, float("nan"), float("nan")
    low, high = np.quantile(boots, [0.025, 0.975])
    return estimate, float(low), float(high)


def architectures(results: Sequence[Mapping[str, np.ndarray]], moduli: Sequence[int]) -> dict[str, np.ndarray]:
    """Stack several ``run_modulo`` results (same seeds) into ``[architecture, M, seed]`` arrays.

    Every (activation, prefactor) of every result is one architecture: ``init`` (complexity at
    initialisation, the same for every M), ``test`` and ``train`` accuracy, and ``index``, the
    (result, activation, prefactor) it came from.
    """
    init, test, train, index = [], [], [], []
    for r, res in enumerate(results):
        A, P = res["test_acc"].shape[:2]
        for a, p in itertools.product(range(A), range(P)):
            init.append(np.repeat(res["init_complexity"][a, p][None], len(moduli), axis=0))
            test.append(res["test_acc"][a, p])
            train.append(res["train_acc"][a, p])
            index.append((r, a, p))
    return {"init": np.array(init), "test": np.array(test), "train": np.array(train), "index": np.array(index)}


def mean_ci(values: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean over seeds with its bootstrap interval, NaN bounds for a single seed."""
    values = np.asarray(values, dtype=np.float64).ravel()
    return bootstrap_ci(values, seed=seed) if values.size > 1 else (float(values.mean()), float("nan"), float("nan"))


__all__ = [
    "CONTROL",
    "TUNABLE",
    "Cell",
    "StudySettings",
    "architectures",
    "best_prefactor",
    "cell_verdicts",
    "init_vs_test",
    "mean_ci",
    "region",
]
