"""The evaluation grid shared by every measure and sampler (chapter 1).

See the conventions page, book/conventions.md, section "The evaluation grid".
"""

from __future__ import annotations

import torch


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"grid size n must be an integer >= 2, got {n!r}")
    return n


def grid_axis(n: int = 64) -> torch.Tensor:
    """Cell-centred points ``x_m = -1 + (2m+1)/n`` on [-1, 1], float64, shape (n,).

    Why cell-centred: the grid is symmetric about 0 and each point is the centre of an equal
    cell, which makes the DCT-II the exact mirror-extension Fourier transform of the samples.
    Explained in chapter 1.
    """
    n = _check_n(n)
    m = torch.arange(n, dtype=torch.float64)
    return -1.0 + (2.0 * m + 1.0) / n


def grid(n: int = 64) -> torch.Tensor:
    """The (n*n, 2) grid points, ``indexing="ij"`` (first coordinate varies slowest).

    Reshaping a batch of outputs (N, n*n) to (N, n, n) gives ``[.., i, j] = f(x_i, y_j)``.
    Explained in chapter 1.
    """
    axis = grid_axis(n)
    xs, ys = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)
