"""Unit tests of the batched random GPT-2-style decoder (chapter 5, ``redshift_utils/transformer.py``).

The reference here is a per-model, per-head, float64 transcription of the GPT-2 forward pass,
written without the library's batching, so a mistake in the batched layout (heads, models,
positions) cannot hide behind a matching mistake in the test.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

import redshift_utils as ru
from redshift_utils.transformer import greedy_decode, next_token_logits, sample_params

SMALL = ru.TransformerConfig(depth=2, width=16, heads=2, vocab_size=40, context=32)


def reference_logits(config: ru.TransformerConfig, params, model: int, tokens: list[int]) -> torch.Tensor:
    """Next-token logits of model ``model`` after ``tokens``, one head and one position at a time (float64)."""
    p = lambda t: t[model].double()  # noqa: E731
    phi = ru.ACTIVATIONS[config.activation]

    def norm(x, weight, bias):
        mean = x.mean(-1, keepdim=True)
        var = ((x - mean) ** 2).mean(-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + 1e-5) * p(weight) + p(bias)

    n, d = len(tokens), config.head_dim
    x = torch.stack([p(params.wte)[tok] + p(params.wpe)[pos] for pos, tok in enumerate(tokens)])
    for block in params.blocks:
        qkv = norm(x, block.ln_1_weight, block.ln_1_bias) @ p(block.attn_weight) + p(block.attn_bias)
        q, k, v = qkv.split(config.width, dim=-1)
        heads = []
        for h in range(config.heads):
            cols = slice(h * d, (h + 1) * d)
            out = torch.zeros(n, d, dtype=torch.float64)
            for i in range(n):
                scores = torch.tensor([q[i, cols] @ k[j, cols] / math.sqrt(d) for j in range(i + 1)])
                out[i] = torch.softmax(scores, 0) @ v[: i + 1, cols]
            heads.append(out)
        x = x + torch.cat(heads, dim=1) @ p(block.attn_proj_weight) + p(block.attn_proj_bias)
        hidden = phi(norm(x, block.ln_2_weight, block.ln_2_bias) @ p(block.fc_weight) + p(block.fc_bias))
        x = x + hidden @ p(block.mlp_proj_weight) + p(block.mlp_proj_bias)
    last = norm(x[-1], params.ln_f_weight, params.ln_f_bias)
    head = params.wte if params.head is None else params.head
    return p(head) @ last


@pytest.mark.parametrize(
    "config",
    [
        SMALL,
        dataclasses.replace(SMALL, activation="sin", ln_gain=5.0, tie_head=False),
        dataclasses.replace(SMALL, activation="gaussian", depth=3, heads=4, ln_gain=0.3),
    ],
)
def test_forward_matches_per_model_reference(config):
    params, prompts = sample_params(config, range(3), seed=4)
    # Perturb the zero-initialised biases and unit layer norms so the test sees every term.
    gen = torch.Generator().manual_seed(0)
    for block in params.blocks:
        for field in ("ln_1_bias", "attn_bias", "attn_proj_bias", "ln_2_weight", "fc_bias", "mlp_proj_bias"):
            getattr(block, field).add_(0.1 * torch.randn(getattr(block, field).shape, generator=gen))
    tokens = torch.randint(config.vocab_size, (3, 7), generator=gen)
    with torch.inference_mode():
        batched = next_token_logits(config, params, tokens)
    for model in range(3):
        expected = reference_logits(config, params, model, tokens[model].tolist())
        torch.testing.assert_close(batched[model].double(), expected, rtol=1e-4, atol=1e-5)


def test_defaults_and_gpt2_small_preset():
    config = ru.TransformerConfig()
    assert (config.activation, config.depth, config.width, config.heads) == ("gelu", 4, 64, 4)
    assert (config.vocab_size, config.context, config.ln_gain, config.tie_head) == (512, 128, 1.0, True)
    small = ru.TransformerConfig.gpt2_small()
    assert (small.depth, small.width, small.heads, small.vocab_size, small.context) == (12, 768, 12, 50257, 1024)
    assert small.n_parameters() == 124_439_808  # GPT-2 small's well-known count (tied head)
    assert ru.TransformerConfig.gpt2_small(activation="relu", depth=3).depth == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.depth = 2


def test_n_parameters_counts_the_tensors():
    for config in (SMALL, dataclasses.replace(SMALL, tie_head=False, depth=3)):
        params, _ = sample_params(config, range(1), seed=0)
        tensors = [params.wte, params.wpe, params.ln_f_weight, params.ln_f_bias]
        tensors += [] if params.head is None else [params.head]
        tensors += [getattr(b, f.name) for b in params.blocks for f in dataclasses.fields(b)]
        assert sum(t[0].numel() for t in tensors) == config.n_parameters()


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("activation", "softplus", "one of relu"),
        ("depth", 0, ">= 1"),
        ("depth", 2.0, ">= 1"),
        ("width", 0, ">= 1"),
        ("heads", 0, ">= 1"),
        ("heads", 3, "divide width=64"),
        ("vocab_size", 1, ">= 2"),
        ("context", 0, ">= 1"),
        ("ln_gain", 0.0, "> 0.0"),
        ("ln_gain", float("nan"), "finite"),
        ("tie_head", "yes", "True or False"),
    ],
)
def test_bad_config_names_field_value_and_allowed(field, value, allowed):
    with pytest.raises(ValueError) as error:
        ru.TransformerConfig(**{field: value})
    message = str(error.value)
    assert f"TransformerConfig.{field}" in message and repr(value) in message and allowed in message


def test_bad_generate_arguments():
    with pytest.raises(ValueError, match="must be a TransformerConfig"):
        ru.generate_sequences(ru.MLPConfig(), 2)
    with pytest.raises(ValueError, match="n_sequences"):
        ru.generate_sequences(SMALL, 0)
    with pytest.raises(ValueError, match="length must be <= context=32, got 33"):
        ru.generate_sequences(SMALL, 1, length=33)
    with pytest.raises(ValueError, match="seed"):
        ru.generate_sequences(SMALL, 1, length=5, seed=-1)


def test_shapes_dtype_and_prompt():
    tokens = ru.generate_sequences(SMALL, 5, length=12, seed=3)
    assert tokens.shape == (5, 12) and tokens.dtype == torch.long
    assert int(tokens.min()) >= 0 and int(tokens.max()) < SMALL.vocab_size
    _, prompts = sample_params(SMALL, range(5), seed=3)
    assert torch.equal(tokens[:, 0], prompts)
    assert ru.generate_sequences(SMALL, 2, length=1).shape == (2, 1)


def test_deterministic_and_seeded():
    a = ru.generate_sequences(SMALL, 6, length=20, seed=7)
    assert torch.equal(a, ru.generate_sequences(SMALL, 6, length=20, seed=7))
    assert not torch.equal(a, ru.generate_sequences(SMALL, 6, length=20, seed=8))


def test_sequence_does_not_depend_on_batching():
    config = dataclasses.replace(SMALL, activation="tanh", ln_gain=3.0)
    ten = ru.generate_sequences(config, 10, length=25, seed=1)
    assert torch.equal(ru.generate_sequences(config, 3, length=25, seed=1), ten[:3])
    assert torch.equal(ru.generate_sequences(config, 10, length=25, seed=1, chunk_size=1), ten)
    assert torch.equal(ru.generate_sequences(config, 10, length=25, seed=1, chunk_size=4), ten)
    # A shorter sequence is a prefix of a longer one: greedy decoding never looks ahead.
    assert torch.equal(ru.generate_sequences(config, 10, length=9, seed=1), ten[:, :9])


@pytest.mark.parametrize(
    "config",
    [
        SMALL,
        dataclasses.replace(SMALL, activation="relu", ln_gain=10.0),
        dataclasses.replace(SMALL, activation="sin", ln_gain=3.0, tie_head=False),
        dataclasses.replace(SMALL, activation="selu", depth=3, heads=4, ln_gain=0.5),
    ],
)
def test_kv_cache_equals_recomputing_the_prefix(config):
    cached = ru.generate_sequences(config, 12, length=30, seed=2)
    recomputed = ru.generate_sequences(config, 12, length=30, seed=2, kv_cache=False)
    assert torch.equal(cached, recomputed)


def test_cached_logits_match_full_prefix():
    params, prompts = sample_params(SMALL, range(4), seed=0)
    tokens = greedy_decode(SMALL, params, prompts, 15)
    from redshift_utils.transformer import KVCache

    cache = KVCache.empty(SMALL, 4, 15)
    with torch.inference_mode():
        for t in range(1, 15):
            step = next_token_logits(SMALL, params, tokens[:, t - 1 : t], start=t - 1, cache=cache)
            full = next_token_logits(SMALL, params, tokens[:, :t])
            torch.testing.assert_close(step, full, rtol=1e-4, atol=1e-6)


def test_gpt2_initialisation_statistics():
    config = ru.TransformerConfig(depth=3, width=128, heads=4, vocab_size=300, ln_gain=2.5, tie_head=False)
    params, prompts = sample_params(config, range(3), seed=0)
    proj_std = 0.02 / math.sqrt(2 * config.depth)
    draws = {"wte": (params.wte, 0.02), "wpe": (params.wpe, 0.02), "head": (params.head, 0.02)}
    for i, block in enumerate(params.blocks):
        draws |= {
            f"attn{i}": (block.attn_weight, 0.02),
            f"fc{i}": (block.fc_weight, 0.02),
            f"attn_proj{i}": (block.attn_proj_weight, proj_std),
            f"mlp_proj{i}": (block.mlp_proj_weight, proj_std),
        }
    for name, (tensor, std) in draws.items():
        assert abs(float(tensor.std()) / std - 1.0) < 0.03, name
        assert abs(float(tensor.mean())) < 0.05 * std, name
    for block in params.blocks:
        assert bool((block.ln_1_weight == 2.5).all() and (block.ln_2_weight == 2.5).all())
        for bias in (block.ln_1_bias, block.ln_2_bias, block.attn_bias, block.attn_proj_bias, block.fc_bias):
            assert bool((bias == 0).all())
        assert bool((block.mlp_proj_bias == 0).all())
    assert bool((params.ln_f_weight == 1).all() and (params.ln_f_bias == 0).all())
    assert int(prompts.min()) >= 0 and int(prompts.max()) < config.vocab_size
    tied, _ = sample_params(dataclasses.replace(config, tie_head=True), range(1), seed=0)
    assert tied.head is None


def test_weights_do_not_depend_on_activation_or_gain():
    """Common random numbers: model i has the same weights for every activation and gain."""
    a, pa = sample_params(SMALL, range(2), seed=5)
    b, pb = sample_params(dataclasses.replace(SMALL, activation="sin", ln_gain=4.0), range(2), seed=5)
    assert torch.equal(pa, pb) and torch.equal(a.wte, b.wte)
    assert torch.equal(a.blocks[1].fc_weight, b.blocks[1].fc_weight)


def test_large_gain_tanh_is_more_complex_than_default_gelu():
    """The chapter's headline contrast, on a tiny budget: default GELU repeats, large-gain TanH does not."""
    config = ru.TransformerConfig(depth=2, width=32, heads=2, vocab_size=128, context=64)
    gelu = ru.generate_sequences(config, 16, length=60)
    tanh = ru.generate_sequences(dataclasses.replace(config, activation="tanh", ln_gain=10.0), 16, length=60)
    mean_lz = lambda s: sum(ru.lz76(row) for row in s) / len(s)  # noqa: E731
    assert mean_lz(gelu) < mean_lz(tanh)


def test_params_to_device_round_trip():
    params, _ = sample_params(SMALL, range(2), seed=0)
    moved = params.to("cpu")
    assert torch.equal(moved.blocks[1].fc_weight, params.blocks[1].fc_weight) and moved.head is None


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_gpu_decoding_matches_cpu():
    config = dataclasses.replace(SMALL, activation="tanh", ln_gain=3.0)
    cpu = ru.generate_sequences(config, 8, length=20)
    assert torch.equal(ru.generate_sequences(config, 8, length=20, device="cuda"), cpu)


# ------------------------------------------------------------------- a sweep on shared weights


def test_sweep_equals_generate_sequences_cell_by_cell(monkeypatch):
    """In float64 (ties between logits far below rounding) every sequence of every cell is the per-cell one."""
    monkeypatch.setenv("REDSHIFT_DTYPE", "float64")
    config = dataclasses.replace(SMALL, depth=3, heads=4)
    names, gains = ["gelu", "sin", "selu"], [0.5, 2.0, 8.0]
    sweep = ru.generate_sweep(config, names, gains, 5, length=12, seed=3)
    assert sweep.shape == (3, 3, 5, 12) and sweep.dtype == torch.long
    for a, name in enumerate(names):
        for g, gain in enumerate(gains):
            cell = dataclasses.replace(config, activation=name, ln_gain=gain)
            assert torch.equal(sweep[a, g], ru.generate_sequences(cell, 5, length=12, seed=3)), (name, gain)


def test_sweep_agrees_in_float32_and_ignores_the_configs_gain_and_activation(float32):
    """float32: a different order of the same sums may flip a near-tie, so agreement is measured, not assumed."""
    config = dataclasses.replace(SMALL, tie_head=False)
    sweep = ru.generate_sweep(dataclasses.replace(config, activation="relu", ln_gain=7.0), ["tanh"], [3.0], 16,
                              length=16, seed=1)
    reference = ru.generate_sequences(dataclasses.replace(config, activation="tanh", ln_gain=3.0), 16, length=16,
                                      seed=1)
    assert (sweep[0, 0] == reference).all(-1).float().mean() >= 0.9


def test_sweep_does_not_depend_on_chunking(monkeypatch):
    import redshift_utils.transformer as module

    monkeypatch.setenv("REDSHIFT_DTYPE", "float64")  # chunks change the shapes of the products, so the rounding
    whole = ru.generate_sweep(SMALL, ["gelu", "relu"], [1.0, 4.0], 6, length=10, seed=2)
    monkeypatch.setattr(module, "SWEEP_CHUNK_BYTES", 4 * 800)  # one model and one variant per pass
    assert module._sweep_chunks(SMALL, 4, 10) == (1, 1)
    torch.testing.assert_close(ru.generate_sweep(SMALL, ["gelu", "relu"], [1.0, 4.0], 6, length=10, seed=2), whole,
                               rtol=0, atol=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(activations=["nope"]), "one of"),
        (dict(gains=[0.0]), "gains"),
        (dict(gains=[]), "at least one"),
        (dict(n_sequences=0), "n_sequences"),
        (dict(length=SMALL.context + 1), "length"),
    ],
)
def test_bad_sweep_arguments(kwargs, message):
    args = dict(activations=["gelu"], gains=[1.0], n_sequences=2, length=5)
    with pytest.raises(ValueError, match=message):
        ru.generate_sweep(SMALL, **{**args, **kwargs})
