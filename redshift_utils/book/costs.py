"""What the long chapters cost at each preset: their random models counted, their unit cost measured.

Why: the `paper` presets take hours, so no build runs them; the status page estimates them
instead, on the machine that builds it. A preset's cost is the number of random models it
samples (networks of each depth for chapter 2, greedy sequences of each depth for chapter 5),
counted from the chapter's parameter spec the way the chapter builds its sweeps, times a cost
per model measured here in CPU time (user + system: on a shared machine, wall time measures the
other jobs as well). The costs are linear fits in depth, since both a random MLP and a random
Transformer cost about one unit per layer or block. Only the sweeps are counted: measures of
Figure 3, the galleries and the statistics are small beside them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from redshift_utils import paper
from redshift_utils.book.parameters import load_spec
from redshift_utils.configs import MLPConfig
from redshift_utils.figure5 import SweepPlan
from redshift_utils.lempel_ziv import lz76
from redshift_utils.sampler import sample_functions
from redshift_utils.sweeps import measure_all
from redshift_utils.transformer import TransformerConfig, generate_sweep
from redshift_utils.transformer_study import gain_grid


def preset_values(notebook: str, preset: str) -> dict:
    """Every parameter of ``notebook`` at ``preset`` (the spec's preset value, else its default)."""
    return {p.name: p.value_for(preset) for p in load_spec(notebook).params}


def chapter2_networks(preset: str) -> Counter:
    """Random networks chapter 2 samples at ``preset``, by number of hidden layers (0: the unbiased model).

    Mirrors the chapter's sweeps: the Figure 4 heatmaps, the Figure 5 lines under both readings
    (plus the fine start of the Gaussian panel), the ReLU and GELU limit curves, and Figure 3's
    statistics. A configuration that two sweeps share is counted in each (each sweep samples it).
    """
    v = preset_values("02_activations", preset)
    acts = [*paper.ACTIVATIONS, "unbiased"]
    counts: Counter = Counter()

    def add(plan: SweepPlan, networks: int) -> None:
        for config in plan.configs:
            counts[config.depth if isinstance(config, MLPConfig) else 0] += networks

    heat_ps = np.geomspace(v["heatmap_min"], v["heatmap_max"], v["heatmap_steps"])
    add(SweepPlan().add_heatmap(acts, heat_ps, sorted(set(v["heatmap_depths"])), width=v["width"]),
        v["heatmap_networks"])
    lines = SweepPlan().add_figure5(acts, v["line_steps"], readings=("prefactor", "alpha"), extra=(10.0,),
                                    depth=v["line_depth"], width=v["width"])
    lines.add_figure5(["gaussian"], v["line_steps"], extra=np.linspace(1.0, 5.0, 9), depth=v["line_depth"],
                      width=v["width"])
    add(lines, v["line_networks"])
    # the limit curves: ReLU at 1 layer and ReLU (two readings) and GELU at line_depth, line_steps magnitudes each
    counts[1] += v["line_steps"] * v["line_networks"]
    counts[v["line_depth"]] += 3 * v["line_steps"] * v["line_networks"]
    # Figure 3's statistics: ReLU and TanH at every gallery magnitude
    counts[v["line_depth"]] += 2 * len(v["gallery_prefactors"]) * max(v["gallery_draws"], v["line_networks"])
    # the limit networks: ReLU's two limits and TanH's sign limit, line_networks each
    counts[v["line_depth"]] += 3 * v["line_networks"]
    return counts


def chapter5_sequences(preset: str) -> Counter:
    """Greedy sequences chapter 5 decodes at ``preset``, by number of blocks.

    Mirrors the chapter's three sweeps: the main one (activation x gain x depth), the tied-head
    ablation at the middle depth and the shoulder sweep.
    """
    v = preset_values("05_transformers", preset)
    gains = gain_grid(v["gain_min"], v["gain_max"], v["gains_per_decade"])
    depths = sorted(set(v["depths"]))
    counts: Counter = Counter()
    for depth in depths:
        counts[depth] += len(v["activations"]) * len(gains) * v["n_models"]
    counts[depths[len(depths) // 2]] += len(v["ablation_activations"]) * len(gains) * v["n_models"]
    shoulder_gains = gain_grid(v["shoulder_gain_min"], v["shoulder_gain_max"], v["shoulder_per_decade"])
    for depth in sorted(set(v["shoulder_depths"])):
        counts[depth] += len(v["shoulder_activations"]) * len(shoulder_gains) * v["shoulder_models"]
    return counts


def cpu_seconds(work: Callable[[], object]) -> float:
    """CPU time (user + system, all threads of this process) that ``work()`` takes."""
    start = time.process_time()
    work()
    return time.process_time() - start


def linear_cost(cost_at: Callable[[int], float], depths: tuple[int, int]) -> tuple[float, float]:
    """``(intercept, slope)`` of a cost per model linear in depth, from its values at two depths."""
    low, high = depths
    at_low, at_high = cost_at(low), cost_at(high)
    slope = (at_high - at_low) / (high - low)
    return at_low - slope * low, slope


def mlp_cost(width: int, grid_n: int, depths: tuple[int, int] = (1, 7), networks: int = 6) -> tuple[float, float]:
    """CPU seconds per random MLP (sampled on the grid, then the three measures): ``(intercept, per layer)``.

    Timed on ReLU and Gaussian networks (the cheapest and a costly activation, averaged), after
    a warm-up call at each depth.
    """

    def cost_at(depth: int) -> float:
        total = 0.0
        for name in ("relu", "gaussian"):
            config = MLPConfig(activation=name, depth=depth, width=width)
            measure_all(sample_functions(config, 2, n=grid_n).numpy())  # warm-up
            total += cpu_seconds(lambda c=config: measure_all(sample_functions(c, networks, n=grid_n).numpy()))
        return total / (2 * networks)

    return linear_cost(cost_at, depths)


def transformer_cost(
    config: TransformerConfig,
    activations: list[str],
    gains: list[float],
    length: int,
    depths: tuple[int, int] = (1, 8),
    models: int = 2,
) -> tuple[float, float]:
    """CPU seconds per greedy sequence (decoded in a sweep of ``activations`` x ``gains``, then scored
    with LZ76): ``(intercept, per block)``. Each model decodes all its variants together, so the
    sweep's variants per model are what the cost per sequence depends on, not the number of models.
    """

    def cost_at(depth: int) -> float:
        deep = replace(config, depth=depth)

        def work() -> None:
            tokens = generate_sweep(deep, activations, gains, models, length=length).numpy()
            for row in tokens.reshape(-1, length):
                lz76(row)

        generate_sweep(deep, activations[:1], gains[:1], 1, length=length)  # warm-up
        return cpu_seconds(work) / (len(activations) * len(gains) * models)

    return linear_cost(cost_at, depths)


def measured_once(name: str, measure: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """``measure()``, measured once per book build and library: both editions show the same numbers.

    In a book build (``REDSHIFT_BOOK_BUILD=1``) the first page that measures stores the result
    in the build's results folder (``status-costs.json``, keyed by the library's source hash);
    the Japanese edition, which executes the status page again, reads it. Elsewhere: measured.
    """
    import json
    import os

    from redshift_utils.book.atomic import write_bytes_atomic
    from redshift_utils.book.paths import BOOK_BUILD_ENV, active_preset, book_results_dir
    from redshift_utils.book.source import source_hash

    if os.environ.get(BOOK_BUILD_ENV) != "1":
        return measure()
    path = book_results_dir(active_preset()) / "status-costs.json"
    key = f"{name}@{source_hash()}"
    stored = json.loads(path.read_text()) if path.exists() else {}
    if key not in stored:
        stored[key] = list(measure())
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, json.dumps(stored, indent=1).encode())
    intercept, slope = stored[key]
    return float(intercept), float(slope)


def estimate_seconds(counts: Counter, cost: tuple[float, float]) -> float:
    """Sum over depths of models x (intercept + slope x depth)."""
    intercept, slope = cost
    return float(sum(n * (intercept + slope * depth) for depth, n in counts.items()))
