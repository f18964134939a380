"""Unit tests of the frozen, validated configurations (DESIGN.md "Public API")."""

from __future__ import annotations

import dataclasses
import math

import pytest

import redshift_utils as ru

ACTIVATION_NAMES = ("relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin", "sigmoid", "identity")


def test_mlp_defaults_match_design():
    config = ru.MLPConfig()
    assert config.as_dict() == {
        "activation": "relu",
        "depth": 3,
        "width": 64,
        "alpha": 1.0,
        "bias_scale": 1.0,
        "prefactor": 1.0,
        "weight_dist": "uniform",
        "residual": False,
        "layernorm": False,
        "ln_gain": 1.0,
        "gating": False,
        "in_dim": 2,
    }
    assert ru.UnbiasedConfig().alpha == 1.0


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize("weight_dist", ["uniform", "normal", "student_t", "uniform_ball"])
def test_every_valid_choice_is_accepted(activation, weight_dist):
    config = ru.MLPConfig(activation=activation, weight_dist=weight_dist)
    assert config.activation == activation and config.weight_dist == weight_dist


def test_valid_edge_values_are_accepted():
    ru.MLPConfig(depth=1, width=1, in_dim=1, bias_scale=0.0, alpha=3, prefactor=1e-3, ln_gain=0.5)
    ru.MLPConfig(residual=True, layernorm=True, gating=True)
    ru.UnbiasedConfig(alpha=1e-6)
    ru.UnbiasedConfig(alpha=5)


# (field, bad value, text the message must contain besides the field name and the value)
BAD_MLP_VALUES = [
    ("activation", "leaky_relu", "relu, gelu"),
    ("activation", "ReLU", "identity"),
    ("activation", None, "sigmoid"),
    ("depth", 0, ">= 1"),
    ("depth", -2, ">= 1"),
    ("depth", 2.0, ">= 1"),
    ("depth", True, ">= 1"),
    ("depth", "3", ">= 1"),
    ("width", -64, ">= 1"),
    ("width", 0, ">= 1"),
    ("width", 64.5, ">= 1"),
    ("width", False, ">= 1"),
    ("in_dim", 0, ">= 1"),
    ("in_dim", True, ">= 1"),
    ("alpha", 0.0, "> 0"),
    ("alpha", -1.0, "> 0"),
    ("alpha", math.nan, "> 0"),
    ("alpha", math.inf, "> 0"),
    ("alpha", True, "> 0"),
    ("alpha", "1.0", "> 0"),
    ("bias_scale", -0.1, ">= 0"),
    ("bias_scale", math.inf, ">= 0"),
    ("prefactor", 0.0, "> 0"),
    ("prefactor", -2.0, "> 0"),
    ("ln_gain", 0.0, "> 0"),
    ("ln_gain", -1.0, "> 0"),
    ("weight_dist", "gaussian", "uniform, normal, student_t, uniform_ball"),
    ("weight_dist", "t", "student_t"),
    ("residual", 1, "True or False"),
    ("layernorm", "yes", "True or False"),
    ("gating", None, "True or False"),
]


@pytest.mark.parametrize(("field", "value", "allowed"), BAD_MLP_VALUES)
def test_mlp_bad_values_raise_naming_field_value_and_allowed(field, value, allowed):
    with pytest.raises(ValueError) as info:
        ru.MLPConfig(**{field: value})
    message = str(info.value)
    assert field in message
    assert repr(value) in message
    assert allowed in message


def test_unknown_activation_lists_every_allowed_name():
    with pytest.raises(ValueError) as info:
        ru.MLPConfig(activation="softplus")
    for name in ACTIVATION_NAMES:
        assert name in str(info.value)


@pytest.mark.parametrize("alpha", [0, 0.0, -1.0, math.nan, math.inf, True, "2"])
def test_unbiased_bad_alpha_raises(alpha):
    with pytest.raises(ValueError, match="alpha"):
        ru.UnbiasedConfig(alpha=alpha)


def test_unknown_field_is_rejected():
    with pytest.raises(TypeError):
        ru.MLPConfig(widht=64)  # a typo must not be silently ignored


@pytest.mark.parametrize(
    ("config", "field", "value"),
    [(ru.MLPConfig(), "width", 128), (ru.MLPConfig(), "activation", "tanh"), (ru.UnbiasedConfig(), "alpha", 2.0)],
)
def test_configs_are_frozen(config, field, value):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(config, field, value)


def test_configs_are_hashable_values_and_round_trip():
    a = ru.MLPConfig(activation="tanh", prefactor=4.0, layernorm=True)
    b = ru.MLPConfig(activation="tanh", prefactor=4.0, layernorm=True)
    assert a == b and hash(a) == hash(b)
    assert a != ru.MLPConfig(activation="tanh", prefactor=5.0, layernorm=True)
    assert ru.MLPConfig(**a.as_dict()) == a
    assert dataclasses.replace(a, width=8).width == 8
    with pytest.raises(ValueError, match="width"):
        dataclasses.replace(a, width=0)  # validation also runs on replace
    u = ru.UnbiasedConfig(alpha=3.0)
    assert ru.UnbiasedConfig(**u.as_dict()) == u
