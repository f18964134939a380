"""Unit tests of redshift_utils.boolean: random networks as Boolean functions (chapter 6)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

import redshift_utils as ru
from redshift_utils import boolean
from redshift_utils.lempel_ziv import lz76_reference

VP = ru.MLPConfig(depth=2, width=40, in_dim=7)


def test_boolean_inputs_are_binary_expansions_msb_first(float32):
    x = ru.boolean_inputs(7)
    assert x.shape == (128, 7) and x.dtype == torch.float32
    for i in (0, 1, 5, 64, 127):
        assert "".join(str(int(b)) for b in x[i]) == f"{i:07b}"
    assert set(x.unique().tolist()) == {0.0, 1.0}


def test_boolean_inputs_follow_the_compute_dtype(monkeypatch):
    monkeypatch.setenv("REDSHIFT_DTYPE", "float64")
    assert ru.boolean_inputs(3).dtype == torch.float64


@pytest.mark.parametrize("n_bits", [0, -1, 17, 2.0, True, "7"])
def test_boolean_inputs_refuse_bad_sizes(n_bits):
    with pytest.raises(ValueError, match="n_bits"):
        ru.boolean_inputs(n_bits)


def test_boolean_functions_are_the_sign_of_sample_mlp_params():
    config = dataclasses.replace(VP, activation="tanh", prefactor=3.0)
    functions = ru.boolean_functions(config, 50, seed=4)
    assert functions.shape == (50, 128) and functions.dtype == torch.bool
    params = ru.sample_mlp_params(config, 50, seed=4)
    assert torch.equal(functions, ru.mlp_forward(config, params, ru.boolean_inputs(7)) > 0)


def test_network_k_does_not_depend_on_how_many_are_drawn():
    assert torch.equal(ru.boolean_functions(VP, 7, seed=1), ru.boolean_functions(VP, 20, seed=1)[:7])
    assert not torch.equal(ru.boolean_functions(VP, 7, seed=1), ru.boolean_functions(VP, 7, seed=2))


def test_in_dim_must_equal_n_bits():
    with pytest.raises(ValueError, match="in_dim must equal n_bits=7"):
        ru.boolean_functions(ru.MLPConfig(in_dim=2), 3)
    with pytest.raises(ValueError, match="n_bits=5"):
        ru.boolean_functions(VP, 3, n_bits=5)
    with pytest.raises(ValueError, match="config must be an MLPConfig"):
        ru.boolean_functions(ru.UnbiasedConfig(), 3)


def test_valle_perez_prior_rescales_the_same_draws_to_their_bounds():
    params = ru.sample_mlp_params(VP, 200, seed=0)
    moved = boolean.rescale_to_prior(VP, params, "valle_perez")
    bounds = [math.sqrt(6 / 7), math.sqrt(6 / 40), math.sqrt(3 / 40)]
    for layer, old, bound in zip(moved, params, bounds, strict=True):
        for t in (layer.weight, layer.bias):
            assert float(t.abs().max()) <= bound * (1 + 1e-6)
            assert float(t.abs().max()) > 0.95 * bound  # uniform draws reach close to the bound
        ratio = layer.weight / old.weight  # the same numbers, rescaled
        assert torch.allclose(ratio, ratio.flatten()[0].expand_as(ratio))
    assert boolean.rescale_to_prior(VP, params, "book") is params
    with pytest.raises(ValueError, match="valle_perez"):
        boolean.rescale_to_prior(dataclasses.replace(VP, bias_scale=0.0), params, "valle_perez")
    with pytest.raises(ValueError, match="prior"):
        boolean.rescale_to_prior(VP, params, "glorot")


# ------------------------------------------------------------------------------ the perceptron (depth 0)


def test_a_perceptron_is_the_output_layer_on_the_inputs():
    config = ru.MLPConfig(depth=0, in_dim=7, bias_scale=0.0)
    params = ru.sample_mlp_params(config, 5, seed=0)
    assert len(params) == 1 and params[0].weight.shape == (5, 1, 7)
    x = ru.boolean_inputs(7)
    expected = (x @ params[0].weight[:, 0, :].T).T
    assert torch.allclose(ru.mlp_forward(config, params, x), expected, atol=1e-6)


def test_a_perceptron_ignores_the_width_and_its_prefactor_scales_the_output():
    narrow, wide = (ru.MLPConfig(depth=0, in_dim=7, width=w) for w in (3, 64))
    assert torch.equal(ru.boolean_functions(narrow, 30), ru.boolean_functions(wide, 30))
    params = ru.sample_mlp_params(narrow, 4)
    x = ru.boolean_inputs(7)
    scaled = ru.mlp_forward(dataclasses.replace(narrow, prefactor=2.5), params, x)
    assert torch.allclose(scaled, 2.5 * ru.mlp_forward(narrow, params, x), rtol=1e-5, atol=1e-6)


def test_mingard_perceptron_uniform_p_of_t():
    """A perceptron without bias: t is uniform on 0 .. 2^n - 1 (Mingard et al. 2019), input 0 is always 0."""
    functions = ru.boolean_functions(ru.MLPConfig(depth=0, in_dim=5, bias_scale=0.0), 20000, n_bits=5)
    assert not functions[:, 0].any()
    t = functions.sum(1).numpy()
    assert t.max() < 32
    counts = np.bincount(t, minlength=33)
    assert abs(boolean.imbalance(counts) - 0.25) < 0.01
    assert np.abs(counts[:32] / 20000 - 1 / 32).max() < 0.01


# ------------------------------------------------------------------------------------ the sweep


def test_sweep_equals_boolean_functions_config_by_config():
    configs = [
        VP,
        dataclasses.replace(VP, bias_scale=0.0),
        dataclasses.replace(VP, activation="sin", prefactor=3.0),
        VP,
        ru.MLPConfig(depth=0, in_dim=7, bias_scale=0.0),
        ru.MLPConfig(depth=1, width=9, in_dim=7, activation="gaussian"),
    ]
    priors = ["book", "book", "book", "valle_perez", "book", "book"]
    done = []
    tables = boolean.boolean_sweep(configs, 70, seed=3, priors=priors, chunk_size=32, progress=done.append)
    assert done == [32, 64, 70]
    for table, config, prior in zip(tables, configs, priors, strict=True):
        assert table.shape == (70, 16) and table.dtype == np.uint8
        expected = ru.boolean_functions(config, 70, seed=3, prior=prior)
        assert np.array_equal(boolean.unpack(table, 7), expected.numpy())


def test_sweep_refuses_bad_arguments():
    with pytest.raises(ValueError, match="one prior per config"):
        boolean.boolean_sweep([VP, VP], 3, priors=["book"])
    with pytest.raises(ValueError, match="in_dim"):
        boolean.boolean_sweep([ru.MLPConfig()], 3)
    with pytest.raises(ValueError, match="n_networks"):
        boolean.boolean_sweep([VP], 0)


def test_pack_unpack_and_function_counts():
    functions = ru.boolean_functions(dataclasses.replace(VP, bias_scale=0.0, depth=1), 500, seed=0).numpy()
    tables = boolean.pack(functions)
    assert np.array_equal(boolean.unpack(tables, 7), functions)
    unique, counts, inverse = boolean.function_counts(tables)
    assert counts.sum() == 500 and (np.diff(counts) <= 0).all()
    assert np.array_equal(unique[inverse], tables)
    assert np.array_equal(boolean.ones_count(tables, 7), functions.sum(1))
    with pytest.raises(ValueError, match="function_counts"):
        boolean.function_counts(np.zeros((0, 16), np.uint8))


# ------------------------------------------------------------------------------------ complexity


def test_boolean_complexity_is_valle_perez_definition():
    rng = np.random.default_rng(0)
    for _ in range(30):
        bits = rng.random(128) < rng.uniform(0.05, 0.5)
        if bits.all() or not bits.any():
            continue
        expected = 7 * (lz76_reference(bits.astype(int)) + lz76_reference(bits[::-1].astype(int))) / 2
        assert ru.boolean_complexity(bits) == pytest.approx(expected)
    assert ru.boolean_complexity(np.zeros(128, bool)) == 7.0 and ru.boolean_complexity(np.ones(128, bool)) == 7.0
    batch = rng.random((5, 64)) < 0.5
    assert np.allclose(ru.boolean_complexity(batch), ru.boolean_complexity(batch[:, ::-1]))
    with pytest.raises(ValueError, match="truth tables"):
        ru.boolean_complexity(np.zeros((2, 1), bool))


def test_simple_tables_score_below_random_ones():
    rng = np.random.default_rng(1)
    random = ru.boolean_complexity(rng.random((200, 128)) < 0.5).mean()
    assert ru.boolean_complexity(np.arange(128) >= 64) < 0.2 * random
    assert 140 < random < 160


# --------------------------------------------------------------------------------- statistics


def test_resampled_counts_keep_the_sample_size_and_the_proportions():
    counts = np.array([500, 300, 200])
    boots = boolean.resample_counts(counts, 4000, seed=0)
    assert boots.shape == (4000, 3) and (boots.sum(1) == 1000).all()
    assert np.allclose(boots.mean(0), counts, rtol=0.02)
    assert boots[:, 0].std() == pytest.approx(math.sqrt(1000 * 0.5 * 0.5), rel=0.05)  # binomial spread
    with pytest.raises(ValueError, match="counts"):
        boolean.resample_counts(np.array([0, 0]), 10, seed=0)


def test_mean_ci_is_the_bootstrap_of_the_mean():
    values = np.random.default_rng(2).integers(0, 5, 400).astype(float)
    est, low, high = boolean.mean_ci(values, seed=0)
    assert est == pytest.approx(values.mean())
    ref = ru.bootstrap_ci(values, seed=0)
    assert low == pytest.approx(ref[1], abs=0.03) and high == pytest.approx(ref[2], abs=0.03)
    with pytest.raises(ValueError, match="mean_ci"):
        boolean.mean_ci(np.array([1.0, np.nan]))


@pytest.mark.parametrize("n", [3, 5, 7, 8])
def test_uniform_p_of_t_has_imbalance_one_quarter_exactly(n):
    uniform = np.append(np.ones(2**n), 0)
    assert boolean.imbalance(uniform) == pytest.approx(0.25, abs=1e-12)
    constant = np.zeros(2**n + 1)
    constant[0] = 3
    assert boolean.imbalance(constant) == 0.5


def test_count_difference_sign_and_interval():
    flat, peaked = np.append(np.ones(128) * 50, 0), np.append(np.ones(128) * 50, 0)
    peaked[0] += 3000
    est, low, high = boolean.count_difference(flat.astype(int), peaked.astype(int), boolean.imbalance, seed=0)
    assert 0 < low < est < high


def test_probability_slope_recovers_an_exponential_law():
    k = np.array([7.0, 14.0, 21.0, 28.0])
    counts = np.round(1e6 * 10 ** (-0.1 * k)).astype(int)
    assert boolean.probability_slope(k, counts) == pytest.approx(-0.1, abs=1e-3)
    assert math.isnan(boolean.probability_slope(np.array([7.0, 7.0]), np.array([5, 6])))
    est, low, high = boolean.slope_ci(np.append(k, 50.0), np.append(counts, 1), min_count=10, seed=0)
    assert low < est < high < 0 and est == pytest.approx(-0.1, abs=1e-3)
    assert all(math.isnan(v) for v in boolean.slope_ci(k, np.array([20, 1, 1, 1]), min_count=10))
