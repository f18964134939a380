"""Polynomial-order complexity, Chebyshev with a Legendre variant (chapter 1).

See the conventions page, book/conventions.md, section "Chebyshev (and Legendre)".
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.polynomial import chebyshev, legendre

from redshift_utils._arrays import as_square_batch, check_flag, same_kind, weighted_mean_order

POLYNOMIAL_BASES = ("chebyshev", "legendre")
# Smallest grid the default degree fits: floor(2 sqrt(n)) < n holds from n = 5 on
# (n = 4 would need degree 4 from 4 points per axis).
MIN_GRID_DEFAULT_DEGREE = 5


def default_degree(n: int) -> int:
    """``floor(2 sqrt(n))`` (16 for n = 64): equispaced least squares is stable only at low degree."""
    return int(math.floor(2.0 * math.sqrt(n)))


@lru_cache(maxsize=32)
def projection_matrix(n: int, degree: int, basis: str = "chebyshev") -> np.ndarray:
    """``P = pinv(V)`` with V the (n, degree+1) Vandermonde matrix on the cell-centred grid.

    The least-squares tensor fit of a grid F is then ``c = P F P^T``.
    """
    x = -1.0 + (2.0 * np.arange(n) + 1.0) / n
    vander = chebyshev.chebvander if basis == "chebyshev" else legendre.legvander
    p = np.linalg.pinv(vander(x, degree))
    p.setflags(write=False)
    return p


@lru_cache(maxsize=32)
def order_grid(degree: int) -> np.ndarray:
    """Order ``||(i, j)||_2`` of the tensor basis function ``T_i(x) T_j(y)``."""
    i = np.arange(degree + 1, dtype=np.float64)
    order = np.sqrt(i[:, None] ** 2 + i[None, :] ** 2)
    order.setflags(write=False)
    return order


def white_noise_polynomial(n: int, degree: int, basis: str = "chebyshev") -> float:
    """Exact expected raw score of Gaussian white noise on the grid.

    Why exact: for i.i.d. noise, ``c_ij`` is Gaussian with std proportional to
    ``||P_i|| ||P_j||`` (rows of P), so ``E|c_ij|`` is proportional to that product.
    """
    row_norms = np.linalg.norm(projection_matrix(n, degree, basis), axis=1)
    weights = row_norms[:, None] * row_norms[None, :]
    weights[0, 0] = 0.0
    return float((weights * order_grid(degree)).sum() / weights.sum())


def chebyshev_complexity(
    values: Any, *, degree: int | None = None, normalize: bool = True, basis: str = "chebyshev"
) -> Any:
    """Mean polynomial order of a least-squares tensor fit, weighted by |coefficient|.

    ``values`` (..., n, n) -> (...), float64, same kind as the input. The fit has degree
    ``d`` per axis (default ``floor(2 sqrt(n))``, so n >= 5; must be < n); (0, 0) is excluded so
    constants score 0 and offsets change nothing. ``normalize=True`` divides by the exact
    white-noise expectation, so noise scores about 1. ``basis="legendre"`` is the variant
    of the paper's Figure 6. Explained in chapter 1 (``notebooks/01_metrics.md``).
    """
    if not isinstance(basis, str) or basis not in POLYNOMIAL_BASES:
        raise ValueError(f"basis must be one of {POLYNOMIAL_BASES}, got {basis!r}")
    normalize = check_flag("normalize", normalize)
    if isinstance(degree, np.integer):
        degree = int(degree)
    if degree is not None and (isinstance(degree, bool) or not isinstance(degree, int) or degree < 1):
        raise ValueError(f"degree must be None (the default floor(2*sqrt(n))) or an integer >= 1, got {degree!r}")
    array, was_torch = as_square_batch(values)
    n = array.shape[-1]
    if degree is None:
        if n < MIN_GRID_DEFAULT_DEGREE:
            raise ValueError(
                f"grid size n must be >= {MIN_GRID_DEFAULT_DEGREE} for the {basis.capitalize()} measure, got n={n} "
                "(its default degree floor(2*sqrt(n)) must be below n; or pass an explicit degree in [1, n-1])"
            )
        degree = default_degree(n)
    if degree >= n:
        raise ValueError(f"degree must be an integer in [1, n-1] = [1, {n - 1}] for grid size n={n}, got {degree!r}")
    p = projection_matrix(n, degree, basis)
    coeffs = np.abs(p @ array @ p.T)
    score = weighted_mean_order(coeffs, order_grid(degree))
    if normalize:
        score = score / white_noise_polynomial(n, degree, basis)
    return same_kind(score, was_torch)
