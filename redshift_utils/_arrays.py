"""Shared input handling for the measures: accept torch or numpy, compute in float64 numpy."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def check_flag(name: str, value: object) -> bool:
    """``value`` as a Python bool (``np.bool_`` accepted); anything else is a ValueError."""
    if isinstance(value, np.bool_):
        value = bool(value)
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value


def _check_dtype(dtype: object, is_complex: bool, is_real: bool, name: str) -> None:
    if is_complex:
        raise ValueError(
            f"{name} must be real-valued, got complex dtype {dtype}: score the real part, the imaginary "
            "part or the modulus (values.real, values.imag, abs(values)) explicitly"
        )
    if not is_real:
        raise ValueError(f"{name} must hold real numbers (bool, integer or float dtype), got dtype {dtype}")


def as_square_batch(values: Any, name: str = "values") -> tuple[np.ndarray, bool]:
    """Return ``(array of shape (..., n, n) as float64, was_torch)``; raise ValueError otherwise.

    Refused, each with its own message: anything but a torch tensor or numpy array, complex or
    non-numeric dtypes, fewer than 2 dimensions, non-square grids, n < 2, empty batches
    (e.g. shape (0, n, n)) and NaN or infinite values.
    """
    was_torch = check_square_batch(values, name)
    if was_torch:
        array = values.detach().to("cpu", torch.float64).numpy()
    else:
        array = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(array)
    if not finite.all():
        bad = int(finite.size - np.count_nonzero(finite))
        raise ValueError(f"{name} contains NaN or infinite values ({bad} of {finite.size} entries)")
    return array, was_torch


def as_square_tensor(values: torch.Tensor, name: str = "values") -> torch.Tensor:
    """``values`` as a float64 tensor on its own device, refused as ``as_square_batch`` refuses.

    Why: a measure that runs on a GPU (``fourier_complexity``) must not copy the batch to the CPU.
    """
    check_square_batch(values, name)
    tensor = values.detach().to(torch.float64)
    finite = torch.isfinite(tensor)
    if not bool(finite.all()):
        bad = int(finite.numel() - int(finite.sum()))
        raise ValueError(f"{name} contains NaN or infinite values ({bad} of {finite.numel()} entries)")
    return tensor


def check_square_batch(values: Any, name: str = "values") -> bool:
    """Refuse anything but a real (..., n, n) batch with n >= 2 (see ``as_square_batch``); return was_torch."""
    was_torch = isinstance(values, torch.Tensor)
    if was_torch:
        _check_dtype(values.dtype, values.is_complex(), True, name)  # bool, integer and float tensors
        shape = tuple(values.shape)
    elif isinstance(values, np.ndarray):
        _check_dtype(values.dtype, values.dtype.kind == "c", values.dtype.kind in "biuf", name)
        shape = values.shape
    else:
        raise ValueError(
            f"{name} must be a torch.Tensor or numpy.ndarray of shape (..., n, n), got {type(values).__name__}"
        )
    if len(shape) < 2:
        raise ValueError(f"{name} must be at least 2-D with shape (..., n, n), got shape {shape}")
    if shape[-1] != shape[-2]:
        raise ValueError(f"{name} must be a square grid (..., n, n), got shape {shape} ({shape[-2]} != {shape[-1]})")
    if shape[-1] < 2:
        raise ValueError(f"{name} grid must have n >= 2 points per axis, got shape {shape}")
    if 0 in shape:
        raise ValueError(
            f"{name} is an empty batch, shape {shape}: there is no function to score (pass at least one (n, n) grid)"
        )
    return was_torch


def same_kind(result: np.ndarray, was_torch: bool) -> Any:
    """Return ``result`` (float64) as a torch tensor if the input was one, else as numpy.

    The shape is kept exactly in both cases: a single (n, n) grid gives a 0-d result.
    """
    result = np.array(result, dtype=np.float64, order="C")  # a copy; keeps 0-d arrays 0-d
    if was_torch:
        return torch.from_numpy(result)
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


def weighted_mean_order_tensor(magnitudes: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """``weighted_mean_order`` for tensors, on their device (same rules: (0, 0) out, 0/0 -> 0)."""
    dc = magnitudes[..., 0, 0].clone()
    mags = magnitudes.clone()
    mags[..., 0, 0] = 0.0
    mass = mags.sum(dim=(-2, -1))
    weighted = (mags * order).sum(dim=(-2, -1))
    constant = mass <= 1e-10 * (mass + dc.abs())
    safe_mass = torch.where(constant, torch.ones_like(mass), mass)
    return torch.where(constant, torch.zeros_like(mass), weighted / safe_mass)
