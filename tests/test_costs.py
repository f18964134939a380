"""Unit tests of the status page's cost estimates (``redshift_utils/book/costs.py``)."""

from __future__ import annotations

import math
from collections import Counter

import pytest

import redshift_utils as ru
from redshift_utils.book import costs
from redshift_utils.book.paths import NOTEBOOKS_DIR
from redshift_utils.transformer_study import gain_grid


def test_chapter5_sequences_count_the_three_sweeps():
    v = costs.preset_values("05_transformers", "smoke")
    counts = costs.chapter5_sequences("smoke")
    gains = len(gain_grid(v["gain_min"], v["gain_max"], v["gains_per_decade"]))
    shoulder = len(gain_grid(v["shoulder_gain_min"], v["shoulder_gain_max"], v["shoulder_per_decade"]))
    depths = sorted(v["depths"])
    main = len(v["activations"]) * gains * v["n_models"]
    expected = Counter({d: main for d in depths})
    expected[depths[len(depths) // 2]] += len(v["ablation_activations"]) * gains * v["n_models"]
    for d in v["shoulder_depths"]:
        expected[d] += len(v["shoulder_activations"]) * shoulder * v["shoulder_models"]
    assert counts == expected


def test_paper_presets_sample_more_than_book():
    for count in (costs.chapter2_networks, costs.chapter5_sequences):
        book, paper = count("book"), count("paper")
        assert sum(paper.values()) > sum(book.values()) > 0
    assert max(costs.chapter5_sequences("paper")) == 12  # up to GPT-2 small's 12 blocks
    assert 0 in costs.chapter2_networks("book")  # the unbiased model


def test_linear_cost_and_estimate():
    intercept, slope = costs.linear_cost(lambda depth: 2.0 + 3.0 * depth, (1, 5))
    assert (intercept, slope) == pytest.approx((2.0, 3.0))
    assert costs.estimate_seconds(Counter({1: 10, 4: 2}), (2.0, 3.0)) == pytest.approx(10 * 5 + 2 * 14)


def test_measured_cost_is_a_finite_line():
    """Timings on a loaded machine are noisy, so only the shape of the answer is checked here."""
    config = ru.TransformerConfig(width=16, heads=2, vocab_size=32, context=16)
    cost = costs.transformer_cost(config, ["gelu", "tanh"], [1.0, 4.0], 12, depths=(1, 4))
    assert len(cost) == 2 and all(math.isfinite(c) for c in cost)
    assert costs.cpu_seconds(lambda: sum(range(10**6))) > 0


# ------------------------------------------------------------------ every chapter's units


def test_mlp_units_count_networks_and_layers_at_their_width_and_grid():
    configs = [ru.MLPConfig(depth=3), ru.MLPConfig(depth=1, width=256), ru.UnbiasedConfig()]
    assert costs.mlp_units(configs, 10) == Counter({"mlp": 30, "layer64": 30, "layer256": 10})
    # a 128 x 128 grid has four times the points of the 64 x 64 one
    assert costs.mlp_units(configs, 10, grid_n=128) == Counter({"mlp": 120, "layer64": 120, "layer256": 40})


def test_train_units_scale_with_the_points_of_a_step():
    assert costs.train_units(32, 3, 2, "bce", 1000, points=128) == Counter({"train:32:3:2:bce": 1000})
    assert costs.train_units(32, 3, 2, "bce", 1000, points=4096, batch=64) == Counter({"train:32:3:2:bce": 500})
    assert costs.train_units(32, 3, 2, "mse", 1000, points=1024) == Counter({"train:32:3:2:mse": 8000})


def test_chapter1_units_at_smoke_by_hand():
    v = costs.preset_values("01_metrics", "smoke")
    assert (v["fig6_activations"], v["fig6_depths"], v["fig6_prefactors"], v["n_networks"]) == (
        ["relu", "tanh", "sin"], [1, 3], [1.0, 10.0], 6)
    assert (v["resolution_ns"], len(v["resolution_activations"]), len(v["resolution_prefactors"]),
            v["resolution_networks"], v["grid_n"]) == ([32, 64], 2, 2, 4, 64)
    # Figure 6: 12 MLPs + the unbiased model, 6 networks each; hidden layers 6 x 3 x 2 x (1 + 3)
    fig6_mlp, fig6_layers = 13 * 6, 6 * 3 * 2 * (1 + 3)
    # levels: ReLU and TanH (depth 3), 6 networks, on 32 (a quarter of the points) and 64
    levels_mlp, levels_layers = 12 * (0.25 + 1), 12 * 3 * (0.25 + 1)
    # resolution: 4 MLPs (depth 3) + the unbiased model, 4 networks, on 32 and 64
    res_mlp, res_layers = 20 * (0.25 + 1), 16 * 3 * (0.25 + 1)
    assert costs.chapter1_units("smoke") == Counter({
        "mlp": fig6_mlp + levels_mlp + res_mlp, "layer64": fig6_layers + levels_layers + res_layers, "extra": 13 * 6})


def test_chapter3_plans_at_smoke_by_hand():
    v = costs.preset_values("03_components", "smoke")
    plans = {name: (configs, networks) for name, configs, networks in costs.chapter3_plans("smoke")}
    acts, parts = len(ru.paper.ACTIVATIONS), len(ru.paper.COMPONENTS)
    assert (acts, parts, v["depths"], v["ln_gains"], v["priors"], v["widths"]) == (7, 4, [1, 3], [0.5, 4.0],
                                                                                  ["student_t"], [16, 64])
    assert len(plans["depth"][0]) == 7 * 4 * 2 and plans["depth"][1] == v["study_networks"]
    assert len(plans["gain"][0]) == 7 * 2
    assert len(plans["priors"][0]) == 1 * 4 * 7 * 2  # prior x component x activation x (1, its x max)
    # fixed first layer: 2 activations x 2 widths x prefactors 1 and 5, at the width study's networks
    assert len(plans["fixed first layer"][0]) == 2 * 2 * 2 and plans["fixed first layer"][1] == v["width_networks"]
    assert {c.width for c in plans["width"][0]} == {16, 64}
    assert all(len(set(configs)) == len(configs) for configs, _ in plans.values())  # each sampled once
    units = costs.chapter3_units("smoke")
    assert units["layer16"] > 0 and units["mlp"] == sum(len(c) * n for c, n in plans.values()) * (32 / 64) ** 2


def test_chapter3b_units_are_what_the_search_samples():
    """The units of chapter 3b are those of the configurations ``run_search`` hands to its sweeps."""
    from redshift_utils import figure5_search as search

    v = costs.preset_values("03b_figure5_search", "smoke")
    grid = search.SearchGrid(depths=tuple(v["search_depths"]), widths=tuple(v["search_widths"]),
                             grids=tuple(v["search_grids"]), magnitudes=tuple(v["magnitudes"]))
    sampled: Counter = Counter()

    class Result:
        def __init__(self, configs):
            self.configs = configs
            self.scores = {"fourier": [[0.0]] * len(configs)}

    def sweep(name, configs, n):
        sampled.update(costs.mlp_units(configs, v["search_networks"], n))
        return Result(configs), 0.0

    search.run_search(grid, v["activations"], sweep)
    assert costs.chapter3b_units("smoke") == sampled
    assert set(sampled) == {"mlp", "layer16", "layer64"}  # the searched width and the default block's


def test_chapter4_units_at_smoke_by_hand():
    units = costs.chapter4_units("smoke")
    assert units == Counter({
        "train:16:3:2:bce": 3 * 3 * 2 * 2 * 500,  # modulo: activations x prefactors x M x seeds, 128 points
        "train:16:2:2:bce": (3 * 3 + 1) * 2 * 2 * 300,  # the study's one cell (0.5 / 16 / 2): 128 points
        "train:8:2:136:mse": 3 * 3 * 2 * 2 * 20,  # shortcut and its control, batches of 128
        "train:16:3:2:mse": 2 * 10 * 8 + 2 * (2 * 2 * 20) * 0.5,  # E.3 pre-fit on 32^2, two coverages, batch 64
        "guess": 2 * 2 * 2000,  # tasks x families x draws
    })


def test_chapter6_units_at_smoke_by_hand():
    assert costs.chapter6_units("smoke") == Counter({
        "boolean": (3 + 1 + 2 * 2) * 3000,  # perceptron, 1 and 2 ReLU layers, Valle-Perez, activation x prefactor
        "train:32:3:2:mse": 2 * 2 * 3 * 150 * 16**2 / 128,  # ReLU and Sin x prefactors x models x steps, 16^2 points
        "dim": 2 * 2 * 2 * 2 * 4,  # dimension x component x activation x magnitude x network
        "volume": 2 * 2 * 3 * 3 * 4 * 16,  # init x activation x scale x seed x direction x radius
    })


def test_every_chapter_costs_more_at_paper_than_at_book():
    ones = {key: 1.0 for key in costs.unit_keys()}
    estimates = costs.chapter_seconds(ones)
    assert {stem for stem, _ in estimates} == {path.stem for path in NOTEBOOKS_DIR.glob("*.md")}
    for stem in costs.CHAPTER_UNITS:
        assert estimates[stem, "paper"] > estimates[stem, "book"] > 0, stem
    for count in (costs.chapter1_units, costs.chapter3_units, costs.chapter3b_units, costs.chapter4_units,
                  costs.chapter6_units):
        book, paper = count("book"), count("paper")
        assert sum(paper.values()) > sum(book.values()) > 0


def test_work_seconds_kinds_and_shares():
    units = Counter({"layer64": 10, "train:32:3:2:bce": 4, "volume": 2})
    seconds = {"layer64": 1.0, "train:32:3:2:bce": 5.0, "volume": 0.5}
    assert costs.work_seconds(units, seconds) == pytest.approx(10 + 20 + 1)
    assert costs.largest_part(units, seconds) == ("trained MLPs", pytest.approx(20 / 31))
    assert [costs.unit_kind(k) for k in ("layer1024", "mlp", "guess", "block")] == [
        "random MLPs", "random MLPs", "guess-and-check draws", "Transformer decoding"]
    assert costs.short_name("03b_figure5_search") == "03b" and costs.modulo_unit("smoke") == "train:16:3:2:bce"


def test_measured_units_are_positive():
    """Timings on a loaded machine are noisy: only that each unit measures something is checked."""
    assert costs.train_seconds(8, 1, 2, "mse", models=2, steps=2) > 0
    assert costs.volume_seconds(seeds=1, directions=1) > 0
    assert costs.layer_seconds(16, intercept=0.0, depth=1, networks=1) > 0
