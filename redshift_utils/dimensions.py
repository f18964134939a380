"""Networks with d > 2 inputs, measured on random planes and lines through the input cube (chapter 6).

Why: the paper measures functions on a 2-D grid, so every network it scores has two inputs.
A network with d inputs cannot be drawn on a grid, but its restriction to a plane through the
cube can: f(s u + t v) for orthonormal u, v in R^d is a 2-D function that the book's measures
score as they are. Restricting to a plane is the same as folding the plane into the first
layer (W -> W [u v]), so the restricted network is an ordinary 2-input network and the
sampler's batched forward pass evaluates it; the same holds for a line and one input.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from redshift_utils.configs import MLPConfig
from redshift_utils.grids import grid, grid_axis
from redshift_utils.lempel_ziv import lz76
from redshift_utils.precision import compute_dtype
from redshift_utils.sampler import LayerParams, mlp_forward
from redshift_utils.seeds import rng
from redshift_utils.validation import check_int


def random_frames(d: int, k: int, n_networks: int, *, seed: int = 0) -> np.ndarray:
    """Orthonormal k-frames in R^d, one per network: (n_networks, d, k) float64.

    Frame i is uniform (Haar) and drawn from its own stream ``(seed, "frame", d, k, i)``, so a
    network's plane does not depend on how many networks are measured, and network i gets the
    same plane in every configuration of the same d (paired comparisons).
    """
    check_int("random_frames", "d", d, 1)
    check_int("random_frames", "k", k, 1, d)
    check_int("random_frames", "n_networks", n_networks, 1)
    out = np.empty((n_networks, d, k))
    for i in range(n_networks):
        q, r = np.linalg.qr(rng(seed, "frame", d, k, i).standard_normal((d, k)))
        out[i] = q * np.sign(np.diag(r))  # the sign fix makes the QR frame Haar-distributed
    return out


def restrict(config: MLPConfig, params: list[LayerParams], frames: np.ndarray) -> tuple[MLPConfig, list[LayerParams]]:
    """Each network restricted to the span of its frame: a k-input network computing f(frame @ z).

    ``frames`` (N, d, k) with d = ``config.in_dim``; returns the config with ``in_dim = k`` and
    the parameters with the first layer's weights (and gate weights) multiplied by the frame.
    """
    frames = torch.as_tensor(np.array(frames), dtype=params[0].weight.dtype)
    n_networks = params[0].weight.shape[0]
    if frames.ndim != 3 or frames.shape[0] != n_networks or frames.shape[1] != config.in_dim:
        raise ValueError(f"frames must be ({n_networks}, in_dim={config.in_dim}, k), got {tuple(frames.shape)}")
    first = params[0]
    gate = None if first.gate_weight is None else first.gate_weight @ frames
    folded = LayerParams(first.weight @ frames, first.bias, gate, first.gate_bias)
    return MLPConfig(**{**config.as_dict(), "in_dim": frames.shape[2]}), [folded, *params[1:]]


@torch.inference_mode()
def plane_functions(config: MLPConfig, params: list[LayerParams], planes: np.ndarray, n: int) -> torch.Tensor:
    """Each network on its plane, sampled on the book's n x n grid of plane coordinates: (N, n, n).

    The plane through the cube's centre spanned by the frame's two columns, with coordinates
    (s, t) on the cell-centred grid of [-1, 1] (``ru.grid``), so d = 2 with the identity frame
    is exactly ``sample_functions``'s grid. The result is in the compute dtype.
    """
    check_int("plane_functions", "n", n, 2)
    restricted, folded = restrict(config, params, planes)
    return mlp_forward(restricted, folded, grid(n).to(compute_dtype())).reshape(-1, n, n)


@torch.inference_mode()
def line_functions(config: MLPConfig, params: list[LayerParams], directions: np.ndarray, length: int) -> torch.Tensor:
    """Each network on its line through the cube's centre, ``length`` cell-centred points of [-1, 1]: (N, length)."""
    check_int("line_functions", "length", length, 2)
    restricted, folded = restrict(config, params, directions)
    return mlp_forward(restricted, folded, grid_axis(length)[:, None].to(compute_dtype()))


def line_lz(values: torch.Tensor | np.ndarray) -> np.ndarray:
    """LZ76 complexity of 1-D functions (N, L), binarised at each one's median: ``c log2(L) / L``, random bits = 1.

    The book's LZ measure (``ru.lz_complexity``) read along a line instead of row by row.
    """
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 2:
        raise ValueError(f"line_lz: values must be (N, L >= 2), got shape {array.shape}")
    bits = (array > np.median(array, axis=1, keepdims=True)).astype(np.uint8)
    length = bits.shape[1]
    return np.array([lz76(row) for row in bits], dtype=np.float64) * math.log2(length) / length
