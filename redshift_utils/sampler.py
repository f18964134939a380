"""Many random networks at once: batched sampling and evaluation (chapters 1 to 3).

Each network draws its parameters from its own seed stream ``(seed, i)``, so a network's
function never depends on how many networks are sampled or how they are chunked. The
forward pass evaluates a whole chunk of networks with one batched matrix product per layer.
See the conventions page, book/conventions.md, sections "Random MLPs, layer by layer" and
"Seeds and random streams".
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from redshift_utils.activations import ACTIVATIONS, INPLACE_ACTIVATIONS
from redshift_utils.configs import MLPConfig, UnbiasedConfig
from redshift_utils.grids import grid, grid_axis
from redshift_utils.precision import compute_dtype, dtype_name
from redshift_utils.validation import check_int

CHUNK_BYTES = 2**30  # parameters + activations of one chunk stay under about 1 GB
# Activations of one layer for one group of networks in mlp_forward on the CPU: about one
# core's L2 cache, so that the bias, activation and residual passes after each matrix product
# hit cache instead of memory. 2 MiB was best or tied from 0.5 to 4 MiB at widths 16 to 512
# (1.5x to 3x faster than one batch of all networks; benchmarks/run_benchmarks.py, part b).
TILE_BYTES = 2**21


@dataclass(frozen=True)
class LayerParams:
    """One layer of a batch of networks, leading dimension = network.

    ``weight`` (N, fan_out, fan_in) and ``bias`` (N, fan_out) follow ``torch.nn.Linear``;
    ``gate_weight``/``gate_bias`` are the gating branch's W', b' (None without gating).
    """

    weight: torch.Tensor
    bias: torch.Tensor
    gate_weight: torch.Tensor | None = None
    gate_bias: torch.Tensor | None = None


def _check_seed(seed: int) -> None:
    check_int("sample", "seed", seed, 0)


def network_generator(seed: int, index: int) -> torch.Generator:
    """The private random stream of network ``index`` under ``seed`` (SeedSequence-mixed)."""
    state = np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint64)[0]
    return torch.Generator().manual_seed(int(state))


def _unit_draw(shape: tuple[int, ...], dist: str, gen: torch.Generator) -> torch.Tensor:
    """Draws with the variance of U(-1, 1) (1/3) per coordinate: ``s * draw`` has the variance of U(-s, s)."""
    if dist == "uniform":
        return torch.rand(shape, generator=gen).mul_(2.0).sub_(1.0)
    normal = torch.randn(shape, generator=gen)
    if dist == "normal":
        return normal.mul_(1.0 / math.sqrt(3.0))
    if dist == "uniform_ball":
        # The whole tensor (D numbers) uniform in the D-ball of radius sqrt((D + 2) / 3): a
        # uniform direction, and a radius whose D-th power is uniform. Each coordinate then has
        # variance R^2 / (D + 2) = 1/3; for D = 1 this is exactly U(-1, 1).
        d = normal.numel()
        radius = math.sqrt((d + 2) / 3.0) * float(torch.rand((), generator=gen, dtype=torch.float64)) ** (1.0 / d)
        return normal.mul_(radius / float(normal.double().norm()))
    # Student-t with 3 degrees of freedom (variance 3), rescaled to variance 1/3.
    chi2 = torch.randn((3, *shape), generator=gen).square_().sum(0)
    return normal.div_(torch.sqrt(chi2 / 3.0)).mul_(1.0 / 3.0)


def _layer_shapes(config: MLPConfig) -> list[tuple[int, int]]:
    sizes = [config.in_dim] + [config.width] * config.depth + [1]
    return list(zip(sizes[:-1], sizes[1:], strict=True))


def _sample_networks(config: MLPConfig, indices: range, seed: int) -> list[LayerParams]:
    """Parameters of networks ``indices``, each from its own stream, stacked on dim 0."""
    shapes = _layer_shapes(config)
    hidden = len(shapes) - 1
    count = len(indices)
    weights = [torch.empty(count, out, inp) for inp, out in shapes]
    biases = [torch.empty(count, out) for _, out in shapes]
    gates_w = [torch.empty(count, out, inp) for inp, out in shapes[:hidden]] if config.gating else []
    gates_b = [torch.empty(count, out) for _, out in shapes[:hidden]] if config.gating else []
    uniform = config.weight_dist == "uniform"

    def draw(target: torch.Tensor, gen: torch.Generator) -> None:
        if uniform:  # raw U(0, 1) straight into place; mapped to U(-1, 1) for all rows below
            torch.rand(target.shape, generator=gen, out=target)
        else:
            target.copy_(_unit_draw(tuple(target.shape), config.weight_dist, gen))

    for row, index in enumerate(indices):
        gen = network_generator(seed, index)
        for layer in range(len(shapes)):
            draw(weights[layer][row], gen)
            draw(biases[layer][row], gen)
            if config.gating and layer < hidden:
                draw(gates_w[layer][row], gen)
                draw(gates_b[layer][row], gen)
    if uniform:  # the same elementwise 2u - 1 as _unit_draw, one pass per tensor
        for tensor in (*weights, *biases, *gates_w, *gates_b):
            tensor.mul_(2.0).sub_(1.0)
    # Draws are always float32 (the same numbers in every precision); the scaling and all later
    # arithmetic run in the compute dtype (REDSHIFT_DTYPE), a no-op cast for float32.
    dtype = compute_dtype()
    weights, biases = [t.to(dtype) for t in weights], [t.to(dtype) for t in biases]
    gates_w, gates_b = [t.to(dtype) for t in gates_w], [t.to(dtype) for t in gates_b]
    params = []
    bias_bound = config.bias_scale * (config.alpha if config.bias_scales_with_alpha else 1.0)
    for layer, (inp, out) in enumerate(shapes):
        bound = config.alpha * math.sqrt(6.0 / (inp + out))
        gated = config.gating and layer < hidden
        params.append(
            LayerParams(
                weight=weights[layer].mul_(bound),
                bias=biases[layer].mul_(bias_bound),
                gate_weight=gates_w[layer].mul_(bound) if gated else None,
                gate_bias=gates_b[layer].mul_(bias_bound) if gated else None,
            )
        )
    return params


def sample_mlp_params(config: MLPConfig, n_networks: int, *, seed: int = 0) -> list[LayerParams]:
    """Parameters of ``n_networks`` random MLPs: ``depth`` hidden layers, then the output layer.

    Weights ``U(-s, s)``, ``s = alpha sqrt(6 / (fan_in + fan_out))``; biases
    ``U(-bias_scale, bias_scale)``, times ``alpha`` with ``bias_scales_with_alpha`` (or the
    draws of another ``weight_dist`` with the same variance per coordinate).
    ``prefactor`` is not folded in: it is applied by ``mlp_forward``. Use this to export
    weights (e.g. to the browser explorer); ``sample_functions`` is the memory-safe path.
    Explained in chapter 2 (``notebooks/02_activations.md``).
    """
    if not isinstance(config, MLPConfig):
        raise ValueError(f"config must be an MLPConfig, got {type(config).__name__}")
    check_int("sample_mlp_params", "n_networks", n_networks, 1)
    _check_seed(seed)
    return _sample_networks(config, range(n_networks), seed)


def _linear(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, scale: float) -> torch.Tensor:
    """``scale * (h W^T + b)`` for a batch of networks; h is (B, P, in)."""
    if scale != 1.0:
        weight, bias = weight * scale, bias * scale
    return torch.baddbmm(bias.unsqueeze(1), h, weight.transpose(1, 2))


def mlp_forward(config: MLPConfig, params: list[LayerParams], x: torch.Tensor) -> torch.Tensor:
    """Evaluate a batch of networks at points ``x`` (points, in_dim) -> (n_networks, points).

    Implements the layer-by-layer definition (conventions page, book/conventions.md, section
    "Random MLPs, layer by layer") with one batched matrix product per
    layer. On the CPU the networks are evaluated in groups whose activations fit in cache
    (``TILE_BYTES``), which makes the bias, activation and residual passes nearly free.
    Explained in chapter 2 (``notebooks/02_activations.md``).
    """
    if not isinstance(config, MLPConfig):
        raise ValueError(f"config must be an MLPConfig, got {type(config).__name__}")
    if len(params) != config.depth + 1:
        raise ValueError(f"params must hold depth + 1 = {config.depth + 1} layers, got {len(params)}")
    first = params[0].weight
    if x.ndim != 2 or x.shape[1] != config.in_dim:
        raise ValueError(f"x must have shape (points, in_dim={config.in_dim}), got {tuple(x.shape)}")
    x = x.to(device=first.device, dtype=first.dtype)
    n_networks, points = first.shape[0], x.shape[0]
    width = config.width if config.depth else 1  # a perceptron (depth 0) has no hidden layer
    group = max(1, TILE_BYTES // (first.element_size() * points * width))
    if first.device.type != "cpu" or n_networks <= group:
        return _forward_block(config, params, x)
    out = torch.empty(n_networks, points, dtype=first.dtype)
    for start in range(0, n_networks, group):
        rows = slice(start, min(start + group, n_networks))
        out[rows] = _forward_block(config, [_select(layer, rows) for layer in params], x)
    return out


def _select(layer: LayerParams, rows: slice) -> LayerParams:
    pick = lambda t: None if t is None else t[rows]  # noqa: E731
    return LayerParams(pick(layer.weight), pick(layer.bias), pick(layer.gate_weight), pick(layer.gate_bias))


def _forward_block(config: MLPConfig, params: list[LayerParams], x: torch.Tensor) -> torch.Tensor:
    """The layer-by-layer definition for one block of networks (no tiling)."""
    h = x.unsqueeze(0).expand(params[0].weight.shape[0], -1, -1)
    activation = ACTIVATIONS[config.activation]
    inplace = INPLACE_ACTIVATIONS.get(config.activation, activation)
    scale = float(config.prefactor)
    norm_before = config.layernorm and config.layernorm_position == "before"
    norm_after = config.layernorm and not norm_before
    skip_z = config.residual and config.residual_mode in ("around_phi", "scaled")
    gate_w, gate_b = _gate_scales(config)
    for index, layer in enumerate(params[:-1]):
        z = _linear(h, layer.weight, layer.bias, scale)
        if norm_before:
            z = _layer_norm(z, config.ln_gain)
        if config.gating:
            # Multiply into the fresh gate buffer: activation(z) may be z itself (identity),
            # which must stay intact for the residual skip.
            a = _gate(h, layer, gate_w, gate_b).sigmoid_()
            a.mul_(_layer_norm(activation(z), config.ln_gain) if norm_after else activation(z))
        else:
            a = activation(z) if skip_z else inplace(z)
            if norm_after:
                a = _layer_norm(a, config.ln_gain)
        if skip_z:
            h = z.add_(a) if config.residual_mode == "around_phi" else z.add_(a).mul_(_SQRT_HALF)
        elif config.residual and index > 0:  # "around_layer"; the first layer changes the width
            h = a.add_(h)
        else:
            h = a
        del z, a
    out = params[-1]
    if config.depth == 0:  # a perceptron: its one pre-activation is the output, which the prefactor scales
        return _linear(h, out.weight, out.bias, scale).squeeze(-1)
    return torch.baddbmm(out.bias.unsqueeze(1), h, out.weight.transpose(1, 2)).squeeze(-1)


_SQRT_HALF = 1.0 / math.sqrt(2.0)


def _gate_scales(config: MLPConfig) -> tuple[float, float]:
    """Factors on the gate's drawn (W', b'): the prefactor by default; with ``gate_magnitude=False``
    the ones that undo ``alpha`` (and the prefactor), so the gate is drawn as at magnitude 1."""
    if config.gate_magnitude:
        return float(config.prefactor), float(config.prefactor)
    return 1.0 / config.alpha, 1.0 / config.alpha if config.bias_scales_with_alpha else 1.0


def _gate(h: torch.Tensor, layer: LayerParams, weight_scale: float, bias_scale: float) -> torch.Tensor:
    """The gate's pre-activation ``weight_scale W' h + bias_scale b'`` for a batch of networks."""
    weight = layer.gate_weight * weight_scale if weight_scale != 1.0 else layer.gate_weight
    bias = layer.gate_bias * bias_scale if bias_scale != 1.0 else layer.gate_bias
    return torch.baddbmm(bias.unsqueeze(1), h, weight.transpose(1, 2))


def _layer_norm(t: torch.Tensor, gain: float) -> torch.Tensor:
    """``gain * (t - mean) / sqrt(var + 1e-5)`` over channels (the last dimension)."""
    t = F.layer_norm(t, (t.shape[-1],), eps=1e-5)
    return t.mul_(gain) if gain != 1.0 else t


def _chunk_size(config: MLPConfig, points: int, item_bytes: int = 4) -> int:
    """Networks per chunk so that parameters plus live activations stay under CHUNK_BYTES."""
    n_params = sum(out * (inp + 1) for inp, out in _layer_shapes(config))
    buffers = 2 + int(config.residual) + 2 * int(config.gating) + int(config.layernorm)
    if config.gating:
        n_params *= 2
    per_network = item_bytes * (n_params + buffers * points * config.width)
    return max(1, CHUNK_BYTES // per_network)


def unbiased_basis(x: torch.Tensor, frequencies: int) -> torch.Tensor:
    """``c_j cos(pi j (x + 1) / 2)`` for ``j < frequencies``: the unbiased model's basis along one axis.

    ``c_0 = 1 / sqrt(2)`` and ``c_j = 1`` otherwise: on the n-point grid axis with
    ``frequencies = n`` the columns are then the *orthonormal* DCT-II basis times one common
    factor sqrt(n / 2), so i.i.d. coefficients give a spectrum that is white in the measure's own
    (orthonormal) DCT and the model scores 1 up to sampling error. Without ``c_0`` the constant
    and axis-aligned terms would carry sqrt(2) times the standard deviation of the others.
    (P,) coordinates in [-1, 1] -> (P, frequencies) in the compute dtype, computed in float64.
    Chapter 4 evaluates it at the modulo task's inputs to train the model.
    """
    j = torch.arange(frequencies, dtype=torch.float64)
    angles = math.pi * (torch.as_tensor(x, dtype=torch.float64)[:, None] + 1.0) / 2.0 * j[None, :]
    basis = torch.cos(angles)
    basis[:, 0] /= math.sqrt(2.0)
    return basis.to(compute_dtype())


def _unbiased_functions(config: UnbiasedConfig, n_networks: int, n: int, seed: int) -> torch.Tensor:
    basis = unbiased_basis(grid_axis(n), n)
    coeffs = torch.empty(n_networks, n, n)
    for index in range(n_networks):
        coeffs[index] = torch.randn((n, n), generator=network_generator(seed, index))  # float32 draws
    return (basis @ coeffs.to(basis.dtype) @ basis.T).mul_(config.alpha)


@torch.inference_mode()
def sample_functions(
    config: MLPConfig | UnbiasedConfig,
    n_networks: int,
    *,
    n: int = 64,
    seed: int = 0,
    chunk_size: int | None = None,
    device: str | torch.device = "cpu",
) -> torch.Tensor:
    """Functions of ``n_networks`` random networks on the n x n grid: (n_networks, n, n).

    The result is in the compute dtype: float32, or float64 under ``REDSHIFT_DTYPE=float64``
    (the same networks either way; see ``redshift_utils.precision``).

    ``[k, i, j] = f_k(x_i, y_j)``. Networks are drawn on the CPU from their own streams
    (so results do not depend on ``n_networks`` or ``chunk_size``) and evaluated in chunks
    that keep memory near 1 GB; ``device="cuda"`` evaluates on a GPU. Explained in chapter 1.
    """
    check_int("sample_functions", "n_networks", n_networks, 1)
    check_int("sample_functions", "n", n, 2)
    _check_seed(seed)
    if isinstance(config, UnbiasedConfig):
        return _unbiased_functions(config, n_networks, n, seed)
    if not isinstance(config, MLPConfig):
        raise ValueError(f"config must be an MLPConfig or UnbiasedConfig, got {type(config).__name__}")
    dtype = compute_dtype()
    points = grid(n).to(dtype)
    if chunk_size is None:
        chunk_size = _chunk_size(config, n * n, torch.finfo(dtype).bits // 8)
    check_int("sample_functions", "chunk_size", chunk_size, 1)
    out = torch.empty(n_networks, n * n, dtype=dtype)
    for start in range(0, n_networks, chunk_size):
        indices = range(start, min(start + chunk_size, n_networks))
        params = _sample_networks(config, indices, seed)
        if torch.device(device).type != "cpu":
            params = [_to_device(layer, device) for layer in params]
        out[start : indices.stop] = mlp_forward(config, params, points).cpu()
    bad = int((~torch.isfinite(out)).any(1).sum())
    if bad:
        warnings.warn(
            f"{bad} of {n_networks} sampled functions contain inf or NaN (the computation overflowed "
            f"{dtype_name()}: prefactor {config.prefactor}, alpha {config.alpha}); their complexity is meaningless",
            RuntimeWarning,
            stacklevel=2,
        )
    return out.reshape(n_networks, n, n)


def _to_device(layer: LayerParams, device: str | torch.device) -> LayerParams:
    move = lambda t: None if t is None else t.to(device)  # noqa: E731
    return LayerParams(move(layer.weight), move(layer.bias), move(layer.gate_weight), move(layer.gate_bias))
