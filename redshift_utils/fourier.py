"""Fourier (frequency) complexity (chapter 1; conventions page, book/conventions.md, section "Fourier")."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import scipy.fft

from redshift_utils._arrays import as_square_batch, check_flag, same_kind, weighted_mean_order

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
