"""REDSHIFT_DEVICE: read at call time, refused when unknown or without a GPU; a GPU gives the CPU's results.

The comparisons of GPU and CPU results need a CUDA GPU and are skipped elsewhere; the parsing,
the errors and the bookkeeping (cache keys, build folders) are tested on every machine.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from golden_compare import Tolerance

import redshift_utils as ru
from redshift_utils.book.cache import cache_path
from redshift_utils.book.paths import BUILD_DIR, build_root
from redshift_utils.device import DEVICES, compute_device, device_name
from redshift_utils.training import TrainConfig, init_mlps, predict, train_mlps

GPU = torch.cuda.is_available()
needs_gpu = pytest.mark.skipif(
    not GPU, reason="no CUDA GPU here (torch.cuda.is_available() is False): GPU results cannot be compared"
)
GOLDEN = Tolerance()  # the goldens' default tolerance: 3% relative, 1e-5 absolute


@pytest.fixture
def device_env(monkeypatch):
    def set_device(name: str | None) -> None:
        if name is None:
            monkeypatch.delenv("REDSHIFT_DEVICE", raising=False)
        else:
            monkeypatch.setenv("REDSHIFT_DEVICE", name)

    return set_device


# --------------------------------------------------------------------- every machine


@pytest.mark.parametrize("value", [None, "", "  ", "cpu", " cpu "])
def test_default_and_explicit_cpu(device_env, value):
    device_env(value)
    assert device_name() == "cpu" and compute_device() == torch.device("cpu")
    assert ru.device_name() == "cpu"


@pytest.mark.parametrize("value", ["gpu", "CUDA", "cuda:0", "mps", "tpu"])
def test_unknown_values_are_refused_in_one_line_naming_the_allowed_ones(device_env, value):
    device_env(value)
    with pytest.raises(ValueError, match="REDSHIFT_DEVICE must be one of cpu, cuda") as error:
        device_name()
    assert "\n" not in str(error.value) and repr(value) in str(error.value)
    assert DEVICES == ("cpu", "cuda")


def test_cuda_without_a_gpu_is_refused_in_one_line(device_env, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    device_env("cuda")
    with pytest.raises(ValueError, match="REDSHIFT_DEVICE=cuda needs a GPU") as error:
        compute_device()
    message = str(error.value)
    assert "\n" not in message and "allowed values: cpu, cuda" in message


def test_every_entry_point_refuses_a_bad_device_before_any_work(device_env, monkeypatch):
    device_env("tpu")
    config = ru.MLPConfig(activation="relu", depth=2, width=8)
    params = ru.sample_mlp_params(config, 2, seed=0)  # drawing is device-free: always the CPU
    x, y = ru.grid(4), torch.zeros(16)
    calls = [
        lambda: ru.sample_functions(config, 10_000, n=64),
        lambda: ru.mlp_forward(config, params, x),
        lambda: train_mlps(config, params, x, y, TrainConfig(steps=10_000, loss="mse")),
        lambda: predict(config, params, x),
        lambda: ru.generate_sequences(ru.TransformerConfig(), 1_000, length=100),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="REDSHIFT_DEVICE must be one of"):
            call()
    from redshift_utils.book.cli import check_environment

    with pytest.raises(ValueError, match="REDSHIFT_DEVICE"):
        check_environment()


def test_cpu_results_are_those_of_an_explicit_cpu_device(device_env):
    device_env("cpu")
    config = ru.MLPConfig(activation="tanh", depth=2, width=16)
    assert torch.equal(ru.sample_functions(config, 5, n=8), ru.sample_functions(config, 5, n=8, device="cpu"))


def test_cache_keys_and_build_folders_follow_the_device(device_env, monkeypatch):
    """A GPU run never reads a CPU run's cache entries or pages (its float32 rounding differs)."""
    device_env("cpu")
    on_cpu = cache_path("demo", {"a": 1})
    assert build_root("book", "float32") == BUILD_DIR
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # only the bookkeeping is exercised
    device_env("cuda")
    assert cache_path("demo", {"a": 1}) != on_cpu
    assert build_root("book", "float32") == BUILD_DIR / "cuda"
    assert build_root("paper", "float64") == BUILD_DIR / "cuda" / "float64" / "paper"


# ----------------------------------------------------------------------- with a GPU


def close(gpu: torch.Tensor, cpu: torch.Tensor, *, rtol: float = 1e-4) -> None:
    """Elementwise within ``rtol`` of the values' scale: float32 rounding, not a different computation."""
    assert gpu.device.type == "cpu", "results must come back to the CPU"
    scale = float(cpu.abs().max()) or 1.0
    torch.testing.assert_close(gpu, cpu, rtol=rtol, atol=rtol * scale)


@needs_gpu
@pytest.mark.parametrize(
    "options",
    [
        {"activation": "relu", "depth": 4, "width": 64},
        {"activation": "tanh", "depth": 3, "width": 32, "prefactor": 4.0},
        {"activation": "gelu", "depth": 2, "width": 16, "layernorm": True, "residual": True},
        {"activation": "gaussian", "depth": 2, "width": 16, "gating": True, "weight_dist": "normal"},
    ],
)
def test_sampled_functions_and_their_complexity_match_the_cpu(device_env, options):
    config = ru.MLPConfig(**options)
    device_env("cpu")
    cpu = ru.sample_functions(config, 40, n=32, seed=3)
    device_env("cuda")
    gpu = ru.sample_functions(config, 40, n=32, seed=3)
    close(gpu, cpu)
    for measure in (ru.fourier_complexity, ru.chebyshev_complexity):
        for a, b in zip(measure(gpu).tolist(), measure(cpu).tolist(), strict=True):
            assert GOLDEN.accepts(f"{b:.6g}", f"{a:.6g}"), (measure.__name__, a, b)


@needs_gpu
def test_mlp_forward_moves_cpu_parameters_and_returns_to_the_cpu(device_env):
    config = ru.MLPConfig(activation="sin", depth=3, width=32)
    params = ru.sample_mlp_params(config, 7, seed=1)
    x = ru.grid(16)
    device_env("cpu")
    cpu = ru.mlp_forward(config, params, x)
    device_env("cuda")
    close(ru.mlp_forward(config, params, x), cpu)
    on_gpu = [ru.sampler._to_device(layer, "cuda") for layer in params]
    assert ru.mlp_forward(config, on_gpu, x).device.type == "cuda"  # parameters already there stay there


@needs_gpu
@pytest.mark.parametrize("shared", [True, False])
def test_training_matches_the_cpu(device_env, shared):
    config = ru.MLPConfig(activation="tanh", depth=2, width=16, in_dim=3)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(60, 3, generator=gen) * 2 - 1 if shared else torch.rand(4, 60, 3, generator=gen) * 2 - 1
    y = torch.rand(60, generator=gen)
    prefactors = torch.tensor([0.5, 1.0, 1.5, 2.0])
    train = TrainConfig(lr=1e-2, steps=25, loss="mse", batch_size=16)
    params = init_mlps(config, 4, seed=2)
    results = {}
    for device in ("cpu", "cuda"):
        device_env(device)
        fitted = train_mlps(config, params, x, y, train, prefactors=prefactors)
        results[device] = (fitted, predict(config, fitted.params, x, prefactors))
    (cpu, cpu_out), (gpu, gpu_out) = results["cpu"], results["cuda"]
    close(gpu.losses, cpu.losses, rtol=1e-3)
    for a, b in zip(gpu.params, cpu.params, strict=True):
        close(a.weight, b.weight, rtol=1e-3)
    close(gpu_out, cpu_out, rtol=1e-3)


@needs_gpu
def test_snapshots_match_the_cpu(device_env):
    config = ru.MLPConfig(activation="relu", depth=2, width=16)
    x, y = ru.grid(8), torch.linspace(-1, 1, 64)
    train = TrainConfig(lr=1e-2, steps=10, loss="mse")
    params = init_mlps(config, 3, seed=0)
    snaps = {}
    for device in ("cpu", "cuda"):
        device_env(device)
        snaps[device] = ru.dynamics.train_with_snapshots(config, params, x, y, train, record_at=[0, 5, 10])
    close(torch.from_numpy(snaps["cuda"].outputs), torch.from_numpy(snaps["cpu"].outputs), rtol=1e-3)


@needs_gpu
def test_decoding_matches_the_cpu(device_env):
    """Greedy tokens equal the CPU's; a float32 near-tie of two logits may flip one sequence."""
    config = ru.TransformerConfig()
    device_env("cpu")
    cpu = ru.generate_sequences(config, 8, length=40, seed=1)
    device_env("cuda")
    gpu = ru.generate_sequences(config, 8, length=40, seed=1)
    assert gpu.device.type == "cpu" and gpu.shape == cpu.shape
    assert int((gpu == cpu).all(1).sum()) >= 7
    assert torch.equal(gpu[:, 0], cpu[:, 0])  # the prompts are drawn on the CPU: always equal


@needs_gpu
def test_a_fourier_only_sweep_scores_on_the_gpu_as_on_the_cpu(device_env):
    # Chapter 3b's search: the functions stay on the GPU and are scored there (DCT as matrix products).
    configs = [ru.MLPConfig(activation="gaussian", depth=2, width=32, prefactor=4.0), ru.MLPConfig(activation="relu")]
    device_env("cpu")
    cpu = ru.run_sweep(configs, 24, n=32, seed=5, n_examples=2, measures=("fourier",))
    device_env("cuda")
    functions = ru.sample_functions(configs[0], 24, n=32, seed=5, keep_on_device=True)
    assert functions.device.type == "cuda"
    on_gpu = ru.fourier_complexity(functions)
    assert on_gpu.device.type == "cpu" and on_gpu.dtype == torch.float64
    gpu = ru.run_sweep(configs, 24, n=32, seed=5, n_examples=2, measures=("fourier",))
    assert set(gpu.scores) == {"fourier"} and gpu.examples.shape == cpu.examples.shape
    close(torch.from_numpy(gpu.examples), torch.from_numpy(cpu.examples))
    for a, b in zip(gpu.scores["fourier"].ravel().tolist(), cpu.scores["fourier"].ravel().tolist(), strict=True):
        assert GOLDEN.accepts(f"{b:.6g}", f"{a:.6g}"), (a, b)
    np.testing.assert_allclose(on_gpu.numpy(), cpu.scores["fourier"][0], rtol=1e-3)


@needs_gpu
def test_a_three_measure_sweep_on_the_gpu_scores_as_on_the_cpu(device_env):
    # Chapters 1-3: the functions stay on the GPU for the Fourier measure and come back once for the others.
    configs = [ru.MLPConfig(activation="tanh", depth=3, width=32, prefactor=3.0)]
    device_env("cpu")
    cpu = ru.run_sweep(configs, 24, n=32, seed=2, extra_measures=("legendre",))
    device_env("cuda")
    gpu = ru.run_sweep(configs, 24, n=32, seed=2, extra_measures=("legendre",))
    assert set(gpu.scores) == set(cpu.scores) == {"fourier", "chebyshev", "lz", "legendre"}
    for name in ("fourier", "chebyshev", "legendre"):  # LZ counts bits at the median, which rounding can flip
        for a, b in zip(gpu.scores[name].ravel().tolist(), cpu.scores[name].ravel().tolist(), strict=True):
            assert GOLDEN.accepts(f"{b:.6g}", f"{a:.6g}"), (name, a, b)
    assert GOLDEN.accepts(f"{cpu.records[0]['lz_mean']:.6g}", f"{gpu.records[0]['lz_mean']:.6g}")
