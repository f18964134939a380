"""What training does to complexity: targets of known frequencies, snapshots, per-frequency residuals (chapter 6).

Why: the paper measures networks at initialisation; Rahaman et al. (2019) measured training
and found that low frequencies are learned first (the "spectral bias"). To ask both questions
of the same networks, chapter 6 fits targets built from a few cosine components of the grid's
own DCT basis, so the residual of each component is one coefficient of the orthonormal DCT
of ``f - target`` and the learned function's complexity is the book's Fourier measure. The
trainer is chapter 4's batched one (same step, same arithmetic); this module only stops it
every few steps to look at the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.fft
import torch
from scipy import stats

from redshift_utils.configs import MLPConfig
from redshift_utils.precision import compute_dtype
from redshift_utils.sampler import LayerParams, unbiased_basis
from redshift_utils.training import TrainConfig, _check_params, _inputs, _prefactors, batched_forward, fit
from redshift_utils.validation import check_int


def component_frequency(component: tuple[int, int]) -> float:
    """Cycles over [-1, 1] of the DCT-II basis function (j1, j2): ``||(j1, j2)|| / 2`` (``fourier.frequency_grid``)."""
    j1, j2 = component
    return float(np.hypot(j1, j2) / 2.0)


def cosine_target(n: int, components: Sequence[tuple[int, int]]) -> torch.Tensor:
    """The sum of the DCT-II basis functions ``components`` on the n x n grid, each with unit RMS: (n, n).

    ``b(x, y) = cos(pi j1 (x + 1) / 2) cos(pi j2 (y + 1) / 2)`` at the grid's cell centres, the
    functions the Fourier measure decomposes into, so each component is exactly one DCT
    coefficient of the target and nothing leaks into its neighbours. In the compute dtype.
    """
    check_int("cosine_target", "n", n, 2)
    components = _check_components(components, n)
    from redshift_utils.grids import grid_axis

    axis = unbiased_basis(grid_axis(n), n).to(torch.float64)  # (n, n): column j = c_j cos(pi j (x+1)/2)
    total = torch.zeros(n, n, dtype=torch.float64)
    for j1, j2 in components:
        term = torch.outer(axis[:, j1], axis[:, j2])
        total += term / term.square().mean().sqrt()
    return total.to(compute_dtype())


def _check_components(components: Sequence[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    out = []
    for component in components:
        if len(component) != 2 or not all(isinstance(j, (int, np.integer)) and 0 <= j < n for j in component):
            raise ValueError(f"components must be pairs of integers in [0, {n}), got {component!r}")
        if tuple(component) == (0, 0):
            raise ValueError("components must not include (0, 0), the constant, which has no frequency")
        out.append((int(component[0]), int(component[1])))
    if not out or len(set(out)) != len(out):
        raise ValueError(f"components must be a non-empty list of distinct pairs, got {components!r}")
    return out


def component_residuals(
    functions: torch.Tensor | np.ndarray, target: torch.Tensor | np.ndarray, components: Sequence[tuple[int, int]]
) -> np.ndarray:
    """How much of each target component is still missing: ``|c_j(f - target)| / |c_j(target)|``.

    ``functions`` (..., n, n), ``target`` (n, n); returns (..., len(components)) float64, where
    ``c_j`` is the orthonormal DCT-II coefficient of component j. 1 means nothing of it is
    learned (when f has none of it), 0 that it is fitted exactly.
    """
    f = np.asarray(functions, dtype=np.float64)
    t = np.asarray(target, dtype=np.float64)
    components = _check_components(components, t.shape[-1])
    rows, cols = zip(*components, strict=True)
    residual = scipy.fft.dctn(f - t, type=2, norm="ortho", axes=(-2, -1))[..., rows, cols]
    reference = scipy.fft.dctn(t, type=2, norm="ortho")[rows, cols]
    return np.abs(residual) / np.abs(reference)


def snapshot_steps(steps: int, count: int) -> list[int]:
    """About ``count`` distinct steps from 0 to ``steps``, log-spaced: dense early, where fast components are learned.

    Always holds 0 (the initialisation) and ``steps`` (the end).
    """
    check_int("snapshot_steps", "steps", steps, 1)
    check_int("snapshot_steps", "count", count, 2)
    points = np.unique(np.round(np.geomspace(1, steps + 1, count - 1)).astype(int) - 1)
    return sorted({0, steps, *points.tolist()})


def first_step_below(residuals: np.ndarray, steps: np.ndarray, threshold: float) -> np.ndarray:
    """The first recorded step at which each residual falls below ``threshold`` (and stays there).

    ``residuals`` (snapshots, ...) against ``steps`` (snapshots,); a residual that ends above
    the threshold is "not learned" and gets ``steps[-1] + 1`` (censored: it ranks after every
    learned one). Staying below avoids counting a residual that dips and comes back.
    """
    residuals = np.asarray(residuals, dtype=np.float64)
    steps = np.asarray(steps)
    if residuals.shape[0] != steps.shape[0]:
        raise ValueError(f"residuals {residuals.shape} and steps {steps.shape} must have one row per snapshot")
    above = residuals >= threshold
    # index of the last snapshot at or above the threshold; learned from the one after it
    last_above = np.where(above.any(0), above.shape[0] - 1 - np.argmax(above[::-1], axis=0), -1)
    learned_at = np.minimum(last_above + 1, steps.shape[0] - 1)
    out = steps[learned_at].astype(np.float64)
    out[last_above == steps.shape[0] - 1] = steps[-1] + 1
    return out


def order_correlation(frequencies: Sequence[float], learned_at: np.ndarray) -> np.ndarray:
    """Per model, the Spearman correlation of the components' frequencies with the steps they were learned at.

    ``learned_at`` (models, components) from ``first_step_below``. +1: learned strictly from low
    to high frequency (Rahaman et al.'s spectral bias); a model that learned every component
    at the same recorded step has no order and scores 0.
    """
    learned_at = np.atleast_2d(np.asarray(learned_at, dtype=np.float64))
    if learned_at.shape[1] != len(frequencies) or len(frequencies) < 2:
        raise ValueError(f"learned_at must be (models, {len(frequencies)} components), got {learned_at.shape}")
    return np.array([stats.spearmanr(frequencies, row).statistic if np.ptp(row) > 0 else 0.0 for row in learned_at])


@dataclass
class Snapshots:
    """Outputs of every model at the evaluation points at some steps, and the training losses.

    ``outputs`` (snapshots, N, points) in float64, recorded before steps ``steps`` (0 is the
    initialisation; a step equal to the number of steps is after the last one); ``losses``
    (steps, N) as ``train_mlps``; ``params`` the trained parameters.
    """

    steps: np.ndarray
    outputs: np.ndarray
    losses: np.ndarray
    params: list[LayerParams]


def train_with_snapshots(
    config: MLPConfig,
    params: list[LayerParams],
    x: torch.Tensor,
    y: torch.Tensor,
    train: TrainConfig,
    *,
    record_at: Sequence[int],
    eval_x: torch.Tensor | None = None,
    prefactors: torch.Tensor | None = None,
) -> Snapshots:
    """``training.train_mlps`` that also records every model's function before the steps ``record_at``.

    Same optimiser, data order and arithmetic as ``train_mlps`` (so its final parameters are
    the same), plus a no-grad evaluation at ``eval_x`` (default ``x``) before each step in
    ``record_at`` (0 = the initialisation, ``train.steps`` = after the last step; see
    ``snapshot_steps``). ``x`` (P, in_dim) shared, ``y`` (P,) or (N, P).
    """
    n_models = _check_params(config, params)
    if not isinstance(train, TrainConfig):
        raise ValueError(f"train must be a TrainConfig, got {type(train).__name__}")
    record_at = sorted(set(record_at))
    if not record_at or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in record_at):
        raise ValueError(f"record_at must be a non-empty list of integer steps, got {record_at!r}")
    if record_at[0] < 0 or record_at[-1] > train.steps:
        raise ValueError(f"record_at must lie in [0, steps={train.steps}], got {record_at[0]} to {record_at[-1]}")
    wanted = set(record_at)
    eval_points = _inputs(x if eval_x is None else eval_x, n_models, config.in_dim)
    p = _prefactors(config, n_models, prefactors)
    steps, outputs = [], []

    def record(step: int, leaves: list[LayerParams]) -> None:
        if step in wanted:
            with torch.no_grad():
                outputs.append(batched_forward(config, leaves, eval_points, p).to("cpu", torch.float64).numpy())
            steps.append(step)

    result = fit(config, params, x, y, train, prefactors=prefactors, before_step=record)
    return Snapshots(np.array(steps), np.stack(outputs), result.losses.numpy(), result.params)
