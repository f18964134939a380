"""Unit tests of redshift_utils.dimensions: d-input networks on random planes and lines (chapter 6)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import redshift_utils as ru
from redshift_utils import dimensions


def test_random_frames_are_orthonormal_and_per_network():
    frames = dimensions.random_frames(8, 2, 5, seed=3)
    assert frames.shape == (5, 8, 2)
    for frame in frames:
        assert np.allclose(frame.T @ frame, np.eye(2))
    assert np.allclose(dimensions.random_frames(8, 2, 2, seed=3), frames[:2])
    assert not np.allclose(dimensions.random_frames(8, 2, 2, seed=4), frames[:2])
    with pytest.raises(ValueError, match="k"):
        dimensions.random_frames(2, 3, 1)


def test_the_identity_plane_is_the_books_grid():
    config = ru.MLPConfig(activation="tanh", prefactor=3.0)
    params = ru.sample_mlp_params(config, 4, seed=0)
    frames = np.broadcast_to(np.eye(2), (4, 2, 2))
    got = dimensions.plane_functions(config, params, frames, 16)
    assert torch.allclose(got, ru.sample_functions(config, 4, n=16, seed=0), atol=1e-5)


@pytest.mark.parametrize("component", ["mlp", "gating", "residual", "layernorm"])
def test_planes_and_lines_equal_direct_evaluation(component):
    config = ru.paper.figure5_config("sin", component, in_dim=6, prefactor=2.0, width=16)
    params = ru.sample_mlp_params(config, 3, seed=1)
    planes = dimensions.random_frames(6, 2, 3, seed=0)
    got = dimensions.plane_functions(config, params, planes, 8)
    points = ru.grid(8).numpy()
    for k in range(3):
        x = torch.as_tensor(points @ planes[k].T, dtype=torch.float32)
        single = [
            ru.LayerParams(
                *(None if t is None else t[k : k + 1] for t in (p.weight, p.bias, p.gate_weight, p.gate_bias))
            )
            for p in params
        ]
        assert torch.allclose(got[k].reshape(-1), ru.mlp_forward(config, single, x)[0], atol=1e-4)
    lines = dimensions.random_frames(6, 1, 3, seed=0)
    on_lines = dimensions.line_functions(config, params, lines, 32)
    assert on_lines.shape == (3, 32)
    with pytest.raises(ValueError, match="frames"):
        dimensions.plane_functions(config, params, planes[:2], 8)


def test_line_lz_scale():
    rng = np.random.default_rng(0)
    noise = dimensions.line_lz(rng.standard_normal((20, 1024)))
    ramp = dimensions.line_lz(np.linspace(-1, 1, 1024)[None, :])
    assert 0.8 < noise.mean() < 1.2 and ramp[0] < 0.05
    with pytest.raises(ValueError, match="line_lz"):
        dimensions.line_lz(np.zeros(5))
