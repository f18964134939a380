"""redshift_utils.experiments.common: prefactor grids, model selection, slices, seed intervals, verdicts."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import redshift_utils as ru
from redshift_utils.experiments.common import (
    across_cases,
    all_of,
    init_complexity,
    log_prefactors,
    seed_interval,
    select_models,
    slice_points,
)
from redshift_utils.training import init_mlps

YES, NO, OPEN = "reproduced", "not reproduced", "inconclusive"


def test_log_prefactors_are_log_spaced_between_the_ends():
    values = log_prefactors(0.25, 16.0, 7)
    assert values == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0]
    assert log_prefactors(2.0, 2.0, 1) == [2.0]
    for bad in ((0.0, 1.0, 3), (2.0, 1.0, 3), (1.0, 2.0, 0), (1.0, 2.0, True)):
        with pytest.raises(ValueError):
            log_prefactors(*bad)


def test_select_models_picks_rows_with_repeats():
    config = ru.MLPConfig(depth=2, width=4)
    stacked = init_mlps(config, 3, seed=1)
    picked = select_models(stacked, [2, 0, 2])
    for layer, original in zip(picked, stacked, strict=True):
        assert torch.equal(layer.weight[0], original.weight[2]) and torch.equal(layer.weight[2], original.weight[2])
        assert torch.equal(layer.bias[1], original.bias[0])
        assert layer.gate_weight is None


def test_slice_points_are_the_grid_in_two_dimensions_and_centred_planes_otherwise():
    assert torch.equal(slice_points(2, 8, 3, seed=0)[0], ru.grid(8).to(ru.compute_dtype()))
    points = slice_points(6, 8, 3, seed=0).double()
    assert points.shape == (3, 64, 6)
    # Each slice is a 2-D plane through the centre: rank 2, and distances scaled by sqrt(d / 2).
    plane = ru.grid(8)
    for s in range(3):
        assert torch.linalg.matrix_rank(points[s], rtol=1e-4) == 2
        assert torch.allclose(points[s].norm(dim=1), plane.norm(dim=1) * math.sqrt(3.0), atol=1e-5)
    assert torch.equal(slice_points(6, 8, 3, seed=0), slice_points(6, 8, 3, seed=0))


def test_init_complexity_averages_the_measure_over_slices():
    config = ru.MLPConfig(activation="tanh", depth=2, width=8, in_dim=4)
    stacked = init_mlps(config, 2, seed=3)
    slices = slice_points(4, 16, 3, seed=1)
    prefactors = torch.tensor([1.0, 4.0])
    scores = init_complexity(config, stacked, prefactors, slices, ru.fourier_complexity)
    assert scores.shape == (2,) and np.isfinite(scores).all()
    single = init_complexity(config, stacked, prefactors, slices[:1], ru.fourier_complexity)
    assert not np.allclose(scores, single)  # the other slices count


def test_seed_interval_resamples_seeds_and_has_no_interval_for_one_seed():
    mean, low, high = seed_interval([0.1, 0.2, 0.3, 0.4], seed=0)
    assert mean == pytest.approx(0.25) and low <= mean <= high
    mean, low, high = seed_interval([0.7])
    assert mean == 0.7 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in seed_interval([]))
    assert math.isnan(seed_interval([0.1, float("nan")])[1])


@pytest.mark.parametrize(
    ("conditions", "verdict", "margin"),
    [
        ([(YES, 0.2), (YES, 0.05)], YES, 0.05),  # all hold: the weakest
        ([(YES, 0.2), (NO, 0.1), (NO, 0.3)], NO, 0.3),  # one fails: the clearest failure
        ([(YES, 0.2), (OPEN, -0.04)], OPEN, -0.04),
        ([], "not tested", float("nan")),
    ],
)
def test_all_of_is_a_conjunction(conditions, verdict, margin):
    got = all_of(conditions)
    assert got[0] == verdict
    assert (math.isnan(got[1]) and math.isnan(margin)) or got[1] == pytest.approx(margin)


@pytest.mark.parametrize(
    ("cases", "verdict", "margin"),
    [
        ([(YES, 0.2), (YES, 0.1)], YES, 0.1),
        ([(YES, 0.2), (NO, 0.1)], "partly", -0.1),
        ([(YES, 0.2), (OPEN, -0.03)], "partly", -0.03),
        ([(NO, 0.2), (NO, 0.1)], NO, 0.1),
        ([(NO, 0.2), (OPEN, -0.05)], NO, -0.2),
        ([(OPEN, -0.2), (OPEN, -0.05)], OPEN, -0.2),
    ],
)
def test_across_cases_reads_partly_when_some_cases_hold(cases, verdict, margin):
    got = across_cases(cases)
    assert got == (verdict, pytest.approx(margin))
