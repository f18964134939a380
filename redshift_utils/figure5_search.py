"""Figure 5's open conventions, searched: which reading of the paper reproduces its curves, and how well.

Why: the paper's Figure 5 does not say at which depth, width and grid it was drawn, what its
"weights/activations magnitude" scales, whether the gate sees that magnitude, where the skip
connection sits or where the layer norm goes. Chapters 2 and 3 pick one principled reading and
report the distance to the paper. This module searches every combination of those choices,
fits each to every point read off the figure (``paper.FIG5_BANDS``), and says which reading fits
each panel and component best, whether one reading fits all of them, and where none does.
Explained in ``notebooks/03b_figure5_search.md``.

Terms. A *reading* is one setting of every open choice: depth, width, grid size ``n``, the
magnitude reading (``"prefactor"``: weights and biases; ``"alpha"``: weights only) and the
component's *form* (``COMPONENT_FORMS``). A *panel* is one activation. A *line* is one
(component, activation) pair: the paper's curve and our mean over random networks at each
magnitude the curve is read at. The distance at a point is how far our mean lies outside the
paper's read band, widened by the precision in magnitude (``read_band``; 0 inside it); a point
is *consistent* when that distance, less 1.96 standard errors of our mean, is at most the reading
precision (``paper.FIG5_READ_PRECISION``); a reading *fits* a line when every point of the line
is consistent.
"""

from __future__ import annotations

import math
import resource
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from redshift_utils import paper
from redshift_utils.configs import MLPConfig
from redshift_utils.sweeps import SweepResult, run_sweep

# Each component's open forms: label -> the MLPConfig fields that select it. The first is the
# book's default (chapters 2 and 3).
COMPONENT_FORMS: dict[str, dict[str, dict[str, Any]]] = {
    "mlp": {"plain": {}},
    "gating": {"gate sees p": {}, "gate at 1": {"gate_magnitude": False}},
    "residual": {
        "z + φ(z)": {"residual_mode": "around_phi"},
        "h + φ(z)": {"residual_mode": "around_layer"},
        "(z + φ(z))/√2": {"residual_mode": "scaled"},
    },
    "layernorm": {"LN before φ": {"layernorm_position": "before"}, "LN after φ": {"layernorm_position": "after"}},
}
MAGNITUDE_READINGS = ("prefactor", "alpha")
# Symbols for the prose of every edition: a glued value carries numbers and formulas, never English
# words (the Japanese edition shows glued values as they are).
MAGNITUDE_SYMBOLS = {"prefactor": "p", "alpha": "α"}
FORM_SYMBOLS = {
    "plain": "φ(z)",
    "gate sees p": "σ(p(W'h + b'))",
    "gate at 1": "σ(W'h + b')",
    "z + φ(z)": "z + φ(z)",
    "h + φ(z)": "h + φ(z)",
    "(z + φ(z))/√2": "(z + φ(z))/√2",
    "LN before φ": "φ(LN(z))",
    "LN after φ": "LN(φ(z))",
}
# The book's default reading (chapters 2 and 3): always sampled, so every figure can show it.
DEFAULT = {"depth": 3, "width": 64, "grid_n": 64, "magnitude": "prefactor"}
DEFAULT_BLOCK = (DEFAULT["grid_n"], DEFAULT["depth"], DEFAULT["width"])
# The full search the issue asks for (the ``paper`` preset): depth 1-8, width 16-256, three grids.
PAPER_GRID = {"depths": (1, 2, 3, 4, 5, 6, 7, 8), "widths": (16, 32, 64, 128, 256), "grids": (32, 64, 128)}
# 32 networks put the standard error of a mean near 0.01 on the steepest curves, well inside the
# reading precision; more would only multiply the run time (linear in the networks).
PAPER_NETWORKS = 32
Z95 = 1.959963984540054  # two-sided 95% normal quantile: a mean's sampling error allowance


class Reading(NamedTuple):
    """One setting of every open choice of one component."""

    depth: int
    width: int
    grid_n: int
    magnitude: str
    form: str

    def label(self) -> str:
        """A short name for tables and figures, e.g. ``depth 3, width 64, n 64, p, z + φ(z)``."""
        magnitude = MAGNITUDE_SYMBOLS[self.magnitude]
        return f"depth {self.depth}, width {self.width}, n {self.grid_n}, {magnitude}, {self.form}"

    def glue_values(self) -> dict[str, int | str]:
        """The reading as numbers and formulas for the prose (keys depth, width, n, magnitude, form),
        the words staying in the prose. A free-form reading's forms (``shared_fits``) are joined by "; "."""
        form = "; ".join(FORM_SYMBOLS[f] for f in self.form.split("; "))
        return {"depth": self.depth, "width": self.width, "n": self.grid_n,
                "magnitude": MAGNITUDE_SYMBOLS[self.magnitude], "form": form}  # fmt: skip


class Fit(NamedTuple):
    """How one reading fits one or more lines: mean and worst distance over their read points,
    the worst excess (distance less 1.96 standard errors), the number of points, and the mean
    distance to the middle of the read bands (the last tie-break: many readings lie inside a band)."""

    reading: Reading
    mean: float
    worst: float
    excess: float
    points: int
    centre: float = 0.0

    @property
    def fits(self) -> bool:
        return self.excess <= paper.FIG5_READ_PRECISION + 1e-12


@dataclass(frozen=True)
class SearchGrid:
    """The values searched for each open choice; every component form is always searched."""

    depths: tuple[int, ...]
    widths: tuple[int, ...]
    grids: tuple[int, ...]
    magnitudes: tuple[str, ...] = MAGNITUDE_READINGS

    def __post_init__(self) -> None:
        for name in ("depths", "widths", "grids", "magnitudes"):
            values = tuple(getattr(self, name))
            if not values:
                raise ValueError(f"SearchGrid.{name} needs at least one value")
            object.__setattr__(self, name, values)
        for magnitude in self.magnitudes:
            if magnitude not in MAGNITUDE_READINGS:
                allowed = ", ".join(MAGNITUDE_READINGS)
                raise ValueError(f"SearchGrid.magnitudes must be among {allowed}, got {magnitude!r}")

    def blocks(self) -> list[tuple[int, int, int]]:
        """The (grid_n, depth, width) blocks sampled one sweep at a time (the cache's unit: resumable),
        the book's default block last if the grid does not hold it."""
        blocks = [(n, d, w) for n in self.grids for d in self.depths for w in self.widths]
        return blocks if DEFAULT_BLOCK in blocks else [*blocks, DEFAULT_BLOCK]

    def magnitudes_of(self, block: tuple[int, int, int]) -> tuple[str, ...]:
        """The magnitude readings sampled in ``block``: the grid's, plus the prefactor in the default block."""
        inside = block in [(n, d, w) for n in self.grids for d in self.depths for w in self.widths]
        magnitudes = self.magnitudes if inside else ()
        if block == DEFAULT_BLOCK and DEFAULT["magnitude"] not in magnitudes:
            magnitudes = (*magnitudes, DEFAULT["magnitude"])
        return magnitudes

    def size(self, activations: Sequence[str]) -> dict[str, int]:
        """Curves (reading x line) and points (configurations, before merging p = alpha = 1) of the search."""
        lines = points = 0
        for component, forms in COMPONENT_FORMS.items():
            for activation in activations:
                read = paper.FIG5_BANDS[component].get(activation, [])
                lines += len(forms) * bool(read)
                points += len(forms) * len(read)
        readings = sum(len(self.magnitudes_of(block)) for block in self.blocks())
        return {"readings": readings, "curves": readings * lines, "points": readings * points}


class PointKey(NamedTuple):
    """One sampled point of the search: a reading, a line and a magnitude."""

    reading: Reading
    component: str
    activation: str
    x: float


def block_configs(
    grid_n: int, depth: int, width: int, magnitudes: Iterable[str], activations: Sequence[str]
) -> list[tuple[PointKey, MLPConfig]]:
    """Every configuration of one (grid_n, depth, width) block: each magnitude reading, component
    form and line, at each magnitude the paper's line is read at. ``alpha = 1`` and ``p = 1`` are one
    network; the caller samples each configuration once."""
    items = []
    for magnitude in magnitudes:
        for component, forms in COMPONENT_FORMS.items():
            for form, fields in forms.items():
                for activation in activations:
                    for x, _, _ in paper.FIG5_BANDS[component].get(activation, []):
                        config = paper.figure5_config(
                            activation, component, depth=depth, width=width, **{magnitude: x}, **fields
                        )
                        key = PointKey(Reading(depth, width, grid_n, magnitude, form), component, activation, x)
                        items.append((key, config))
    return items


def timed_sweep(configs: list[MLPConfig], n_networks: int, *, n: int, seed: int) -> tuple[SweepResult, float]:
    """``run_sweep`` and the CPU time it took (user + system, this process), so a cached block
    keeps the time it cost when it was computed (the page reports the search's cost from it).

    Only the Fourier measure is computed: it is the one Figure 5 plots (the others cost about as
    much again at n = 128, and on a GPU the Fourier measure is computed where the functions are)."""
    start = _cpu_seconds()
    result = run_sweep(configs, n_networks, n=n, seed=seed, desc="Figure 5 search", measures=("fourier",))
    return result, _cpu_seconds() - start


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


Sweep = Callable[[str, list[MLPConfig], int], tuple[SweepResult, float]]


@dataclass
class Search:
    """The sampled search: per-network Fourier scores by ``PointKey`` and the CPU seconds of each
    (grid_n, depth, width) block when it was computed."""

    scores: dict[PointKey, np.ndarray]
    cpu: dict[tuple[int, int, int], float]


def run_search(
    grid: SearchGrid,
    activations: Sequence[str],
    sweep: Sweep,
    *,
    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda blocks: blocks,
) -> Search:
    """Sample every point of the search, one (grid_n, depth, width) block per ``sweep`` call.

    ``sweep(name, configs, grid_n)`` returns ``timed_sweep(configs, networks, n=grid_n, seed=...)``;
    chapters wrap it in the book's cache, one entry per block, so an interrupted run resumes where
    it stopped. Each configuration is sampled once (``alpha = 1`` is ``p = 1``).
    """
    for activation in activations:
        if activation not in paper.ACTIVATIONS:
            raise ValueError(f"activations must be among {', '.join(paper.ACTIVATIONS)}, got {activation!r}")
    scores: dict[PointKey, np.ndarray] = {}
    cpu: dict[tuple[int, int, int], float] = {}
    for n, depth, width in progress(grid.blocks()):
        items = block_configs(n, depth, width, grid.magnitudes_of((n, depth, width)), activations)
        configs = list(dict.fromkeys(config for _, config in items))
        result, cpu[n, depth, width] = sweep(f"fig5_search_n{n}_d{depth}_w{width}", configs, n)
        if list(result.configs) != configs:
            raise ValueError("the sweep did not return the block's configurations in order")
        position = {config: k for k, config in enumerate(configs)}
        for key, config in items:
            scores[key] = np.asarray(result.scores["fourier"][position[config]], dtype=np.float64)
    return Search(scores, cpu)


def read_band(component: str, activation: str, x: float) -> tuple[float, float]:
    """The paper's read band at ``x``, widened by the precision in magnitude: every value the
    paper's curve (its read points joined by straight lines, band middles) takes within
    ``FIG5_READ_X_PRECISION`` of the panel's x-range of ``x``. On a steep stretch (Sin between
    3.3 and 9) a small error in reading x is a large one in y; on a flat line it changes nothing."""
    points = paper.FIG5_BANDS[component][activation]
    xs = np.array([p[0] for p in points])
    ys = np.array([(p[1] + p[2]) / 2 for p in points])
    low, high = next((lo, hi) for px, lo, hi in points if px == x)
    step = paper.FIG5_READ_X_PRECISION * paper.FIG5_X_MAX[activation]
    if len(points) > 1:
        near = np.interp([x - step, x + step], xs, ys)
        low, high = min(low, float(near.min())), max(high, float(near.max()))
    return low, high


def band_distance(mean: float, low: float, high: float) -> float:
    """How far ``mean`` lies outside the read band [low, high] (0 inside it)."""
    return max(0.0, low - mean, mean - high)


def line_fits(scores: dict[PointKey, np.ndarray]) -> dict[tuple[str, str], list[Fit]]:
    """Every reading's fit to every line: {(component, activation): [Fit per reading]}."""
    grouped: dict[tuple[str, str, Reading], list[tuple[float, float, float]]] = {}
    bands: dict[tuple[str, str, float], tuple[float, float]] = {}
    for key, values in scores.items():
        line = (key.component, key.activation, key.x)
        if line not in bands:
            bands[line] = read_band(*line)
        low, high = bands[line]
        mean = float(values.mean())
        se = float(values.std(ddof=1) / math.sqrt(values.size)) if values.size > 1 else math.inf
        distance = band_distance(mean, low, high)
        excess = max(0.0, distance - Z95 * se)
        centre = abs(mean - (low + high) / 2)
        grouped.setdefault((key.component, key.activation, key.reading), []).append((distance, excess, centre))
    fits: dict[tuple[str, str], list[Fit]] = {}
    for (component, activation, reading), rows in grouped.items():
        distances = np.array([d for d, _, _ in rows])
        excess, centre = max(e for _, e, _ in rows), float(np.mean([c for _, _, c in rows]))
        fit = Fit(reading, float(distances.mean()), float(distances.max()), excess, len(rows), centre)
        fits.setdefault((component, activation), []).append(fit)
    return fits


def _rank(fit: Fit) -> tuple[float, float, float]:
    """Best = smallest worst distance (the fit test is about every point), then smallest mean, then
    nearest the bands' middles."""
    return fit.worst, fit.mean, fit.centre


# Distances closer than this are one value. Some readings are the same network: at depth 1 the
# residual z + φ(z) and (z + φ(z))/√2 differ by a factor the Fourier complexity ignores, so their
# distances differ by rounding only (~1e-8 in float32), and rounding must not choose between them.
TIE = 1e-6
_FORM_ORDER = {form: k for k, form in enumerate(f for forms in COMPONENT_FORMS.values() for f in forms)}


def _form_order(form: str) -> tuple[int, ...]:
    """A form's place in ``COMPONENT_FORMS`` (the book's default first); a free-form reading's, part by part."""
    return tuple(_FORM_ORDER.get(part, len(_FORM_ORDER)) for part in form.split("; "))


def _pick(items: Sequence[Any], rank: Callable[[Any], tuple[float, ...]], form: Callable[[Any], str]) -> Any:
    """The item of smallest ``rank``, its worst and mean distances compared within ``TIE``; among
    ties, the form listed first in ``COMPONENT_FORMS`` (so equal readings are chosen the same way
    on every machine and dtype), then the rest of the rank."""
    pool = list(items)
    for k in (0, 1):  # worst, then mean
        low = min(rank(item)[k] for item in pool)
        pool = [item for item in pool if rank(item)[k] <= low + TIE]
    return min(pool, key=lambda item: (_form_order(form(item)), rank(item)))


def best(fits: Sequence[Fit]) -> Fit:
    """The best of several fits (smallest worst distance, then mean; ties within ``TIE`` go to the
    form listed first)."""
    if not fits:
        raise ValueError("best needs at least one fit")
    return _pick(fits, _rank, lambda fit: fit.reading.form)


def shared_fits(
    fits: dict[tuple[str, str], list[Fit]], lines: Sequence[tuple[str, str]], *, free_form: bool = False
) -> list[Fit]:
    """Fits of readings shared by several ``lines``: mean distance over all their points, worst over all.

    With ``free_form`` the readings share depth, width, grid and magnitude reading, and each
    component takes its own best form (one network definition with each component's own reading);
    the reading's form names those forms in ``COMPONENT_FORMS`` order, joined by "; " ("plain" for MLP lines only).
    """
    by_reading: dict[Any, list[tuple[tuple[str, str], Fit]]] = {}
    for line in lines:
        for fit in fits[line]:
            base = fit.reading[:4] if free_form else fit.reading
            by_reading.setdefault(base, []).append((line, fit))
    out = []
    for base, items in by_reading.items():
        chosen: dict[tuple[str, str], Fit] = {}
        best_form: dict[str, str] = {}
        if free_form:  # each component's form: the one that fits its lines best at this base reading
            best_form = _best_forms([fit for _, fit in items], [line[0] for line, _ in items])
            chosen = {line: fit for line, fit in items if fit.reading.form == best_form[line[0]]}
        else:
            chosen = dict(items)
        if set(chosen) != set(lines):
            continue  # a reading not sampled for every line
        parts = list(chosen.values())
        total = sum(f.points for f in parts)
        reading = parts[0].reading if not free_form else Reading(*base, "; ".join(
            best_form[c] for c in COMPONENT_FORMS if c in best_form and len(COMPONENT_FORMS[c]) > 1
        ) or "plain")  # fmt: skip
        out.append(
            Fit(
                reading,
                float(sum(f.mean * f.points for f in parts) / total),
                float(max(f.worst for f in parts)),
                float(max(f.excess for f in parts)),
                total,
                float(sum(f.centre * f.points for f in parts) / total),
            )
        )
    return out


def _best_forms(fits: Sequence[Fit], components: Sequence[str]) -> dict[str, str]:
    """Per component, the form whose lines' worst distance (then mean) is smallest among ``fits``
    (ties within ``TIE`` go to the form listed first)."""
    forms: dict[tuple[str, str], list[Fit]] = {}
    for component, fit in zip(components, fits, strict=True):
        forms.setdefault((component, fit.reading.form), []).append(fit)
    rank = {key: _rank(_pool(group)) for key, group in forms.items()}
    return {c: _pick([f for k, f in forms if k == c], lambda f, c=c: rank[c, f], lambda f: f) for c in set(components)}


def _pool(fits: Sequence[Fit]) -> Fit:
    """Several lines' fits as one: worst of the worst, mean of the means and centres (by line)."""
    return Fit(
        fits[0].reading,
        float(np.mean([f.mean for f in fits])),
        max(f.worst for f in fits),
        max(f.excess for f in fits),
        sum(f.points for f in fits),
        float(np.mean([f.centre for f in fits])),
    )


def default_fit(fits: Sequence[Fit], form: str) -> Fit:
    """The book's default reading among ``fits`` (depth 3, width 64, n 64, prefactor, ``form``)."""
    target = Reading(DEFAULT["depth"], DEFAULT["width"], DEFAULT["grid_n"], DEFAULT["magnitude"], form)
    for fit in fits:
        if fit.reading == target:
            return fit
    raise KeyError(f"the book's default reading {target.label()} was not sampled")


def curve(scores: dict[PointKey, np.ndarray], reading: Reading, component: str, activation: str) -> np.ndarray:
    """(x, mean) rows of one line under one reading, at the magnitudes the paper is read at."""
    rows = sorted(
        (k.x, float(v.mean()))
        for k, v in scores.items()
        if k.reading == reading and k.component == component and k.activation == activation
    )
    return np.array(rows).reshape(-1, 2)


def headline_depths(
    scores: dict[PointKey, np.ndarray], readings: Iterable[Reading], checks: Sequence[tuple[str, float]]
) -> dict[str, list[int]]:
    """For each (activation, x) of ``checks``: the depths among ``readings`` (plain MLPs) whose mean
    at x lies within the reading precision of the paper's (widened) band there.

    Why: the paper's headline levels pull the depth in opposite directions (chapter 3's note that
    no single depth fits Sin at 6.8 and TanH at 50); this lists the depths each level allows.
    """
    allowed: dict[str, list[int]] = {}
    for activation, x in checks:
        depths = set()
        low, high = read_band("mlp", activation, float(x))
        for reading in readings:
            key = PointKey(reading, "mlp", activation, float(x))
            if key in scores and band_distance(float(scores[key].mean()), low, high) <= paper.FIG5_READ_PRECISION:
                depths.add(reading.depth)
        allowed[activation] = sorted(depths)
    return allowed
