"""Unit tests of the frozen, validated configurations (the conventions page, book/conventions.md)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
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
    ("depth", -1, ">= 0"),
    ("depth", -2, ">= 0"),
    ("depth", 2.0, ">= 0"),
    ("depth", True, ">= 0"),
    ("depth", "3", ">= 0"),
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


def test_depth_zero_is_a_perceptron_without_components():
    """depth=0 means no hidden layer (chapter 6); a component there would be silently ignored: refused."""
    assert ru.MLPConfig(depth=0, in_dim=7, bias_scale=0.0).depth == 0
    for flag in ("residual", "layernorm", "gating"):
        with pytest.raises(ValueError, match=f"MLPConfig.{flag} must be False when depth=0"):
            ru.MLPConfig(depth=0, **{flag: True})


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


# ----------------------------------------------------------------- numpy scalars and size limits

NUMPY_MLP_FIELDS = {
    "depth": (np.int64(3), 3),
    "width": (np.int32(8), 8),
    "in_dim": (np.uint16(5), 5),
    "alpha": (np.float32(2.0), 2.0),
    "bias_scale": (np.float64(0.5), 0.5),
    "prefactor": (np.int64(4), 4),
    "ln_gain": (np.float16(0.25), 0.25),
    "layernorm": (np.bool_(True), True),
}


def _assert_plain(config, expected):
    """Equal, hash-equal and repr-equal to the config built from Python values, with Python types."""
    assert config == expected and hash(config) == hash(expected)
    assert repr(config) == repr(expected) and "np." not in repr(config)
    assert config.as_dict() == expected.as_dict()
    for f in dataclasses.fields(config):
        assert type(getattr(config, f.name)) is type(getattr(expected, f.name)), f.name


@pytest.mark.parametrize("field", sorted(NUMPY_MLP_FIELDS))
def test_mlp_accepts_numpy_scalars_and_stores_python_numbers(field):
    value, plain = NUMPY_MLP_FIELDS[field]
    _assert_plain(ru.MLPConfig(**{field: value}), ru.MLPConfig(**{field: plain}))


def test_numpy_scalars_all_at_once_and_through_replace():
    config = ru.MLPConfig(**{f: v for f, (v, _) in NUMPY_MLP_FIELDS.items()})
    _assert_plain(config, ru.MLPConfig(**{f: p for f, (_, p) in NUMPY_MLP_FIELDS.items()}))
    assert type(dataclasses.replace(config, width=np.int64(16)).width) is int
    unbiased = ru.UnbiasedConfig(alpha=np.float32(2.0))
    _assert_plain(unbiased, ru.UnbiasedConfig(alpha=2.0))
    assert type(unbiased.alpha) is float


def test_python_numbers_are_stored_unchanged():
    """Plain ints stay ints in float fields (alpha=3): records and cache keys do not change."""
    config = ru.MLPConfig(alpha=3, prefactor=2, bias_scale=0)
    assert (type(config.alpha), type(config.prefactor), type(config.bias_scale)) == (int, int, int)
    assert ru.MLPConfig().as_dict()["alpha"] == 1.0 and type(ru.MLPConfig().alpha) is float


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("depth", np.bool_(True)),
        ("width", np.bool_(True)),
        ("in_dim", np.bool_(False)),
        ("alpha", np.bool_(True)),
        ("prefactor", np.bool_(True)),
        ("width", np.float64(8.0)),
        ("depth", np.float32(3.0)),
        ("width", np.int64(0)),
        ("alpha", np.float32("nan")),
        ("alpha", np.float64("inf")),
        ("alpha", np.float32(-1.0)),
        ("residual", np.int64(1)),
    ],
)
def test_numpy_bools_and_bad_numpy_values_are_refused(field, value):
    with pytest.raises(ValueError, match=f"MLPConfig.{field} must be"):
        ru.MLPConfig(**{field: value})


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [
        ("width", 10**12, ru.configs.MAX_WIDTH),
        ("width", 65537, ru.configs.MAX_WIDTH),
        ("depth", 10**9, ru.configs.MAX_DEPTH),
        ("depth", np.int64(1025), ru.configs.MAX_DEPTH),
        ("in_dim", 10**7, ru.configs.MAX_IN_DIM),
    ],
)
def test_mlp_absurd_sizes_are_refused_naming_the_limit(field, value, limit):
    with pytest.raises(ValueError) as info:
        ru.MLPConfig(**{field: value})
    assert str(info.value) == f"MLPConfig.{field} must be <= {limit}, got {int(value)}"


def test_mlp_limits_are_the_documented_ones_and_accepted():
    assert (ru.configs.MAX_WIDTH, ru.configs.MAX_DEPTH, ru.configs.MAX_IN_DIM) == (65536, 1024, 65536)
    config = ru.MLPConfig(width=65536, depth=1024, in_dim=65536)  # construction allocates nothing
    assert (config.width, config.depth, config.in_dim) == (65536, 1024, 65536)
    with pytest.raises(ValueError, match=r"an integer >= 1 and <= 65536, got 0"):
        ru.MLPConfig(width=0)


TRANSFORMER = ru.transformer


def test_transformer_accepts_numpy_scalars():
    plain = {"depth": 2, "width": 32, "heads": 4, "vocab_size": 100, "context": 16, "ln_gain": 2.5, "tie_head": False}
    types = {"depth": np.int64, "width": np.int32, "heads": np.int16, "vocab_size": np.uint32, "context": np.int64}
    numpy = {k: types[k](v) for k, v in plain.items() if k in types}
    numpy |= {"ln_gain": np.float32(2.5), "tie_head": np.bool_(False)}
    _assert_plain(ru.TransformerConfig(**numpy), ru.TransformerConfig(**plain))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("depth", np.bool_(True), "TransformerConfig.depth must be an integer >= 1"),
        ("width", True, "TransformerConfig.width must be an integer >= 1"),
        ("ln_gain", np.bool_(True), "TransformerConfig.ln_gain must be a finite number"),
        ("depth", 10**9, f"TransformerConfig.depth must be <= {TRANSFORMER.MAX_DEPTH}, got 1000000000"),
        ("width", 2**20, f"TransformerConfig.width must be <= {TRANSFORMER.MAX_WIDTH}, got 1048576"),
        ("heads", 2048, f"TransformerConfig.heads must be <= {TRANSFORMER.MAX_HEADS}, got 2048"),
        ("vocab_size", 10**9, f"TransformerConfig.vocab_size must be <= {TRANSFORMER.MAX_VOCAB_SIZE}, got 1000000000"),
        ("context", 10**7, f"TransformerConfig.context must be <= {TRANSFORMER.MAX_CONTEXT}, got 10000000"),
    ],
)
def test_transformer_bools_and_absurd_sizes_are_refused(field, value, message):
    with pytest.raises(ValueError) as info:
        ru.TransformerConfig(**{field: value})
    assert str(info.value).startswith(message)


def test_transformer_limits_are_accepted():
    limits = (TRANSFORMER.MAX_DEPTH, TRANSFORMER.MAX_WIDTH, TRANSFORMER.MAX_HEADS)
    assert limits == (1024, 65536, 1024)
    assert (TRANSFORMER.MAX_VOCAB_SIZE, TRANSFORMER.MAX_CONTEXT) == (2**20, 2**17)
    config = ru.TransformerConfig(depth=1024, width=65536, heads=1024, vocab_size=2**20, context=2**17)
    assert config.n_parameters() > 0


# Every notebook parameter that becomes a config size, with the config field it feeds.
SPEC_SIZES = [
    ("06_beyond", "boolean_width", "mlp", "width"),
    ("06_beyond", "boolean_bits", "mlp", "in_dim"),
    ("06_beyond", "train_width", "mlp", "width"),
    ("06_beyond", "train_depth", "mlp", "depth"),
    ("06_beyond", "dim_width", "mlp", "width"),
    ("06_beyond", "dim_depth", "mlp", "depth"),
    ("06_beyond", "dim_dims", "mlp", "in_dim"),
    ("06_beyond", "volume_width", "mlp", "width"),
    ("06_beyond", "volume_depth", "mlp", "depth"),
    ("02_activations", "width", "mlp", "width"),
    ("02_activations", "heatmap_depths", "mlp", "depth"),
    ("02_activations", "line_depth", "mlp", "depth"),
    ("02_activations", "gallery_depths", "mlp", "depth"),
    ("03_components", "width", "mlp", "width"),
    ("03_components", "depth", "mlp", "depth"),
    ("03_components", "depths", "mlp", "depth"),
    ("03_components", "widths", "mlp", "width"),
    ("01_metrics", "fig6_depths", "mlp", "depth"),
    ("04_trained_models", "modulo_depth", "mlp", "depth"),
    ("04_trained_models", "modulo_width", "mlp", "width"),
    ("04_trained_models", "modulo_dims", "mlp", "in_dim"),
    ("04_trained_models", "shortcut_depth", "mlp", "depth"),
    ("04_trained_models", "shortcut_width", "mlp", "width"),
    ("04_trained_models", "guess_depth", "mlp", "depth"),
    ("04_trained_models", "guess_width", "mlp", "width"),
    ("04_trained_models", "e3_depth", "mlp", "depth"),
    ("04_trained_models", "e3_width", "mlp", "width"),
    ("05_transformers", "depths", "transformer", "depth"),
    ("05_transformers", "width", "transformer", "width"),
    ("05_transformers", "vocab_size", "transformer", "vocab_size"),
    ("05_transformers", "context", "transformer", "context"),
]


@pytest.mark.parametrize(("notebook", "name", "model", "field"), SPEC_SIZES)
def test_every_value_the_notebooks_allow_is_accepted(notebook, name, model, field):
    """The sanity limits sit above each notebook parameter's maximum, default and presets."""
    from redshift_utils.book.parameters import load_spec

    spec = load_spec(notebook)
    if name not in spec.names():
        pytest.skip(f"{notebook} has no parameter {name} any more")
    param = spec.param(name)
    values = [param.default, *param.presets.values()]
    if param.maximum is not None:
        values.append(param.maximum)
    flat = [int(v) for value in values for v in (value if isinstance(value, list) else [value])]
    assert flat
    build = ru.MLPConfig if model == "mlp" else ru.TransformerConfig
    for value in flat:
        extra = {"heads": 1} if model == "transformer" and field == "width" else {}
        assert getattr(build(**{field: value}, **extra), field) == value
    # The shortcut MLP's input: the 8x8 digit plus 8 x band_width x 3 colour values.
    band = load_spec("04_trained_models").param("shortcut_band_width").maximum if field == "in_dim" else None
    if band is not None:
        ru.MLPConfig(in_dim=64 + 24 * int(band))


def test_gpt2_small_and_the_papers_heads_are_accepted():
    from redshift_utils.book.parameters import load_spec

    spec = load_spec("05_transformers")
    heads = spec.param("heads")
    top = int(heads.maximum) if heads.maximum is not None else 64
    ru.TransformerConfig(width=top * 8, heads=top)
    ru.TransformerConfig(**{k: spec.param(k).value_for("paper") for k in ("width", "heads", "vocab_size", "context")})
    ru.TransformerConfig.gpt2_small()
