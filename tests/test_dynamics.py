"""Unit tests of redshift_utils.dynamics: targets of known frequencies and training snapshots (chapter 6)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.fft
import torch

import redshift_utils as ru
from redshift_utils import dynamics
from redshift_utils.training import TrainConfig, train_mlps

COMPONENTS = [(1, 1), (2, 2), (4, 0)]


def test_cosine_target_is_its_components_in_the_dct():
    target = dynamics.cosine_target(16, COMPONENTS)
    assert target.shape == (16, 16) and target.dtype == ru.compute_dtype()
    coeffs = scipy.fft.dctn(target.double().numpy(), type=2, norm="ortho")
    mask = np.zeros_like(coeffs, dtype=bool)
    for j1, j2 in COMPONENTS:
        mask[j1, j2] = True
    assert np.abs(coeffs[~mask]).max() < 1e-6
    assert np.allclose(np.abs(coeffs[mask]), 16.0 * np.sqrt(1.0), rtol=1e-5)  # unit RMS over 256 points
    assert dynamics.component_frequency((3, 4)) == 2.5


@pytest.mark.parametrize("components", [[(0, 0)], [], [(1, 1), (1, 1)], [(16, 0)], [(1,)]])
def test_cosine_target_refuses_bad_components(components):
    with pytest.raises(ValueError, match="components"):
        dynamics.cosine_target(16, components)


def test_component_residuals():
    target = dynamics.cosine_target(16, COMPONENTS)
    assert np.allclose(dynamics.component_residuals(target, target, COMPONENTS), 0.0, atol=1e-6)
    assert np.allclose(dynamics.component_residuals(torch.zeros(2, 16, 16), target, COMPONENTS), 1.0)
    half = target - 0.5 * dynamics.cosine_target(16, [(2, 2)])
    assert np.allclose(dynamics.component_residuals(half, target, COMPONENTS), [0.0, 0.5, 0.0], atol=1e-6)


def test_snapshot_steps():
    steps = dynamics.snapshot_steps(1000, 20)
    assert steps[0] == 0 and steps[-1] == 1000 and steps == sorted(set(steps)) and len(steps) <= 21
    assert steps[:3] == [0, 1, 2] and steps[-2] < 1000 * 0.9  # dense at the start, log-spaced


def test_first_step_below_needs_the_residual_to_stay_below():
    steps = np.array([0, 10, 20, 30])
    residuals = np.array([[1.0, 1.0, 0.05], [0.1, 1.0, 0.05], [0.5, 0.9, 0.05], [0.1, 0.9, 0.05]])
    assert dynamics.first_step_below(residuals, steps, 0.2).tolist() == [30.0, 31.0, 0.0]
    with pytest.raises(ValueError, match="one row per snapshot"):
        dynamics.first_step_below(residuals, steps[:2], 0.2)


def test_order_correlation():
    freqs = [0.5, 1.0, 2.0]
    learned = np.array([[10, 20, 30], [30, 20, 10], [5, 5, 5]])
    assert dynamics.order_correlation(freqs, learned).tolist() == pytest.approx([1.0, -1.0, 0.0])
    with pytest.raises(ValueError, match="components"):
        dynamics.order_correlation(freqs, np.zeros((2, 2)))


def test_snapshots_follow_the_batched_trainer_exactly():
    config = ru.MLPConfig(activation="sin", width=8, depth=2)
    params = ru.sample_mlp_params(config, 3, seed=0)
    x = ru.grid(8)
    y = dynamics.cosine_target(8, [(1, 1), (2, 2)]).reshape(-1)
    train = TrainConfig(lr=1e-2, steps=12, loss="mse")
    prefactors = torch.tensor([1.0, 2.0, 5.0])
    snaps = dynamics.train_with_snapshots(config, params, x, y, train, record_at=[0, 3, 12], prefactors=prefactors)
    reference = train_mlps(config, params, x, y, train, prefactors=prefactors)
    assert snaps.steps.tolist() == [0, 3, 12] and snaps.outputs.shape == (3, 3, 64)
    for a, b in zip(snaps.params, reference.params, strict=True):
        assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)
    assert np.array_equal(snaps.losses, reference.losses.numpy())
    start = ru.training.predict(config, params, x, prefactors).double().numpy()
    assert np.allclose(snaps.outputs[0], start, atol=1e-6)
    end = ru.training.predict(config, reference.params, x, prefactors).double().numpy()
    assert np.allclose(snaps.outputs[-1], end, atol=1e-6)
    with pytest.raises(ValueError, match="record_at"):
        dynamics.train_with_snapshots(config, params, x, y, train, record_at=[0, 13])
