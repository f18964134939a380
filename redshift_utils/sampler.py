"""Many random networks at once: batched sampling and evaluation (chapters 1 to 3).

Each network draws its parameters from its own seed stream ``(seed, i)``, so a network's
function never depends on how many networks are sampled or how they are chunked. The
forward pass evaluates a whole chunk of networks with one batched matrix product per layer.
See the conventions page, book/conventions.md, sections "Random MLPs, layer by layer" and
"Seeds and random streams".
"""

from __future__ import annotations

import itertools
import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from redshift_utils._arrays import check_flag
from redshift_utils.activations import ACTIVATIONS, INPLACE_ACTIVATIONS
from redshift_utils.configs import MLPConfig, UnbiasedConfig
from redshift_utils.device import resolve_device
from redshift_utils.grids import grid, grid_axis
from redshift_utils.precision import compute_dtype, dtype_name
from redshift_utils.validation import check_int

CHUNK_BYTES = 2**30  # parameters + activations of one chunk stay under about 1 GB
# Activations of one layer for one group of networks in mlp_forward on the CPU: about one
# core's L2 cache, so that the bias, activation and residual passes after each matrix product
# hit cache instead of memory. 2 MiB was best or tied from 0.5 to 4 MiB at widths 16 to 512
# (1.5x to 3x faster than one batch of all networks; benchmarks/run_benchmarks.py, part b).
TILE_BYTES = 2**21
# Drawing parameters: networks are handed to the drawing threads in tasks of at least this many
# numbers (about half a millisecond of drawing), so that narrow networks do not pay a thread
# hand-off each. Each network still draws from its own stream, so this never changes a bit.
DRAW_TASK_NUMBERS = 2**18
# Elementwise laws are drawn and scaled in blocks of this many numbers (256 KiB of float32, in
# a core's L2 cache), so that the scaling pass reads cache, not memory. Even (a uniform block
# uses whole 64-bit outputs), it never changes a bit.
DRAW_BLOCK_NUMBERS = 2**16
# Networks of uniform weights with at most this many parameters draw all their tensors from one
# call to their stream, then convert a task's networks together (_uniform_draw_rows): at width
# 64 this took drawing 1,000 networks from 0.125 s to 0.026 s (tensor by tensor, a dozen numpy
# calls per tensor cost more than the numbers), and at widths 256 and 512 it was 20-25% faster
# than cache-sized blocks. Above it (and for the other laws), tensor by tensor (_fill). Same bits.
FUSED_LIMIT = 2**21
DRAW_THREADS_ENV = "REDSHIFT_DRAW_THREADS"


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
    """A torch stream for model ``index`` under ``seed`` (SeedSequence-mixed): the Transformer's and
    the unbiased model's draws. Random MLPs draw from ``network_stream`` instead."""
    state = np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint64)[0]
    return torch.Generator().manual_seed(int(state))


def network_stream(seed: int, index: int) -> np.random.Generator:
    """The private random stream of random MLP ``index`` under ``seed``: numpy's PCG64DXSM seeded
    from ``SeedSequence([seed, index])``.

    Why numpy's generator and not torch's: it fills float32 arrays about twice as fast per core
    and releases the GIL while it does, so several networks are drawn on all cores at once
    (``draw_threads``). PCG64DXSM rather than ``ru.rng``'s PCG64 keeps these streams apart from
    the named draws even where the integers coincide.
    """
    return np.random.Generator(np.random.PCG64DXSM(np.random.SeedSequence([seed, index])))


def draw_threads() -> int:
    """Threads that draw networks' parameters: ``$REDSHIFT_DRAW_THREADS``, else the cores this
    process may run on. Read at every call; results never depend on it (one stream per network)."""
    raw = os.environ.get(DRAW_THREADS_ENV, "").strip()
    if not raw:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # macOS has no sched_getaffinity
            return max(1, os.cpu_count() or 1)
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{DRAW_THREADS_ENV} must be an integer >= 1 (or unset: all available cores), got {raw!r}")
    return int(raw)


_POOLS: dict[tuple[int, int], ThreadPoolExecutor] = {}


def _pool(threads: int) -> ThreadPoolExecutor:
    """One lasting pool per thread count (and per process: a forked child makes its own)."""
    key = (os.getpid(), threads)
    if key not in _POOLS:
        _POOLS[key] = ThreadPoolExecutor(threads, thread_name_prefix="redshift-draw")
    return _POOLS[key]


def _unit_draw(out: np.ndarray, dist: str, gen: np.random.Generator) -> None:
    """Fill the float32 array ``out`` with draws of the variance of U(-1, 1) (1/3) per coordinate:
    ``s * draw`` has the variance of U(-s, s). Every operation is float32 (both precisions).
    The uniform law takes the faster path of ``_uniform_draw``."""
    gen.standard_normal(dtype=np.float32, out=out)
    if dist == "normal":
        np.multiply(out, np.float32(1.0 / math.sqrt(3.0)), out=out)
    elif dist == "uniform_ball":
        # The whole tensor (D numbers) uniform in the D-ball of radius sqrt((D + 2) / 3): a
        # uniform direction, and a radius whose D-th power is uniform. Each coordinate then has
        # variance R^2 / (D + 2) = 1/3; for D = 1 this is exactly U(-1, 1).
        d = out.size
        radius = math.sqrt((d + 2) / 3.0) * float(gen.random()) ** (1.0 / d)
        norm = math.sqrt(float(np.add.reduce(np.square(out, dtype=np.float64), axis=None)))
        np.multiply(out, np.float32(radius / norm), out=out)
    elif dist == "student_t":  # 3 degrees of freedom (variance 3), rescaled to variance 1/3
        chi2 = np.square(gen.standard_normal((3, *out.shape), dtype=np.float32)).sum(0)
        np.divide(out, np.sqrt(chi2 / np.float32(3.0)), out=out)
        np.multiply(out, np.float32(1.0 / 3.0), out=out)


_FLOAT32_TINY = np.finfo(np.float32).tiny


def _words_to_ints(raw: np.ndarray) -> np.ndarray:
    """``k = (w >> 8) - 2^23`` (int32, in place) for the 32-bit halves ``w`` of the 64-bit outputs
    ``raw``, low half first: ``2u - 1 = k / 2^23`` for numpy's float32 uniforms u."""
    k = raw.astype("<u8", copy=False).view("<u4")
    np.right_shift(k, 8, out=k)
    k = k.view("<i4")
    np.subtract(k, 2**23, out=k)
    return k


def _uniform_ints(gen: np.random.Generator, words: int) -> np.ndarray:
    """``_words_to_ints`` of the stream's next ``words`` 64-bit outputs."""
    return _words_to_ints(gen.bit_generator.random_raw(words))


def _scale_into(target: np.ndarray, k: np.ndarray, scale: float) -> None:
    """``target = k * (scale / 2^23)``: the bits of casting ``2u - 1`` and multiplying by ``scale``."""
    if target.dtype == np.float32:
        factor = np.float32(scale) * np.float32(2.0**-23)  # exact: a power-of-two rescaling of float32(scale)
        if factor != 0 and abs(factor) < _FLOAT32_TINY:  # not exact below float32's normal range
            np.multiply(np.multiply(k, np.float32(2.0**-23), dtype=np.float32), np.float32(scale), out=target)
        else:
            np.multiply(k, factor, out=target, dtype=np.float32, casting="same_kind")
    else:
        np.multiply(k, scale * 2.0**-23, out=target, dtype=np.float64)


def _uniform_draw(target: np.ndarray, scale: float, gen: np.random.Generator) -> None:
    """``target = (2u - 1) * scale``, u uniform on [0, 1) in float32, the product in ``target``'s dtype.

    ``u = (w >> 8) / 2^24`` for 32-bit words ``w``: the stream's 64-bit outputs, each split low
    half first (``ceil(size / 2)`` outputs per call; an odd size leaves the last high half
    unused). This is exactly how numpy's ``Generator.random(dtype=float32)`` makes its numbers,
    done here on whole blocks: about 1.5 times faster per core. ``2u - 1 = k / 2^23`` with the
    integer ``k = (w >> 8) - 2^23`` (exact in float32), so the product is the one multiplication
    ``k * (scale / 2^23)``: the same bits as casting ``2u - 1`` and multiplying by ``scale``.
    """
    size = target.size
    _scale_into(target, _uniform_ints(gen, (size + 1) // 2)[:size].reshape(target.shape), scale)


def _uniform_draw_rows(
    plan: list[tuple[np.ndarray, float]], rows: range, streams: list[np.random.Generator], starts: list[int], words: int
) -> None:
    """Rows ``rows`` of every ``(batch, scale)`` of ``plan``, network ``rows[j]`` from ``streams[j]``:
    the bits of ``_uniform_draw`` of each network's tensors one after the other.

    Why: a narrow network's tensors are small (a width-64 MLP has 8 of about 4,000 numbers at
    most), and a dozen numpy calls per tensor and network cost more than drawing the numbers.
    Here each network makes one call to its stream, for all its tensors: tensor ``i`` takes the
    32-bit halves from ``starts[i]`` (an even offset: each tensor starts on a new 64-bit output,
    as separate calls would), and each step after that runs once on all the rows together.
    """
    raw = np.empty((len(rows), words), dtype="<u8")
    for j, gen in enumerate(streams):
        raw[j] = gen.bit_generator.random_raw(words)
    k = _words_to_ints(raw)
    for (batch, scale), start in zip(plan, starts, strict=True):
        target = batch[rows.start : rows.stop]
        size = target[0].size
        _scale_into(target, k[:, start : start + size].reshape(target.shape), scale)


def _fill(target: np.ndarray, scale: float, dist: str, gen: np.random.Generator) -> None:
    """``target = unit_draw * scale``: the draw in float32, the scaling in ``target``'s dtype.

    In float64 the float32 draw is cast before the scaling, so both precisions see exactly the
    same draws. The elementwise laws are drawn in blocks of ``DRAW_BLOCK_NUMBERS`` (even) that
    stay in cache between the draw and the scaling; their streams are sequential, so blocks
    give the same numbers as one call.
    """
    if dist not in ("uniform", "normal") or target.size <= DRAW_BLOCK_NUMBERS:
        _scaled_draw(target, scale, dist, gen)
        return
    flat = target.reshape(-1)  # a view: target is one network's contiguous tensor
    for start in range(0, flat.size, DRAW_BLOCK_NUMBERS):
        _scaled_draw(flat[start : start + DRAW_BLOCK_NUMBERS], scale, dist, gen)


def _scaled_draw(target: np.ndarray, scale: float, dist: str, gen: np.random.Generator) -> None:
    if dist == "uniform":
        _uniform_draw(target, scale, gen)
        return
    draw = target if target.dtype == np.float32 else np.empty(target.shape, np.float32)
    _unit_draw(draw, dist, gen)
    if draw is target:
        np.multiply(target, np.float32(scale), out=target)
    else:
        np.multiply(draw, scale, out=target, dtype=np.float64)


def _layer_shapes(config: MLPConfig) -> list[tuple[int, int]]:
    sizes = [config.in_dim] + [config.width] * config.depth + [1]
    return list(zip(sizes[:-1], sizes[1:], strict=True))


def _sample_networks(
    config: MLPConfig,
    indices: range,
    seed: int,
    threads: int | None = None,
    out: list[LayerParams] | None = None,
) -> list[LayerParams]:
    """Parameters of networks ``indices``, each from its own stream, stacked on dim 0.

    Network ``i`` draws from ``network_stream(seed, i)``, per layer in order W, b, then the
    gate's W', b'. Groups of networks are drawn on ``threads`` threads (default
    ``draw_threads()``); each network writes only its own rows, so the bits never depend on
    the thread count, the chunking or which networks are drawn together. ``out``: the result
    of an earlier call with at least as many networks, whose memory is reused (overwritten):
    ``sample_functions`` draws chunk after chunk into the same buffers, which saves the kernel
    the work of handing out and zeroing fresh pages for every chunk.
    """
    threads = draw_threads() if threads is None else threads
    check_int("sample", "threads", threads, 1)
    shapes = _layer_shapes(config)
    hidden = len(shapes) - 1
    count = len(indices)
    dtype = compute_dtype()
    gated = [config.gating and layer < hidden for layer in range(len(shapes))]

    def buffer(layer: int, field: str, shape: tuple[int, ...]) -> torch.Tensor:
        old = None if out is None else getattr(out[layer], field)
        if old is not None and old.dtype == dtype and old.shape[1:] == shape and old.shape[0] >= count:
            return old[:count]
        # torch allocates (64-byte aligned, as every other tensor); numpy fills through shared views.
        return torch.empty(count, *shape, dtype=dtype)

    weights = [buffer(i, "weight", (o, n)) for i, (n, o) in enumerate(shapes)]
    biases = [buffer(i, "bias", (o,)) for i, (_, o) in enumerate(shapes)]
    gates_w = [buffer(i, "gate_weight", (o, n)) if gated[i] else None for i, (n, o) in enumerate(shapes)]
    gates_b = [buffer(i, "gate_bias", (o,)) if gated[i] else None for i, (_, o) in enumerate(shapes)]
    bias_bound = config.bias_scale * (config.alpha if config.bias_scales_with_alpha else 1.0)
    # (array, scale) in each network's stream order.
    plan: list[tuple[np.ndarray, float]] = []
    for layer, (fan_in, fan_out) in enumerate(shapes):
        bound = config.alpha * math.sqrt(6.0 / (fan_in + fan_out))
        plan += [(weights[layer].numpy(), bound), (biases[layer].numpy(), bias_bound)]
        if gated[layer]:
            plan += [(gates_w[layer].numpy(), bound), (gates_b[layer].numpy(), bias_bound)]
    sizes = [array[0].size for array, _ in plan] if count else []
    per_network = sum(sizes)
    dist = config.weight_dist
    # Uniform networks up to FUSED_LIMIT parameters: one call to each stream (_uniform_draw_rows);
    # others tensor by tensor, in cache-sized blocks (_fill). Same bits either way. Tensor i
    # starts at half starts[i]: each takes ceil(size / 2) whole 64-bit outputs.
    ends = list(itertools.accumulate((n + 1) // 2 for n in sizes))
    starts = [2 * end for end in [0, *ends[:-1]]]
    words = ends[-1] if ends else 0
    fused = dist == "uniform" and per_network <= FUSED_LIMIT

    def draw_rows(rows: range) -> None:
        if fused:
            _uniform_draw_rows(plan, rows, [network_stream(seed, indices[row]) for row in rows], starts, words)
            return
        for row in rows:
            gen = network_stream(seed, indices[row])
            for array, scale in plan:
                _fill(array[row], scale, dist, gen)

    step = max(1, DRAW_TASK_NUMBERS // max(1, per_network))  # networks per task
    tasks = [range(start, min(start + step, count)) for start in range(0, count, step)]
    if threads == 1 or len(tasks) <= 1:
        for rows in tasks:
            draw_rows(rows)
    else:
        list(_pool(threads).map(draw_rows, tasks))  # list(): waits, and re-raises a worker's exception
    return [
        LayerParams(weight=weights[layer], bias=biases[layer], gate_weight=gates_w[layer], gate_bias=gates_b[layer])
        for layer in range(len(shapes))
    ]


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


def mlp_forward(
    config: MLPConfig, params: list[LayerParams], x: torch.Tensor, *, device: str | torch.device | None = None
) -> torch.Tensor:
    """Evaluate a batch of networks at points ``x`` (points, in_dim) -> (n_networks, points).

    Implements the layer-by-layer definition (conventions page, book/conventions.md, section
    "Random MLPs, layer by layer") with one batched matrix product per
    layer. On the CPU the networks are evaluated in groups whose activations fit in cache
    (``TILE_BYTES``), which makes the bias, activation and residual passes nearly free.
    Parameters on the CPU are evaluated on ``device`` (default: ``REDSHIFT_DEVICE``, see
    ``redshift_utils.device``) and the result comes back to the CPU; parameters already on a
    GPU are evaluated there. Explained in chapter 2 (``notebooks/02_activations.md``).
    """
    if not isinstance(config, MLPConfig):
        raise ValueError(f"config must be an MLPConfig, got {type(config).__name__}")
    if len(params) != config.depth + 1:
        raise ValueError(f"params must hold depth + 1 = {config.depth + 1} layers, got {len(params)}")
    first = params[0].weight
    if x.ndim != 2 or x.shape[1] != config.in_dim:
        raise ValueError(f"x must have shape (points, in_dim={config.in_dim}), got {tuple(x.shape)}")
    if first.device.type == "cpu" and (target := resolve_device(device)).type != "cpu":
        return mlp_forward(config, [_to_device(layer, target) for layer in params], x).cpu()
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
    device: str | torch.device | None = None,
    keep_on_device: bool = False,
) -> torch.Tensor:
    """Functions of ``n_networks`` random networks on the n x n grid: (n_networks, n, n).

    The result is in the compute dtype: float32, or float64 under ``REDSHIFT_DTYPE=float64``
    (the same networks either way; see ``redshift_utils.precision``).

    ``[k, i, j] = f_k(x_i, y_j)``. Networks are drawn on the CPU from their own streams
    (so results do not depend on ``n_networks`` or ``chunk_size``) and evaluated in chunks
    that keep memory near 1 GB; they are evaluated on ``device`` (default: ``REDSHIFT_DEVICE``,
    the CPU unless it says ``cuda``) and the result is a CPU tensor; ``keep_on_device=True`` leaves
    it on that device, for a measure that runs there (``fourier_complexity``). Explained in chapter 1.
    """
    check_int("sample_functions", "n_networks", n_networks, 1)
    check_int("sample_functions", "n", n, 2)
    _check_seed(seed)
    device = resolve_device(device)
    if isinstance(config, UnbiasedConfig):
        return _unbiased_functions(config, n_networks, n, seed)
    if not isinstance(config, MLPConfig):
        raise ValueError(f"config must be an MLPConfig or UnbiasedConfig, got {type(config).__name__}")
    dtype = compute_dtype()
    points = grid(n).to(dtype)
    if chunk_size is None:
        chunk_size = _chunk_size(config, n * n, torch.finfo(dtype).bits // 8)
    check_int("sample_functions", "chunk_size", chunk_size, 1)
    keep_on_device = check_flag("keep_on_device", keep_on_device)
    out = torch.empty(n_networks, n * n, dtype=dtype, device=device if keep_on_device else "cpu")
    buffers = None  # every chunk is drawn into the first chunk's memory
    for start in range(0, n_networks, chunk_size):
        indices = range(start, min(start + chunk_size, n_networks))
        params = buffers = _sample_networks(config, indices, seed, out=buffers)
        if device.type != "cpu":  # drawn on the CPU as always, then moved
            params = [_to_device(layer, device) for layer in params]
        values = mlp_forward(config, params, points, device=device)
        out[start : indices.stop] = values if keep_on_device else values.cpu()
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
