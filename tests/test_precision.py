"""REDSHIFT_DTYPE: the same networks in float32 or float64, read at call time, refused when unknown."""

from __future__ import annotations

import pytest
import torch

import redshift_utils as ru
from redshift_utils.training import TrainConfig, train_mlps
from redshift_utils.transformer import sample_params


@pytest.fixture
def dtype_env(monkeypatch):
    def set_dtype(name: str) -> None:
        monkeypatch.setenv("REDSHIFT_DTYPE", name)

    return set_dtype


def test_default_is_float32_and_unknown_values_are_refused(dtype_env, monkeypatch):
    monkeypatch.delenv("REDSHIFT_DTYPE", raising=False)
    assert ru.dtype_name() == "float32" and ru.compute_dtype() == torch.float32
    dtype_env("float16")
    with pytest.raises(ValueError, match="REDSHIFT_DTYPE must be one of float32, float64, got 'float16'"):
        ru.compute_dtype()
    with pytest.raises(ValueError, match="REDSHIFT_DTYPE"):
        ru.sample_functions(ru.MLPConfig(), 1, n=4)


@pytest.mark.parametrize("dist", ["uniform", "normal", "student_t", "uniform_ball"])
@pytest.mark.parametrize("gating", [False, True])
def test_float64_draws_the_same_networks(dtype_env, dist, gating):
    """Draws are float32 in both precisions; float64 only changes the rounding of what follows."""
    config = ru.MLPConfig(width=16, depth=2, weight_dist=dist, gating=gating, alpha=1.7, bias_scale=0.5)
    dtype_env("float32")
    single = ru.sample_mlp_params(config, 3, seed=5)
    dtype_env("float64")
    double = ru.sample_mlp_params(config, 3, seed=5)
    for a, b in zip(single, double, strict=True):
        for t32, t64 in ((a.weight, b.weight), (a.bias, b.bias), (a.gate_weight, b.gate_weight)):
            if t32 is None:
                assert t64 is None
                continue
            assert t32.dtype == torch.float32 and t64.dtype == torch.float64
            torch.testing.assert_close(t64.float(), t32, rtol=2e-7, atol=0)  # one float32 rounding apart


def test_every_computation_follows_the_switch(dtype_env):
    dtype_env("float64")
    f = ru.sample_functions(ru.MLPConfig(width=8, activation="tanh"), 3, n=8)
    u = ru.sample_functions(ru.UnbiasedConfig(), 2, n=8)
    assert f.dtype == torch.float64 and u.dtype == torch.float64
    config = ru.MLPConfig(width=8, depth=2)
    params = ru.sample_mlp_params(config, 2, seed=0)
    x = ru.grid(4).float()  # float32 inputs are cast, not mixed
    result = train_mlps(config, params, x, (x[:, 0] > 0).float(), TrainConfig(steps=3))
    assert result.losses.dtype == torch.float64 and result.params[0].weight.dtype == torch.float64
    transformer = ru.TransformerConfig(width=16, heads=2, depth=1, vocab_size=32, context=8)
    weights, _ = sample_params(transformer, range(2), 0)
    assert weights.wte.dtype == torch.float32  # drawn in float32 ...
    tokens = ru.generate_sequences(transformer, 2, length=6)  # ... decoded in float64
    assert tokens.shape == (2, 6)


def test_float32_and_float64_functions_agree_to_float32_rounding(dtype_env):
    config = ru.MLPConfig(width=32, depth=3, activation="gelu")
    dtype_env("float32")
    single = ru.sample_functions(config, 4, n=16, seed=2)
    dtype_env("float64")
    double = ru.sample_functions(config, 4, n=16, seed=2)
    torch.testing.assert_close(single.double(), double, rtol=1e-4, atol=1e-5)
    assert not torch.equal(single.double(), double)  # the arithmetic really ran in float64


def test_overflowing_functions_warn(dtype_env):
    dtype_env("float32")
    with pytest.warns(RuntimeWarning, match="inf or NaN"):
        ru.sample_functions(ru.MLPConfig(activation="relu", depth=6, prefactor=1e30), 2, n=4)
