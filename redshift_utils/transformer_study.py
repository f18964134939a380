"""The sweep and the statistics of chapter 5: random Transformers over depth, activation and gain.

Chapter 5 (``notebooks/05_transformers.md``) samples thousands of random GPT-2-style models
(``redshift_utils.transformer``), decodes one greedy sequence per model, scores it with LZ76
and checks the paper's claims about Figure 10. This module holds the parts of that study that
are computation rather than argument, so the chapter shows only the few lines that decide each
verdict:

- ``gain_grid`` and ``decode_all``: the sweeps (shared with the chapter's parameter spec);
- ``lz76_counts``, ``random_lz76`` and ``tail_period``: what a sequence scores and looks like;
- ``model_bootstrap`` and ``model_bootstrap_each``: every interval resamples *models*, the
  independent draw of the study (model ``i`` has the same weights in every cell of a depth,
  so comparisons are paired);
- ``rank_correlation_per_model``, ``spread_over_activations``, ``range_over_gains``,
  ``growth_with_depth``, ``stall`` and ``held_out_shoulders``: the statistics of the claims;
- ``combine_verdicts`` and ``verdict_all_above``: one verdict and margin from several
  conditions, each decided by its own interval (the weakest gives the margin).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats as scipy_stats
from tqdm import tqdm

from redshift_utils.lempel_ziv import lz76
from redshift_utils.stats import bootstrap_ci
from redshift_utils.transformer import TransformerConfig, generate_sweep

# Gains per decade of the `paper` preset's grid (logspace(-1, 1, 25), after the paper's sweep):
# the resolution along the gain that the book takes for the paper's curves and their shoulders.
PAPER_GAINS_PER_DECADE = 12


def shoulder_window(per_decade: int) -> int:
    """Steps in a quarter decade of gain (at least 1): the width of the windows a stall is measured over."""
    return max(1, round(per_decade / 4))


# --------------------------------------------------------------------------------- the sweep


def gain_grid(low: float, high: float, per_decade: int) -> list[float]:
    """Gains ``10^(k / per_decade)`` in ``[low, high]``: log-spaced, and 1 is always one of them.

    Why: gain 1 is GPT-2's default (the first claim is read there), and a log grid gives every
    decade of the layer-norm gain the same number of points. Empty when ``high < low``.
    """
    if not (low > 0 and per_decade >= 1):
        raise ValueError(f"gain_grid needs low > 0 and per_decade >= 1, got low={low!r}, per_decade={per_decade!r}")
    first = math.ceil(per_decade * math.log10(low) - 1e-9)
    last = math.floor(per_decade * math.log10(high) + 1e-9)
    return [float(10 ** (k / per_decade)) for k in range(first, last + 1)]


def decode_all(
    base: TransformerConfig,
    activations: Sequence[str],
    depths: Sequence[int],
    gains: Sequence[float],
    n_models: int,
    *,
    length: int,
    seed: int,
) -> np.ndarray:
    """Greedy tokens of every model of the sweep: int32 array (depth, activation, gain, model, position).

    Each cell is ``base`` with one activation, depth and layer-norm gain; model ``i`` of every
    cell comes from the stream ``(seed, i)``, so for one depth model ``i`` has the same weights
    in every activation and gain, which is what makes the chapter's comparisons paired.
    ``generate_sweep`` decodes all the activations and gains of a model together on those
    shared weights (drawn once per model and depth, not once per cell). Why a function: the
    chapter runs it for the main sweep, the shoulders and the tied-head ablation.
    """
    tokens = np.zeros((len(depths), len(activations), len(gains), n_models, length), dtype=np.int32)
    with tqdm(total=tokens[..., 0].size, desc=f"tie_head={base.tie_head}") as bar:
        for d, depth in enumerate(depths):
            config = dataclasses.replace(base, depth=depth)
            sweep = generate_sweep(config, list(activations), list(gains), n_models, length=length, seed=seed,
                                   progress=bar)
            tokens[d] = sweep.numpy()
    return tokens


# ----------------------------------------------------------------------------- sequences


def lz76_counts(tokens: np.ndarray) -> np.ndarray:
    """LZ76 phrase count of every sequence (the last axis), as float64: shape ``tokens.shape[:-1]``."""
    tokens = np.asarray(tokens)
    return np.apply_along_axis(lz76, -1, tokens).astype(np.float64) if tokens.size else np.zeros(tokens.shape[:-1])


def random_lz76(vocab_size: int, length: int, n: int, generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(tokens (n, length), their LZ76 counts): uniformly random sequences, the top of the ``lz`` scale.

    Why: the chapter's ``lz`` divides a count by the mean count of these, so uniformly random
    tokens score 1 whatever the vocabulary and length.
    """
    tokens = generator.integers(0, vocab_size, size=(n, length))
    return tokens, lz76_counts(tokens)


def tail_period(sequence: Sequence[int] | np.ndarray) -> int:
    """Smallest ``p`` such that the second half of ``sequence`` repeats with period ``p`` (0: none up to length / 4).

    Why: "simple, repetitive" made concrete: 1 is a constant tail, a small ``p`` a short loop.
    """
    sequence = np.asarray(sequence)
    tail = sequence[len(sequence) // 2 :]
    for p in range(1, len(sequence) // 4 + 1):
        if np.array_equal(tail[p:], tail[:-p]):
            return p
    return 0


# ---------------------------------------------------------------------------- statistics


def model_bootstrap(
    n_models: int, statistic: Callable[[np.ndarray], float], seed: int = 0
) -> tuple[float, float, float]:
    """``(estimate, low, high)`` of ``statistic(model indices)``, resampling models with replacement.

    Why: the model is the independent draw of the study. Model ``i`` has the same weights in
    every activation and gain of a depth (and a deeper model extends a shallower one), so a
    statistic that compares cells of the sweep must resample whole models, keeping the pairs.
    ``statistic`` receives an int64 array of model indices (all of them for the estimate).
    """
    ids = np.arange(n_models)
    return bootstrap_ci(ids, lambda idx: float(statistic(idx.astype(np.int64))), seed=seed)


def model_bootstrap_each(
    n_models: int,
    statistic: Callable[[np.ndarray], np.ndarray],
    seed: int = 0,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(estimate, low, high)`` arrays: an interval over models for every entry of an array statistic.

    The same resamples as ``model_bootstrap`` (and ``ru.bootstrap_ci``) with the same seed, so
    one entry's interval equals the scalar function's for that entry (percentile intervals).
    Why: a claim made of many conditions (one per gain, depth or activation) computes them all
    from each resample of models at once.
    """
    ids = np.arange(n_models)
    idx = np.random.default_rng(seed).integers(0, n_models, size=(n_boot, n_models))
    boots = np.stack([np.asarray(statistic(row), dtype=np.float64) for row in idx])
    estimate = np.asarray(statistic(ids), dtype=np.float64)
    tail = (1.0 - level) / 2.0
    return estimate, np.quantile(boots, tail, axis=0), np.quantile(boots, 1 - tail, axis=0)


def rank_correlation_per_model(x: Sequence[float] | np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman correlation of ``x`` (k,) with each column of ``y`` (k, models): shape (models,).

    Why: "a larger gain raises the complexity" is a statement about each model's curve, and a
    correlation per model keeps the model as the unit (pooling all (gain, model) points would
    count one model's 11 points as 11 independent draws). A column with no variation (every
    sequence of that model scores the same) has no rank order and counts as 0, "no rise": a
    constant-complexity activation gives 0 instead of an error.
    """
    rx = scipy_stats.rankdata(np.asarray(x, dtype=np.float64))
    ry = scipy_stats.rankdata(np.asarray(y, dtype=np.float64), axis=0)
    rx = rx - rx.mean()
    ry = ry - ry.mean(axis=0)
    norm = np.sqrt((rx**2).sum()) * np.sqrt((ry**2).sum(axis=0))
    safe = np.where(norm > 0, norm, 1.0)
    return np.where(norm > 0, (rx[:, None] * ry).sum(axis=0) / safe, 0.0)


def spread_over_activations(lz: np.ndarray, models: np.ndarray | None = None) -> np.ndarray:
    """How far apart the activations' curves are at each gain: std over activations of the mean over models.

    ``lz`` is (activation, gain, model) for one depth; the result has one value per gain.
    Why: the paper's "differences between activations" at one gain, in ``lz`` units.
    """
    models = slice(None) if models is None else models
    return lz[:, :, models].mean(axis=-1).std(axis=0)


def range_over_gains(lz: np.ndarray, models: np.ndarray | None = None) -> np.ndarray:
    """How far each activation's mean curve travels over the gain grid: max minus min, one value per activation.

    ``lz`` is (activation, gain, model) for one depth. Why: the other reading of the paper's
    "differences across scales", the difference that the gain makes to one activation.
    """
    models = slice(None) if models is None else models
    curves = lz[:, :, models].mean(axis=-1)
    return curves.max(axis=-1) - curves.min(axis=-1)


def growth_with_depth(values: np.ndarray) -> np.ndarray:
    """Change of a per-depth quantity at each step of depth: ``values[d + 1] - values[d]``, shape (depths - 1, ...).

    Why: "more blocks magnify" says the quantity grows at every step, not only from the
    shallowest to the deepest setting.
    """
    return np.diff(np.asarray(values, dtype=np.float64), axis=0)


# ----------------------------------------------------------------------------- shoulders


def window_rises(curves: np.ndarray, window: int) -> np.ndarray:
    """Rise of ``curves`` (gain, ...) over ``window`` consecutive steps: ``curves[k + window] - curves[k]``."""
    curves = np.asarray(curves, dtype=np.float64)
    return curves[window:] - curves[:-window]


def stall(curve: np.ndarray, window: int = 1) -> tuple[int, int, int, float]:
    """``(i, k, j, S)``: the deepest stall of one mean curve (gain,) and the windows that define it.

    With ``rise[k]`` the rise of the curve over ``window`` steps from gain ``k``, the shoulder
    depth at ``k`` is ``S_k = min(max rise before, max rise after) - rise[k]``, the fastest
    windows before (``i <= k - window``) and after (``j >= k + window``) not overlapping ``k``'s:
    how much slower the curve rises at ``k`` than at its fastest before and after. A rise that
    speeds up and slows down once (a smooth S) has ``S_k <= 0`` everywhere; a rise in two phases
    has a positive one. Why a window: on a fine grid one step's rise is small against the noise
    of a mean over models, while a stall spans several steps. Needs ``3 * window + 1`` gains.
    """
    rise = window_rises(curve, window)
    if rise.size < 2 * window + 1:
        raise ValueError(f"a shoulder over windows of {window} steps needs at least {3 * window + 1} gains, "
                         f"got {rise.size + window}")
    best = (0, window, 2 * window, -math.inf)
    for k in range(window, rise.size - window):
        i, j = int(np.argmax(rise[: k - window + 1])), k + window + int(np.argmax(rise[k + window :]))
        depth = float(min(rise[i], rise[j]) - rise[k])
        if depth > best[3]:
            best = (i, k, j, depth)
    return best


@dataclasses.dataclass(frozen=True)
class HeldOutShoulder:
    """A stall found on one half of the models and measured on the other (lz units)."""

    depth_index: int  # where the discovery half's deepest stall is (index into the depths)
    gain: float  # the gain at which the stalled window ends
    found: float  # S on the discovery half (biased upwards: it is the largest of many)
    estimate: float  # S at the same steps on the held-out half, with its 95% interval over those models
    low: float
    high: float
    rise: float  # the held-out rise over the stalled window (< 0: the curve goes down), with its interval
    rise_low: float
    rise_high: float


def held_out_shoulders(
    curves: np.ndarray, gains: Sequence[float], window: int = 1, seed: int = 0
) -> list[HeldOutShoulder]:
    """The deepest stall of one activation, found on each half of the models and measured on the other.

    ``curves`` is (depth, gain, model). Models ``0 .. n/2 - 1`` and ``n/2 .. n - 1`` come from
    disjoint random streams, two independent samples of the same sweep. On the discovery half
    the depth and windows ``(i, k, j)`` of the deepest stall (``stall``) are chosen; on the other
    half ``S`` is measured at exactly those windows, with a bootstrap interval over its models.
    Why held out: the largest of many noisy ``S_k`` is positive even on a smooth curve (a
    winner's curse), while a stall found on one sample and seen again on an independent one is
    a property of the architecture. Both directions are returned (first half -> second, then
    second -> first): a shoulder that is real shows up in both.
    """
    curves = np.asarray(curves, dtype=np.float64)
    n = curves.shape[-1]
    if n < 4:
        raise ValueError(f"held-out shoulders need at least 4 models (two per half), got {n}")
    halves = (np.arange(n // 2), np.arange(n // 2, n))
    out = []
    for found_on, held in (halves, halves[::-1]):
        stalls = [stall(depth_curves[:, found_on].mean(axis=1), window) for depth_curves in curves]
        d = int(np.argmax([s[3] for s in stalls]))
        i, k, j, found = stalls[d]
        rises = window_rises(curves[d][:, held], window)  # (window start, held-out model)

        def depth_and_rise(idx: np.ndarray, rises: np.ndarray = rises, i: int = i, k: int = k, j: int = j) -> list:
            r = rises[:, idx].mean(axis=1)
            return [min(r[i], r[j]) - r[k], r[k]]

        est, low, high = model_bootstrap_each(held.size, depth_and_rise, seed)
        out.append(HeldOutShoulder(d, float(gains[k + window]), found, *map(float, (est[0], low[0], high[0])),
                                   *map(float, (est[1], low[1], high[1]))))
    return out


# ------------------------------------------------------------------------------- verdicts


def combine_verdicts(conditions: Sequence[tuple[float, float, float, bool]]) -> tuple[str, float, int]:
    """(verdict, margin, weakest) of a claim made of several conditions ``(low, high, boundary, above)``.

    Each condition is decided by its own interval, as ``ru.interval_verdict`` decides one: it
    holds when its interval lies wholly on the claimed side of its boundary, fails when it lies
    wholly on the other. The claim is reproduced when every condition holds, partly when some
    do, not reproduced when none holds and some fail, inconclusive when none is decided.
    Margin: for reproduced, the weakest condition's (positive); for not reproduced, the
    weakest failure's (positive: how far that interval lies on the wrong side); for partly, how
    far the weakest condition's interval reaches to the wrong side of its boundary (negative);
    for inconclusive, as ``interval_verdict`` gives it, the distance from the boundary to the
    nearer end of the least decided interval (negative). One condition gets exactly
    ``interval_verdict``'s verdict and margin; ``weakest`` is the index of the condition whose
    margin that is (the one to show with the verdict). Why conditions decided one by one rather
    than one interval on the smallest of them: the bootstrap minimum of many noisy numbers
    leans low, so it would call a claim failed where no single condition fails.
    """
    if not conditions:
        raise ValueError("combine_verdicts needs at least one condition")
    near = np.array([low - b if above else b - high for low, high, b, above in conditions], dtype=float)  # > 0: holds
    far = np.array([high - b if above else b - low for low, high, b, above in conditions], dtype=float)  # < 0: fails
    if not (np.isfinite(near).all() and np.isfinite(far).all()):
        return "inconclusive", math.nan, 0
    if (near > 0).all():
        verdict, margins = "reproduced", near
    elif (far < 0).any() and not (near > 0).any():
        verdict, margins = "not reproduced", np.where(far < 0, -far, np.inf)  # the failing conditions
    elif (near > 0).any():
        verdict, margins = "partly", near
    else:
        verdict, margins = "inconclusive", -np.minimum(far, -near)  # interval_verdict's margin, each negative
    weakest = int(np.argmin(margins))
    return verdict, float(margins[weakest]), weakest


def verdict_all_above(lows: np.ndarray, highs: np.ndarray, boundary: float = 0.0) -> tuple[str, float, int]:
    """``combine_verdicts`` for "every entry lies above ``boundary``": one condition per entry of the intervals.

    ``lows`` and ``highs`` are arrays of any shape (e.g. depth x activation); ``weakest`` is a
    flat index into them (``np.unravel_index`` gives it back as a position).
    """
    lows, highs = np.ravel(lows), np.ravel(highs)
    return combine_verdicts([(lo, hi, boundary, True) for lo, hi in zip(lows, highs, strict=True)])
