"""Chapter 3's study of components: sweeps by readable keys, paired effects, shapes, Table 1.

Why a module: chapter 3 (``notebooks/03_components.md``) asks one question many times over —
"how does complexity change when one factor changes, on the same random networks?" — for layer
normalisation, residual connections, gating, depth, width, bias magnitude and weight priors,
then assembles the answers into the paper's Table 1. The bookkeeping (which configuration sits
where in a sweep), the paired statistics, the shape of a curve and the figures live here,
tested, so that the chapter shows the argument and its verdict rules, not the plumbing.

Statistics: every configuration of a sweep draws network ``i`` from the same random stream
``(seed, i)``, so two configurations are measured on the same networks. The effect of a factor
is therefore a mean of *per-network* differences, and its interval resamples networks (the
independent draws), never points of a curve. The module computes numbers; the chapter turns
them into verdicts in visible cells (``ru.interval_verdict`` and ``graded_verdict``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy import stats as scipy_stats

from redshift_utils import paper
from redshift_utils.configs import VARIANT_FIELDS, MLPConfig, UnbiasedConfig
from redshift_utils.grids import grid
from redshift_utils.plotting import ACTIVATION_COLORS
from redshift_utils.sampler import LayerParams, mlp_forward, sample_functions, sample_mlp_params
from redshift_utils.stats import bootstrap_ci
from redshift_utils.sweeps import SweepResult, config_record, measure_all, summarize

# The precision of our readings of the paper's figures (+-0.05 in complexity): a change smaller
# than this could not be seen on the paper's Figure 5, so it is the boundary between "flat" and
# "rising" everywhere in chapter 3.
TOLERANCE = paper.FIG5_READ_TOLERANCE
# float32 rounding level of the identity checks: smaller numbers are printed as a bound.
FLOAT_NOISE = 1e-4
COMPONENT_COLORS = {"mlp": "k", "gating": "#ff7f0e", "residual": "#2ca02c", "layernorm": "#1f77b4"}
MEASURE_LABELS = {"fourier": "Fourier complexity", "chebyshev": "Chebyshev complexity", "lz": "LZ complexity"}

# What each claim of chapter 3 states and what the paper gives as evidence, by claim id: the
# words of the results file and the scoreboard (the chapter computes the measured part and the verdict).
CLAIM_TEXT: dict[str, dict[str, str]] = {
    "prefactor_identity": {
        "statement": (
            "Weights scaled by c with biases fixed equal the prefactor c on biases drawn c times smaller, for"
            " every component."
        ),
        "paper": "Not stated: an identity of the sampling the paper describes (weights U(-αs, αs), biases U(-1, 1)).",
    },
    "figure5_shapes": {
        "statement": (
            "Figure 5: which lines stay flat and which rise with magnitude, for every component and activation."
        ),
        "paper": (
            "Figure 5 as read (±0.05): plain MLP flat for ReLU-like, rising for TanH, Gaussian, Sin; +Gating "
            "rising; +Residual and +Layer norm flat."
        ),
    },
    "layernorm_flat": {
        "statement": (
            "Layer normalisation before each activation makes complexity flat in magnitude, for every activation."
        ),
        "paper": (
            "Figure 5 +Layer norm: flat for every activation, e.g. TanH about 0.03 and Sin about 0.02 at all "
            "magnitudes."
        ),
    },
    "ln_gain_knob": {
        "statement": "With layer norm, its gain acts as a single complexity knob, especially with GELU.",
        "paper": (
            "Section 3: the learnable post-norm scale acts as a single-scalar complexity knob, especially with GELU."
        ),
    },
    "readings_default": {
        "statement": (
            "Of the plausible readings of the paper, the default (prefactor, skip around φ, layer norm before"
            " φ) matches the shapes of Figure 5 best."
        ),
        "paper": (
            "Not stated: the paper's equations leave the magnitude axis, the skip and the normalisation's place open."
        ),
    },
    "depth_raises": {
        "statement": "Table 1: more depth, higher complexity (plain MLP, every non-ReLU activation).",
        "paper": (
            "Table 1: depth raises complexity; Figure 4: dramatically for TanH, Gaussian, Sin, slightly for "
            "GELU, Swish, SELU."
        ),
    },
    "residual_lowest": {
        "statement": "Residual connections keep complexity among the lowest levels for every activation and depth.",
        "paper": "Figure 5 +Residual: about 0.03-0.08 for every activation (Sin + residual about 0.08 over 1-20).",
    },
    "gating_raises": {
        "statement": "Gating (multiplicative interactions) raises complexity with magnitude and depth, even for ReLU.",
        "paper": "Figure 5 +Gating: ReLU about 0.10 -> 0.20 over 1-10; clear increase with depth and magnitude.",
    },
    "width_no_impact": {
        "statement": "Width has no impact on the preferred complexity.",
        "paper": "Table 1: width, no impact (each neuron's contribution averages out).",
    },
    "bias_no_impact": {
        "statement": "Bias magnitude has no impact on the preferred complexity.",
        "paper": "Table 1: bias magnitudes, no impact.",
    },
    "priors_same_picture": {
        "statement": (
            "Other weight priors (Gaussian, long-tailed, uniform ball) give the same picture as the uniform prior."
        ),
        "paper": "Appendix E: Gaussian, uniform-ball and long-tailed priors give similar findings.",
    },
    "table1": {
        "statement": (
            "Table 1: ReLU-like activations, small magnitudes, layer norm and residuals lower complexity; "
            "width and bias magnitude have no impact; other activations, large magnitudes, depth and gating "
            "raise it."
        ),
        "paper": "Table 1 of the paper (directions only).",
    },
}

Key = tuple[Hashable, ...]


class Effect(NamedTuple):
    """A mean (or a statistic) with its 95% bootstrap interval."""

    estimate: float
    low: float
    high: float

    def text(self, digits: int = 3) -> str:
        """``+0.123 [+0.100, +0.150]``: how tables and claims print an effect."""
        return f"{self.estimate:+.{digits}f} [{self.low:+.{digits}f}, {self.high:+.{digits}f}]"


def _key(parts: Sequence[Hashable]) -> Key:
    """Numbers in keys as plain floats or ints, so ``np.float64(10.0)`` and ``10`` find the same entry."""
    out: list[Hashable] = []
    for part in parts:
        if isinstance(part, (bool, np.bool_)) or isinstance(part, str):
            out.append(part)
        elif isinstance(part, (int, np.integer)):
            out.append(int(part))
        elif isinstance(part, (float, np.floating)):
            out.append(float(part))
        else:
            out.append(part)
    return tuple(out)


class Plan:
    """The configurations of one sweep, each sampled once, looked up by readable keys.

    Why: a figure or a claim asks for "the +Gating ReLU line at p = 10", not for row 137 of a
    sweep. ``add`` files a configuration under a key (a configuration shared by two keys is
    sampled once); the sweep is run on ``plan.configs`` (through the book's cache, by the
    chapter) and handed back with ``attach``; ``plan(*key)`` then returns the per-network scores.
    """

    def __init__(self) -> None:
        self.configs: list[MLPConfig | UnbiasedConfig] = []
        self._position: dict[MLPConfig | UnbiasedConfig, int] = {}
        self._keys: dict[Key, int] = {}
        self.result: SweepResult | None = None

    def add(self, key: Sequence[Hashable], config: MLPConfig | UnbiasedConfig) -> None:
        """File ``config`` under ``key``; the same key twice must name the same configuration."""
        key = _key(key)
        if config not in self._position:
            self._position[config] = len(self.configs)
            self.configs.append(config)
        index = self._position[config]
        if self._keys.get(key, index) != index:
            raise ValueError(f"key {key!r} already names another configuration")
        self._keys[key] = index

    def attach(self, result: SweepResult) -> Plan:
        """Use ``result`` (a sweep of exactly ``self.configs``, in order) for the look-ups."""
        if list(result.configs) != self.configs:
            raise ValueError("the sweep result does not hold this plan's configurations (in order)")
        self.result = result
        return self

    def _index(self, key: Sequence[Hashable]) -> int:
        if self.result is None:
            raise RuntimeError("attach the sweep result first: plan.attach(ru.cached_sweep(...))")
        try:
            return self._keys[_key(key)]
        except KeyError:
            raise KeyError(f"no configuration under {_key(key)!r}") from None

    def __call__(self, *key: Hashable, score: str = "fourier") -> np.ndarray:
        """Per-network scores (networks,) of the configuration under ``key``."""
        index = self._index(key)
        return self.result.scores[score][index]  # type: ignore[union-attr]

    def example(self, *key: Hashable) -> np.ndarray:
        """The first example function (n, n) of the configuration under ``key``."""
        index = self._index(key)
        return self.result.examples[index, 0]  # type: ignore[union-attr]

    def first(self, count: int) -> Callable[..., np.ndarray]:
        """A look-up like ``plan(*key)`` restricted to the first ``count`` networks.

        Network ``i`` is the same draw in every sweep with the same seed, so this compares a large
        sweep with a smaller one on exactly the smaller one's networks.
        """

        def lookup(*key: Hashable, score: str = "fourier") -> np.ndarray:
            return self(*key, score=score)[:count]

        return lookup

    def line(self, *prefix: Hashable, xs: Sequence[float], score: str = "fourier") -> np.ndarray:
        """Per-network scores along a curve, (len(xs), networks): the keys ``(*prefix, x)``."""
        return np.stack([self(*prefix, float(x), score=score) for x in xs])

    def records(self, study: str) -> list[dict[str, Any]]:
        """Tidy rows for the results file: the study, the config fields (variant options too), the summary."""
        rows = []
        for config, record in zip(self.configs, self.result.records, strict=True):  # type: ignore[union-attr]
            variants = {f: getattr(config, f) for f in VARIANT_FIELDS} if isinstance(config, MLPConfig) else {}
            rows.append({"study": study, **record, **variants})
        return rows


# ---------------------------------------------------------------------------- statistics


def paired_effect(per_network: np.ndarray, *, seed: int = 0) -> Effect:
    """Mean of a per-network difference with its 95% bootstrap interval (networks resampled).

    Why paired: the two configurations were measured on the same networks, so the difference
    of each network cancels what the networks share; resampling the differences keeps that.
    """
    return Effect(*bootstrap_ci(np.asarray(per_network, dtype=np.float64), seed=seed))


def share_of_reference(
    effects: np.ndarray, references: np.ndarray, *, seed: int = 0, n_boot: int = 2000, level: float = 0.95
) -> Effect:
    """How large a factor's effect is next to a reference effect on the same networks.

    ``effects`` and ``references`` are per-network differences, shape (groups, networks), e.g.
    one row per activation: the change when the bias magnitude grows, and the change when the
    magnitude grows over Figure 5's range, on the same networks. The statistic is
    ``sum_g |mean effects_g| / sum_g |mean references_g|``: absolute values per group, so
    opposite effects of two activations do not cancel. Why a share: a Fourier level depends on
    the grid (and the paper gives none), a share of another factor's effect much less, so
    "no impact" can be judged without an absolute threshold. Networks are resampled (paired).
    """
    effects = np.atleast_2d(np.asarray(effects, dtype=np.float64))
    references = np.atleast_2d(np.asarray(references, dtype=np.float64))
    if effects.shape != references.shape or effects.shape[1] < 2:
        raise ValueError(
            f"effects and references must share a shape (groups, networks >= 2), got "
            f"{effects.shape} and {references.shape}"
        )
    if not (np.isfinite(effects).all() and np.isfinite(references).all()):
        raise ValueError("share_of_reference: effects and references must be finite")

    def share(index: np.ndarray) -> float:
        denominator = np.abs(references[:, index].mean(axis=1)).sum()
        return float(np.abs(effects[:, index].mean(axis=1)).sum() / denominator) if denominator > 0 else math.inf

    networks = effects.shape[1]
    if not np.abs(references.mean(axis=1)).sum() > 0:
        raise ValueError("share_of_reference: the reference effect is zero on these networks, a share is undefined")
    rng = np.random.default_rng(seed)
    boots = np.array([share(row) for row in rng.integers(0, networks, size=(n_boot, networks))])
    tail = (1.0 - level) / 2.0
    with np.errstate(invalid="ignore"):  # a resample whose reference is zero counts as an infinite share
        low, high = float(np.quantile(boots, tail)), float(np.quantile(boots, 1 - tail))
    return Effect(share(np.arange(networks)), low, high)


def rank_agreement(
    left: np.ndarray, right: np.ndarray, *, seed: int = 0, n_boot: int = 1000, level: float = 0.95
) -> Effect:
    """Spearman correlation between two sets of configuration means, networks resampled.

    ``left`` (configurations, networks) and ``right`` (configurations, other networks) score the
    same configurations under two weight laws. Each bootstrap round resamples the networks of
    each side (the independent draws) and correlates the configurations' means; the
    configurations themselves are what is being compared, so they are never resampled.

    Resampling adds noise to every mean, which pulls a correlation towards 0: the plain
    percentile interval of a high correlation can lie wholly below the estimate. The interval is
    therefore shifted by the bootstrap's own bias (the estimate minus the median of the
    resampled correlations) and clipped to [-1, 1].
    """
    left, right = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
    if left.ndim != 2 or right.ndim != 2 or left.shape[0] != right.shape[0] or left.shape[0] < 3:
        raise ValueError(f"left and right must be (configurations >= 3, networks), got {left.shape} and {right.shape}")
    rng = np.random.default_rng(seed)

    def rho(a: np.ndarray, b: np.ndarray) -> float:
        if np.all(a == a[0]) or np.all(b == b[0]):
            return math.nan
        return float(scipy_stats.spearmanr(a, b).statistic)

    boots = np.array(
        [
            rho(
                left[:, rng.integers(0, left.shape[1], left.shape[1])].mean(1),
                right[:, rng.integers(0, right.shape[1], right.shape[1])].mean(1),
            )
            for _ in range(n_boot)
        ]
    )
    boots = boots[np.isfinite(boots)]
    estimate = rho(left.mean(1), right.mean(1))
    if boots.size == 0 or not math.isfinite(estimate):
        raise ValueError("rank_agreement: the configuration means are constant, the rank correlation is undefined")
    tail = (1.0 - level) / 2.0
    shift = estimate - float(np.median(boots))
    low, high = (float(np.quantile(boots, q)) + shift for q in (tail, 1 - tail))
    return Effect(estimate, max(low, -1.0), min(high, 1.0))


def graded_verdict(value: float, full: float, part: float) -> tuple[str, float]:
    """``reproduced`` when ``value >= full``, ``partly`` when ``>= part``, else ``not reproduced``.

    For counts and shares without an interval (e.g. the share of Figure 5's lines whose shape
    matches the paper). The margin is the distance to the nearest edge of the verdict's band,
    in the value's units (always >= 0: a share has no interval to straddle a boundary).
    """
    if value >= full:
        return "reproduced", value - full
    if value >= part:
        return "partly", min(value - part, full - value)
    return "not reproduced", part - value


def combine_verdicts(verdicts: Sequence[tuple[str, float]]) -> tuple[str, float]:
    """One verdict from the verdicts of the same rule at several magnitudes (width, bias magnitude).

    All the same: that verdict. Some ``inconclusive``: ``inconclusive``. Otherwise (some
    reproduced, some not): ``partly``. The margin is the weakest (smallest) of the margins.
    """
    words = {v for v, _ in verdicts}
    margin = min(m for _, m in verdicts)
    if len(words) == 1:
        return verdicts[0][0], margin
    if "inconclusive" in words:
        return "inconclusive", margin
    return "partly", margin


def same_direction_share(left: np.ndarray, right: np.ndarray, *, tolerance: float = TOLERANCE) -> float:
    """Share of (start, end) pairs whose mean moves the same way under two laws, or stays put under both.

    ``left`` and ``right`` hold per-network scores, shape (2 * pairs, networks), rows ordered
    start, end, start, end, ... (e.g. p = 1 and the end of Figure 5's range). A pair agrees when
    the two mean changes have the same sign, or when both are smaller than ``tolerance``.
    """
    left, right = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
    if left.shape[0] != right.shape[0] or left.shape[0] % 2:
        raise ValueError(f"left and right need the same even number of rows, got {left.shape} and {right.shape}")
    a = left[1::2].mean(1) - left[0::2].mean(1)
    b = right[1::2].mean(1) - right[0::2].mean(1)
    return float(np.mean((np.sign(a) == np.sign(b)) | (np.maximum(np.abs(a), np.abs(b)) < tolerance)))


def change_shape(change: Effect, tolerance: float = TOLERANCE) -> str:
    """A curve's shape from the paired interval of its change over the range.

    ``rising`` (interval above +tolerance), ``falling`` (below -tolerance), ``flat`` (inside
    +-tolerance), or ``unclear`` (the interval reaches across a boundary).
    """
    if change.low > tolerance:
        return "rising"
    if change.high < -tolerance:
        return "falling"
    if -tolerance <= change.low and change.high <= tolerance:
        return "flat"
    return "unclear"


def paper_shape(component: str, activation: str, tolerance: float = TOLERANCE) -> str | None:
    """The shape of one of the paper's Figure 5 lines from our readings of it (None: one point only)."""
    points = sorted(paper.FIG5_READ[component].get(activation, []))
    if len(points) < 2:
        return None
    change = points[-1][1] - points[0][1]
    return "rising" if change > tolerance else "falling" if change < -tolerance else "flat"


def tiny(value: float) -> str:
    """Rounding noise is not a result: a value under ``FLOAT_NOISE`` prints as a bound."""
    return f"< {FLOAT_NOISE:.0e}" if value < FLOAT_NOISE else f"{value:.1e}"


# ----------------------------------------------------------------------- Figure 5 helpers

Lookup = Callable[[str, str, float], np.ndarray]


def readings_table(lookup: Lookup, activations: Sequence[str], components: Sequence[str]) -> list[dict[str, Any]]:
    """One row per point read off the paper's Figure 5: the paper's value next to our mean and quartiles.

    ``lookup(component, activation, x)`` gives the per-network scores of one point.
    """
    rows = []
    for component in components:
        for activation in activations:
            for x, read in paper.FIG5_READ[component][activation]:
                ours = lookup(component, activation, float(x))
                rows.append(
                    {
                        "component": component,
                        "activation": activation,
                        "x": float(x),
                        "paper": float(read),
                        "mean": float(ours.mean()),
                        "q25": float(np.quantile(ours, 0.25)),
                        "q75": float(np.quantile(ours, 0.75)),
                        "deviation": abs(float(ours.mean()) - read),
                    }
                )
    return rows


def shape_table(
    lookup: Lookup, activations: Sequence[str], components: Sequence[str], *, seed: int = 0
) -> list[dict[str, Any]]:
    """Each Figure 5 line's shape, ours (paired change from p = 1 to the end of the range) and the paper's.

    Lines the paper is read at one point only have no paper shape and are left out.
    """
    rows = []
    for component in components:
        for activation in activations:
            expected = paper_shape(component, activation)
            if expected is None:
                continue
            end = paper.FIG5_X_MAX[activation]
            change = paired_effect(lookup(component, activation, end) - lookup(component, activation, 1.0), seed=seed)
            ours = change_shape(change)
            rows.append(
                {
                    "component": component,
                    "activation": activation,
                    "paper": expected,
                    "change": change,
                    "ours": ours,
                    "match": ours == expected,
                }
            )
    return rows


def over_range(
    lookup: Lookup, component: str, activations: Sequence[str], steps: int, baseline: str = "mlp"
) -> np.ndarray:
    """Per network: ``component`` minus ``baseline`` averaged over every Figure 5 point of ``activations``."""
    return np.mean(
        [
            lookup(component, a, x) - lookup(baseline, a, x)
            for a in activations
            for x in paper.fig5_magnitudes(a, steps)
        ],
        axis=0,
    )


def mean_over_activations(
    plan: Plan, component: str, *rest: Hashable, activations: Sequence[str] = paper.ACTIVATIONS
) -> np.ndarray:
    """Per network: the scores of ``(component, activation, *rest)`` averaged over ``activations``."""
    return np.mean([plan(component, a, *rest) for a in activations], axis=0)


# ---------------------------------------------------------------------------- sampling


def standardised(config: MLPConfig, count: int, *, n: int, seed: int) -> np.ndarray:
    """``count`` functions of ``config``, each shifted and scaled to mean 0 and variance 1 (float64)."""
    f = sample_functions(config, count, n=n, seed=seed).double().numpy()
    return (f - f.mean(axis=(1, 2), keepdims=True)) / f.std(axis=(1, 2), keepdims=True)


def same_networks_gap(
    left: MLPConfig, right: MLPConfig, *, count: int = 4, n: int = 64, seed: int = 0, standardise: bool = True
) -> tuple[float, float]:
    """How far apart two configurations are on the same networks: (relative function gap, Fourier gap).

    The function gap is ``max |f_left - f_right| / max |f_left|`` per network, the largest over
    ``count`` networks; the Fourier gap the largest difference of the scores. ``standardise``
    shifts and scales every function to mean 0 and variance 1 first (no measure sees offset or
    scale): use it when the two configurations may differ by the scale of the output layer.
    Two configurations that differ by an exact identity give float rounding on both numbers.
    """
    if standardise:
        a, b = standardised(left, count, n=n, seed=seed), standardised(right, count, n=n, seed=seed)
    else:
        a = sample_functions(left, count, n=n, seed=seed).double().numpy()
        b = sample_functions(right, count, n=n, seed=seed).double().numpy()
    relative = np.abs(a - b).max(axis=(1, 2)) / np.abs(a).max(axis=(1, 2))
    scores = measure_all(a)["fourier"], measure_all(b)["fourier"]
    return float(relative.max()), float(np.abs(scores[0] - scores[1]).max())


@torch.inference_mode()
def fixed_first_layer_functions(
    config: MLPConfig, count: int, *, reference_width: int, n: int, seed: int
) -> np.ndarray:
    """Like ``sample_functions``, but layer 1's Glorot bound is the one at ``reference_width``.

    Why: the first layer maps ``in_dim`` inputs to ``width`` units with the bound
    ``sqrt(6 / (in_dim + width))``, so a wider network gets smaller input weights while its
    biases stay put. Rescaling layer 1's weights to the reference width's bound removes that
    one width dependence (chapter 3's width study); every other layer keeps its Glorot bound.
    """
    layers = sample_mlp_params(config, count, seed=seed)
    k = math.sqrt((config.in_dim + config.width) / (config.in_dim + reference_width))
    layers[0] = LayerParams(layers[0].weight * k, layers[0].bias, layers[0].gate_weight, layers[0].gate_bias)
    return mlp_forward(config, layers, grid(n)).reshape(count, n, n).numpy()


def fixed_first_layer_scores(
    configs: dict[Key, MLPConfig], count: int, *, reference_width: int, n: int, seed: int
) -> dict[Key, dict[str, np.ndarray]]:
    """The three measures of ``fixed_first_layer_functions`` for every configuration, by key."""
    return {
        key: measure_all(fixed_first_layer_functions(config, count, reference_width=reference_width, n=n, seed=seed))
        for key, config in configs.items()
    }


def summary_record(study: str, config: MLPConfig, scores: dict[str, np.ndarray]) -> dict[str, Any]:
    """A results row for scores computed outside a sweep (same fields as ``Plan.records``)."""
    variants = {f: getattr(config, f) for f in VARIANT_FIELDS}
    return {"study": study, **config_record(config), **variants, **summarize(scores)}


# ---------------------------------------------------------------------------- Table 1


@dataclass(frozen=True)
class Table1Row:
    """One factor of the paper's Table 1: what the paper says, what we measured, and the rule."""

    factor: str
    paper: str  # "lower", "higher" or "no impact"
    measured_on: str
    effect: Effect  # change of Fourier complexity, or (no-impact rows) the share of the magnitude effect
    rule: str


def direction_rule(paper_direction: str) -> str:
    """The rule of a "higher"/"lower" row, in words."""
    side = "above" if paper_direction == "higher" else "below"
    return f"paired 95% CI {side} 0"


def no_impact_rule(share: float) -> str:
    """The rule of a "no impact" row, in words."""
    return f"share of magnitude effect: 95% CI below {share:g}"


GROUPS = {"relu_like": "ReLU-like", "others": "TanH, Gaussian, Sin"}
COMPONENT_DIRECTIONS = {"layernorm": "lower", "residual": "lower", "gating": "higher"}


def table1_rows(
    fig5: Plan,
    deep: Plan,
    *,
    steps: int,
    depths: tuple[int, int],
    prefactor: float,
    vs_mlp: dict[tuple[str, str], Effect],
    width: dict[float, Effect],
    width_text: str,
    bias: dict[float, Effect],
    bias_text: str,
    share: float,
    seed: int = 0,
) -> list[Table1Row]:
    """The paper's Table 1 as measured effects, one row per factor (components split by activation group).

    ``fig5`` holds the Figure 5 sweep (keys component, activation, x), ``deep`` the depth study
    (component, activation, depth); ``vs_mlp[(component, group)]`` is the component's effect
    against the plain MLP over Figure 5's points, ``group`` in ``GROUPS``; ``width`` and ``bias``
    map a prefactor to the share of the magnitude effect (``share_of_reference``).
    """
    acts = paper.ACTIVATIONS

    def mean_points(names: Sequence[str]) -> np.ndarray:
        return np.mean([fig5("mlp", a, x) for a in names for x in paper.fig5_magnitudes(a, steps)], axis=0)

    relu_like = mean_points(paper.RELU_LIKE) - mean_points(paper.SATURATING_OR_PERIODIC)
    magnitude = np.mean([fig5("mlp", a, paper.FIG5_X_MAX[a]) - fig5("mlp", a, 1.0) for a in acts], axis=0)
    d0, d1 = depths
    deeper = np.mean([deep("mlp", a, d1) - deep("mlp", a, d0) for a in acts], axis=0)
    rows = [
        Table1Row(
            "ReLU-like activations (vs the others)",
            "lower",
            "Figure 5, plain MLP",
            paired_effect(relu_like, seed=seed),
            direction_rule("lower"),
        ),
        Table1Row(
            "large magnitude (end of range vs p = 1)",
            "higher",
            "Figure 5, plain MLP",
            paired_effect(magnitude, seed=seed),
            direction_rule("higher"),
        ),
    ]
    for component, direction in COMPONENT_DIRECTIONS.items():
        for group, label in GROUPS.items():
            rows.append(
                Table1Row(
                    f"{paper.COMPONENT_NAMES[component]} (vs MLP)",
                    direction,
                    f"Figure 5, {label}",
                    vs_mlp[component, group],
                    direction_rule(direction),
                )
            )
    rows.append(
        Table1Row(
            f"depth ({d1} vs {d0} hidden layers)",
            "higher",
            f"plain MLP, p = {prefactor:g}",
            paired_effect(deeper, seed=seed),
            direction_rule("higher"),
        )
    )
    for name, text, effects in (("width", width_text, width), ("bias magnitude", bias_text, bias)):
        for p, effect in effects.items():
            rows.append(Table1Row(f"{name} ({text})", "no impact", f"p = {p:g}", effect, no_impact_rule(share)))
    return rows


# ---------------------------------------------------------------------------- figures


def _band(ax: plt.Axes, xs: Sequence[float], scores: np.ndarray, color: str, **line: Any) -> None:
    """Mean line and interquartile band of (points, networks) scores."""
    ax.plot(xs, scores.mean(1), color=color, **line)
    ax.fill_between(xs, *np.quantile(scores, [0.25, 0.75], axis=1), color=color, alpha=0.15, lw=0)


def draw_figure5(fig5: Plan, steps: int, measure: str, networks: int) -> plt.Figure:
    """Figure 5 in full: one panel per activation (four components) plus the unbiased model.

    Keys: ``(component, activation, x)``; the unbiased model under ``("unbiased", "unbiased", x)``.
    Crosses are the paper's curves as read (Fourier only).
    """
    fig, axes = plt.subplots(2, 4, figsize=(14, 6.8), sharey=True, squeeze=False)
    for ax, name in zip(axes.flat, [*paper.ACTIVATIONS, "unbiased"], strict=True):
        xs = paper.fig5_magnitudes(name, steps)
        for component in ["unbiased"] if name == "unbiased" else paper.COMPONENTS:
            unbiased = name == "unbiased"
            color = ACTIVATION_COLORS["unbiased"] if unbiased else COMPONENT_COLORS[component]
            label = "unbiased model" if unbiased else paper.COMPONENT_NAMES[component]
            _band(ax, xs, fig5.line(component, name, xs=xs, score=measure), color, marker="o", ms=2.5, label=label)
            if measure == "fourier" and not unbiased:
                px, py = zip(*paper.FIG5_READ[component][name], strict=True)
                ax.plot(px, py, "x", color=color, ms=7, mew=2)
        ax.set(title=paper.DISPLAY_NAMES[name], ylim=(0, 1.08))
        ax.set_xlabel("scale α" if name == "unbiased" else "prefactor p (weights and biases)")
    for ax in axes[:, 0]:
        ax.set_ylabel(MEASURE_LABELS[measure])
    axes[0, 0].legend(fontsize=7, loc="upper left")
    if measure == "fourier":
        axes[0, 1].plot([], [], "kx", mew=2, label="paper (read)")
        axes[0, 1].legend(fontsize=7, loc="upper left")
    fig.suptitle(
        f"Figure 5 — complexity vs magnitude per component: mean and interquartile band over {networks} networks"
    )
    fig.tight_layout()
    return fig


def draw_gain(gains: Plan, ln_gains: Sequence[float], measure: str, depth: int, example: str) -> plt.Figure:
    """Complexity against the layer-norm gain per activation, and one network's function at each gain."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 3.8), gridspec_kw={"width_ratios": [1, 1.3]})
    for name in paper.ACTIVATIONS:
        color = ACTIVATION_COLORS[name]
        _band(
            axes[0],
            ln_gains,
            gains.line(name, xs=ln_gains, score=measure),
            color,
            marker="o",
            ms=3,
            label=paper.DISPLAY_NAMES[name],
        )
    axes[0].set(
        xscale="log",
        xlabel="layer-norm gain g",
        ylabel=MEASURE_LABELS[measure],
        title=f"+Layer norm: complexity vs gain ({depth} hidden layers)",
    )
    axes[0].set_xticks(ln_gains, [f"{g:g}" for g in ln_gains])
    axes[0].minorticks_off()
    axes[0].legend(fontsize=7, ncol=2)
    axes[1].axis("off")
    axes[1].set_title(f"the same {paper.DISPLAY_NAMES[example]} + layer-norm network at each gain")
    for k, g in enumerate(ln_gains):
        inset = axes[1].inset_axes([k / len(ln_gains), 0.1, 0.95 / len(ln_gains), 0.8])
        inset.imshow(gains.example(example, g).T, origin="lower", cmap="gray", interpolation="nearest")
        inset.set(xticks=[], yticks=[], xlabel=f"g = {g:g}")
    fig.tight_layout()
    return fig


READING_STYLES = {
    "alpha": ("weights only α", {"ls": "--", "color": "0.35"}),
    "around_layer": ("skip around the layer: h ← h + φ(z)", {"ls": ":", "color": "#9467bd", "lw": 2}),
    "ln_after": ("layer norm after φ", {"ls": ":", "color": "#d62728", "lw": 2}),
}
# The alternative readings drawn for each component (the weight-only alpha for every one).
READINGS = {
    "mlp": ("alpha",),
    "gating": ("alpha",),
    "residual": ("alpha", "around_layer"),
    "layernorm": ("alpha", "ln_after"),
}


def draw_readings(fig5: Plan, readings: Plan, activations: Sequence[str], steps: int, measure: str) -> plt.Figure:
    """Each component (rows) and activation (columns): the default reading, the alternatives, the paper."""
    components = list(paper.COMPONENTS)
    fig, axes = plt.subplots(
        len(components), len(activations), figsize=(3.4 * len(activations), 10), sharey=True, squeeze=False
    )
    for row, component in enumerate(components):
        for col, name in enumerate(activations):
            ax, xs = axes[row, col], paper.fig5_magnitudes(name, steps)
            _band(
                ax,
                xs,
                fig5.line(component, name, xs=xs, score=measure),
                COMPONENT_COLORS[component],
                label="default: prefactor p",
            )
            for reading in READINGS[component]:
                label, style = READING_STYLES[reading]
                ax.plot(xs, readings.line(reading, component, name, xs=xs, score=measure).mean(1), label=label, **style)
            if measure == "fourier":
                px, py = zip(*paper.FIG5_READ[component][name], strict=True)
                ax.plot(px, py, "x", color=COMPONENT_COLORS[component], ms=7, mew=2, label="paper (read)")
            ax.set(ylim=(0, 1.08), xlabel="magnitude (p or α)")
            ax.set_title(f"{paper.DISPLAY_NAMES[name]} {paper.COMPONENT_NAMES[component]}", fontsize=9)
            if col == 0:
                ax.set_ylabel(MEASURE_LABELS[measure])
                ax.legend(fontsize=6.5, loc="upper left")
    fig.suptitle("Readings of Figure 5 side by side: solid = this book's default, crosses = the paper")
    fig.tight_layout()
    return fig


def draw_depth(deep: Plan, depths: Sequence[int], measure: str, title: str) -> plt.Figure:
    """Complexity against depth per activation (four components), and the mean over activations."""
    fig, axes = plt.subplots(2, 4, figsize=(14, 6.4), sharey=True, squeeze=False)
    for ax, name in zip(axes.flat, paper.ACTIVATIONS, strict=False):
        for component in paper.COMPONENTS:
            _band(
                ax,
                depths,
                deep.line(component, name, xs=depths, score=measure),
                COMPONENT_COLORS[component],
                marker="o",
                ms=3,
                label=paper.COMPONENT_NAMES[component],
            )
        ax.set(title=paper.DISPLAY_NAMES[name], xlabel="depth (hidden layers)", ylim=(0, 1.08))
        ax.set_xticks(depths)
    for ax in axes[:, 0]:
        ax.set_ylabel(MEASURE_LABELS[measure])
    axes[0, 0].legend(fontsize=7, loc="upper left")
    ax = axes.flat[-1]
    for component in paper.COMPONENTS:
        means = [np.mean([deep(component, a, d, score=measure).mean() for a in paper.ACTIVATIONS]) for d in depths]
        ax.plot(
            depths, means, marker="o", ms=3, color=COMPONENT_COLORS[component], label=paper.COMPONENT_NAMES[component]
        )
    ax.set(title="mean over the seven activations", xlabel="depth (hidden layers)")
    ax.set_xticks(depths)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def draw_factor(
    lookup: Callable[[str, float, float], np.ndarray],
    activations: Sequence[str],
    values: Sequence[float],
    prefactors: Sequence[float],
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    dashed: Callable[[str, float, float], np.ndarray] | None = None,
    dashed_label: str = "",
) -> plt.Figure:
    """Mean complexity against one factor (width, bias magnitude), one panel per prefactor.

    ``lookup(activation, value, p)`` gives per-network scores; ``dashed`` an optional second
    series drawn dashed in the same colour (the width study's fixed first layer).
    """
    fig, axes = plt.subplots(1, len(prefactors), figsize=(6 * len(prefactors), 3.8), sharey=True, squeeze=False)
    for ax, p in zip(axes[0], prefactors, strict=True):
        for name in activations:
            color, label = ACTIVATION_COLORS[name], paper.DISPLAY_NAMES[name]
            ax.plot(values, [lookup(name, v, p).mean() for v in values], marker="o", ms=3, color=color, label=label)
            if dashed is not None:
                ax.plot(
                    values,
                    [dashed(name, v, p).mean() for v in values],
                    marker="s",
                    ms=3,
                    ls="--",
                    color=color,
                    alpha=0.7,
                    label=f"{label}, {dashed_label}",
                )
        ax.set(xscale="log", xlabel=xlabel, title=f"prefactor p = {p:g}")
        ax.set_xticks(values, [f"{v:g}" for v in values])
        ax.minorticks_off()
    axes[0, 0].set_ylabel(ylabel)
    axes[0, -1].legend(fontsize=6.5, ncol=2)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def draw_priors(fig5: Plan, other: Plan, ends: Sequence[Key], rhos: dict[str, Effect], measure: str) -> plt.Figure:
    """Per prior: each architecture's mean under the uniform prior (x) and under that prior (y).

    ``ends`` lists the architectures' keys (component, activation, x) of ``fig5``; ``other`` holds
    the same keys prefixed by the prior's name; ``rhos`` the rank correlations shown in the titles.
    """
    fig, axes = plt.subplots(1, len(rhos), figsize=(5 * len(rhos), 4.2), squeeze=False)
    label = MEASURE_LABELS[measure]
    for ax, dist in zip(axes[0], rhos, strict=True):
        for component in paper.COMPONENTS:
            keys = [key for key in ends if key[0] == component]
            x = [fig5(*key, score=measure).mean() for key in keys]
            y = [other(dist, *key, score=measure).mean() for key in keys]
            ax.scatter(x, y, s=18, color=COMPONENT_COLORS[component], label=paper.COMPONENT_NAMES[component])
        ax.plot([0, 1.05], [0, 1.05], color="0.5", lw=0.8, ls="--", label="y = x")
        ax.set(
            xlabel=f"{label}, uniform prior",
            ylabel=f"{label}, {dist} prior",
            title=f"{dist} vs uniform (Spearman {rhos[dist].estimate:.2f})",
        )
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("Every Figure 5 architecture at p = 1 and at the end of its range, under other weight laws")
    fig.tight_layout()
    return fig
