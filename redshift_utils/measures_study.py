"""Studies of the complexity measures themselves: the computations behind chapter 1.

Why a module: chapter 1 (``notebooks/01_metrics.md``) justifies the book's conventions (a DCT,
a low Chebyshev degree, LZ76 on median-binarised raster scans, a 64 x 64 grid) by measuring
what the alternatives do. The chapter keeps the argument; this module keeps the machinery, so
each piece is tested once: plain re-implementations of the three measures (the chapter checks
them against the library), the alternative Lempel-Ziv counts and symbolisations, the
conditioning and coefficient-recovery study of polynomial bases, the per-frequency profile of
the Fourier score, float64 sampling, and paired bootstrap intervals.
"""

from __future__ import annotations

import dataclasses
import time
import zlib
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import scipy.fft
import torch
from numpy.polynomial import chebyshev, hermite, legendre, polynomial
from scipy import stats as scipy_stats

from redshift_utils.configs import MLPConfig, UnbiasedConfig
from redshift_utils.fourier import fourier_complexity
from redshift_utils.grids import grid, grid_axis
from redshift_utils.sampler import mlp_forward, sample_functions, sample_mlp_params
from redshift_utils.seeds import rng
from redshift_utils.stats import bootstrap_ci
from redshift_utils.sweeps import measure_all

# The four polynomial bases of the conditioning study: Chebyshev (the library's), Legendre (the
# paper's Figure 6 variant), Hermite (which the paper tried) and plain monomials (the baseline).
VANDERMONDE: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "Chebyshev": chebyshev.chebvander,
    "Legendre": legendre.legvander,
    "Hermite": hermite.hermvander,
    "monomial": polynomial.polyvander,
}

# Symbolisations and scan orders of the LZ robustness study: (levels, spacing, order).
LZ_VARIANTS: dict[str, tuple[int, str, str]] = {
    "median, row-major (library)": (2, "quantile", "row-major"),
    "median, column-major": (2, "quantile", "column-major"),
    "median, snake": (2, "quantile", "snake"),
    "median, shuffled (control)": (2, "quantile", "shuffled"),
    "4 quantile levels, row-major": (4, "quantile", "row-major"),
    "8 quantile levels, row-major": (8, "quantile", "row-major"),
    "8 equal-width levels, row-major": (8, "width", "row-major"),
}
SCAN_ORDERS = ("row-major", "column-major", "snake", "shuffled")


def axis64(n: int) -> np.ndarray:
    """The library's cell-centred grid axis ``x_m = -1 + (2m + 1) / n`` in float64."""
    return grid_axis(n).numpy().astype(np.float64)


# ------------------------------------------------------------- the measures, by hand


def fourier_by_hand(f: np.ndarray) -> float:
    """Raw Fourier score in five lines: the |c|-weighted mean frequency of the orthonormal DCT.

    Coefficient ``(j1, j2)`` oscillates ``||(j1, j2)|| / 2`` times over [-1, 1]; the constant
    term does not count. Written for reading; ``fourier_complexity`` is the tested version.
    """
    c = np.abs(scipy.fft.dctn(np.asarray(f, dtype=np.float64), type=2, norm="ortho"))
    j = np.arange(c.shape[0])
    k = np.hypot(j[:, None], j[None, :]) / 2  # cycles over [-1, 1]
    c[0, 0] = 0.0
    return float((c * k).sum() / c.sum())


def chebyshev_by_hand(f: np.ndarray, degree: int) -> float:
    """Raw Chebyshev score: least-squares tensor fit ``c = P F P^T``, |c|-weighted mean order."""
    f = np.asarray(f, dtype=np.float64)
    p = np.linalg.pinv(chebyshev.chebvander(axis64(f.shape[0]), degree))  # (degree + 1, n)
    c = np.abs(p @ f @ p.T)
    i = np.arange(degree + 1)
    order = np.hypot(i[:, None], i[None, :])
    c[0, 0] = 0.0
    return float((c * order).sum() / c.sum())


def lz76_phrases(bits: str) -> list[str]:
    """LZ76 parsing: each phrase is the shortest block not seen before its last symbol (overlaps allowed).

    Quadratic and plain on purpose: the chapter shows the phrases; ``lz76`` is the fast count.
    """
    phrases, start = [], 0
    while start < len(bits):
        end = start + 1
        while end <= len(bits) and bits[start:end] in bits[: end - 1]:
            end += 1
        phrases.append(bits[start:end])
        start = end
    return phrases


def median_bits(f: np.ndarray) -> str:
    """The library's symbols as a string: '1' where f is above its median, read row by row."""
    flat = np.asarray(f, dtype=np.float64).reshape(-1)  # row-major: f(x_0, y_0), f(x_0, y_1), ...
    return ((flat > np.median(flat)).astype(np.uint8) + 48).tobytes().decode()


def bits_image(bits: str, n: int) -> np.ndarray:
    """A bit string of length n^2 back as an (n, n) array of 0 and 1 (for pictures)."""
    return np.frombuffer(bits.encode(), dtype=np.uint8).reshape(n, n) - 48


# --------------------------------------------------------------- other Lempel-Ziv counts


def lz78_phrases(bits: str) -> int:
    """LZ78 dictionary size: each phrase is the longest known phrase plus one new symbol.

    The kind of count the paper's pilot code used; a constant run of length L costs about
    sqrt(2L) phrases, where LZ76 pays one.
    """
    seen: set[str] = set()
    current, count = "", 0
    for symbol in bits:
        current += symbol
        if current not in seen:
            seen.add(current)
            count += 1
            current = ""
    return count + (current != "")


def zlib_bytes(bits: str) -> int:
    """Size of the zlib (DEFLATE: LZ77 plus Huffman coding) stream at level 9, one byte per bit."""
    return len(zlib.compress(bits.encode(), 9))


def random_bit_strings(generators: Iterable[np.random.Generator], length: int) -> list[str]:
    """One string of ``length`` i.i.d. fair bits per generator: the "random = 1" reference of an LZ count."""
    return [((g.random(length) < 0.5).astype(np.uint8) + 48).tobytes().decode() for g in generators]


def symbols(f: np.ndarray, levels: int, spacing: str) -> np.ndarray:
    """Quantise f into ``levels`` symbols: at quantiles (equally frequent) or in equal-width bins.

    Two levels at quantiles is the library's median threshold (1 where f > median).
    """
    if spacing not in ("quantile", "width"):
        raise ValueError(f"spacing must be 'quantile' or 'width', got {spacing!r}")
    if spacing == "quantile":
        edges = np.quantile(f, np.arange(1, levels) / levels)
    else:
        edges = np.linspace(np.min(f), np.max(f), levels + 1)[1:-1]
    return np.searchsorted(edges, f, side="left")


def scan(image: np.ndarray, order: str, shuffle: np.ndarray | None = None) -> np.ndarray:
    """Read a 2-D array into 1-D: row by row, column by column, snake (every other row reversed,
    so consecutive symbols are always neighbours) or in the fixed random order ``shuffle``."""
    if order == "row-major":
        return image.reshape(-1)
    if order == "column-major":
        return image.T.reshape(-1)
    if order == "snake":
        snake = image.copy()
        snake[1::2] = snake[1::2, ::-1]
        return snake.reshape(-1)
    if order == "shuffled":
        if shuffle is None:
            raise ValueError("the shuffled order needs a permutation (shuffle=...)")
        return image.reshape(-1)[shuffle]
    raise ValueError(f"order must be one of {SCAN_ORDERS}, got {order!r}")


# ------------------------------------------------------------ polynomial bases


def condition_number(basis: str, n: int, degree: int, *, equilibrate: bool = False) -> float:
    """2-norm condition number of the (n, degree + 1) Vandermonde matrix on the cell-centred grid.

    ``equilibrate`` scales every column to unit norm first. That leaves the fitted function
    unchanged but not the coefficients, which the measure reads in the raw basis, so both matter:
    the raw number bounds the relative error of the coefficients the measure uses, the
    equilibrated one compares the shapes of the bases.
    """
    v = VANDERMONDE[basis](axis64(n), degree)
    if equilibrate:
        v = v / np.linalg.norm(v, axis=0)
    return float(np.linalg.cond(v))


# A condition number computed in float64 is accurate to about eps x cond (relative), so below this
# bound it is known to 1%. Above it (e.g. at d = n - 1, interpolation, where both good bases reach
# about 1 / eps) the order of two bases' numbers is float rounding and changed between machines.
COMPARABLE_CONDITION = 0.01 / float(np.finfo(np.float64).eps)


def comparable(*conditions: Sequence[float]) -> np.ndarray:
    """Where every one of several condition-number curves (one value per degree) is below
    ``COMPARABLE_CONDITION``: the degrees at which comparing bases means something on any machine."""
    return np.all(np.asarray(conditions, dtype=np.float64) < COMPARABLE_CONDITION, axis=0)


def coefficient_recovery(basis: str, n: int, degree: int, trials: int, *, seed: int, noise: float = 1e-3) -> np.ndarray:
    """Error amplification of a least-squares fit, one value per random polynomial.

    Trial t draws i.i.d. standard-normal coefficients ``c`` of a polynomial of ``degree`` in
    ``basis``, evaluates it on the n-point grid, adds Gaussian noise of ``noise`` times its RMS and
    refits: the value is (relative error of the recovered coefficients) / (relative size of the
    noise). The condition number bounds it; this is its typical size. The coefficients and the
    noise of trial t are the same draws in every basis, so bases compare pair by pair. The fit is
    linear, so ``noise`` only sets the scale at which float64 rounding would start to matter.
    """
    generator = rng(seed, "recovery", degree)
    coeffs = generator.standard_normal((trials, degree + 1))
    eps = generator.standard_normal((trials, n))
    v = VANDERMONDE[basis](axis64(n), degree)
    clean = coeffs @ v.T
    perturbation = noise * eps * np.sqrt((clean**2).mean(1, keepdims=True))
    recovered = (clean + perturbation) @ np.linalg.pinv(v).T
    coefficient_error = np.linalg.norm(recovered - coeffs, axis=1) / np.linalg.norm(coeffs, axis=1)
    data_error = np.linalg.norm(perturbation, axis=1) / np.linalg.norm(clean, axis=1)
    return coefficient_error / data_error


def projection_row_norms(n: int, degree: int) -> np.ndarray:
    """Row norms of ``P = pinv(V)`` (Chebyshev): how much a residual leaks into each coefficient."""
    return np.linalg.norm(np.linalg.pinv(chebyshev.chebvander(axis64(n), degree)), axis=1)


# ------------------------------------------------------------- Fourier diagnostics


def frequency_profile(functions: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Contribution of each frequency band to the raw Fourier score, averaged over functions.

    ``functions`` (N, n, n). Returns (frequencies in cycles over [-1, 1], contribution per cycle);
    the area under the profile is the mean raw score, so a flat tail that reaches the highest
    frequency (a DFT's border jump) shows as area far from the origin.
    """
    functions = np.asarray(functions, dtype=np.float64)
    n = functions.shape[-1]
    if method == "dft":
        folded = np.fft.fftfreq(n) * n  # 0, 1, ..., -1 cycles over the period
        k = np.hypot(folded[:, None], folded[None, :])
        coeffs = np.abs(scipy.fft.fft2(functions))
        width = 1.0
    elif method == "dct":
        j = np.arange(n) / 2  # coefficient j oscillates j / 2 times over [-1, 1]
        k = np.hypot(j[:, None], j[None, :])
        coeffs = np.abs(scipy.fft.dctn(functions, norm="ortho", axes=(-2, -1)))
        width = 0.5
    else:
        raise ValueError(f"method must be 'dft' or 'dct', got {method!r}")
    coeffs[:, 0, 0] = 0.0
    flat = coeffs.reshape(len(coeffs), -1)
    weight = flat * k.reshape(-1) / flat.sum(1, keepdims=True)
    bins = np.rint(k / width).astype(int).ravel()
    profile = np.stack([np.bincount(bins, w) for w in weight]).mean(0) / width
    return np.arange(profile.size) * width, profile


# ------------------------------------------------------------------ sampling


def sample_float64(config: MLPConfig, n_networks: int, *, n: int, seed: int) -> np.ndarray:
    """The networks of ``sample_functions(config, n_networks, n=n, seed=seed)``, evaluated in float64.

    Why: the book samples in the compute dtype (float32 unless ``REDSHIFT_DTYPE=float64``), and a
    fit near interpolation amplifies float32 rounding; this shows what the same networks score
    without it. The weights are the same draws (scaled in the compute dtype, then cast).
    """
    layers = [
        dataclasses.replace(layer, **{k: None if t is None else t.to(torch.float64) for k, t in vars(layer).items()})
        for layer in sample_mlp_params(config, n_networks, seed=seed)
    ]
    return mlp_forward(config, layers, grid(n).to(torch.float64)).reshape(n_networks, n, n).numpy()


def resolution_scores(
    configs: Sequence[MLPConfig | UnbiasedConfig], ns: Sequence[int], n_networks: int, *, seed: int
) -> dict[str, np.ndarray]:
    """Scores of the same networks on several grids: the grid-resolution study.

    Returns ``fourier``, ``chebyshev``, ``lz`` (normalised) and ``fourier_raw`` (cycles over
    [-1, 1]), each (configs, grids, networks), and ``seconds_per_network`` (grids,): sampling
    plus the three measures, per network. Network k of a configuration has the same weights on
    every grid, so the grids compare network by network.
    """
    shape = (len(configs), len(ns), n_networks)
    table = {name: np.zeros(shape) for name in ("fourier", "chebyshev", "lz", "fourier_raw")}
    seconds = np.zeros(len(ns))
    for j, n in enumerate(ns):
        start = time.perf_counter()
        for c, config in enumerate(configs):
            f = sample_functions(config, n_networks, n=n, seed=seed).numpy()
            for name, scores in measure_all(f).items():
                table[name][c, j] = scores
            table["fourier_raw"][c, j] = fourier_complexity(f, normalize=False)
        seconds[j] = (time.perf_counter() - start) / (len(configs) * n_networks)
    return {**table, "seconds_per_network": seconds}


# ------------------------------------------------------------------ statistics


def paired_ci(statistic: Callable[[np.ndarray], float], size: int, *, seed: int) -> tuple[float, float, float]:
    """(estimate, low, high) of ``statistic(indices)``, bootstrapping the indices of paired draws.

    For quantities computed from several arrays that share their unit (network i of ReLU and of
    TanH has the same weights; trial i of every basis the same draws): one resample picks the
    same units in all of them, so the interval is the paired one.
    """
    index = np.arange(size, dtype=np.float64)
    return bootstrap_ci(index, lambda i: statistic(i.astype(int)), seed=seed)


def ratio_ci(a: np.ndarray, b: np.ndarray, *, seed: int) -> tuple[float, float, float]:
    """Ratio of the means of paired samples ``a`` and ``b``, with a paired bootstrap interval."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return paired_ci(lambda i: a[i].mean() / b[i].mean(), a.size, seed=seed)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation without an interval (table columns); nan when either is constant."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if np.all(a == a[0]) or np.all(b == b[0]):
        return float("nan")
    return float(scipy_stats.spearmanr(a, b).statistic)


def rank_stability_ci(
    coarse: np.ndarray, fine: np.ndarray, *, seed: int, n_boot: int = 1000
) -> tuple[float, float, float]:
    """Spearman correlation of architecture means at two grid sizes, with a network bootstrap.

    ``coarse`` and ``fine`` are (architectures, networks) scores of the same networks on two
    grids. The networks are the independent draws, so a resample redraws network indices (the
    same ones for every architecture and both grids, as network i shares its weights across
    them) and recomputes the means; the architectures themselves are the design, not a sample.
    """
    coarse, fine = np.asarray(coarse, dtype=np.float64), np.asarray(fine, dtype=np.float64)
    if coarse.shape != fine.shape or coarse.ndim != 2 or coarse.shape[0] < 3:
        raise ValueError(f"coarse and fine must be (architectures >= 3, networks), got {coarse.shape}, {fine.shape}")
    generator = np.random.default_rng(seed)
    networks = coarse.shape[1]
    boots = []
    for _ in range(n_boot):
        pick = generator.integers(0, networks, networks)
        boots.append(spearman(coarse[:, pick].mean(1), fine[:, pick].mean(1)))
    boots = np.array(boots)
    boots = boots[np.isfinite(boots)]
    estimate = spearman(coarse.mean(1), fine.mean(1))
    return estimate, float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))
