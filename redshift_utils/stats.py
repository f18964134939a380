"""Uncertainty for every number the book reports: bootstrap confidence intervals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats as scipy_stats


def bootstrap_ci(
    samples: np.ndarray,
    statistic: Callable[[np.ndarray], float] = np.mean,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """``(estimate, low, high)``: the statistic and its percentile-bootstrap interval."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 1 or samples.size < 2:
        raise ValueError(f"samples must be 1-D with at least 2 values, got shape {samples.shape}")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, samples.size, size=(n_boot, samples.size))
    boots = np.array([statistic(samples[row]) for row in idx])
    tail = (1.0 - level) / 2.0
    return float(statistic(samples)), float(np.quantile(boots, tail)), float(np.quantile(boots, 1 - tail))


def difference_ci(
    a: np.ndarray, b: np.ndarray, *, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of ``b`` minus mean of ``a`` (independent samples) with a bootstrap interval."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    rng = np.random.default_rng(seed)
    ia = rng.integers(0, a.size, size=(n_boot, a.size))
    ib = rng.integers(0, b.size, size=(n_boot, b.size))
    boots = b[ib].mean(1) - a[ia].mean(1)
    tail = (1.0 - level) / 2.0
    return float(b.mean() - a.mean()), float(np.quantile(boots, tail)), float(np.quantile(boots, 1 - tail))


def spearman_ci(
    x: np.ndarray, y: np.ndarray, *, n_boot: int = 1000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """Spearman rank correlation of paired samples with a paired-bootstrap interval."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < 3:
        raise ValueError(f"x and y must be 1-D of equal length >= 3, got {x.shape} and {y.shape}")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    boots = np.array([scipy_stats.spearmanr(x[i], y[i]).statistic for i in idx])
    boots = boots[np.isfinite(boots)]
    tail = (1.0 - level) / 2.0
    rho = float(scipy_stats.spearmanr(x, y).statistic)
    return rho, float(np.quantile(boots, tail)), float(np.quantile(boots, 1 - tail))
