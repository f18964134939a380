"""Unit tests of chapter 3's MLPConfig variant readings (residual placement, layer-norm position, bias scaling).

Each variant is checked against a per-network, layer-by-layer reference written here from the
definition in the MLPConfig docstring, independently of the library's batched forward pass.
"""

from __future__ import annotations

import itertools
import math

import pytest
import torch

import redshift_utils as ru
from redshift_utils.configs import VARIANT_FIELDS

PHI = {
    "relu": lambda t: torch.clamp(t, min=0.0),
    "tanh": torch.tanh,
    "sin": torch.sin,
    "gelu": lambda t: 0.5 * t * (1.0 + torch.erf(t / math.sqrt(2.0))),
    "identity": lambda t: t,
}


def layer_norm(t: torch.Tensor, gain: float) -> torch.Tensor:
    mean = t.mean(dim=-1, keepdim=True)
    var = ((t - mean) ** 2).mean(dim=-1, keepdim=True)
    return gain * (t - mean) / torch.sqrt(var + 1e-5)


def reference_network(config: ru.MLPConfig, params: list, index: int, x: torch.Tensor) -> torch.Tensor:
    """One network, one layer at a time, in float64, every variant spelt out."""
    phi, p = PHI[config.activation], config.prefactor
    h = x.to(torch.float64)
    for number, layer in enumerate(params[:-1]):
        z = p * (h @ layer.weight[index].T + layer.bias[index])
        if config.layernorm and config.layernorm_position == "before":
            z = layer_norm(z, config.ln_gain)
        a = phi(z)
        if config.layernorm and config.layernorm_position == "after":
            a = layer_norm(a, config.ln_gain)
        if config.gating and config.gate_magnitude:
            a = a * torch.sigmoid(p * (h @ layer.gate_weight[index].T + layer.gate_bias[index]))
        elif config.gating:  # the gate at magnitude 1: its draws without alpha (and without the prefactor)
            bias_alpha = config.alpha if config.bias_scales_with_alpha else 1.0
            gate_z = h @ (layer.gate_weight[index] / config.alpha).T + layer.gate_bias[index] / bias_alpha
            a = a * torch.sigmoid(gate_z)
        if config.residual and config.residual_mode == "around_phi":
            h = z + a
        elif config.residual and config.residual_mode == "scaled":
            h = (z + a) / math.sqrt(2.0)
        elif config.residual and number > 0:  # around_layer: no skip where the width changes
            h = h + a
        else:
            h = a
    out = params[-1]
    return (h @ out.weight[index].T + out.bias[index])[:, 0]


def float64(params: list) -> list:
    cast = lambda t: None if t is None else t.double()  # noqa: E731
    return [ru.LayerParams(*(cast(t) for t in (q.weight, q.bias, q.gate_weight, q.gate_bias))) for q in params]


VARIANTS = [
    {"residual": True, "residual_mode": "around_layer"},
    {"residual": True, "residual_mode": "around_phi"},
    {"layernorm": True, "layernorm_position": "after"},
    {"layernorm": True, "layernorm_position": "before"},
    {"residual": True, "residual_mode": "around_layer", "layernorm": True, "layernorm_position": "after"},
    {"bias_scales_with_alpha": True},
    {"residual": True, "residual_mode": "scaled"},
    {"residual": True, "residual_mode": "scaled", "layernorm": True, "layernorm_position": "after"},
]


@pytest.mark.parametrize("activation", sorted(PHI))
@pytest.mark.parametrize("gating", [False, True, "unscaled"])
@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: "-".join(f"{k}={v[k]}" for k in v))
def test_variant_matches_reference(activation, gating, variant):
    config = ru.MLPConfig(
        activation=activation, depth=3, width=9, alpha=1.4, bias_scale=0.6, prefactor=1.9, ln_gain=1.7,
        gating=bool(gating), gate_magnitude=gating != "unscaled", **variant,
    )  # fmt: skip
    params = float64(ru.sample_mlp_params(config, 3, seed=11))
    x = ru.grid(6)
    out = ru.mlp_forward(config, params, x)
    for index in range(3):
        expected = reference_network(config, params, index, x)
        torch.testing.assert_close(out[index], expected, rtol=1e-10, atol=1e-10)
    batched = ru.sample_functions(config, 3, n=6, seed=11).reshape(3, 36).double()
    torch.testing.assert_close(batched, out, rtol=1e-4, atol=1e-4)


def test_around_layer_skips_every_layer_but_the_first():
    """With identity activations the skip is visible: h_l = h_{l-1} + z_l from layer 2 on."""
    config = ru.MLPConfig(activation="identity", depth=3, width=5, residual=True, residual_mode="around_layer")
    params = float64(ru.sample_mlp_params(config, 1, seed=2))
    x = ru.grid(4).double()
    w = [q.weight[0] for q in params]
    b = [q.bias[0] for q in params]
    h1 = x @ w[0].T + b[0]
    h2 = h1 + h1 @ w[1].T + b[1]
    h3 = h2 + h2 @ w[2].T + b[2]
    torch.testing.assert_close(ru.mlp_forward(config, params, x)[0], (h3 @ w[3].T + b[3])[:, 0])
    one_layer = ru.MLPConfig(activation="tanh", depth=1, residual=True, residual_mode="around_layer")
    plain = ru.MLPConfig(activation="tanh", depth=1)
    torch.testing.assert_close(ru.sample_functions(one_layer, 2, n=8), ru.sample_functions(plain, 2, n=8))


def test_defaults_are_todays_behaviour():
    config = ru.MLPConfig(activation="sin", residual=True, layernorm=True, gating=True, prefactor=3.0)
    explicit = ru.MLPConfig(
        activation="sin", residual=True, layernorm=True, gating=True, prefactor=3.0,
        residual_mode="around_phi", layernorm_position="before", bias_scales_with_alpha=False,
    )  # fmt: skip
    assert config == explicit
    assert torch.equal(ru.sample_functions(config, 3, n=8, seed=4), ru.sample_functions(explicit, 3, n=8, seed=4))
    assert not set(VARIANT_FIELDS) & set(config.as_dict())  # records and cache keys unchanged at defaults
    changed = ru.MLPConfig(residual=True, residual_mode="around_layer", bias_scales_with_alpha=True)
    assert changed.as_dict()["residual_mode"] == "around_layer" and changed.as_dict()["bias_scales_with_alpha"]
    assert ru.MLPConfig(**changed.as_dict()) == changed


def test_bias_scales_with_alpha_draws_biases_on_alpha_times_the_bound():
    config = ru.MLPConfig(alpha=3.0, bias_scale=0.5, bias_scales_with_alpha=True, gating=True)
    plain = ru.MLPConfig(alpha=3.0, bias_scale=0.5, gating=True)
    for ours, base in zip(ru.sample_mlp_params(config, 2, seed=1), ru.sample_mlp_params(plain, 2, seed=1), strict=True):
        torch.testing.assert_close(ours.weight, base.weight)
        torch.testing.assert_close(ours.bias, 3.0 * base.bias)
        if base.gate_bias is not None:
            torch.testing.assert_close(ours.gate_bias, 3.0 * base.gate_bias)
    assert float(ru.sample_mlp_params(config, 64, seed=0)[1].bias.abs().max()) <= 1.5


@pytest.mark.parametrize("activation", ["tanh", "gelu", "sin"])
def test_alpha_with_scaled_biases_is_the_prefactor_reading(activation):
    """alpha on weights and biases equals the prefactor up to the output layer's scale: same complexity."""
    by_alpha = ru.MLPConfig(activation=activation, alpha=4.0, bias_scales_with_alpha=True)
    by_prefactor = ru.MLPConfig(activation=activation, prefactor=4.0)
    a = ru.sample_functions(by_alpha, 4, n=16, seed=3).double()
    p = ru.sample_functions(by_prefactor, 4, n=16, seed=3).double()
    # The output layer's weights and bias are 4x larger under alpha: f_alpha = 4 f_p.
    torch.testing.assert_close(a, 4.0 * p, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(ru.fourier_complexity(a), ru.fourier_complexity(p), rtol=1e-4, atol=1e-5)


def test_layernorm_before_removes_the_prefactor():
    small = ru.MLPConfig(activation="gaussian", layernorm=True, prefactor=1.0)
    large = ru.MLPConfig(activation="gaussian", layernorm=True, prefactor=25.0)
    a, b = ru.sample_functions(small, 3, n=16, seed=0), ru.sample_functions(large, 3, n=16, seed=0)
    torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"residual_mode": "skip"}, r"MLPConfig\.residual_mode must be one of around_phi, around_layer, scaled, got"),
        ({"layernorm_position": "middle", "layernorm": True}, r"MLPConfig\.layernorm_position must be one of before"),
        ({"bias_scales_with_alpha": 1}, r"MLPConfig\.bias_scales_with_alpha must be True or False, got 1"),
        ({"residual_mode": "around_layer"}, r"MLPConfig\.residual_mode must be 'around_phi' unless residual=True"),
        ({"layernorm_position": "after"}, r"MLPConfig\.layernorm_position must be 'before' unless layernorm=True"),
        ({"gate_magnitude": False}, r"MLPConfig\.gate_magnitude must be True unless gating=True"),
        ({"gate_magnitude": "no", "gating": True}, r"MLPConfig\.gate_magnitude must be True or False"),
    ],
)
def test_bad_variant_values_are_refused_naming_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ru.MLPConfig(**kwargs)


def test_every_combination_runs_and_is_deterministic():
    combos = itertools.product(["around_phi", "around_layer"], ["before", "after"], [False, True], [False, True])
    for mode, position, gating, scaled in combos:
        config = ru.MLPConfig(
            activation="tanh", width=7, residual=True, residual_mode=mode, layernorm=True,
            layernorm_position=position, gating=gating, bias_scales_with_alpha=scaled, alpha=2.0,
        )  # fmt: skip
        first = ru.sample_functions(config, 5, n=8, seed=9)
        assert torch.isfinite(first).all()
        assert torch.equal(first, ru.sample_functions(config, 5, n=8, seed=9))
        chunked = ru.sample_functions(config, 5, n=8, seed=9, chunk_size=2)
        torch.testing.assert_close(chunked, first, rtol=1e-5, atol=1e-5)


def test_scaled_residual_is_the_skip_around_phi_over_sqrt2():
    """With identity activations h_l = (z_l + z_l) / sqrt(2) = sqrt(2) z_l: the variance-preserving skip."""
    config = ru.MLPConfig(activation="identity", depth=2, width=5, residual=True, residual_mode="scaled")
    params = float64(ru.sample_mlp_params(config, 1, seed=3))
    x = ru.grid(4).double()
    w, b = [q.weight[0] for q in params], [q.bias[0] for q in params]
    h1 = math.sqrt(2.0) * (x @ w[0].T + b[0])
    h2 = math.sqrt(2.0) * (h1 @ w[1].T + b[1])
    torch.testing.assert_close(ru.mlp_forward(config, params, x)[0], (h2 @ w[2].T + b[2])[:, 0])
    assert config.as_dict()["residual_mode"] == "scaled"


READINGS = [{"prefactor": 7.0}, {"alpha": 7.0}, {"alpha": 7.0, "bias_scales_with_alpha": True}]


@pytest.mark.parametrize("reading", READINGS)
def test_a_gate_without_magnitude_is_the_gate_at_magnitude_one(reading):
    """gate_magnitude=False: the same networks' gates equal those of magnitude 1, whatever the reading."""
    config = ru.MLPConfig(activation="relu", depth=2, width=6, gating=True, gate_magnitude=False, **reading)
    params = float64(ru.sample_mlp_params(config, 2, seed=5))
    unit = ru.MLPConfig(
        activation="relu", depth=2, width=6, gating=True, bias_scales_with_alpha=config.bias_scales_with_alpha
    )
    base = float64(ru.sample_mlp_params(unit, 2, seed=5))
    for layer, ref in zip(params[:-1], base[:-1], strict=True):
        torch.testing.assert_close(layer.gate_weight / config.alpha, ref.gate_weight)
    x = ru.grid(5)
    with_gate = ru.mlp_forward(config, params, x)
    seeing = ru.MLPConfig(**{**config.as_dict(), "gate_magnitude": True})
    assert not torch.allclose(with_gate, ru.mlp_forward(seeing, params, x))
    assert ru.MLPConfig(gating=True, gate_magnitude=False).as_dict()["gate_magnitude"] is False
