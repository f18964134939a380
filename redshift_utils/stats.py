"""Uncertainty for every number the book reports: bootstrap confidence intervals.

The unit of resampling is the independent draw (a network, a training seed, a model); paired
designs bootstrap the per-draw differences with ``bootstrap_ci``. See the conventions page,
book/conventions.md, section "Statistics".
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from scipy import stats as scipy_stats


def _check_options(func: str, n_boot: object, level: object) -> None:
    """``n_boot`` a positive integer, ``level`` a number strictly between 0 and 1."""
    if isinstance(n_boot, (bool, np.bool_)) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"{func}: n_boot must be an integer >= 1, got {n_boot!r}")
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, (int, float, np.number)) or not 0 < level < 1:
        raise ValueError(f"{func}: level must be a number strictly between 0 and 1 (e.g. 0.95), got {level!r}")


def _samples(func: str, name: str, values: object, minimum: int) -> np.ndarray:
    """``values`` as a 1-D float64 array of at least ``minimum`` finite numbers, or a clear ValueError."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{func}: {name} must be a 1-D sequence of real numbers ({error})") from None
    if array.ndim != 1 or array.size < minimum:
        raise ValueError(f"{func}: {name} must be 1-D with at least {minimum} values, got shape {array.shape}")
    finite = np.isfinite(array)
    if not finite.all():
        where = np.flatnonzero(~finite)
        raise ValueError(
            f"{func}: {name} contains NaN or infinite values ({where.size} of {array.size}, first at index "
            f"{int(where[0])}: {array[where[0]]}); drop or impute them first, the interval would be meaningless"
        )
    return array


def bootstrap_ci(
    samples: np.ndarray,
    statistic: Callable[[np.ndarray], float] = np.mean,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """``(estimate, low, high)``: the statistic and its percentile-bootstrap interval.

    ``samples`` must be 1-D, with at least 2 values, all finite (NaN or inf: ValueError).
    """
    _check_options("bootstrap_ci", n_boot, level)
    samples = _samples("bootstrap_ci", "samples", samples, 2)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, samples.size, size=(n_boot, samples.size))
    boots = np.array([statistic(samples[row]) for row in idx])
    tail = (1.0 - level) / 2.0
    return float(statistic(samples)), float(np.quantile(boots, tail)), float(np.quantile(boots, 1 - tail))


def difference_ci(
    a: np.ndarray, b: np.ndarray, *, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of ``b`` minus mean of ``a`` (independent samples) with a bootstrap interval.

    ``a`` and ``b`` must be 1-D, non-empty and finite (NaN or inf: ValueError).
    """
    _check_options("difference_ci", n_boot, level)
    a, b = _samples("difference_ci", "a", a, 1), _samples("difference_ci", "b", b, 1)
    rng = np.random.default_rng(seed)
    ia = rng.integers(0, a.size, size=(n_boot, a.size))
    ib = rng.integers(0, b.size, size=(n_boot, b.size))
    boots = b[ib].mean(1) - a[ia].mean(1)
    tail = (1.0 - level) / 2.0
    return float(b.mean() - a.mean()), float(np.quantile(boots, tail)), float(np.quantile(boots, 1 - tail))


def spearman_ci(
    x: np.ndarray, y: np.ndarray, *, n_boot: int = 1000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """Spearman rank correlation of paired samples with a paired-bootstrap interval.

    ``x`` and ``y``: 1-D, equal length >= 3, finite, and neither constant (a constant has no
    ranks to correlate: ValueError). Resamples that happen to be constant are dropped.
    """
    _check_options("spearman_ci", n_boot, level)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < 3:
        raise ValueError(f"x and y must be 1-D of equal length >= 3, got {x.shape} and {y.shape}")
    for name, values in (("x", x), ("y", y)):
        _samples("spearman_ci", name, values, 3)
        if np.all(values == values[0]):
            raise ValueError(
                f"spearman_ci: {name} is constant, the rank correlation is undefined (every value is {values[0]})"
            )
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    with warnings.catch_warnings():  # constant resamples warn, then are dropped just below
        warnings.simplefilter("ignore", scipy_stats.ConstantInputWarning)
        boots = np.array([scipy_stats.spearmanr(x[i], y[i]).statistic for i in idx])
    boots = boots[np.isfinite(boots)]
    if boots.size == 0:
        raise ValueError(
            f"spearman_ci: all {n_boot} bootstrap resamples had a constant x or y (too few distinct values "
            "in x or y), so the interval is undefined"
        )
    tail = (1.0 - level) / 2.0
    rho = float(scipy_stats.spearmanr(x, y).statistic)
    return rho, float(np.quantile(boots, tail)), float(np.quantile(boots, 1 - tail))
