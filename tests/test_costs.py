"""Unit tests of the status page's cost estimates (``redshift_utils/book/costs.py``)."""

from __future__ import annotations

import math
from collections import Counter

import pytest

import redshift_utils as ru
from redshift_utils.book import costs
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
