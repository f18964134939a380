"""Tests of chapter 5's sweep and statistics (``redshift_utils/transformer_study.py``)."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from scipy import stats as scipy_stats

import redshift_utils as ru
from redshift_utils import transformer_study as ts
from redshift_utils.book.specs.transformers import SPEC

TINY = ru.TransformerConfig(depth=1, width=8, heads=2, vocab_size=16, context=12)


# --------------------------------------------------------------------------------- the sweep


def test_gain_grid_is_log_spaced_and_contains_one():
    gains = ts.gain_grid(0.1, 32.0, 4)
    assert gains[0] == pytest.approx(0.1) and gains[-1] == pytest.approx(10**1.5)
    assert 1.0 in gains
    assert np.allclose(np.diff(np.log10(gains)), 0.25)
    assert ts.gain_grid(0.1, 10.0, 12) == pytest.approx(list(np.logspace(-1, 1, 25)))
    assert ts.gain_grid(2.0, 1.0, 4) == []


def test_gain_grid_refuses_what_has_no_logarithm():
    with pytest.raises(ValueError, match="low > 0"):
        ts.gain_grid(0.0, 1.0, 4)
    with pytest.raises(ValueError, match="per_decade"):
        ts.gain_grid(0.1, 1.0, 0)


def test_spec_uses_the_same_grid():
    values = {p.name: p.value_for("book") for p in SPEC.params}
    assert ts.gain_grid(values["gain_min"], values["gain_max"], values["gains_per_decade"])[0] == pytest.approx(0.1)
    rule = next(r for r in SPEC.rules if r.__name__ == "three_gains")
    assert rule(values) is None
    assert "need at least 3" in rule({**values, "gain_min": 1.0, "gain_max": 1.0})


def test_decode_all_matches_generate_sequences_cell_by_cell():
    gains = [0.5, 4.0]
    tokens = ts.decode_all(TINY, ["gelu", "sin"], [1, 2], gains, 3, length=6, seed=5)
    assert tokens.shape == (2, 2, 2, 3, 6) and tokens.dtype == np.int32
    config = dataclasses.replace(TINY, activation="sin", depth=2, ln_gain=4.0)
    expected = ru.generate_sequences(config, 3, length=6, seed=5).numpy()
    np.testing.assert_array_equal(tokens[1, 1, 1], expected)
    # model i draws its prompt first, from its own stream: the same in every cell
    assert (tokens[..., 0] == tokens[0, 0, 0, :, 0]).all()


# ----------------------------------------------------------------------------- sequences


def test_lz76_counts_scores_every_sequence():
    tokens = np.array([[[1, 1, 1, 1], [1, 2, 3, 4]], [[5, 5, 6, 6], [0, 1, 0, 1]]])
    counts = ts.lz76_counts(tokens)
    assert counts.shape == (2, 2) and counts.dtype == np.float64
    assert counts.tolist() == [[ru.lz76(r) for r in block] for block in tokens.tolist()]
    assert counts[0, 0] == 2


def test_random_lz76_is_reproducible_and_near_the_length():
    tokens, counts = ts.random_lz76(512, 100, 50, ru.rng(0, 1))
    again, _ = ts.random_lz76(512, 100, 50, ru.rng(0, 1))
    np.testing.assert_array_equal(tokens, again)
    assert tokens.shape == (50, 100) and 80 < counts.mean() < 100


def test_tail_period():
    assert ts.tail_period([3, 1, 4, 1, 5, 5, 5, 5, 5, 5, 5, 5]) == 1
    assert ts.tail_period([9, 8, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]) == 2
    assert ts.tail_period(list(range(12))) == 0


# ---------------------------------------------------------------------------- statistics


def test_model_bootstrap_resamples_models_like_bootstrap_ci():
    values = np.random.default_rng(0).normal(size=20)
    expected = ru.bootstrap_ci(values, seed=3)
    assert ts.model_bootstrap(20, lambda idx: values[idx].mean(), seed=3) == pytest.approx(expected)


def test_model_bootstrap_each_agrees_with_the_scalar_version():
    values = np.random.default_rng(1).normal(size=(3, 15))  # (quantity, model)
    est, low, high = ts.model_bootstrap_each(15, lambda idx: values[:, idx].mean(1), seed=2)
    for row in range(3):
        scalar = ts.model_bootstrap(15, lambda idx, r=row: values[r, idx].mean(), seed=2)
        assert (est[row], low[row], high[row]) == pytest.approx(scalar)


def test_rank_correlation_per_model_matches_scipy():
    x = np.log([0.1, 0.3, 1.0, 3.0, 10.0])
    y = np.random.default_rng(4).normal(size=(5, 6))
    expected = [scipy_stats.spearmanr(x, y[:, m]).statistic for m in range(6)]
    np.testing.assert_allclose(ts.rank_correlation_per_model(x, y), expected)


def test_constant_complexity_counts_as_no_rise_without_error():
    """An activation whose every sequence scores the same must not crash the chapter (no rank order: 0)."""
    x = np.log([0.1, 1.0, 10.0, 100.0])
    y = np.full((4, 5), 0.022)
    y[:, 0] = [0.1, 0.2, 0.3, 0.4]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConstantInputWarning either
        rho = ts.rank_correlation_per_model(x, y)
    np.testing.assert_allclose(rho, [1.0, 0.0, 0.0, 0.0, 0.0])
    est, low, high = ts.model_bootstrap_each(5, lambda idx: rho[idx].mean(keepdims=True), seed=0)
    assert np.isfinite([est, low, high]).all()
    with pytest.raises(ValueError, match="constant"):  # what the chapter avoids by not pooling
        ru.spearman_ci(np.repeat(x, 5), np.full(20, 0.022))


def test_spread_and_range():
    lz = np.zeros((3, 4, 2))  # (activation, gain, model)
    lz[1] += 0.3
    lz[2, :, 0] = [0.0, 0.2, 0.4, 0.6]
    lz[2, :, 1] = [0.0, 0.0, 0.2, 0.2]
    spread = ts.spread_over_activations(lz)
    np.testing.assert_allclose(spread, np.std(lz.mean(-1), axis=0))
    assert ts.spread_over_activations(np.zeros((3, 4, 2))).tolist() == [0.0] * 4
    np.testing.assert_allclose(ts.range_over_gains(lz), [0.0, 0.0, 0.4])
    np.testing.assert_allclose(ts.range_over_gains(lz, np.array([1, 1])), [0.0, 0.0, 0.2])


def test_growth_with_depth():
    values = np.array([[0.1, 0.2], [0.3, 0.1], [0.4, 0.1]])
    np.testing.assert_allclose(ts.growth_with_depth(values), [[0.2, -0.1], [0.1, 0.0]])


# ----------------------------------------------------------------------------- shoulders


def _curves(mean: list[float], n_models: int = 40, noise: float = 0.01) -> np.ndarray:
    rng = np.random.default_rng(7)
    return np.array(mean)[:, None] + noise * rng.normal(size=(len(mean), n_models))


def test_stall_finds_a_two_phase_rise():
    i, k, j, depth = ts.stall(np.array([0.0, 0.05, 0.3, 0.32, 0.33, 0.6, 0.7, 0.72]))
    assert (i, k, j) == (1, 3, 4) and depth == pytest.approx(0.24)  # 0.05 -> 0.3 and 0.33 -> 0.6 around 0.32 -> 0.33


def test_stall_of_a_smooth_rise_is_not_positive():
    logistic = 1 / (1 + np.exp(-(np.arange(13) - 6.0) / 2))
    for window in (1, 2, 3):
        assert ts.stall(logistic, window)[3] <= 1e-12


def test_stall_windows_do_not_overlap_and_need_enough_gains():
    curve = np.array([0.0, 0.1, 0.3, 0.5, 0.52, 0.53, 0.55, 0.8, 1.0, 1.1])
    i, k, j, depth = ts.stall(curve, window=2)
    assert i <= k - 2 and j >= k + 2 and depth > 0.3
    assert ts.shoulder_window(12) == 3 and ts.shoulder_window(3) == 1 and ts.shoulder_window(1) == 1
    with pytest.raises(ValueError, match="at least 7 gains"):
        ts.stall(np.zeros(6), window=2)


def test_held_out_shoulder_sees_a_real_stall_and_not_noise():
    gains = [10 ** (k / 12) for k in range(13)]
    two_phase = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.41, 0.42, 0.43, 0.44, 0.55, 0.66, 0.77, 0.88])
    rng = np.random.default_rng(3)
    real = two_phase[None, :, None] + 0.05 * rng.normal(size=(2, 13, 60))  # (depth, gain, model)
    real[0] -= two_phase[:, None] * 0.5  # the other depth's stall is shallower: the deeper one is chosen
    found = ts.held_out_shoulders(real, gains, window=3)
    assert len(found) == 2 and all(r.depth_index == 1 and r.low > 0.1 for r in found)
    assert all(r.gain in (gains[7], gains[8]) for r in found)  # the flat windows (0.40 -> 0.43, 0.41 -> 0.44) end there
    smooth = np.linspace(0, 1, 13)[None, :, None] + 0.05 * rng.normal(size=(1, 13, 60))
    noise = ts.held_out_shoulders(smooth, gains, window=3)
    assert all(r.low < 0.02 for r in noise) and all(r.found > r.estimate for r in noise)  # the winner's curse
    with pytest.raises(ValueError, match="at least 4 models"):
        ts.held_out_shoulders(real[..., :3], gains, window=3)


# ------------------------------------------------------------------------------- verdicts


@pytest.mark.parametrize(
    ("conditions", "verdict", "margin", "weakest"),
    [
        ([(0.1, 0.3, 0.0, True), (0.05, 0.2, 0.0, True)], "reproduced", 0.05, 1),
        ([(-0.3, -0.1, 0.0, True), (0.2, 0.4, 0.5, True)], "not reproduced", 0.1, 1),
        ([(0.1, 0.3, 0.0, True), (-0.2, 0.1, 0.0, True)], "partly", -0.2, 1),
        ([(0.1, 0.3, 0.0, True), (-0.3, -0.1, 0.0, True)], "partly", -0.3, 1),
        ([(-0.1, 0.2, 0.0, True), (-0.05, 0.1, 0.0, True)], "inconclusive", -0.1, 0),
        ([(-0.3, 0.1, 0.0, True), (-0.05, 0.1, 0.0, True)], "inconclusive", -0.1, 0),
        ([(-0.3, -0.1, 0.0, False), (0.2, 0.4, 0.5, False)], "reproduced", 0.1, 1),
    ],
)
def test_combine_verdicts(conditions, verdict, margin, weakest):
    got, got_margin, got_weakest = ts.combine_verdicts(conditions)
    assert (got, got_weakest) == (verdict, weakest)
    assert got_margin == pytest.approx(margin)


def test_one_condition_agrees_with_interval_verdict():
    for low, high in ((0.1, 0.3), (-0.3, -0.1), (-0.1, 0.3), (-0.3, 0.1)):
        for above in (True, False):
            verdict, margin, _ = ts.combine_verdicts([(low, high, 0.0, above)])
            assert (verdict, margin) == pytest.approx(ru.interval_verdict(low, high, 0.0, above=above))


def test_combine_verdicts_edge_cases():
    assert ts.combine_verdicts([(math.nan, 0.1, 0.0, True)])[0] == "inconclusive"
    with pytest.raises(ValueError, match="at least one"):
        ts.combine_verdicts([])


def test_verdict_all_above_flattens_and_points_at_the_weakest():
    lows = np.array([[0.2, 0.1], [0.3, 0.05]])
    verdict, margin, weakest = ts.verdict_all_above(lows, lows + 0.1)
    assert verdict == "reproduced" and margin == pytest.approx(0.05)
    assert np.unravel_index(weakest, lows.shape) == (1, 1)
