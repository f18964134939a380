"""What every chapter costs at each preset: its dominant work counted, each unit of work measured.

Why: the `paper` presets take hours, so no build runs them; the status page estimates them
instead, on the machine that builds it. A chapter's cost is its dominant work, counted from the
chapter's parameter spec the way the chapter builds it (random MLPs per network and per hidden
layer for chapters 1 to 3b, trained MLPs in model-steps and random draws for chapter 4, Boolean,
input-dimension and perturbed networks for chapter 6, greedy sequences per Transformer block
for chapter 5), times a cost per unit measured here in CPU time of one thread (user + system:
on a shared machine wall time measures the other jobs as well, and several threads spin while
they wait for a busy core). Random MLPs and Transformers cost about one unit per layer or
block. Only the work that grows with the preset is counted: figures, statistics, galleries and
the notebook's start-up are left out, so the estimates are a floor (at the `book` preset a
large part of a chapter's time).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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

_OVERRIDES: dict[str, dict] = {}  # notebook -> parameters counted in place of the preset's (``overridden``)


def preset_values(notebook: str, preset: str) -> dict:
    """Every parameter of ``notebook`` at ``preset`` (the spec's preset value, else its default),
    with the values of an ``overridden`` block in their place."""
    values = {p.name: p.value_for(preset) for p in load_spec(notebook).params}
    return {**values, **_OVERRIDES.get(notebook, {})}


@contextmanager
def overridden(notebook: str, params: dict) -> Iterator[None]:
    """Count ``notebook``'s units with ``params`` in place of its preset's values, in this block.

    Why: a chapter too long to run in full at `paper` is measured on a slice (fewer seeds, a part
    of a grid, given with ``-p``); its estimate must count the same slice, through the same
    counting functions as the full preset.
    """
    unknown = sorted(set(params) - {p.name for p in load_spec(notebook).params})
    if unknown:
        raise ValueError(f"{notebook} has no parameter {', '.join(unknown)}")
    saved = _OVERRIDES.pop(notebook, None)
    _OVERRIDES[notebook] = dict(params)
    try:
        yield
    finally:
        _OVERRIDES.pop(notebook)
        if saved is not None:
            _OVERRIDES[notebook] = saved


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
    """CPU time (user + system) that ``work()`` takes, run in one torch thread.

    Why one thread: on a shared machine, torch's threads spin while they wait for a busy core,
    and spinning counts as CPU time (on two cores with another job running, a two-thread sweep
    took ten times the CPU time of the same sweep in one thread). One thread's CPU time is the
    work itself, whatever else the machine does; the estimates are in single-core hours.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        start = time.process_time()
        work()
        return time.process_time() - start
    finally:
        torch.set_num_threads(before)


def linear_cost(cost_at: Callable[[int], float], depths: tuple[int, int]) -> tuple[float, float]:
    """``(intercept, slope)`` of a cost per model linear in depth, from its values at two depths."""
    low, high = depths
    at_low, at_high = cost_at(low), cost_at(high)
    slope = (at_high - at_low) / (high - low)
    return at_low - slope * low, slope


def network_seconds(width: int, depth: int, grid_n: int, networks: int, warm_up: int = 2) -> float:
    """CPU seconds per random MLP of this shape, sampled on the grid and scored by the three measures.

    Timed on ReLU and Gaussian networks (the cheapest and a costly activation, averaged), each
    after a warm-up call on ``warm_up`` networks.
    """
    total = 0.0
    for name in ("relu", "gaussian"):
        config = MLPConfig(activation=name, depth=depth, width=width)
        measure_all(sample_functions(config, warm_up, n=grid_n).numpy())  # warm-up
        total += cpu_seconds(lambda c=config: measure_all(sample_functions(c, networks, n=grid_n).numpy()))
    return total / (2 * networks)


def mlp_cost(width: int, grid_n: int, depths: tuple[int, int] = (1, 7), networks: int = 6) -> tuple[float, float]:
    """CPU seconds per random MLP (sampled on the grid, then the three measures): ``(intercept, per layer)``,
    from ``network_seconds`` at two depths."""
    return linear_cost(lambda depth: network_seconds(width, depth, grid_n, networks), depths)


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


def measured_once(name: str, measure: Callable[[], tuple | dict]) -> tuple | dict:
    """``measure()``, measured once per book build and library: both editions show the same numbers.

    In a book build (``REDSHIFT_BOOK_BUILD=1``) the first page that measures stores the result
    in the build's results folder (``status-costs.json``, keyed by the library's source hash);
    the Japanese edition, which executes the status page again, reads it. Elsewhere: measured.
    A tuple comes back as a tuple of floats, a dict (unit costs by key) as a dict of floats.
    """
    import json
    import os

    from redshift_utils.book.atomic import write_bytes_atomic
    from redshift_utils.book.paths import BOOK_BUILD_ENV, active_preset, book_results_dir
    from redshift_utils.book.source import source_hash

    if os.environ.get(BOOK_BUILD_ENV) != "1":
        value = measure()
    else:
        path = book_results_dir(active_preset()) / "status-costs.json"
        key = f"{name}@{source_hash()}"
        stored = json.loads(path.read_text()) if path.exists() else {}
        if key not in stored:
            value = measure()
            stored[key] = dict(value) if isinstance(value, dict) else list(value)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(path, json.dumps(stored, indent=1).encode())
        value = stored[key]
    if isinstance(value, dict):
        return {k: float(v) for k, v in value.items()}
    return tuple(float(v) for v in value)


def estimate_seconds(counts: Counter, cost: tuple[float, float]) -> float:
    """Sum over depths of models x (intercept + slope x depth)."""
    intercept, slope = cost
    return float(sum(n * (intercept + slope * depth) for depth, n in counts.items()))


# ------------------------------------------------------------------ every chapter: units of work
#
# Why units: the chapters do different kinds of work (random MLPs at several widths and grids,
# trained MLPs of several shapes, Boolean networks, perturbed networks, random draws of guess and
# check), so each chapter's dominant work is counted in named units, and each unit's cost is
# measured once (``unit_costs``). A unit key says what it measures:
#   "mlp"                  one random MLP on the 64 x 64 grid and its three measures, less its hidden layers
#   "layer<w>"             one hidden layer of width w of a random MLP on the 64 x 64 grid
#   "extra"                chapter 1's two extra measures (Legendre, plain DFT) of one function
#   "train:w:d:in:loss"    one training step of one MLP of that width, depth, inputs and loss, on 128 points
#   "guess"                one random draw of chapter 4's guess and check (both families averaged)
#   "boolean"              one Boolean network of chapter 6 under one configuration
#   "dim"                  one network of chapter 6's input-dimension study (plane, line, measures)
#   "volume"               one perturbed network of chapter 6's local-volume study on its grid
#   "sequence", "block"    one greedy sequence of chapter 5, and one Transformer block of it

GRID = 64  # the grid of the MLP units; other grids scale as the number of grid points


def mlp_units(configs: list, networks: int, grid_n: int = GRID) -> Counter:
    """Random-MLP units of ``networks`` networks of each of ``configs`` sampled on ``grid_n``.

    One ``mlp`` unit per network and one ``layer<width>`` unit per hidden layer, times
    ``(grid_n / 64)^2``: sampling and the measures grow with the grid points (chapter 1 measures
    that growth in its resolution study). The unbiased model (no layers) is one ``mlp`` unit.
    Components (residual, layer norm, gating) are counted as plain layers: a floor, since each
    adds work to its layer.
    """
    scale = (grid_n / GRID) ** 2
    units: Counter = Counter()
    for config in configs:
        units["mlp"] += networks * scale
        if isinstance(config, MLPConfig):
            units[f"layer{config.width}"] += networks * config.depth * scale
    return units


TRAIN_POINTS = 128  # the batch of the training units; other batches scale as their points


def train_units(width: int, depth: int, in_dim: int, loss: str, model_steps: float, points: int,
                batch: int | None = None) -> Counter:
    """Training units of ``model_steps`` steps of MLPs of one shape, each step on ``points``
    training points (or a mini-batch of ``batch``): ``train:<width>:<depth>:<in_dim>:<loss>``
    units of one model-step on 128 points, scaled linearly by the points of a step (its
    forward and backward products grow with them; fixed costs per step do not, so the smallest
    batches are slightly undercounted).
    """
    per_step = min(batch or points, points)
    return Counter({f"train:{width}:{depth}:{in_dim}:{loss}": model_steps * per_step / TRAIN_POINTS})


def chapter1_units(preset: str) -> Counter:
    """Chapter 1's dominant work at ``preset``: the Figure 6 sweep (every activation x depth x
    prefactor plus the unbiased model, scored by the three measures and two extra ones), the
    grid-levels study (ReLU and TanH on every grid; it scores Fourier only, counted here with the
    three measures) and the resolution study (its architectures on every grid). The
    binarisation and LZ-variant studies re-read kept examples and are small beside them.
    """
    from redshift_utils.configs import UnbiasedConfig

    v = preset_values("01_metrics", preset)
    fig6 = [MLPConfig(activation=a, depth=d, prefactor=p)
            for a in v["fig6_activations"] for d in v["fig6_depths"] for p in v["fig6_prefactors"]]
    fig6.append(UnbiasedConfig())
    units = mlp_units(fig6, v["n_networks"], v["grid_n"])
    units["extra"] += len(fig6) * v["n_networks"]
    resolution_ns = sorted(set(v["resolution_ns"]))
    for n in sorted({*resolution_ns, v["grid_n"]}):  # the levels study: ReLU and TanH, sampled and scored
        units += mlp_units([MLPConfig(), MLPConfig(activation="tanh")], v["n_networks"], n)
    res = [MLPConfig(activation=a, prefactor=p)
           for a in v["resolution_activations"] for p in v["resolution_prefactors"]]
    for n in resolution_ns:
        units += mlp_units([*res, UnbiasedConfig()], v["resolution_networks"], n)
    return units


def chapter3_plans(preset: str) -> list[tuple[str, list, int]]:
    """Chapter 3's sweeps at ``preset`` as ``(name, configurations, networks)``, built as the chapter
    builds its plans (``components_study.Plan``: a configuration filed under two keys is sampled once).

    Figure 5 (every activation x component x magnitude, and the unbiased model), the layer-norm
    gain, the readings, depth, width (plus its fixed-first-layer twin), bias-magnitude and prior
    studies. The identity checks sample a few networks each and are left out.
    """
    from redshift_utils.components_study import Plan
    from redshift_utils.configs import UnbiasedConfig

    v = preset_values("03_components", preset)
    acts, parts, x_max = paper.ACTIVATIONS, paper.COMPONENTS, paper.FIG5_X_MAX

    def config(name: str, part: str = "mlp", **fields: object) -> MLPConfig:
        return paper.figure5_config(name, part, **{"depth": v["depth"], "width": v["width"], **fields})

    variant_acts = list(dict.fromkeys(v["variant_activations"]))
    depths, widths, ln_gains, bias_scales = (sorted(set(v[k])) for k in ("depths", "widths", "ln_gains", "bias_scales"))
    width_ps = list(dict.fromkeys([1.0, float(v["study_prefactor"])]))
    plans = {name: Plan() for name in ("fig5", "gain", "readings", "depth", "width", "bias", "priors")}
    for name in acts:
        for part in parts:
            for x in paper.fig5_magnitudes(name, v["fig5_steps"]):
                plans["fig5"].add((part, name, x), config(name, part, prefactor=x))
            for d in depths:
                plans["depth"].add((part, name, d), config(name, part, prefactor=v["study_prefactor"], depth=d))
        for g in ln_gains:
            plans["gain"].add((name, g), config(name, "layernorm", ln_gain=g, prefactor=v["study_prefactor"]))
        for b in bias_scales:
            for p in width_ps:
                plans["bias"].add((name, b, p), config(name, bias_scale=b, prefactor=p))
        for p in (1.0, x_max[name]):
            plans["bias"].add((name, 1.0, p), config(name, bias_scale=1.0, prefactor=p))
    for x in paper.fig5_magnitudes("unbiased", v["fig5_steps"]):
        plans["fig5"].add(("unbiased", "unbiased", x), UnbiasedConfig(alpha=x))
    for name in variant_acts:
        for x in paper.fig5_magnitudes(name, v["fig5_steps"]):
            for part in parts:
                plans["readings"].add(("alpha", part, name, x), config(name, part, alpha=x))
            around = config(name, "residual", prefactor=x, residual_mode="around_layer")
            plans["readings"].add(("around", name, x), around)
            after = config(name, "layernorm", prefactor=x, layernorm_position="after")
            plans["readings"].add(("after", name, x), after)
        for w in widths:
            for p in width_ps:
                plans["width"].add((name, w, p), config(name, width=w, prefactor=p))
        for p in (1.0, x_max[name]):
            plans["width"].add((name, widths[0], p), config(name, width=widths[0], prefactor=p))
    for dist in dict.fromkeys(v["priors"]):
        for part in parts:
            for name in acts:
                for x in (1.0, x_max[name]):
                    plans["priors"].add((dist, part, name, x), config(name, part, prefactor=x, weight_dist=dist))
    fixed = [config(a, width=w, prefactor=p) for a in variant_acts for w in widths for p in width_ps]
    networks = {"fig5": v["fig5_networks"], "readings": v["variant_networks"], "width": v["width_networks"]}
    sweeps = [(name, plan.configs, networks.get(name, v["study_networks"])) for name, plan in plans.items()]
    return [*sweeps, ("fixed first layer", fixed, v["width_networks"])]


def chapter3_units(preset: str) -> Counter:
    """Chapter 3's random-MLP units at ``preset``: every sweep of ``chapter3_plans`` on its grid.

    The width study's layers are counted at their own width (``layer<w>``), whose cost grows
    with the width: it is measured at each width, not extrapolated from width 64.
    """
    grid_n = preset_values("03_components", preset)["grid_n"]
    units: Counter = Counter()
    for _, configs, networks in chapter3_plans(preset):
        units += mlp_units(configs, networks, grid_n)
    return units


def chapter3b_units(preset: str) -> Counter:
    """Chapter 3b's random-MLP units at ``preset``: the search's blocks, enumerated by the library's
    ``SearchGrid.blocks`` and ``block_configs`` exactly as ``run_search`` samples them (each
    configuration of a block once), each block on its own grid and at its own width. The
    measures count too: at small widths they cost more than the layers.
    """
    from redshift_utils import figure5_search as search

    v = preset_values("03b_figure5_search", preset)
    grid = search.SearchGrid(
        depths=tuple(sorted(set(v["search_depths"]))), widths=tuple(sorted(set(v["search_widths"]))),
        grids=tuple(sorted(set(v["search_grids"]))), magnitudes=tuple(dict.fromkeys(v["magnitudes"])),
    )  # fmt: skip
    activations = [a for a in paper.ACTIVATIONS if a in v["activations"]]
    units: Counter = Counter()
    for n, depth, width in grid.blocks():
        items = search.block_configs(n, depth, width, grid.magnitudes_of((n, depth, width)), activations)
        units += mlp_units(list(dict.fromkeys(config for _, config in items)), v["search_networks"], n)
    return units


def chapter4_units(preset: str) -> Counter:
    """Chapter 4's dominant work at ``preset``: model-steps of its trained MLPs, by shape, and the
    random draws of guess and check.

    The modulo run (activation x prefactor x M x seed, full batch), the grid of the modulo study
    (``StudySettings.n_models`` per cell, each cell at its own width, depth and train split), the
    shortcut runs (and their controls), appendix E.3's pre-fit and its training on every
    coverage. The modulo MLPs stop once they fit, so their steps are a budget: for them the count
    is a ceiling, not a floor. The initial-complexity slices and the unbiased model are small.
    """
    from redshift_utils.experiments import guess_and_check, initialisation, modulo, modulo_study, shortcut

    v = preset_values("04_trained_models", preset)
    units: Counter = Counter()
    mod = modulo.ModuloSettings.from_params(v)
    n_train = round(mod.train_fraction * mod.n_points)
    models = len(mod.activations) * len(mod.prefactors) * len(mod.moduli) * mod.seeds
    units += train_units(mod.width, mod.depth, mod.dims, "bce", models * mod.train.steps, n_train, mod.train.batch_size)
    study = modulo_study.StudySettings.from_params(v, mod)
    per_cell = study.n_models() // len(study.cells())
    for cell in study.cells():
        points = round(cell.train_fraction * mod.n_points)
        units += train_units(cell.width, cell.depth, mod.dims, "bce", per_cell * study.steps, points)
    sc = shortcut.ShortcutSettings.from_params(v)
    runs = len(sc.activations) * len(sc.prefactors) * sc.seeds * (2 if sc.control else 1)
    steps = runs * sc.train.steps
    units += train_units(sc.width, sc.depth, sc.in_dim, "mse", steps, sc.train_images, sc.train.batch_size)
    e3 = initialisation.ComplexInitSettings.from_params(v)
    units += train_units(e3.width, e3.depth, 2, "mse", e3.seeds * e3.prefit.steps, e3.prefit_grid**2)
    for points in {e3.train_points, *e3.coverage}:  # both starts, on each number of training points
        units += train_units(e3.width, e3.depth, 2, "mse", 2 * e3.seeds * e3.train.steps, points, e3.train.batch_size)
    guess = guess_and_check.GuessSettings.from_params(v)
    units["guess"] += guess.tasks * len(guess_and_check.FAMILIES) * guess.draws
    return units


def modulo_unit(preset: str = "paper") -> str:
    """The training unit of chapter 4's modulo MLPs at ``preset`` (the page quotes its cost)."""
    from redshift_utils.experiments import modulo

    mod = modulo.ModuloSettings.from_params(preset_values("04_trained_models", preset))
    return next(iter(train_units(mod.width, mod.depth, mod.dims, "bce", 1, 1)))


def chapter6_boolean_configs(preset: str) -> tuple[list, list[str]]:
    """Chapter 6's Boolean configurations and priors, as the chapter lists them: the perceptron and
    one and two ReLU layers without biases, the Valle-Pérez network, every activation x prefactor."""
    v = preset_values("06_beyond", preset)
    vp = MLPConfig(depth=2, width=v["boolean_width"], in_dim=v["boolean_bits"])
    mingard = [replace(vp, depth=d, bias_scale=0.0) for d in (0, 1, 2)]
    book = [replace(vp, activation=a, prefactor=p) for a in v["boolean_activations"] for p in v["boolean_prefactors"]]
    return [*mingard, vp, *book], ["book"] * 3 + ["valle_perez"] + ["book"] * len(book)


def chapter6_units(preset: str) -> Counter:
    """Chapter 6's dominant work at ``preset``: Boolean networks (every configuration), the training
    runs (two activations x prefactors x models, full batch on the grid), the input-dimension
    study (dimension x component x activation x magnitude x network) and the local-volume study
    (two inits x activation x scale x seed x direction x radius perturbed networks).
    """
    v = preset_values("06_beyond", preset)
    units: Counter = Counter()
    units["boolean"] += len(chapter6_boolean_configs(preset)[0]) * v["boolean_networks"]
    models = 2 * len(v["train_prefactors"]) * v["train_models"]
    units += train_units(v["train_width"], v["train_depth"], 2, "mse", models * v["train_steps"], v["train_grid"] ** 2)
    units["dim"] += (len(set(v["dim_dims"])) * len(v["dim_components"]) * len(v["dim_activations"])
                     * len(v["dim_magnitudes"]) * v["dim_networks"])
    units["volume"] += (2 * len(v["volume_activations"]) * len(v["volume_log10_scales"]) * v["volume_seeds"]
                        * v["volume_directions"] * v["volume_radii"])
    return units


# ------------------------------------------------------------------ measured cost of each unit
#
# Each unit is timed on a small piece of the real work, with the library's own functions, at the
# `book` preset's settings of its chapter (CPU time, after a warm-up), so that the `book` rows
# check the measurement against the chapters' measured times.


def layer_seconds(width: int, intercept: float, grid_n: int = GRID, depth: int = 2, networks: int = 4) -> float:
    """CPU seconds of one hidden layer of width ``width`` (a ``layer<w>`` unit), per network.

    ``network_seconds`` at one depth, less the per-network ``intercept`` measured at width 64
    (mostly the measures, which do not depend on the width). Measured at each width because the
    cost is not a power of the width: small widths are dominated by the activations and the
    measures, large ones by the ``width^2`` layer products. Never below zero.
    """
    per_network = network_seconds(width, depth, grid_n, networks, warm_up=1)
    return max(0.0, (per_network - intercept) / depth)


def extra_seconds(grid_n: int = GRID, networks: int = 8) -> float:
    """CPU seconds of chapter 1's two extra measures (Legendre and plain DFT) of one function."""
    from redshift_utils.sweeps import EXTRA_MEASURES

    values = sample_functions(MLPConfig(), networks, n=grid_n).numpy()
    for measure in EXTRA_MEASURES.values():
        measure(values[:1])  # warm-up
    return cpu_seconds(lambda: [measure(values) for measure in EXTRA_MEASURES.values()]) / networks


def train_seconds(width: int, depth: int, in_dim: int, loss: str, models: int = 64, steps: int = 10) -> float:
    """CPU seconds of one ``train:<width>:<depth>:<in_dim>:<loss>`` unit: one Adam step of one MLP
    on 128 points, timed on ``models`` MLPs trained together (``train_mlps``, as the chapters train
    them) for ``steps`` steps after a warm-up step."""
    import torch

    from redshift_utils.training import TrainConfig, init_mlps, train_mlps

    config = MLPConfig(activation="tanh", depth=depth, width=width, in_dim=in_dim)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand((TRAIN_POINTS, in_dim), generator=gen) * 2 - 1
    y = (torch.rand((models, TRAIN_POINTS), generator=gen) > 0.5).to(x.dtype)
    params = init_mlps(config, models, seed=0)
    train = TrainConfig(optimizer="adam", lr=1e-3, steps=steps, loss=loss, seed=0)
    train_mlps(config, params, x, y, replace(train, steps=1))  # warm-up
    return cpu_seconds(lambda: train_mlps(config, params, x, y, train)) / (models * steps)


def guess_seconds(draws: int = 10_000) -> float:
    """CPU seconds of one ``guess`` unit: chapter 4's guess and check at its `book` settings, one
    chunk of ``draws`` for each family on task 0, per draw."""
    from redshift_utils.experiments import guess_and_check

    settings = replace(guess_and_check.GuessSettings.from_params(preset_values("04_trained_models", "book")),
                       draws=draws)
    families = guess_and_check.FAMILIES
    guess_and_check.guess_family(replace(settings, draws=100), families[0], 0)  # warm-up
    return cpu_seconds(lambda: [guess_and_check.guess_family(settings, f, 0) for f in families]) / (
        len(families) * draws)


def boolean_seconds(networks: int = 2048) -> float:
    """CPU seconds of one ``boolean`` unit: chapter 6's Boolean sweep at its `book` configurations,
    per network and configuration."""
    from redshift_utils import boolean

    configs, priors = chapter6_boolean_configs("book")
    bits = preset_values("06_beyond", "book")["boolean_bits"]
    boolean.boolean_sweep(configs, 64, n_bits=bits, priors=priors)  # warm-up
    work = lambda: boolean.boolean_sweep(configs, networks, n_bits=bits, priors=priors)  # noqa: E731
    return cpu_seconds(work) / (networks * len(configs))


def dim_seconds(networks: int = 8, dim: int = 8) -> float:
    """CPU seconds of one ``dim`` unit: a network of chapter 6's input-dimension study (`book`
    settings, a ReLU MLP in ``dim`` dimensions) drawn, read on its plane and its line, and scored."""
    from redshift_utils import dimensions
    from redshift_utils.fourier import fourier_complexity
    from redshift_utils.sampler import sample_mlp_params

    v = preset_values("06_beyond", "book")
    config = paper.figure5_config("relu", "mlp", in_dim=dim, width=v["dim_width"], depth=v["dim_depth"])

    def work(count: int) -> None:
        draws = sample_mlp_params(config, count)
        planes = dimensions.random_frames(dim, 2, count)
        lines = dimensions.random_frames(dim, 1, count)
        fourier_complexity(dimensions.plane_functions(config, draws, planes, v["dim_grid"]).numpy())
        dimensions.line_lz(dimensions.line_functions(config, draws, lines, v["dim_line_points"]))

    work(1)  # warm-up
    return cpu_seconds(lambda: work(networks)) / networks


def volume_seconds(seeds: int = 2, directions: int = 2) -> float:
    """CPU seconds of one ``volume`` unit: one perturbed network of chapter 6's local-volume study
    (`book` settings) evaluated on its grid, timed with ``divergence_profile``."""
    from redshift_utils import local_volume
    from redshift_utils.grids import grid

    v = preset_values("06_beyond", "book")
    config = MLPConfig(activation="tanh", width=v["volume_width"], depth=v["volume_depth"])
    radii = np.geomspace(1e-5, 10.0, v["volume_radii"])
    x = grid(v["volume_grid"])
    draws = local_volume.init_params(config, seeds)
    local_volume.divergence_profile(config, draws, x, radii=radii, n_directions=1)  # warm-up
    work = lambda: local_volume.divergence_profile(config, draws, x, radii=radii, n_directions=directions)  # noqa: E731
    return cpu_seconds(work) / (seeds * directions * len(radii))


def unit_seconds(key: str, mlp: tuple[float, float]) -> float:
    """The measured CPU seconds of the unit ``key`` (see the list above); ``mlp`` is ``mlp_cost``'s
    ``(intercept, per layer)`` at width 64 on the 64 x 64 grid, which gives ``mlp`` and ``layer64``."""
    if key == "mlp":
        return mlp[0]
    if key == "layer64":
        return mlp[1]
    if key.startswith("layer"):
        width = int(key[len("layer"):])
        return layer_seconds(width, mlp[0], networks=2 if width >= 512 else 4)
    if key.startswith("train:"):
        width, depth, in_dim, loss = key.split(":")[1:]
        return train_seconds(int(width), int(depth), int(in_dim), loss)
    measures = {"extra": extra_seconds, "guess": guess_seconds, "boolean": boolean_seconds, "dim": dim_seconds,
                "volume": volume_seconds}
    return measures[key]()


def work_seconds(units: Counter, seconds: dict[str, float]) -> float:
    """Sum over units of their count x their measured CPU seconds."""
    return float(sum(count * seconds[key] for key, count in units.items()))


# ------------------------------------------------------------------ every chapter's estimate


def chapter2_units(preset: str) -> Counter:
    """Chapter 2's random networks (``chapter2_networks``) as ``mlp`` and ``layer<width>`` units."""
    width = preset_values("02_activations", preset)["width"]
    units: Counter = Counter()
    for depth, networks in chapter2_networks(preset).items():
        units["mlp"] += networks
        units[f"layer{width}"] += networks * depth
    return units


def chapter5_units(preset: str) -> Counter:
    """Chapter 5's greedy sequences (``chapter5_sequences``): one ``sequence`` unit each (the
    intercept of ``transformer_cost``) and one ``block`` unit per Transformer block."""
    units: Counter = Counter()
    for depth, sequences in chapter5_sequences(preset).items():
        units["sequence"] += sequences
        units["block"] += sequences * depth
    return units


CHAPTER_UNITS: dict[str, Callable[[str], Counter]] = {
    "01_metrics": chapter1_units,
    "02_activations": chapter2_units,
    "03_components": chapter3_units,
    "03b_figure5_search": chapter3b_units,
    "04_trained_models": chapter4_units,
    "05_transformers": chapter5_units,
    "06_beyond": chapter6_units,
}
PRESETS = ("book", "paper")


def unit_keys() -> list[str]:
    """Every unit that some chapter counts at the `book` or `paper` preset."""
    return sorted({key for count in CHAPTER_UNITS.values() for preset in PRESETS for key in count(preset)})


def unit_costs(mlp: tuple[float, float], block: tuple[float, float]) -> dict[str, float]:
    """CPU seconds of every unit of ``unit_keys``: ``mlp`` and ``layer64`` from ``mlp`` (``mlp_cost``),
    ``sequence`` and ``block`` from ``block`` (``transformer_cost``), every other one measured here
    (about 15 s of CPU time in all, most of it the widest layers and the training shapes)."""
    given = {"sequence": block[0], "block": block[1]}
    return {key: given[key] if key in given else unit_seconds(key, mlp) for key in unit_keys()}


def paper_mlp_cost() -> tuple[float, float]:
    """``mlp_cost`` at chapter 2's paper width and grid: the ``mlp`` and ``layer64`` units."""
    v = preset_values("02_activations", "paper")
    return mlp_cost(v["width"], v["grid_n"])


def paper_block_cost() -> tuple[float, float]:
    """``transformer_cost`` of chapter 5's paper Transformer: the ``sequence`` and ``block`` units."""
    v = preset_values("05_transformers", "paper")
    config = TransformerConfig(width=v["width"], heads=v["heads"], vocab_size=v["vocab_size"], context=v["context"])
    return transformer_cost(config, v["activations"], [1.0, 3.0, 10.0, 30.0], v["length"])


def setting_seconds(stem: str, preset: str, params: dict, seconds: dict[str, float]) -> float:
    """Estimated CPU seconds of chapter ``stem`` at ``preset`` with ``params`` overridden (a slice).

    Raises ValueError before anything runs when the slice needs a unit that no preset uses (for
    example a width no chapter samples), which ``seconds`` cannot price.
    """
    with overridden(stem, params):
        units = CHAPTER_UNITS[stem](preset)
    missing = sorted(set(units) - set(seconds))
    if missing:
        raise ValueError(f"{stem} with {params} needs units no preset measures ({', '.join(missing)}); "
                         "slice the paper preset with values from its own grids")
    return work_seconds(units, seconds)


def chapter_seconds(seconds: dict[str, float]) -> dict[tuple[str, str], float]:
    """Estimated CPU seconds of every chapter at each preset, ``(stem, preset) -> seconds``."""
    return {(stem, preset): work_seconds(count(preset), seconds)
            for stem, count in CHAPTER_UNITS.items() for preset in PRESETS}


# Words for the table: which kind of work each unit is.
UNIT_KINDS = {
    "mlp": "random MLPs", "layer": "random MLPs", "extra": "random MLPs", "dim": "random MLPs",
    "train": "trained MLPs", "guess": "guess-and-check draws", "boolean": "Boolean networks",
    "volume": "perturbed networks", "sequence": "Transformer decoding", "block": "Transformer decoding",
}  # fmt: skip


def unit_kind(key: str) -> str:
    """The kind of work of unit ``key`` in words (``layer1024`` -> random MLPs)."""
    return next(kind for prefix, kind in sorted(UNIT_KINDS.items(), key=lambda p: -len(p[0])) if key.startswith(prefix))


def largest_part(units: Counter, seconds: dict[str, float]) -> tuple[str, float]:
    """The kind of work that costs the most in ``units``, and its share of the estimate."""
    by_kind: Counter = Counter()
    for key, count in units.items():
        by_kind[unit_kind(key)] += count * seconds[key]
    kind, cost = by_kind.most_common(1)[0]
    return kind, cost / sum(by_kind.values())


def short_name(stem: str) -> str:
    """A chapter's number as the glue keys use it: ``03b_figure5_search`` -> ``03b``."""
    return stem.split("_")[0]
