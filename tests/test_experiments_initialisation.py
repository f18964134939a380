"""redshift_utils.experiments.initialisation: the complex start of appendix E.3 and its excess complexity."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import redshift_utils as ru
from redshift_utils.experiments import initialisation
from redshift_utils.experiments.initialisation import ComplexInitSettings
from redshift_utils.training import TrainConfig


def test_excess_remaining_is_the_paired_ratio_of_mean_excesses():
    before = np.array([[0.1, 0.2], [0.5, 0.6]])  # [start, seed]
    after = np.array([[0.1, 0.1], [0.2, 0.3]])
    assert initialisation.excess_remaining(before, after) == pytest.approx((0.1 + 0.2) / (0.4 + 0.4))
    assert initialisation.excess_remaining(before, after, np.array([1.0, 1.0])) == pytest.approx(0.5)


def test_the_complex_start_is_more_complex_and_both_starts_see_the_same_points():
    s = ComplexInitSettings(
        seeds=2,
        width=32,
        prefit=TrainConfig(lr=1e-2, steps=150, loss="mse"),
        train=TrainConfig(lr=1e-3, steps=5, loss="mse"),
        grid_n=16,
        prefit_grid=16,
        train_points=20,
    )
    out = initialisation.run_complex_init(s)
    assert out["before"].shape == (2, 2, 16, 16) and out["train_idx"].shape == (2, 20)
    c = ru.fourier_complexity(out["before"])
    assert (c[1] > c[0]).all()  # fitting white noise raised the complexity of every seed's start
    assert not np.array_equal(out["train_idx"][0], out["train_idx"][1])
    rows = initialisation.complex_init_records(c, ru.fourier_complexity(out["after"]), np.zeros((2, 2)))
    assert [r["start"] for r in rows] == ["standard", "standard", "complex", "complex"]
    assert initialisation.smooth_target(ru.grid(4)).shape == (16,)


def test_coverage_sets_are_nested_and_its_training_point_entry_is_the_main_run():
    s = ComplexInitSettings(
        seeds=2,
        width=8,
        prefit=TrainConfig(lr=1e-2, steps=3, loss="mse"),
        train=TrainConfig(lr=1e-3, steps=4, loss="mse", batch_size=20),
        grid_n=16,
        prefit_grid=8,
        train_points=20,
        coverage=(20, 64),
    )
    few, more = s.train_indices(1, 20), s.train_indices(1, 64)
    assert torch.equal(more[:20], few) and len(set(more.tolist())) == 64
    out = initialisation.run_complex_init(s)
    assert out["coverage_after"].shape == (2, 2, 2, 16, 16)
    assert np.array_equal(out["coverage_after"][0], out["after"])
    assert not np.array_equal(out["coverage_after"][1], out["after"])
