"""Unit tests of redshift_utils.local_volume: star-shaped regions in parameter space under a Gaussian (chapter 6)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

import redshift_utils as ru
from redshift_utils import local_volume as lv

SMALL = ru.MLPConfig(activation="tanh", width=6, depth=2)


def test_flatten_and_unflatten_are_inverse():
    params = ru.sample_mlp_params(SMALL, 3)
    flat = lv.flatten(params)
    assert flat.shape == (3, 2 * 6 + 6 + 6 * 6 + 6 + 6 + 1)
    for a, b in zip(lv.unflatten(flat, params), params, strict=True):
        assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)


def test_torch_init_bounds_and_the_same_draws_under_both_inits():
    book = lv.init_params(SMALL, 50, init="book")
    torch_init = lv.init_params(SMALL, 50, init="torch", scale=2.0)
    for (fan_in, _), a, b in zip([(2, 6), (6, 6), (6, 1)], book, torch_init, strict=True):
        bound = 2.0 / math.sqrt(fan_in)
        assert float(b.weight.abs().max()) <= bound * (1 + 1e-6) and float(b.bias.abs().max()) <= bound * (1 + 1e-6)
        ratio = b.weight / a.weight
        assert torch.allclose(ratio, ratio.flatten()[0].expand_as(ratio), rtol=1e-5)
    same = lv.init_params(SMALL, 50, init="book")
    assert all(torch.equal(a.weight, b.weight) for a, b in zip(book, same, strict=True))
    assert torch.allclose(book[0].weight, ru.sample_mlp_params(SMALL, 50)[0].weight)
    no_bias = lv.init_params(ru.MLPConfig(width=6, depth=2, bias_scale=0.0), 5, init="torch")
    assert all(float(layer.bias.abs().max()) == 0.0 for layer in no_bias)
    with pytest.raises(ValueError, match="scale"):
        lv.init_params(SMALL, 2, scale=0.0)
    with pytest.raises(ValueError, match="init"):
        lv.init_params(SMALL, 2, init="xavier")


def test_divergence_profile_shapes_small_steps_and_independence():
    params = ru.sample_mlp_params(SMALL, 3, seed=1)
    x = ru.grid(8)
    radii = np.geomspace(1e-4, 1.0, 6)
    profile = lv.divergence_profile(SMALL, params, x, radii=radii, n_directions=5, seed=2)
    assert profile.mse.shape == (3, 5, 6) and profile.dots.shape == (3, 5)
    assert profile.dim == lv.flatten(params).shape[1]
    assert (profile.variance > 0).all()
    # small steps: the squared change grows like r^2
    ratio = profile.mse[:, :, 1] / profile.mse[:, :, 0]
    assert np.allclose(ratio, (radii[1] / radii[0]) ** 2, rtol=0.05)
    assert np.allclose(profile.divergence("relative"), profile.mse / profile.variance[:, None, None])
    alone = lv.divergence_profile(
        SMALL, [ru.LayerParams(p.weight[:1], p.bias[:1]) for p in params], x, radii=radii, n_directions=5, seed=2
    )
    assert np.allclose(alone.mse[0], profile.mse[0])  # network 0's directions do not depend on the others
    with pytest.raises(ValueError, match="radii"):
        lv.divergence_profile(SMALL, params, x, radii=[1.0, 0.5], n_directions=2)


def test_star_radii_on_power_laws():
    radii = np.geomspace(1e-3, 10.0, 9)
    r0 = np.array([[0.05, 0.7, 2e-5, 1000.0]])  # crossings inside, inside, before the grid, never
    divergence = (radii[None, None, :] / r0[..., None]) ** 2
    got = lv.star_radii(divergence, radii, 0.01)
    assert np.allclose(got[0, :3], r0[0, :3] * 0.1, rtol=1e-9)
    assert got[0, 3] == radii[-1]
    with pytest.raises(ValueError, match="epsilon"):
        lv.star_radii(divergence, radii, 0.0)


def test_log_volume_of_the_whole_space_is_zero():
    """An unbounded star domain holds all of the Gaussian's mass: log V = 0 (averaged over directions)."""
    dim = 3
    assert lv.log_volume(np.full((1, 4), 1e4), np.zeros((1, 4)), np.array([0.0]), dim, sigma=1.0)[0] == pytest.approx(
        0.0, abs=1e-3
    )
    theta = np.array([0.8, -0.3, 0.5])
    u = np.random.default_rng(0).standard_normal((20000, dim))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    got = lv.log_volume(np.full((1, 20000), 1e4), (u @ theta)[None], np.array([np.linalg.norm(theta)]), dim, sigma=1.0)
    assert got[0] == pytest.approx(0.0, abs=0.02)


def test_log_volume_of_a_ball_at_the_origin_is_the_chi_square_cdf():
    dim, sigma = 20, 1.3
    for r in (2.0, 5.0, 7.0):
        radius = np.full((1, 3), r)
        got = lv.log_volume(radius, np.zeros((1, 3)), np.array([0.0]), dim, sigma=np.array([sigma]))
        assert got[0] == pytest.approx(stats.chi2.logcdf((r / sigma) ** 2, dim), abs=2e-3)


def test_log_volume_grows_with_the_radius_and_with_epsilon():
    params = lv.init_params(SMALL, 2, init="torch")
    profile = lv.divergence_profile(SMALL, params, ru.grid(8), radii=np.geomspace(1e-5, 10, 16), n_directions=4)
    tight, loose = (lv.profile_log_volume(profile, epsilon=e) for e in (1e-3, 1e-1))
    assert (loose > tight).all() and np.isfinite(tight).all()
    wide = lv.profile_log_volume(profile, sigma_factor=2.0)
    assert wide.shape == (2,)
