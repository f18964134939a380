"""Shared input handling for the measures: accept torch or numpy, compute in float64 numpy."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def as_square_batch(values: Any, name: str = "values") -> tuple[np.ndarray, bool]:
    """Return ``(array of shape (..., n, n) as float64, was_torch)``; raise ValueError otherwise."""
    was_torch = isinstance(values, torch.Tensor)
    if was_torch:
        array = values.detach().to("cpu", torch.float64).numpy()
    elif isinstance(values, np.ndarray):
        array = np.asarray(values, dtype=np.float64)
    else:
        raise ValueError(
            f"{name} must be a torch.Tensor or numpy.ndarray of shape (..., n, n), got {type(values).__name__}"
        )
    if array.ndim < 2:
        raise ValueError(f"{name} must be at least 2-D with shape (..., n, n), got shape {array.shape}")
    if array.shape[-1] != array.shape[-2]:
        raise ValueError(
            f"{name} must be a square grid (..., n, n), got shape {array.shape} "
            f"({array.shape[-2]} != {array.shape[-1]})"
        )
    if array.shape[-1] < 2:
        raise ValueError(f"{name} grid must have n >= 2 points per axis, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array, was_torch


def same_kind(result: np.ndarray, was_torch: bool) -> Any:
    """Return ``result`` (float64) as a torch tensor if the input was one, else as numpy."""
    result = np.asarray(result, dtype=np.float64)
    if was_torch:
        return torch.from_numpy(np.ascontiguousarray(result))
    return result


def weighted_mean_order(magnitudes: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``sum |c| k / sum |c|`` over the last two axes, with (0, 0) excluded and 0/0 -> 0.

    A function whose non-constant coefficients are only rounding noise (relative mass below
    1e-10 of the total) is treated as constant and scores 0.
    """
    mags = magnitudes.copy()
    dc = mags[..., 0, 0].copy()
    mags[..., 0, 0] = 0.0
    mass = mags.sum(axis=(-2, -1))
    weighted = (mags * order).sum(axis=(-2, -1))
    constant = mass <= 1e-10 * (mass + np.abs(dc))
    safe_mass = np.where(constant, 1.0, mass)
    return np.where(constant, 0.0, weighted / safe_mass)
