"""Pieces shared by chapter 4's trained-model experiments: prefactor grids, model selection,
complexity at initialisation, seed-level intervals and verdicts that need several conditions.

Why here: the modulo, shortcut and high-complexity-initialisation experiments all sweep the same
log-spaced prefactors over batches of MLPs that share one initial draw per seed, measure each
untrained network on 2-D slices of its input space, and report means over seeds with intervals
whose resampling unit is the seed. Keeping these steps in one tested place keeps the chapter's
cells about the argument, not the bookkeeping.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from redshift_utils.configs import MLPConfig
from redshift_utils.grids import grid
from redshift_utils.precision import compute_dtype
from redshift_utils.sampler import LayerParams
from redshift_utils.stats import bootstrap_ci
from redshift_utils.training import predict

YES, NO, OPEN = "reproduced", "not reproduced", "inconclusive"


def log_prefactors(low: float, high: float, steps: int) -> list[float]:
    """``steps`` log-spaced activation prefactors from ``low`` to ``high`` (rounded to 6 decimals).

    Log spacing because the prefactor acts multiplicatively (chapter 2's Figure 5 is flat in
    log p for ReLU and rises over decades for the others). One prefactor gives ``[low]``.
    """
    if not (low > 0 and high >= low):
        raise ValueError(f"need 0 < low <= high, got low={low!r}, high={high!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    return [float(p) for p in np.geomspace(low, high, steps).round(6)]


def select_models(stacked: list[LayerParams], index: Sequence[int]) -> list[LayerParams]:
    """Models ``index`` of a stacked batch (repeats allowed).

    Why: every (prefactor, task) run of a seed starts from that seed's one initial draw, so a sweep
    compares prefactors on the same weights instead of on different draws.
    """
    rows = torch.as_tensor(list(index), dtype=torch.long)
    pick = lambda t: None if t is None else t[rows]  # noqa: E731
    return [LayerParams(pick(x.weight), pick(x.bias), pick(x.gate_weight), pick(x.gate_bias)) for x in stacked]


def slice_points(d: int, n: int, n_slices: int, seed: int) -> torch.Tensor:
    """Points (S, n*n, d) of n x n grids on 2-D slices through the centre of [-1, 1]^d.

    For d = 2 the one slice is the book's grid. For d > 2 a slice spans two random orthonormal
    directions scaled by sqrt(d/2), so its points lie as far from the centre as typical points of
    the cube: the 2-D measures of chapter 1 then apply to any input dimension.
    """
    plane = grid(n).to(compute_dtype())
    if d == 2:
        return plane[None]
    gen = torch.Generator().manual_seed(int(seed))
    basis, _ = torch.linalg.qr(torch.randn(n_slices, d, 2, generator=gen, dtype=torch.float64))
    return (plane.double() @ basis.transpose(1, 2) * math.sqrt(d / 2)).to(compute_dtype())


def init_complexity(
    config: MLPConfig,
    stacked: list[LayerParams],
    prefactors: torch.Tensor,
    slices: torch.Tensor,
    measure: Callable[[torch.Tensor], object],
) -> np.ndarray:
    """Each model's complexity at initialisation, the mean of ``measure`` over the slices: (N,).

    Models are evaluated in chunks whose hidden activations on a slice hold about 2^24 numbers,
    so a wide sweep of many models never holds every model's activations on the grid at once.
    """
    n = math.isqrt(slices.shape[1])
    n_models = len(prefactors)
    chunk = max(1, 2**24 // (max(config.width, 1) * n * n))

    def scores(points: torch.Tensor) -> np.ndarray:
        parts = []
        for start in range(0, n_models, chunk):
            rows = range(start, min(start + chunk, n_models))
            out = predict(config, select_models(stacked, rows), points, prefactors[start : start + chunk])
            parts.append(np.asarray(measure(out.reshape(-1, n, n)), dtype=np.float64))
        return np.concatenate(parts)

    return np.mean([scores(points) for points in slices], axis=0)


def seed_interval(values: Sequence[float] | np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean over seeds and its 95% bootstrap interval, resampling seeds: ``(mean, low, high)``.

    Why a wrapper: the chapter's unit of resampling is the seed (one initialisation and data
    split), and the smoke preset may run a single seed, where no interval exists: the interval
    is then ``(nan, nan)``, which every verdict rule reads as inconclusive.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size == 0:
        return math.nan, math.nan, math.nan
    if values.size == 1 or not np.isfinite(values).all():
        return float(np.mean(values)), math.nan, math.nan
    return bootstrap_ci(values, seed=seed)


def signed_margin(verdict: str, margin: float) -> float:
    """A condition's margin signed towards "holds": positive when it holds, negative otherwise."""
    return -abs(margin) if verdict == NO else margin


def all_of(conditions: Sequence[tuple[str, float]]) -> tuple[str, float]:
    """Verdict and margin of one case that needs every condition (a conjunction).

    Each condition is ``(verdict, margin)`` from ``interval_verdict``. "reproduced" when all
    hold (margin: the weakest, the smallest); "not reproduced" as soon as one fails (margin: the
    clearest failure, the largest, since the case stays failed while that condition fails);
    otherwise "inconclusive" (margin: the weakest signed towards "holds", negative).
    """
    if not conditions:
        return "not tested", math.nan
    failed = [abs(m) for v, m in conditions if v == NO]
    if failed:
        return NO, float(np.nanmax(failed)) if np.isfinite(failed).any() else math.nan
    signed = [signed_margin(v, m) for v, m in conditions]
    weakest = float(np.nanmin(signed)) if np.isfinite(signed).any() else math.nan
    return (YES if all(v == YES for v, _ in conditions) else OPEN), weakest


def across_cases(cases: Sequence[tuple[str, float]]) -> tuple[str, float]:
    """Verdict and margin of a claim over several cases (activations, tasks), each ``(verdict, margin)``.

    "reproduced" when every case is; "partly" when some are; "not reproduced" when none is and
    at least one fails; "inconclusive" when none is and none fails. The margin is the weakest
    case's signed towards "holds" (positive only when all hold), except for "not reproduced"
    where every case failed: then the smallest failure margin (how close the nearest case is to
    leaving "fails").
    """
    if not cases:
        return "not tested", math.nan
    verdicts = [v for v, _ in cases]
    signed = [signed_margin(v, m) for v, m in cases]
    weakest = float(np.nanmin(signed)) if np.isfinite(signed).any() else math.nan
    if all(v == YES for v in verdicts):
        return YES, weakest
    if any(v == YES for v in verdicts):
        return "partly", weakest
    if all(v == NO for v in verdicts):
        return NO, float(np.nanmin([abs(m) for _, m in cases])) if np.isfinite(signed).any() else math.nan
    return (NO if NO in verdicts else OPEN), weakest
