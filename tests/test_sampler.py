"""Unit tests of the batched random-network sampler (book/conventions.md, "Random MLPs, layer by layer").

The most important test here is ``test_mlp_forward_matches_reference``: a per-network,
layer-by-layer ``torch.nn.Linear`` transcription of the conventions page's definition, written
independently of the library, evaluated in float64 for every combination of flags.
"""

from __future__ import annotations

import itertools
import math
import os

import numpy as np
import pytest
import scipy.stats
import torch
import torch.nn.functional as F

import redshift_utils as ru
from redshift_utils.sampler import unbiased_basis


def reference_network(config: ru.MLPConfig, params: list, index: int, x: torch.Tensor) -> torch.Tensor:
    """The conventions page's definition for network ``index``, one nn.Linear per layer, no batching tricks."""
    phi = {
        "relu": lambda t: torch.clamp(t, min=0.0),
        "gelu": lambda t: 0.5 * t * (1.0 + torch.erf(t / math.sqrt(2.0))),
        "swish": lambda t: t * torch.sigmoid(t),
        "selu": lambda t: 1.0507009873554805 * torch.where(t > 0, t, 1.6732632423543772 * (torch.exp(t) - 1.0)),
        "tanh": torch.tanh,
        "gaussian": lambda t: torch.exp(-(t**2)),
        "sin": torch.sin,
        "sigmoid": torch.sigmoid,
        "identity": lambda t: t,
    }[config.activation]

    def linear(weight, bias):
        layer = torch.nn.Linear(weight.shape[2], weight.shape[1], dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(weight[index])
            layer.bias.copy_(bias[index])
        return layer

    p = config.prefactor
    h = x.to(torch.float64)
    with torch.no_grad():
        for layer in params[:-1]:
            z = p * linear(layer.weight, layer.bias)(h)
            if config.layernorm:
                mean = z.mean(dim=-1, keepdim=True)
                var = ((z - mean) ** 2).mean(dim=-1, keepdim=True)
                z = config.ln_gain * (z - mean) / torch.sqrt(var + 1e-5)
            a = phi(z)
            if config.gating:
                a = a * torch.sigmoid(p * linear(layer.gate_weight, layer.gate_bias)(h))
            h = z + a if config.residual else a
        out = linear(params[-1].weight, params[-1].bias)(h)
    return out[:, 0]


def to_float64(params: list) -> list:
    move = lambda t: None if t is None else t.to(torch.float64)  # noqa: E731
    return [ru.LayerParams(*(move(t) for t in (p.weight, p.bias, p.gate_weight, p.gate_bias))) for p in params]


FLAGS = list(itertools.product([False, True], repeat=3))


@pytest.mark.parametrize("activation", sorted(ru.ACTIVATIONS))
@pytest.mark.parametrize(("residual", "layernorm", "gating"), FLAGS)
def test_mlp_forward_matches_reference(activation, residual, layernorm, gating):
    config = ru.MLPConfig(
        activation=activation,
        depth=3,
        width=12,
        alpha=1.3,
        bias_scale=0.7,
        prefactor=1.7,
        residual=residual,
        layernorm=layernorm,
        ln_gain=2.3,
        gating=gating,
    )
    params = to_float64(ru.sample_mlp_params(config, 4, seed=3))
    x = ru.grid(7)
    out = ru.mlp_forward(config, params, x)
    assert out.shape == (4, 49) and out.dtype == torch.float64
    for index in range(4):
        expected = reference_network(config, params, index, x)
        torch.testing.assert_close(out[index], expected, rtol=1e-10, atol=1e-10)
    # The float32 path (what sample_functions uses by default) agrees to float32 accuracy.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REDSHIFT_DTYPE", "float32")
        out32 = ru.mlp_forward(config, ru.sample_mlp_params(config, 4, seed=3), x.float())
        assert out32.dtype == torch.float32
    torch.testing.assert_close(out32.double(), out, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("tile_bytes", [1, 3 * 8 * 25 * 6, 2**40])
@pytest.mark.parametrize(("residual", "layernorm", "gating"), [(False, False, False), (True, True, True)])
def test_mlp_forward_groups_of_networks_match_reference(monkeypatch, tile_bytes, residual, layernorm, gating):
    """mlp_forward evaluates networks in cache-sized groups on the CPU: 1, 3 or all at a time."""
    import redshift_utils.sampler as sampler

    monkeypatch.setattr(sampler, "TILE_BYTES", tile_bytes)
    config = ru.MLPConfig(
        activation="identity", depth=2, width=6, prefactor=1.3, residual=residual, layernorm=layernorm, gating=gating
    )
    params = to_float64(ru.sample_mlp_params(config, 7, seed=8))
    x = ru.grid(5)
    out = ru.mlp_forward(config, params, x)
    assert out.shape == (7, 25) and out.dtype == torch.float64
    for index in range(7):
        torch.testing.assert_close(out[index], reference_network(config, params, index, x), rtol=1e-10, atol=1e-10)
    functions = ru.sample_functions(config, 7, n=5, seed=8)
    torch.testing.assert_close(functions.reshape(7, 25).double(), out, rtol=1e-5, atol=1e-5)


def test_mlp_forward_does_not_modify_its_inputs():
    config = ru.MLPConfig(activation="identity", residual=True, gating=True, prefactor=2.0, width=8)
    params = ru.sample_mlp_params(config, 3)
    copies = [[t.clone() for t in (p.weight, p.bias, p.gate_weight, p.gate_bias) if t is not None] for p in params]
    x = ru.grid(5).float()
    x_copy = x.clone()
    first = ru.mlp_forward(config, params, x)
    torch.testing.assert_close(ru.mlp_forward(config, params, x), first, rtol=0, atol=0)
    assert torch.equal(x, x_copy)
    for p, saved in zip(params, copies, strict=True):
        current = [t for t in (p.weight, p.bias, p.gate_weight, p.gate_bias) if t is not None]
        assert all(torch.equal(a, b) for a, b in zip(current, saved, strict=True))


@pytest.mark.parametrize("config", [ru.MLPConfig(), ru.MLPConfig(activation="sin", gating=True, depth=2)])
def test_sample_functions_is_mlp_forward_on_the_ij_grid(config):
    n = 9
    functions = ru.sample_functions(config, 3, n=n, seed=5)
    params = ru.sample_mlp_params(config, 3, seed=5)
    direct = ru.mlp_forward(config, params, ru.grid(n).float()).reshape(3, n, n)
    torch.testing.assert_close(functions, direct, rtol=1e-6, atol=1e-6)
    # [k, i, j] = f_k(x_i, y_j): evaluate one off-diagonal point by hand.
    xs = ru.grid_axis(n)
    point = torch.tensor([[xs[2], xs[6]]])
    value = reference_network(config, to_float64(params), 1, point)
    assert functions[1, 2, 6].item() == pytest.approx(value.item(), rel=1e-5, abs=1e-6)


# ------------------------------------------------------------------------- shapes, determinism


@pytest.mark.parametrize("n", [2, 16])
def test_sample_functions_shapes_and_dtype(n, monkeypatch):
    monkeypatch.setenv("REDSHIFT_DTYPE", "float32")  # the default precision, whatever the test run uses
    f = ru.sample_functions(ru.MLPConfig(width=8), 5, n=n)
    assert f.shape == (5, n, n) and f.dtype == torch.float32
    assert torch.isfinite(f).all()
    u = ru.sample_functions(ru.UnbiasedConfig(), 4, n=n)
    assert u.shape == (4, n, n) and u.dtype == torch.float32


def test_sample_functions_default_grid_is_64():
    assert ru.sample_functions(ru.MLPConfig(width=4, depth=1), 2).shape == (2, 64, 64)


def test_sample_mlp_params_shapes(float32):
    config = ru.MLPConfig(depth=3, width=10, in_dim=3, gating=True)
    params = ru.sample_mlp_params(config, 6)
    assert len(params) == 4
    sizes = [3, 10, 10, 10, 1]
    for layer, p in enumerate(params):
        assert p.weight.shape == (6, sizes[layer + 1], sizes[layer])
        assert p.bias.shape == (6, sizes[layer + 1])
        assert p.weight.dtype == torch.float32
        if layer < 3:
            assert p.gate_weight.shape == p.weight.shape and p.gate_bias.shape == p.bias.shape
        else:  # the output layer has no gate
            assert p.gate_weight is None and p.gate_bias is None
    plain = ru.sample_mlp_params(ru.MLPConfig(depth=2, width=5), 2)
    assert all(p.gate_weight is None and p.gate_bias is None for p in plain)
    out = ru.mlp_forward(config, params, torch.rand(11, 3) * 2 - 1)
    assert out.shape == (6, 11)


@pytest.mark.parametrize(
    "config", [ru.MLPConfig(), ru.MLPConfig(activation="tanh", weight_dist="student_t"), ru.UnbiasedConfig(2.0)]
)
def test_same_seed_same_bits_different_seed_different(config):
    a = ru.sample_functions(config, 6, n=16, seed=11)
    b = ru.sample_functions(config, 6, n=16, seed=11)
    assert torch.equal(a, b)
    c = ru.sample_functions(config, 6, n=16, seed=12)
    assert not torch.isclose(a, c).all(dim=(1, 2)).any()  # every network differs
    # Networks within one draw differ from one another.
    assert not torch.equal(a[0], a[1])


def test_params_of_network_i_do_not_depend_on_n_networks():
    config = ru.MLPConfig(width=16, gating=True, weight_dist="normal")
    few = ru.sample_mlp_params(config, 5, seed=2)
    many = ru.sample_mlp_params(config, 50, seed=2)
    for p_few, p_many in zip(few, many, strict=True):
        assert torch.equal(p_few.weight, p_many.weight[:5])
        assert torch.equal(p_few.bias, p_many.bias[:5])
        if p_few.gate_weight is not None:
            assert torch.equal(p_few.gate_weight, p_many.gate_weight[:5])
            assert torch.equal(p_few.gate_bias, p_many.gate_bias[:5])


@pytest.mark.parametrize(
    "config",
    [
        ru.MLPConfig(width=32),
        ru.MLPConfig(activation="sin", width=16, residual=True, layernorm=True, ln_gain=3.0, prefactor=2.0),
        ru.MLPConfig(activation="gelu", width=16, gating=True, residual=True),
    ],
)
def test_network_i_independent_of_n_networks_and_chunk_size(config):
    n = 16
    reference = ru.sample_functions(config, 5, n=n, seed=7)
    many = ru.sample_functions(config, 50, n=n, seed=7)
    torch.testing.assert_close(many[:5], reference, rtol=1e-6, atol=1e-6)
    for chunk_size in (1, 3, None):
        chunked = ru.sample_functions(config, 50, n=n, seed=7, chunk_size=chunk_size)
        # The same parameters (test_parameter_bits_do_not_depend_on_threads_chunks_or_batch); a
        # matrix product over one network (chunk_size=1) may round its last float32 bits
        # differently from one over many, hence the few-ulp tolerance on values of order 1.
        torch.testing.assert_close(chunked, many, rtol=1e-5, atol=1e-5)


def test_unbiased_network_i_independent_of_n_networks():
    few = ru.sample_functions(ru.UnbiasedConfig(), 3, n=16, seed=4)
    many = ru.sample_functions(ru.UnbiasedConfig(), 20, n=16, seed=4)
    torch.testing.assert_close(many[:3], few, rtol=1e-6, atol=1e-5)


# ------------------------------------------------------------------------------ initialisation


def pooled(params: list, layer: int, field: str) -> np.ndarray:
    return getattr(params[layer], field).reshape(-1).double().numpy()


def test_uniform_init_bounds():
    alpha, bias_scale, width = 2.5, 0.3, 64
    config = ru.MLPConfig(depth=2, width=width, alpha=alpha, bias_scale=bias_scale, prefactor=4.0)
    params = ru.sample_mlp_params(config, 8)
    sizes = [2, width, width, 1]
    for layer in range(3):
        bound = alpha * math.sqrt(6.0 / (sizes[layer] + sizes[layer + 1]))
        w = pooled(params, layer, "weight")
        b = pooled(params, layer, "bias")
        assert np.abs(w).max() <= bound * (1 + 1e-6)
        assert np.abs(b).max() <= bias_scale * (1 + 1e-6)
        if w.size > 5000:  # enough draws to reach close to the bound, and to check the law
            assert np.abs(w).max() > 0.99 * bound
            assert scipy.stats.kstest(w / bound, scipy.stats.uniform(-1, 2).cdf).pvalue > 1e-3
        if b.size > 500:
            assert np.abs(b).max() > 0.95 * bias_scale
    # prefactor is applied in the forward pass, never folded into the parameters.
    plain = ru.sample_mlp_params(ru.MLPConfig(depth=2, width=width, alpha=alpha, bias_scale=bias_scale), 8)
    assert all(torch.equal(p.weight, q.weight) for p, q in zip(params, plain, strict=True))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_stream_layout_is_pinned(monkeypatch, dtype):
    """Network i's parameters come from its own stream, numpy's PCG64DXSM seeded from
    SeedSequence([seed, i]), in a fixed order: per layer W, b, then the gate's W', b'. A tensor
    of m numbers takes ceil(m / 2) 64-bit outputs, split low half first into 32-bit words w;
    u = (w >> 8) / 2^24, 2u - 1 in float32, then cast to the compute dtype and times the bound
    there. Changing this changes every figure."""
    from redshift_utils import sampler

    monkeypatch.setenv("REDSHIFT_DTYPE", dtype)
    monkeypatch.setattr(sampler, "DRAW_BLOCK_NUMBERS", 4)  # tensors drawn in several blocks: the same numbers
    config = ru.MLPConfig(depth=2, width=5, alpha=1.5, bias_scale=0.25, gating=True)
    params = ru.sample_mlp_params(config, 3, seed=4)
    sizes = [2, 5, 5, 1]
    f32 = np.float32

    def expected_draw(bits, shape, scale):
        m = math.prod(shape)
        raw = [int(x) for x in bits.random_raw((m + 1) // 2)]
        words = [half for x in raw for half in (x & 0xFFFFFFFF, x >> 32)][:m]
        u = np.array([w >> 8 for w in words], dtype=np.float64) / 2**24
        unit = (2 * u - 1).astype(f32).reshape(shape)  # exact in float32
        return torch.from_numpy(unit * f32(scale) if dtype == "float32" else unit.astype(np.float64) * scale)

    for index in range(3):
        bits = np.random.PCG64DXSM(np.random.SeedSequence([4, index]))
        for layer in range(3):
            fan_in, fan_out = sizes[layer], sizes[layer + 1]
            bound = 1.5 * math.sqrt(6.0 / (fan_in + fan_out))
            expected = [expected_draw(bits, (fan_out, fan_in), bound), expected_draw(bits, (fan_out,), 0.25)]
            got = [params[layer].weight[index], params[layer].bias[index]]
            if layer < 2:
                expected += [expected_draw(bits, (fan_out, fan_in), bound), expected_draw(bits, (fan_out,), 0.25)]
                got += [params[layer].gate_weight[index], params[layer].gate_bias[index]]
            for a, b in zip(got, expected, strict=True):
                assert torch.equal(a, b)


def test_uniform_draws_are_numpys_float32_uniforms(float32):
    """The block-wise uniform draws are numpy's own Generator.random(dtype=float32) numbers."""
    config = ru.MLPConfig(depth=1, width=50_000, in_dim=3)  # a 150,000-number first layer: three blocks
    first = ru.sample_mlp_params(config, 1, seed=2)[0]
    gen = np.random.Generator(np.random.PCG64DXSM(np.random.SeedSequence([2, 0])))
    u = gen.random(150_000, dtype=np.float32).reshape(50_000, 3)
    bound = math.sqrt(6.0 / 50_003)
    assert torch.equal(first.weight[0], torch.from_numpy((np.float32(2) * u - np.float32(1)) * np.float32(bound)))
    assert 0.999 * bound < float(first.weight.abs().max()) < bound


def _all_tensors(params: list) -> list[torch.Tensor]:
    return [
        t for layer in params for t in (layer.weight, layer.bias, layer.gate_weight, layer.gate_bias) if t is not None
    ]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "config",
    [
        ru.MLPConfig(width=24, depth=3, alpha=1.3, bias_scale=0.7),
        ru.MLPConfig(width=7, depth=2, in_dim=3, gating=True),  # odd-sized tensors
        ru.MLPConfig(width=12, depth=2, gating=True, weight_dist="normal"),
        ru.MLPConfig(width=12, depth=2, weight_dist="student_t", bias_scales_with_alpha=True, alpha=2.0),
        ru.MLPConfig(width=12, depth=1, weight_dist="uniform_ball", gating=True),
    ],
)
def test_parameter_bits_do_not_depend_on_threads_chunks_or_batch(monkeypatch, dtype, config):
    """The determinism contract of the threaded drawing: network i's parameters are the same bits
    whatever the number of drawing threads, the task size, the chunk or the batch it is drawn in."""
    from redshift_utils import sampler

    monkeypatch.setenv("REDSHIFT_DTYPE", dtype)
    reference = sampler._sample_networks(config, range(23), 9, threads=1)
    # One network per task, so that several threads really share the work, and small blocks.
    monkeypatch.setattr(sampler, "DRAW_TASK_NUMBERS", 1)
    monkeypatch.setattr(sampler, "DRAW_BLOCK_NUMBERS", 6)
    for threads, fused_limit in itertools.product((2, 3, 8), (0, sampler.FUSED_LIMIT)):
        # FUSED_LIMIT 0: uniform networks tensor by tensor too, in blocks of 6 numbers.
        monkeypatch.setattr(sampler, "FUSED_LIMIT", fused_limit)
        threaded = sampler._sample_networks(config, range(23), 9, threads=threads)
        assert all(torch.equal(a, b) for a, b in zip(_all_tensors(threaded), _all_tensors(reference), strict=True))
    buffers = sampler._sample_networks(config, range(40, 53), 9)  # memory to reuse, as sample_functions does
    for rows in (range(0, 1), range(5, 6), range(4, 17), range(22, 23)):  # other chunks and batch sizes
        whole = [t[rows.start : rows.stop] for t in _all_tensors(reference)]
        part = sampler._sample_networks(config, rows, 9, threads=2)
        assert all(torch.equal(a, b) for a, b in zip(_all_tensors(part), whole, strict=True))
        reused = sampler._sample_networks(config, rows, 9, threads=2, out=buffers)
        assert all(torch.equal(a, b) for a, b in zip(_all_tensors(reused), whole, strict=True))
        assert reused[0].weight.data_ptr() == buffers[0].weight.data_ptr()
    monkeypatch.setenv("REDSHIFT_DRAW_THREADS", "3")  # the default thread count comes from the environment
    assert sampler.draw_threads() == 3
    public = ru.sample_mlp_params(config, 23, seed=9)
    assert all(torch.equal(a, b) for a, b in zip(_all_tensors(public), _all_tensors(reference), strict=True))


def test_sample_functions_bits_do_not_depend_on_draw_threads(monkeypatch, float32):
    from redshift_utils import sampler

    config = ru.MLPConfig(width=32, depth=3, activation="tanh")
    monkeypatch.setenv("REDSHIFT_DRAW_THREADS", "1")
    one = ru.sample_functions(config, 40, n=8, seed=3, chunk_size=16)
    monkeypatch.setattr(sampler, "DRAW_TASK_NUMBERS", 1)
    for threads in ("2", "5"):
        monkeypatch.setenv("REDSHIFT_DRAW_THREADS", threads)
        assert torch.equal(ru.sample_functions(config, 40, n=8, seed=3, chunk_size=16), one)


def test_draw_threads_default_and_bad_values(monkeypatch):
    from redshift_utils.sampler import draw_threads

    monkeypatch.delenv("REDSHIFT_DRAW_THREADS", raising=False)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert draw_threads() == cores
    for bad in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv("REDSHIFT_DRAW_THREADS", bad)
        with pytest.raises(ValueError, match=r"REDSHIFT_DRAW_THREADS must be an integer >= 1 .*got '"):
            ru.sample_mlp_params(ru.MLPConfig(width=4), 1)


def test_bias_scale_zero_gives_zero_biases():
    params = ru.sample_mlp_params(ru.MLPConfig(bias_scale=0.0, gating=True), 3)
    assert all(torch.count_nonzero(p.bias) == 0 for p in params)
    assert all(torch.count_nonzero(p.gate_bias) == 0 for p in params[:-1])


@pytest.mark.parametrize(
    ("dist", "law"),
    [
        ("uniform", scipy.stats.uniform(-1, 2)),
        ("normal", scipy.stats.norm(0, 1 / math.sqrt(3))),
        # t with 3 degrees of freedom has variance 3: scaled by 1/3 to variance 1/3.
        ("student_t", scipy.stats.t(df=3, scale=1 / 3)),
        # A coordinate of the D-ball of radius sqrt((D+2)/3) is a scaled Beta((D+1)/2, (D+1)/2);
        # for these D (256 to 65,536) it is the normal law within what the KS tests can see.
        ("uniform_ball", scipy.stats.norm(0, 1 / math.sqrt(3))),
    ],
)
def test_weight_distributions_have_uniform_variance(dist, law):
    """Every law has the variance of U(-s, s), s^2/3 (and biases of U(-b, b), b^2/3)."""
    alpha, bias_scale, width = 0.8, 2.0, 256
    config = ru.MLPConfig(depth=2, width=width, alpha=alpha, bias_scale=bias_scale, weight_dist=dist)
    params = ru.sample_mlp_params(config, 4)
    bound = alpha * math.sqrt(6.0 / (2 * width))
    w = pooled(params, 1, "weight") / bound  # hidden-to-hidden layer: 4 * 256 * 256 draws
    assert scipy.stats.kstest(w, law.cdf).statistic < 0.005
    assert abs(w.mean()) < 0.01
    # Heavy tails (student_t has no fourth moment) make the sample variance noisy: 10% is safe.
    assert np.var(w) == pytest.approx(1 / 3, rel=0.02 if dist != "student_t" else 0.1)
    b = np.concatenate([pooled(params, layer, "bias") for layer in range(2)]) / bias_scale
    assert scipy.stats.kstest(b, law.cdf).pvalue > 1e-4
    first = pooled(params, 0, "weight") / (alpha * math.sqrt(6.0 / (2 + width)))
    assert scipy.stats.kstest(first, law.cdf).pvalue > 1e-4


def test_uniform_ball_fills_each_tensors_ball_uniformly():
    """Each weight matrix lies inside its ball, with radius^D uniform (the volume law) and isotropic."""
    width = 8
    config = ru.MLPConfig(depth=2, width=width, weight_dist="uniform_ball")
    params = ru.sample_mlp_params(config, 3000)
    bound = math.sqrt(6.0 / (2 * width))
    w = params[1].weight.reshape(3000, -1).double().numpy() / bound  # hidden layer: D = 64
    d = w.shape[1]
    radius = np.linalg.norm(w, axis=1) / math.sqrt((d + 2) / 3.0)
    assert radius.max() <= 1.0 + 1e-6
    assert scipy.stats.kstest(radius**d, "uniform").pvalue > 1e-4
    assert np.var(w) == pytest.approx(1 / 3, rel=0.02)
    assert np.abs(np.corrcoef(w[:, :4].T) - np.eye(4)).max() < 0.08  # no preferred direction
    last_bias = params[-1].bias.reshape(-1).double().numpy()  # D = 1: exactly U(-1, 1)
    assert scipy.stats.kstest(last_bias, scipy.stats.uniform(-1, 2).cdf).pvalue > 1e-4


# ----------------------------------------------------------------------------- scale behaviour


def test_relu_prefactor_positive_homogeneity():
    """prefactor scales W and b of each hidden layer and ReLU is positively homogeneous.

    One hidden layer: out(p) - b_out = p (out(1) - b_out). Deeper, the hidden state of layer
    l is p^l times that of the prefactor-1 network whose layer-l bias is divided by p^(l-1)
    (because p W (p^(l-1) g) + p b = p^l (W g + p^(1-l) b)); the output layer is unscaled.
    """
    p = 2.5
    x = ru.grid(8)
    shallow = ru.MLPConfig(depth=1, width=16)
    params = to_float64(ru.sample_mlp_params(shallow, 4, seed=1))
    b_out = params[-1].bias  # (N, 1)
    out1 = ru.mlp_forward(shallow, params, x) - b_out
    outp = ru.mlp_forward(ru.MLPConfig(depth=1, width=16, prefactor=p), params, x) - b_out
    torch.testing.assert_close(outp, p * out1, rtol=1e-10, atol=1e-10)

    depth = 3
    deep = ru.MLPConfig(depth=depth, width=16)
    params = to_float64(ru.sample_mlp_params(deep, 4, seed=1))
    b_out = params[-1].bias
    outp = ru.mlp_forward(ru.MLPConfig(depth=depth, width=16, prefactor=p), params, x) - b_out
    rescaled = [
        ru.LayerParams(q.weight, q.bias * p ** (-layer)) if layer < depth else q for layer, q in enumerate(params)
    ]
    out1 = ru.mlp_forward(deep, rescaled, x) - b_out
    torch.testing.assert_close(outp, p**depth * out1, rtol=1e-10, atol=1e-10)
    # Without biases the whole network is homogeneous of degree depth in p.
    unbiased = [ru.LayerParams(q.weight, torch.zeros_like(q.bias)) for q in params]
    out1 = ru.mlp_forward(deep, unbiased, x)
    outp = ru.mlp_forward(ru.MLPConfig(depth=depth, width=16, prefactor=p), unbiased, x)
    torch.testing.assert_close(outp, p**depth * out1, rtol=1e-10, atol=1e-10)


def test_relu_alpha_scales_weights_only():
    """With zero biases a ReLU network is homogeneous in all its weights: alpha^(depth+1)."""
    depth, alpha = 2, 1.7
    f1 = ru.sample_functions(ru.MLPConfig(depth=depth, width=16, bias_scale=0.0), 3, n=8)
    fa = ru.sample_functions(ru.MLPConfig(depth=depth, width=16, bias_scale=0.0, alpha=alpha), 3, n=8)
    torch.testing.assert_close(fa, alpha ** (depth + 1) * f1, rtol=1e-5, atol=1e-6)


def test_layernorm_removes_prefactor():
    config = dict(activation="tanh", depth=3, width=32, layernorm=True, ln_gain=1.5)
    f1 = ru.sample_functions(ru.MLPConfig(**config), 3, n=8)
    f9 = ru.sample_functions(ru.MLPConfig(**config, prefactor=9.0), 3, n=8)
    torch.testing.assert_close(f9, f1, rtol=1e-3, atol=1e-3)
    # ...while ln_gain does change the function.
    g = ru.sample_functions(ru.MLPConfig(**{**config, "ln_gain": 4.0}), 3, n=8)
    assert not torch.allclose(g, f1, atol=1e-2)


@pytest.mark.parametrize("alpha", [1e-3, 1.0, 1e3])
def test_unbiased_model_scores_one_at_any_alpha(alpha):
    f = ru.sample_functions(ru.UnbiasedConfig(alpha=alpha), 8, n=32)
    scores = ru.fourier_complexity(f)
    assert abs(float(scores.mean()) - 1.0) < 0.03
    assert abs(float(ru.lz_complexity(f).mean()) - 1.0) < 0.1


def test_unbiased_model_is_alpha_times_random_dct():
    f1 = ru.sample_functions(ru.UnbiasedConfig(1.0), 2, n=16, seed=9)
    f3 = ru.sample_functions(ru.UnbiasedConfig(3.0), 2, n=16, seed=9)
    torch.testing.assert_close(f3, 3.0 * f1, rtol=1e-5, atol=1e-5)
    # Its orthonormal DCT coefficients are c_j * (n/2) * s-factors: i.i.d. Gaussian up to scale.
    coeffs = scipy.fft.dctn(f1.double().numpy(), type=2, norm="ortho", axes=(-2, -1))
    inner = coeffs[:, 1:, 1:] / (16 / 2)  # both indices non-zero: factor sqrt(n/2)^2
    assert np.std(inner) == pytest.approx(1.0, rel=0.1)


def test_core_contrast_relu_stays_simple_tanh_and_sin_do_not():
    """The paper's core result at small scale: complexity vs. prefactor for three activations."""
    scores = {}
    for activation in ("relu", "tanh", "sin"):
        for prefactor in (1.0, 20.0):
            config = ru.MLPConfig(activation=activation, depth=3, width=64, prefactor=prefactor)
            f = ru.sample_functions(config, 16, n=64, seed=0)
            scores[activation, prefactor] = float(ru.fourier_complexity(f).mean())
    assert scores["relu", 1.0] < 0.2 and scores["relu", 20.0] < 0.2
    assert abs(scores["relu", 20.0] - scores["relu", 1.0]) < 0.05
    assert scores["tanh", 20.0] > 0.3 and scores["tanh", 20.0] > 3 * scores["tanh", 1.0]
    assert scores["sin", 20.0] > 0.8 and scores["sin", 20.0] > 5 * scores["sin", 1.0]


# ---------------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_networks": 0}, "n_networks"),
        ({"n_networks": True}, "n_networks"),
        ({"n_networks": 2.0}, "n_networks"),
        ({"n": 1}, "n"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"chunk_size": 0}, "chunk_size"),
    ],
)
def test_sample_functions_rejects_bad_arguments(kwargs, field):
    args = {"n_networks": 2, "n": 8, **kwargs}
    n_networks = args.pop("n_networks")
    with pytest.raises(ValueError, match=field):
        ru.sample_functions(ru.MLPConfig(width=4), n_networks, **args)


def test_wrong_config_types_raise():
    with pytest.raises(ValueError, match="config"):
        ru.sample_functions({"activation": "relu"}, 2)
    with pytest.raises(ValueError, match="config"):
        ru.sample_mlp_params(ru.UnbiasedConfig(), 2)
    with pytest.raises(ValueError, match="n_networks"):
        ru.sample_mlp_params(ru.MLPConfig(), 0)
    with pytest.raises(ValueError, match="config"):
        ru.mlp_forward("relu", ru.sample_mlp_params(ru.MLPConfig(), 1), ru.grid(4))


def test_mlp_forward_rejects_mismatched_params_and_points():
    config = ru.MLPConfig(depth=2, width=4)
    params = ru.sample_mlp_params(config, 2)
    with pytest.raises(ValueError, match="layers"):
        ru.mlp_forward(ru.MLPConfig(depth=3, width=4), params, ru.grid(4))
    with pytest.raises(ValueError, match="in_dim"):
        ru.mlp_forward(config, params, torch.zeros(10, 3))
    with pytest.raises(ValueError, match="in_dim"):
        ru.mlp_forward(config, params, torch.zeros(10))


# --------------------------------------------------------------------------------- activations


def test_activation_set_and_definitions():
    assert set(ru.ACTIVATIONS) == {
        "relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin", "sigmoid", "identity",
    }  # fmt: skip
    t = torch.linspace(-4, 4, 101, dtype=torch.float64)
    act = ru.ACTIVATIONS
    torch.testing.assert_close(act["gelu"](t), 0.5 * t * (1 + torch.erf(t / math.sqrt(2))))  # exact gelu
    torch.testing.assert_close(act["gaussian"](t), torch.exp(-(t**2)))
    torch.testing.assert_close(act["swish"](t), t * torch.sigmoid(t))
    torch.testing.assert_close(act["selu"](t), F.selu(t))
    torch.testing.assert_close(act["identity"](t), t)


def test_unbiased_basis_is_the_dct_basis_on_the_grid_axis(float32):
    """On the n-point grid axis the basis is the orthonormal DCT-II times sqrt(n/2): every norm n/2."""
    n = 16
    basis = unbiased_basis(ru.grid_axis(n), n).double()
    torch.testing.assert_close(basis.T @ basis, torch.eye(n, dtype=torch.float64) * n / 2, atol=1e-5, rtol=0)
    ends = unbiased_basis(torch.tensor([-1.0, 1.0]), 4)  # cos(0) = 1 and cos(pi j) = (-1)^j at the ends
    c0 = 2**-0.5
    torch.testing.assert_close(ends, torch.tensor([[c0, 1, 1, 1], [c0, -1, 1, -1]]), atol=1e-6, rtol=0)


def test_unbiased_model_is_white_in_the_orthonormal_dct():
    """Its coefficients in the measure's own DCT have one variance, constant and axis terms included."""
    from scipy.fft import dctn

    f = ru.sample_functions(ru.UnbiasedConfig(), 2000, n=8).double().numpy()
    coefficients = dctn(f, type=2, norm="ortho", axes=(1, 2))
    variance = coefficients.var(axis=0)
    assert abs(variance[0, 0] / variance[1:, 1:].mean() - 1) < 0.15
    assert abs(variance[0, 1:].mean() / variance[1:, 1:].mean() - 1) < 0.1


@pytest.mark.parametrize("given, expected", [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_importing_the_library_lets_idle_torch_threads_sleep(given, expected):
    """``import redshift_utils`` sets OMP_WAIT_POLICY=PASSIVE before torch loads (spinning threads
    slowed sweeps up to 8x on a shared machine), and leaves a value the user set alone."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if given is not None:
        env["OMP_WAIT_POLICY"] = given
    code = "import os, sys, redshift_utils; print(os.environ['OMP_WAIT_POLICY'], 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [expected, "True"]


def test_keep_on_device_on_the_cpu_changes_nothing_and_is_checked():
    config = ru.MLPConfig(activation="tanh", depth=2, width=8)
    kept = ru.sample_functions(config, 3, n=8, seed=1, keep_on_device=True)
    assert torch.equal(kept, ru.sample_functions(config, 3, n=8, seed=1)) and kept.device.type == "cpu"
    with pytest.raises(ValueError, match="keep_on_device must be True or False"):
        ru.sample_functions(config, 3, n=8, keep_on_device="yes")
