"""Fourier (frequency) complexity (chapter 1; conventions page, book/conventions.md, section "Fourier")."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.fft
import torch

from redshift_utils._arrays import (
    as_square_batch,
    as_square_tensor,
    check_flag,
    same_kind,
    weighted_mean_order,
    weighted_mean_order_tensor,
)

FOURIER_METHODS = ("dct", "dft")


@lru_cache(maxsize=32)
def frequency_grid(n: int, method: str = "dct") -> np.ndarray:
    """Frequency ``k`` (cycles over the domain) of every coefficient of an (n, n) transform.

    DCT-II: coefficient (j1, j2) is ``cos(pi j1 (x+1)/2) cos(pi j2 (y+1)/2)``, i.e.
    ``||(j1, j2)|| / 2`` cycles over [-1, 1]. DFT: folded integer frequencies ``fftfreq(n)*n``.
    """
    if method == "dct":
        j = np.arange(n, dtype=np.float64)
        k = np.sqrt(j[:, None] ** 2 + j[None, :] ** 2) / 2.0
    elif method == "dft":
        f = np.fft.fftfreq(n) * n
        k = np.sqrt(f[:, None] ** 2 + f[None, :] ** 2)
    else:
        raise ValueError(f"method must be one of {FOURIER_METHODS}, got {method!r}")
    k.setflags(write=False)
    return k


def white_noise_fourier(n: int, method: str = "dct") -> float:
    """Expected raw score of white noise: the mean frequency over non-DC bins.

    Why: orthonormal-DCT (and DFT magnitude) coefficients of i.i.d. noise are identically
    distributed, so the |c|-weighted mean frequency of noise is the plain mean frequency.
    """
    k = frequency_grid(n, method)
    return float((k.sum() - k[0, 0]) / (k.size - 1))


def fourier_complexity(values: Any, *, normalize: bool = True, method: str = "dct") -> Any:
    """Mean frequency of a function on the grid, weighted by coefficient magnitude.

    ``values`` has shape (..., n, n) with ``[.., i, j] = f(x_i, y_j)``; returns shape (...),
    float64, of the same kind (torch or numpy). ``C = sum |c| k / sum |c|`` over all bins but
    (0, 0), so adding a constant changes nothing and a constant scores 0. The default DCT-II
    is the DFT of the mirror extension, free of the wrap-around jump that makes a plain DFT
    (``method="dft"``) score every non-periodic function alike. ``normalize=True`` divides by
    the white-noise expectation, so white noise scores about 1 (the paper's Figure 5 scale);
    ``normalize=False`` gives cycles over the domain (``cos(pi k x)`` scores k).
    Explained in chapter 1 (``notebooks/01_metrics.md``).
    """
    if not isinstance(method, str) or method not in FOURIER_METHODS:
        raise ValueError(f"method must be one of {FOURIER_METHODS}, got {method!r}")
    normalize = check_flag("normalize", normalize)
    if isinstance(values, torch.Tensor) and values.device.type != "cpu":
        return fourier_complexity_tensor(values, normalize=normalize, method=method).cpu()
    array, was_torch = as_square_batch(values)
    n = array.shape[-1]
    if method == "dct":
        coeffs = np.abs(scipy.fft.dctn(array, type=2, norm="ortho", axes=(-2, -1)))
    else:
        coeffs = np.abs(scipy.fft.fft2(array, axes=(-2, -1)))
    score = weighted_mean_order(coeffs, frequency_grid(n, method))
    if normalize:
        score = score / white_noise_fourier(n, method)
    return same_kind(score, was_torch)


def fourier_complexity_tensor(values: torch.Tensor, *, normalize: bool = True, method: str = "dct") -> torch.Tensor:
    """``fourier_complexity`` computed with torch on the tensor's own device (float64 result there).

    Why: under ``REDSHIFT_DEVICE=cuda`` the functions are born on the GPU, and copying them back
    to score them on one CPU core is most of a GPU sweep's time (every sweep scores the Fourier
    measure here under cuda; chapter 3b's search needs no other measure). The orthonormal DCT-II
    is two products with its matrix (``dct_matrix``), in float64 like the CPU path, so the two
    agree to float64 rounding (not bit for bit).
    ``fourier_complexity`` sends GPU tensors here; tests compare the two on the CPU.
    """
    if not isinstance(method, str) or method not in FOURIER_METHODS:
        raise ValueError(f"method must be one of {FOURIER_METHODS}, got {method!r}")
    normalize = check_flag("normalize", normalize)
    tensor = as_square_tensor(values)
    n = tensor.shape[-1]
    if method == "dct":
        basis = dct_matrix(n).to(tensor.device)
        coeffs = (basis @ tensor @ basis.T).abs()
    else:
        coeffs = torch.fft.fft2(tensor).abs()
    order = torch.from_numpy(frequency_grid(n, method).copy()).to(tensor.device)
    score = weighted_mean_order_tensor(coeffs, order)
    return score / white_noise_fourier(n, method) if normalize else score


@lru_cache(maxsize=32)
def dct_matrix(n: int) -> torch.Tensor:
    """The orthonormal DCT-II matrix (float64, CPU): ``D @ x`` is ``scipy.fft.dct(x, norm="ortho")``."""
    j = torch.arange(n, dtype=torch.float64)
    basis = torch.cos(torch.pi * j[:, None] * (2 * j[None, :] + 1) / (2 * n)) * math.sqrt(2.0 / n)
    basis[0] /= math.sqrt(2.0)
    return basis
