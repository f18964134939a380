"""Figure 4 and Figure 5 sweeps by readable keys, and the scale-free statistics their claims use.

Why: chapters 2 and 3 sample many curves in one sweep, each configuration once even when two
keys name it (``alpha = prefactor = 1`` is one network), then ask for "the TanH curve under the
weights-only reading" or "the ReLU heatmap cell at depth 3". A ``SweepPlan`` holds the
configurations in the order they are sampled and the map from keys to positions, so a chapter
never does index arithmetic. Its configurations come from ``paper.figure5_config`` and its
magnitudes from ``paper.fig5_magnitudes``, so both chapters sample the paper's x-ranges and
every magnitude the paper is read at.

The statistics follow the book's conventions: the unit of resampling is the random draw, and
network ``i`` of every configuration of a sweep shares its random stream, so quantities that
combine configurations (a curve's change, a ratio of two activations' spreads) resample the
draws jointly (``network_bootstrap``). Rules with two boundaries (a curve is flat when its
change lies within a band) get ``band_verdict``; rules with several conditions ``weakest``.
The module also holds what chapter 2 builds around the figures: the float64 recheck of
heatmap cells at the float32 rounding floor, the large-magnitude limit networks that explain
the shape of the ReLU and TanH curves, and two drawing helpers (a curve with its interquartile
band, a heatmap panel with thumbnails).
Explained in chapter 2 (``notebooks/02_activations.md``); built for chapter 3's component lines
too (``components=``, ``study=``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
import torch

from redshift_utils.configs import MLPConfig, UnbiasedConfig
from redshift_utils.grids import grid
from redshift_utils.paper import FIG5_READ, fig5_magnitudes, figure5_config
from redshift_utils.sampler import LayerParams, mlp_forward, sample_mlp_params
from redshift_utils.sweeps import SweepResult, measure_all

# The two readings of Figure 5's "weights/activations magnitude" axis (chapter 2): the prefactor
# scales weights and biases together, alpha the weights only (the paper's sampling text).
READINGS = ("prefactor", "alpha")
# Verdicts from the strongest to the weakest, as ``weakest`` ranks them.
STRENGTH = ("reproduced", "partly", "inconclusive", "not reproduced")


class Point(NamedTuple):
    """One point of a Figure 5 line. ``study`` tells apart sweeps of one plan (chapter 3's
    depth or width studies); the unbiased model is ``activation="unbiased"``."""

    activation: str
    component: str
    reading: str
    magnitude: float
    study: str = ""


class Cell(NamedTuple):
    """One cell of a Figure 4 heatmap; the unbiased model has ``activation="unbiased"``, depth 0."""

    activation: str
    prefactor: float
    depth: int


def _magnitude(value: float) -> float:
    """Magnitudes as keys: rounded like ``fig5_magnitudes``, so 10 and 10.0000000001 are one key."""
    return round(float(value), 6)


def _normal(key: Hashable) -> Hashable:
    """A key with its magnitude rounded (``Point``, ``Cell``); other keys as they are."""
    if isinstance(key, Point):
        return key._replace(magnitude=_magnitude(key.magnitude))
    if isinstance(key, Cell):
        return key._replace(prefactor=_magnitude(key.prefactor), depth=int(key.depth))
    return key


class SweepPlan:
    """The configurations of one sweep, each sampled once, looked up by readable keys.

    Build it (``add``, ``add_figure5``, ``add_heatmap``), sample ``plan.configs`` with
    ``ru.cached_sweep`` and ``attach`` the result; then ask by key (``scores``, ``curve``,
    ``at``, ``change``, ``heatmap``, ``example``).
    """

    def __init__(self) -> None:
        self.configs: list[MLPConfig | UnbiasedConfig] = []
        self._position: dict[MLPConfig | UnbiasedConfig, int] = {}
        self._keys: dict[Hashable, int] = {}
        self.result: SweepResult | None = None

    def __len__(self) -> int:
        return len(self.configs)

    def keys(self) -> list[Hashable]:
        """Every key, in the order it was added."""
        return list(self._keys)

    def add(self, key: Hashable, config: MLPConfig | UnbiasedConfig) -> int:
        """Name ``config`` by ``key``; a configuration already in the plan is not sampled twice."""
        key = _normal(key)
        if key in self._keys and self.configs[self._keys[key]] != config:
            raise ValueError(f"key {key!r} already names another configuration")
        if config not in self._position:
            self._position[config] = len(self.configs)
            self.configs.append(config)
        self._keys[key] = self._position[config]
        return self._keys[key]

    def add_figure5(
        self,
        activations: Iterable[str],
        steps: int,
        *,
        components: Sequence[str] = ("mlp",),
        readings: Sequence[str] = ("prefactor",),
        extra: Sequence[float] = (),
        study: str = "",
        **fields: Any,
    ) -> SweepPlan:
        """Every line of Figure 5 for ``activations`` x ``components`` x ``readings``, on the
        magnitudes of ``paper.fig5_magnitudes(activation, steps)`` plus ``extra`` ones (e.g. a
        magnitude every panel shares, for comparisons across panels); ``fields`` (depth, width,
        ...) go to every MLP. ``"unbiased"`` adds the unbiased model (scale ``alpha`` =
        magnitude) under every component and reading, sampled once."""
        for reading in readings:
            if reading not in READINGS:
                raise ValueError(f"reading must be one of {', '.join(READINGS)}, got {reading!r}")
        for activation in activations:
            xs = sorted({_magnitude(x) for x in [*fig5_magnitudes(activation, steps), *extra]})
            for component in components:
                for reading in readings:
                    for x in xs:
                        if activation == "unbiased":
                            config: MLPConfig | UnbiasedConfig = UnbiasedConfig(alpha=x)
                        else:
                            config = figure5_config(activation, component, **{reading: x}, **fields)
                        self.add(Point(activation, component, reading, x, study), config)
        return self

    def add_heatmap(
        self, activations: Iterable[str], prefactors: Sequence[float], depths: Sequence[int], **fields: Any
    ) -> SweepPlan:
        """Figure 4: one plain MLP per (activation, prefactor, depth), in that nesting order;
        ``"unbiased"`` adds the unbiased model once per prefactor (as its scale), depth 0."""
        for activation in activations:
            for p in prefactors:
                if activation == "unbiased":
                    self.add(Cell(activation, p, 0), UnbiasedConfig(alpha=float(p)))
                    continue
                for depth in depths:
                    config = figure5_config(activation, "mlp", depth=int(depth), prefactor=p, **fields)
                    self.add(Cell(activation, p, depth), config)
        return self

    def attach(self, result: SweepResult) -> SweepPlan:
        """Bind the sweep of ``self.configs``; refuses a sweep of other configurations."""
        if list(result.configs) != self.configs:
            raise ValueError("the sweep was not run on this plan's configurations (in this order)")
        self.result = result
        return self

    def index(self, key: Hashable) -> int:
        """Position of ``key``'s configuration in ``configs`` (magnitudes in keys are rounded to 1e-6)."""
        if _normal(key) not in self._keys:
            raise KeyError(f"no configuration named {key!r} in this plan")
        return self._keys[_normal(key)]

    def config(self, key: Hashable) -> MLPConfig | UnbiasedConfig:
        """The configuration ``key`` names."""
        return self.configs[self.index(key)]

    def _result(self) -> SweepResult:
        if self.result is None:
            raise RuntimeError("no sweep attached yet: plan.attach(ru.cached_sweep(name, plan.configs, ...))")
        return self.result

    def scores(self, key: Hashable, measure: str = "fourier") -> np.ndarray:
        """Per-network scores (networks,) of ``key``'s configuration."""
        return self._result().scores[measure][self.index(key)]

    def example(self, key: Hashable, k: int = 0) -> np.ndarray:
        """Example function ``k`` (n, n) of ``key``'s configuration (the sweep's ``n_examples``)."""
        return self._result().examples[self.index(key), k]

    def magnitudes(self, activation: str, component: str = "mlp", reading: str = "prefactor", study: str = "") -> list:
        """The sorted magnitudes of one Figure 5 line."""
        found = sorted(
            k.magnitude
            for k in self._keys
            if isinstance(k, Point) and k[:3] == (activation, component, reading) and k.study == study
        )
        if not found:
            raise KeyError(f"no Figure 5 line {(activation, component, reading, study)!r} in this plan")
        return found

    def curve(
        self,
        activation: str,
        component: str = "mlp",
        reading: str = "prefactor",
        measure: str = "fourier",
        study: str = "",
    ) -> tuple[np.ndarray, np.ndarray]:
        """(magnitudes, per-network scores (magnitudes, networks)) of one Figure 5 line."""
        xs = self.magnitudes(activation, component, reading, study)
        rows = [self.scores(Point(activation, component, reading, x, study), measure) for x in xs]
        return np.array(xs), np.stack(rows)

    def at(
        self,
        activation: str,
        magnitude: float,
        component: str = "mlp",
        reading: str = "prefactor",
        measure: str = "fourier",
        study: str = "",
    ) -> np.ndarray:
        """Per-network scores (networks,) of one Figure 5 point."""
        return self.scores(Point(activation, component, reading, magnitude, study), measure)

    def change(self, activation: str, start: float, end: float, **line: str) -> np.ndarray:
        """Each network's own change of complexity from magnitude ``start`` to ``end`` (a paired
        difference: the same draws at both magnitudes); ``line`` selects component, reading, ..."""
        return self.at(activation, end, **line) - self.at(activation, start, **line)

    def heatmap(
        self, activation: str, prefactors: Sequence[float], depths: Sequence[int], measure: str = "fourier"
    ) -> np.ndarray:
        """Per-network scores (prefactors, depths, networks) of one Figure 4 panel; the unbiased
        model gives (prefactors, 1, networks)."""
        depths = [0] if activation == "unbiased" else list(depths)
        keys = [[Cell(activation, p, d) for d in depths] for p in prefactors]
        return np.stack([np.stack([self.scores(k, measure) for k in row]) for row in keys])

    def read_comparison(
        self, component: str = "mlp", readings: Sequence[str] = ("prefactor",), measure: str = "fourier"
    ) -> list[dict[str, Any]]:
        """Our mean next to every point read off the paper's Figure 5 (``paper.FIG5_READ``) for the
        activations of this plan: rows {activation, magnitude, paper, <reading>: mean}."""
        rows = []
        for activation, points in FIG5_READ[component].items():
            for x, paper_value in points:
                try:
                    ours = {r: float(self.at(activation, x, component, r, measure).mean()) for r in readings}
                except KeyError:
                    continue
                rows.append({"activation": activation, "magnitude": float(x), "paper": paper_value, **ours})
        return rows


def network_bootstrap(
    statistic: Callable[..., float], *scores: np.ndarray, seed: int = 0, n_boot: int = 2000, level: float = 0.95
) -> tuple[float, float, float]:
    """``(estimate, low, high)`` of ``statistic(*scores)``, resampling the random draws jointly.

    Every array has the networks on its last axis, the same draws in the same order (network
    ``i`` of every configuration of a sweep shares its random stream). Resampling the draw
    indices together keeps that pairing, so a ratio of two activations' spreads or a change
    along a curve gets the interval of a paired design. The interval is the percentile
    bootstrap of ``stats.bootstrap_ci``; resamples where the statistic is undefined (a spread
    of 0 in a denominator when a tiny sample repeats one draw) are dropped, as ``spearman_ci``
    drops constant resamples.
    """
    sizes = {np.shape(s)[-1] for s in scores}
    if len(sizes) != 1:
        raise ValueError(f"every array needs the same number of networks on its last axis, got {sorted(sizes)}")
    arrays, count = [np.asarray(s, dtype=np.float64) for s in scores], sizes.pop()
    if count < 2:
        raise ValueError(f"network_bootstrap needs at least 2 networks, got {count}")
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        estimate = float(statistic(*arrays))
        boots = np.array([statistic(*(a[..., row] for a in arrays)) for row in rng.integers(0, count, (n_boot, count))])
    boots = boots[np.isfinite(boots)]
    if boots.size == 0:
        return estimate, math.nan, math.nan
    tail = (1.0 - level) / 2.0
    return estimate, float(np.quantile(boots, tail)), float(np.quantile(boots, 1 - tail))


def band_verdict(
    low: float,
    high: float,
    lower: float,
    upper: float,
    *,
    yes: str = "reproduced",
    no: str = "not reproduced",
) -> tuple[str, float]:
    """Decide "the quantity lies between ``lower`` and ``upper``" (a flat curve: its change lies
    in a small band around 0) from its interval; (verdict, margin).

    ``yes`` when the interval lies inside the band, ``no`` when it lies wholly outside (on one
    side), ``"inconclusive"`` when it straddles a boundary. The margin is the distance from the
    nearest boundary to the interval's near end, positive on the verdict's side; when
    inconclusive it is negative, as ``interval_verdict`` gives it for the boundary straddled.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return "inconclusive", math.nan
    if lower > upper:
        raise ValueError(f"band_verdict needs lower <= upper, got {lower} > {upper}")
    if lower < low and high < upper:
        return yes, min(low - lower, upper - high)
    if high < lower or low > upper:
        return no, (lower - high) if high < lower else (low - upper)
    straddled = [b for b in (lower, upper) if low <= b <= high]
    return "inconclusive", -min(min(high - b, b - low) for b in straddled)


def weakest(conditions: Mapping[Hashable, tuple[str, float]]) -> tuple[str, float, Hashable]:
    """Combine a rule's conditions ({name: (verdict, margin)}) into the claim's (verdict, margin, name).

    The claim is as strong as its weakest condition: "not reproduced" if any condition fails,
    else "inconclusive" if any straddles its boundary, else "reproduced". The deciding condition
    is, among those with that verdict, the clearest failure, or else the one nearest its
    boundary (the smallest margin); its margin is the claim's and its name is returned so the
    chapter can show its interval.
    """
    if not conditions:
        raise ValueError("weakest needs at least one condition")
    for verdict, _ in conditions.values():
        if verdict not in STRENGTH:
            raise ValueError(f"unknown verdict {verdict!r}; expected one of {', '.join(STRENGTH)}")
    worst = max((v for v, _ in conditions.values()), key=STRENGTH.index)
    deciding = {k: m for k, (v, m) in conditions.items() if v == worst}
    order = (lambda k: -_finite(deciding[k])) if worst == "not reproduced" else (lambda k: _finite(deciding[k]))
    name = min(deciding, key=order)
    return worst, deciding[name], name


def _finite(margin: float) -> float:
    """A NaN margin (no interval) sorts as the least certain."""
    return -math.inf if margin is None or math.isnan(margin) else margin


# ------------------------------------------------------------ precision and limit networks


def float64_scores(config: MLPConfig, count: int, *, n: int, seed: int) -> dict[str, np.ndarray]:
    """The three measures of the networks ``sample_functions(config, count, n=n, seed=seed)``
    draws, evaluated in float64.

    Why: a deep network at a small prefactor varies across the grid by about 1e-6 of its size,
    where float32 rounding noise is scored as a complex function. Evaluating the *same* draws
    in float64 tells a property of the architecture from an artefact of the precision.
    """
    layers = [
        LayerParams(*(None if t is None else t.double() for t in (w.weight, w.bias, w.gate_weight, w.gate_bias)))
        for w in sample_mlp_params(config, count, seed=seed)
    ]
    functions = mlp_forward(config, layers, grid(n).double()).reshape(count, n, n)
    return measure_all(functions.numpy())


def rescaled_biases(layers: list[LayerParams], p: float) -> list[LayerParams]:
    """The network of ReLU's exact rescaling identity ``f_p - b_out = p^L (f~_1 - b_out)``:
    hidden layer ``l`` (0-based) gets bias ``b / p^l``, the output layer is unchanged."""
    return [LayerParams(w.weight, w.bias / p**k) if k < len(layers) - 1 else w for k, w in enumerate(layers)]


def rescaling_deviations(
    config: MLPConfig, count: int, *, n: int, seed: int, prefactors: Sequence[float] = (3.0, 10.0)
) -> tuple[float, float]:
    """How far ``count`` networks of ``config`` (at prefactor 1) are from ReLU's rescaling identities.

    Returns the largest relative deviation ``max|a - b| / max|b|`` over the networks and the
    ``prefactors`` of (plain) ``f_p - b_out = p^L (f_1 - b_out)`` and of (exact) the same with
    ``f~_1``, the network whose hidden biases are divided by ``p^l`` (``rescaled_biases``).
    Why: the paper explains ReLU's flat curves by this symmetry; for one hidden layer the plain
    identity is exact, deeper only the exact one is, and no other activation satisfies either.
    """
    x = grid(n)
    layers = sample_mlp_params(config, count, seed=seed)

    def centred(cfg: MLPConfig, params: list[LayerParams]) -> np.ndarray:
        return (mlp_forward(cfg, params, x) - params[-1].bias).double().numpy()

    def deviation(a: np.ndarray, b: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            return float((np.abs(a - b).max(1) / np.abs(b).max(1)).max())

    plain, exact, base = [], [], centred(config, layers)
    for p in prefactors:
        scaled = centred(replace(config, prefactor=float(p) * config.prefactor), layers)
        plain.append(deviation(scaled, p**config.depth * base))
        exact.append(deviation(scaled, p**config.depth * centred(config, rescaled_biases(layers, p))))
    return max(plain), max(exact)


def relu_limit_layers(layers: list[LayerParams], reading: str) -> list[LayerParams]:
    """The network a deep ReLU network tends to as the magnitude grows (chapter 2's mechanism).

    Under the prefactor (``"prefactor"``) the biases of hidden layers 2..L shrink relative to
    their inputs and vanish in the limit, the first layer's stays; scaling the weights only
    (``"alpha"``) shrinks every hidden bias. The output layer is kept in both.
    """
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {', '.join(READINGS)}, got {reading!r}")
    hidden, first = len(layers) - 1, 1 if reading == "prefactor" else 0
    return [LayerParams(w.weight, w.bias * 0) if first <= k < hidden else w for k, w in enumerate(layers)]


def sign_limit(layers: list[LayerParams], x: torch.Tensor, chunk: int = 64) -> torch.Tensor:
    """TanH's large-magnitude limit: ``tanh(p z) -> sign(z)`` in every hidden layer; (networks, points).

    Why: unlike ReLU's, this limit network is piecewise *constant*, and its jumps are rich in
    high frequencies, which is where a TanH curve of Figure 5 is heading.
    """
    blocks = []
    for start in range(0, layers[0].weight.shape[0], chunk):
        part = [LayerParams(w.weight[start : start + chunk], w.bias[start : start + chunk]) for w in layers]
        h = x.to(part[0].weight.dtype).unsqueeze(0).expand(part[0].weight.shape[0], -1, -1)
        for layer in part[:-1]:
            h = torch.sign(torch.baddbmm(layer.bias.unsqueeze(1), h, layer.weight.transpose(1, 2)))
        blocks.append(torch.baddbmm(part[-1].bias.unsqueeze(1), h, part[-1].weight.transpose(1, 2)).squeeze(-1))
    return torch.cat(blocks)


# ------------------------------------------------------------------------------ drawing


def draw_curve(ax: Any, xs: np.ndarray, scores: np.ndarray, *, label: str | None = None, **style: Any) -> None:
    """One Figure 5 line: the mean over draws, and the interquartile band in the same colour.
    ``scores`` is (magnitudes, networks); ``style`` goes to the line (color, ls, marker, ...)."""
    (line,) = ax.plot(xs, scores.mean(1), label=label, **style)
    ax.fill_between(xs, *np.quantile(scores, [0.25, 0.75], axis=1), color=line.get_color(), alpha=0.2, lw=0)


def draw_heatmap(
    ax: Any,
    values: np.ndarray,
    prefactors: Sequence[float],
    columns: Sequence[str],
    *,
    vmax: float,
    thumbnails: np.ndarray | None = None,
    hatched: np.ndarray | None = None,
) -> Any:
    """One Figure 4 panel: ``values`` (prefactors, columns) in colour, a thumbnail of
    ``thumbnails[i, j]`` (n, n) in every other cell, red hatching over the ``hatched`` cells
    (those at the float32 rounding floor). Returns the image, for a shared colour bar."""
    import matplotlib.pyplot as plt

    ax.grid(False)
    image = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=vmax)
    if thumbnails is not None:
        for i in range(0, len(prefactors), 2):
            for j in range(0, len(columns), 2):
                extent = (j - 0.36, j + 0.36, i - 0.36, i + 0.36)
                ax.imshow(thumbnails[i, j].T, origin="lower", cmap="gray", extent=extent)
    for i, j in np.argwhere(hatched) if hatched is not None else []:
        ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="xx", edgecolor="red", lw=0))
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(-0.5, len(prefactors) - 0.5)
    ax.set_xticks(range(len(columns)), list(columns))
    ax.set_yticks(range(len(prefactors)), [f"{p:.2g}" for p in prefactors])
    return image
