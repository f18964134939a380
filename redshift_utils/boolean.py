"""Random networks as Boolean functions: truth tables, their LZ complexity and P(f) (chapter 6).

Why a module: the parameter-function-map literature that preceded the paper (Valle-Perez et
al. 2019, Mingard et al. 2019) studies random networks on the 2^n corners of the cube {0, 1}^n,
where a network *is* a Boolean function (its 2^n-bit truth table) and the probability P(f) of
each function can be estimated by counting. Chapter 6 reproduces their two results and asks
the paper's questions (activations, magnitude) of them. Networks are the library's
(``sample_mlp_params``), so network k here is network k of every other chapter; the
``"valle_perez"`` prior rescales the same uniform draws to the bounds of Valle-Perez et al.'s
code. Truth tables travel packed (``numpy.packbits``, 16 bytes for 7 bits), so 10^6 networks
fit in 16 MB.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from redshift_utils.configs import MLPConfig
from redshift_utils.lempel_ziv import lz76
from redshift_utils.precision import compute_dtype
from redshift_utils.sampler import LayerParams, _layer_shapes, _sample_networks, mlp_forward
from redshift_utils.validation import check_choice, check_int

PRIORS = ("book", "valle_perez")
MAX_BITS = 16  # 65,536 inputs: far above the 7 bits of the literature, small enough to allocate
CHUNK = 8192  # networks drawn and evaluated at once (7-40-40-1: about 65 MB of float32 parameters)


def boolean_inputs(n_bits: int) -> torch.Tensor:
    """All 2^n_bits corners of {0, 1}^n_bits: row i is the binary expansion of i, most significant bit first.

    (2^n_bits, n_bits) in the compute dtype (float32 unless ``REDSHIFT_DTYPE`` says otherwise),
    the input order of Valle-Perez et al. (``"{0:07b}".format(i)``), so truth tables read alike.
    """
    check_int("boolean_inputs", "n_bits", n_bits, 1, MAX_BITS)
    index = torch.arange(2**n_bits)
    shifts = torch.arange(n_bits - 1, -1, -1)
    return ((index[:, None] >> shifts[None, :]) & 1).to(compute_dtype())


def _check_config(func: str, config: MLPConfig, n_bits: int) -> None:
    if not isinstance(config, MLPConfig):
        raise ValueError(f"{func}: config must be an MLPConfig, got {type(config).__name__}")
    check_int(func, "n_bits", n_bits, 1, MAX_BITS)
    if config.in_dim != n_bits:
        raise ValueError(
            f"{func}: config.in_dim must equal n_bits={n_bits} (one input per bit), got in_dim={config.in_dim}"
        )


def rescale_to_prior(config: MLPConfig, params: list[LayerParams], prior: str) -> list[LayerParams]:
    """The book's draws of ``config`` moved to another prior by rescaling each uniform draw.

    ``"book"`` returns ``params`` unchanged. ``"valle_perez"``: hidden weights and biases
    U(-sqrt(6/fan_in), sqrt(6/fan_in)), output weight and bias U(-sqrt(3/fan_in), sqrt(3/fan_in)),
    as in Valle-Perez et al.'s code; the same uniform numbers, so network k stays network k.
    Needs the uniform weight law, ``alpha`` and a positive ``bias_scale`` (the draws are undone
    by dividing by them).
    """
    check_choice("rescale_to_prior", "prior", prior, PRIORS)
    if prior == "book":
        return params
    if config.weight_dist != "uniform" or config.gating or config.bias_scales_with_alpha or config.bias_scale <= 0:
        raise ValueError(
            "rescale_to_prior: the 'valle_perez' prior needs weight_dist='uniform', no gating, "
            f"bias_scales_with_alpha=False and bias_scale > 0, got {config}"
        )
    shapes = _layer_shapes(config)
    out = []
    for index, ((fan_in, fan_out), layer) in enumerate(zip(shapes, params, strict=True)):
        bound = math.sqrt((3.0 if index == len(shapes) - 1 else 6.0) / fan_in)
        book_weight = config.alpha * math.sqrt(6.0 / (fan_in + fan_out))
        out.append(LayerParams(layer.weight * (bound / book_weight), layer.bias * (bound / config.bias_scale)))
    return out


def _truth_tables(config: MLPConfig, params: list[LayerParams], inputs: torch.Tensor) -> np.ndarray:
    """Packed truth tables (N, 2^n / 8 rounded up) of networks ``params``: bit set where the output is > 0."""
    with torch.inference_mode():
        bits = (mlp_forward(config, params, inputs) > 0).numpy()
    return np.packbits(bits, axis=1)


def boolean_sweep(
    configs: Sequence[MLPConfig],
    n_networks: int,
    *,
    n_bits: int = 7,
    seed: int = 0,
    priors: Sequence[str] | str = "book",
    chunk_size: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> list[np.ndarray]:
    """Packed truth tables of ``n_networks`` networks for each configuration: one (N, bytes) uint8 per config.

    Why a sweep: drawing parameters costs more than evaluating them on 128 inputs, and
    configurations that differ only in activation, prefactor, ``alpha``, ``bias_scale`` or
    prior share their uniform draws (common random numbers; chapter 6 compares them network by
    network). So each chunk of networks is drawn once per shape (depth, width, in_dim, weight
    law, gating) and evaluated under every configuration. Draws are made with ``alpha=1`` and
    ``bias_scale=1`` and rescaled: equal to ``boolean_functions`` of each configuration up to
    float rounding (bit for bit when ``alpha`` and ``bias_scale`` are 1 or ``bias_scale`` 0).
    ``progress`` is called with the number of networks done after each chunk.
    """
    configs = list(configs)
    priors = [priors] * len(configs) if isinstance(priors, str) else list(priors)
    if len(priors) != len(configs):
        raise ValueError(f"boolean_sweep: give one prior per config ({len(configs)}), got {len(priors)}")
    for config, prior in zip(configs, priors, strict=True):
        _check_config("boolean_sweep", config, n_bits)
        check_choice("boolean_sweep", "prior", prior, PRIORS)
    check_int("boolean_sweep", "n_networks", n_networks, 1)
    check_int("boolean_sweep", "seed", seed, 0)
    check_int("boolean_sweep", "chunk_size", chunk_size, 1)
    inputs = boolean_inputs(n_bits)
    width = (2**n_bits + 7) // 8
    tables = [np.empty((n_networks, width), dtype=np.uint8) for _ in configs]
    groups: dict[tuple, list[int]] = {}
    for index, config in enumerate(configs):
        groups.setdefault((config.depth, config.width, config.in_dim, config.weight_dist, config.gating), []).append(
            index
        )
    for start in range(0, n_networks, chunk_size):
        rows = range(start, min(start + chunk_size, n_networks))
        for members in groups.values():
            unit = dataclasses.replace(configs[members[0]], alpha=1.0, bias_scale=1.0, bias_scales_with_alpha=False)
            raw = _sample_networks(unit, rows, seed)
            for index in members:
                config, prior = configs[index], priors[index]
                params = _rescale(config, unit, raw)
                if prior != "book":
                    params = rescale_to_prior(dataclasses.replace(config, alpha=1.0, bias_scale=1.0), raw, prior)
                tables[index][rows.start : rows.stop] = _truth_tables(config, params, inputs)
        if progress is not None:
            progress(rows.stop)
    return tables


def _rescale(config: MLPConfig, unit: MLPConfig, raw: list[LayerParams]) -> list[LayerParams]:
    """Draws made at alpha = bias_scale = 1 moved to ``config``'s alpha and bias bound."""
    bias_bound = config.bias_scale * (config.alpha if config.bias_scales_with_alpha else 1.0)
    if config.alpha == 1.0 and bias_bound == 1.0:
        return raw

    def scale(t: torch.Tensor | None, factor: float) -> torch.Tensor | None:
        return None if t is None else (t if factor == 1.0 else t * factor)

    return [
        LayerParams(
            scale(p.weight, config.alpha),
            scale(p.bias, bias_bound),
            scale(p.gate_weight, config.alpha),
            scale(p.gate_bias, bias_bound),
        )
        for p in raw
    ]


def boolean_functions(
    config: MLPConfig, n_networks: int, *, n_bits: int = 7, seed: int = 0, prior: str = "book"
) -> torch.Tensor:
    """The Boolean functions of ``n_networks`` random networks: (n_networks, 2^n_bits) bool.

    Entry [k, i] is True where network k's output at input i (row i of ``boolean_inputs``) is
    > 0; network k is network k of ``sample_mlp_params(config, n_networks, seed=seed)`` (under
    ``prior="book"``; ``"valle_perez"`` rescales the same draws, see ``rescale_to_prior``).
    ``config.in_dim`` must equal ``n_bits``. Explained in chapter 6.
    """
    _check_config("boolean_functions", config, n_bits)
    check_int("boolean_functions", "n_networks", n_networks, 1)
    check_int("boolean_functions", "seed", seed, 0)
    check_choice("boolean_functions", "prior", prior, PRIORS)
    inputs = boolean_inputs(n_bits)
    out = torch.empty(n_networks, 2**n_bits, dtype=torch.bool)
    for start in range(0, n_networks, CHUNK):
        rows = range(start, min(start + CHUNK, n_networks))
        params = rescale_to_prior(config, _sample_networks(config, rows, seed), prior)
        with torch.inference_mode():
            out[rows.start : rows.stop] = mlp_forward(config, params, inputs) > 0
    return out


def pack(functions: torch.Tensor | np.ndarray) -> np.ndarray:
    """Bool truth tables (N, L) -> packed uint8 (N, ceil(L / 8)), first input in the highest bit."""
    return np.packbits(np.asarray(functions, dtype=bool), axis=-1)


def unpack(tables: np.ndarray, n_bits: int) -> np.ndarray:
    """Packed truth tables -> bool (N, 2^n_bits)."""
    return np.unpackbits(np.asarray(tables, dtype=np.uint8), axis=-1, count=2**n_bits).astype(bool)


def function_counts(tables: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct functions of a sample and how often each was drawn: (unique, counts, inverse).

    ``unique`` (U, bytes) is sorted by count, most frequent first (ties by table), ``counts`` (U,)
    sums to N, and ``inverse`` (N,) gives each network's row of ``unique``: so P(f) is
    ``counts / N`` and a per-network quantity is ``per_function[inverse]``.
    """
    tables = np.ascontiguousarray(tables, dtype=np.uint8)
    if tables.ndim != 2 or tables.shape[0] == 0:
        raise ValueError(f"function_counts: tables must be (N >= 1, bytes), got shape {tables.shape}")
    rows = tables.view(np.dtype((np.void, tables.shape[1]))).ravel()
    unique, inverse, counts = np.unique(rows, return_inverse=True, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    unique = unique[order].view(np.uint8).reshape(-1, tables.shape[1])
    return unique, counts[order], rank[inverse.ravel()]


def ones_count(tables: np.ndarray, n_bits: int) -> np.ndarray:
    """t, the number of inputs a function maps to 1 (Mingard et al.'s entropy axis): (N,) int."""
    return unpack(tables, n_bits).sum(axis=-1)


def boolean_complexity(functions: np.ndarray | torch.Tensor) -> np.ndarray | float:
    """Valle-Perez et al.'s LZ complexity of truth tables: log2(L) (LZ(s) + LZ(reversed s)) / 2.

    ``functions`` is bool (N, L) (or one table of length L); ``LZ`` counts LZ76 phrases
    (``ru.lz76``), and a constant string scores log2(L), as in their code. Averaging a string
    and its reverse removes LZ76's dependence on the reading direction. Explained in chapter 6.
    """
    bits = np.atleast_2d(np.asarray(functions, dtype=np.uint8))
    if bits.ndim != 2 or bits.shape[1] < 2:
        raise ValueError(f"boolean_complexity: functions must be (N, L >= 2) truth tables, got shape {bits.shape}")
    length = bits.shape[1]
    scale = math.log2(length)
    out = np.empty(bits.shape[0])
    constant = (bits == bits[:, :1]).all(axis=1)
    for i, row in enumerate(bits):
        out[i] = scale if constant[i] else scale * (lz76(row) + lz76(row[::-1])) / 2.0
    return out if np.ndim(functions) == 2 else out[0]


def resample_counts(counts: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Bootstrap resamples of a sample summarised by category counts: (n_boot, categories).

    Resampling N networks with replacement and counting them per category is a multinomial
    draw with probabilities ``counts / N``, so this is the nonparametric bootstrap over
    networks, at the cost of the categories instead of the networks. Lumping categories
    (an "other" bucket) leaves the others' joint law unchanged, so callers may pass only the
    categories a statistic reads plus one bucket for the rest.
    """
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 1 or counts.size == 0 or (counts < 0).any() or counts.sum() == 0:
        raise ValueError("resample_counts: counts must be a 1-D array of non-negative integers with a positive sum")
    check_int("resample_counts", "n_boot", n_boot, 1)
    rng = np.random.default_rng(seed)
    return rng.multinomial(int(counts.sum()), counts / counts.sum(), size=n_boot)


def count_bootstrap(
    counts: np.ndarray,
    statistic: Callable[[np.ndarray], float],
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """``(estimate, low, high)`` of ``statistic(counts)`` with a percentile bootstrap over networks.

    ``statistic`` maps a vector of category counts to a number; resamples where it is not
    finite (e.g. a correlation over too few functions) are dropped, and all-dropped is an error.
    """
    if not 0 < level < 1:
        raise ValueError(f"count_bootstrap: level must be strictly between 0 and 1, got {level!r}")
    boots = np.array([statistic(row) for row in resample_counts(counts, n_boot, seed)], dtype=np.float64)
    boots = boots[np.isfinite(boots)]
    if boots.size == 0:
        raise ValueError("count_bootstrap: the statistic was undefined on every resample")
    tail = (1.0 - level) / 2.0
    return float(statistic(np.asarray(counts))), float(np.quantile(boots, tail)), float(np.quantile(boots, 1 - tail))


def mean_ci(
    values: np.ndarray, *, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """The mean of many values that take few distinct values, with a bootstrap interval over them.

    The same percentile bootstrap as ``ru.bootstrap_ci`` of the mean, computed on the counts of
    the distinct values (``count_bootstrap``), so 10^6 networks cost what their few hundred
    distinct complexities cost instead of 10^6 x n_boot draws.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size < 2 or not np.isfinite(values).all():
        raise ValueError("mean_ci: values must hold at least 2 finite numbers")
    distinct, counts = np.unique(values, return_counts=True)
    return count_bootstrap(counts, lambda c: float(c @ distinct / c.sum()), n_boot=n_boot, level=level, seed=seed)


def imbalance(t_counts: np.ndarray) -> float:
    """Mean ``|t / 2^n - 1/2|`` of a sample given its counts of t = 0 .. 2^n: 0 balanced, 1/2 constant.

    Why this number: Mingard et al.'s uniform P(t) on 0 .. 2^n - 1 gives exactly 1/4 for every n
    (the sum of |t - 2^(n-1)| over t is 4^n / 4), and a bias towards low entropy raises it, so
    one scale-free number tests both their theorem and their ReLU result. Chapter 6.
    """
    t_counts = np.asarray(t_counts, dtype=np.float64)
    if t_counts.ndim != 1 or t_counts.size < 3 or t_counts.sum() <= 0:
        raise ValueError("imbalance: t_counts must be the counts of t = 0 .. 2^n (2^n + 1 values) with a positive sum")
    inputs = t_counts.size - 1
    return float(t_counts @ np.abs(np.arange(t_counts.size) / inputs - 0.5) / t_counts.sum())


def count_difference(
    counts_a: np.ndarray,
    counts_b: np.ndarray,
    statistic: Callable[[np.ndarray], float],
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """``statistic(b) - statistic(a)`` for two independent samples, each resampled on its own (``count_bootstrap``)."""
    boots = [
        np.array([statistic(row) for row in resample_counts(counts, n_boot, seed + i)])
        for i, counts in enumerate((counts_a, counts_b))
    ]
    tail = (1.0 - level) / 2.0
    diff = boots[1] - boots[0]
    estimate = statistic(np.asarray(counts_b)) - statistic(np.asarray(counts_a))
    return float(estimate), float(np.quantile(diff, tail)), float(np.quantile(diff, 1 - tail))


def probability_slope(complexity: np.ndarray, counts: np.ndarray) -> float:
    """Least-squares slope of log10 P(f) against complexity, over functions drawn at least once.

    ``counts`` are draws per function out of ``counts.sum()`` networks (pass the lumped rest as
    well when it belongs to the sample, see ``slope_ci``). Decades per unit of complexity; NaN
    when fewer than two distinct complexities are drawn (no slope to fit).
    """
    complexity, counts = np.asarray(complexity, dtype=np.float64), np.asarray(counts, dtype=np.float64)
    seen = counts > 0
    if len(np.unique(complexity[seen])) < 2:
        return math.nan
    return float(np.polyfit(complexity[seen], np.log10(counts[seen]), 1)[0])


def slope_ci(
    complexity: np.ndarray, counts: np.ndarray, *, min_count: int, n_boot: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """``probability_slope`` over the functions drawn at least ``min_count`` times, with an interval over networks.

    Why the cut: P(f) of a function drawn once or twice is mostly counting noise, and most
    functions are drawn once. The other functions are lumped into one category, so every
    resample still has the sample's N networks (``resample_counts``). NaNs when fewer than two
    distinct complexities pass the cut. Chapter 6 (Valle-Pérez et al.'s exponential bias).
    """
    complexity, counts = np.asarray(complexity, dtype=np.float64), np.asarray(counts, dtype=np.int64)
    keep = counts >= min_count
    if len(np.unique(complexity[keep])) < 2:
        return math.nan, math.nan, math.nan
    k = complexity[keep]
    lumped = np.append(counts[keep], counts.sum() - counts[keep].sum())
    return count_bootstrap(lumped, lambda c: probability_slope(k, c[:-1]), n_boot=n_boot, seed=seed)
