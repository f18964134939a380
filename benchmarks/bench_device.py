"""Where a paper-scale unit of work spends its time, on the CPU and on a GPU, stage by stage.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_device.py [--quick]``).

Why: on an NVIDIA H200 (2026-11-30) chapter 2 at the ``paper`` preset did not finish in 509 s
under ``REDSHIFT_DEVICE=cuda``, while one CPU core does it in about 1,600 s of CPU time. Under
``cuda`` only some stages move to the GPU (the forward passes, the training, the decoding); the
networks are still drawn on the CPU and the measures run on the CPU (book/conventions.md,
section "Device"). This script times each stage of four units of the paper preset's work on
each device present, so that a session with a GPU learns in one command which stage keeps the
GPU waiting:

* a chapter 2 sweep point: 1,000 TanH MLPs (depth 3, width 64) on the 64 x 64 grid:
  drawing, copying to the device, the forward pass, copying back, and the three measures;
* a wide point: 1,000 ReLU MLPs of width 512 (depth 3) on the 16 x 16 grid, the same stages;
* chapter 4's modulo training: 390 MLPs (TanH, depth 2, width 128; 13 prefactors x 3 moduli x
  10 seeds) trained together for 200 Adam steps on 1,250 points in mini-batches of 128;
* chapter 5's decoding: 64 greedy sequences of 100 tokens from random Transformers.

Each number is the best of a few repeats (GPU work is synchronised before the clock stops).
Nothing here asserts; the last column is the CPU's time over the GPU's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from common import load_average  # noqa: E402  (benchmarks/, the script's own folder)

import redshift_utils as ru  # noqa: E402
from redshift_utils.sampler import _to_device  # noqa: E402
from redshift_utils.sweeps import measure_all  # noqa: E402
from redshift_utils.training import TrainConfig, init_mlps, train_mlps  # noqa: E402


def best_of(repeats: int, device: str, fn: Callable[[], object]) -> tuple[float, object]:
    """Best wall time of ``repeats`` calls (GPU work finished before the clock stops), and a result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        result = fn()
        if device == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best, result


def sweep_point(config: ru.MLPConfig, networks: int, n: int, device: str, repeats: int) -> dict[str, float]:
    """Draw, move, forward, move back, measure: the stages of one point of a sampling sweep."""
    x = ru.grid(n)
    times: dict[str, float] = {}
    times["draw (CPU)"], params = best_of(repeats, "cpu", lambda: ru.sample_mlp_params(config, networks, seed=0))
    times["copy to device"], moved = best_of(repeats, device, lambda: [_to_device(p, device) for p in params])
    x_dev = x.to(device)
    times["forward"], out = best_of(repeats, device, lambda: ru.mlp_forward(config, moved, x_dev, device=device))
    times["copy back"], functions = best_of(repeats, device, lambda: out.cpu().reshape(networks, n, n))
    times["measures (CPU)"], _ = best_of(repeats, "cpu", lambda: measure_all(functions))
    return times


def modulo_training(models: int, steps: int, device: str, repeats: int) -> dict[str, float]:
    config = ru.MLPConfig(activation="tanh", depth=2, width=128, in_dim=2)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(1250, 2, generator=gen) * 2 - 1
    y = (torch.rand(1250, generator=gen) < 0.5).to(x.dtype)
    prefactors = torch.logspace(-1, 1.5, 13).repeat(models // 13 + 1)[:models]
    train = TrainConfig(lr=1e-3, steps=steps, loss="bce", batch_size=128)
    params = init_mlps(config, models, seed=0)
    seconds, _ = best_of(repeats, device, lambda: train_mlps(config, params, x, y, train, prefactors=prefactors))
    return {f"train {models} MLPs, {steps} steps": seconds}


def decoding(sequences: int, length: int, device: str, repeats: int) -> dict[str, float]:
    config = ru.TransformerConfig()
    decode = lambda: ru.generate_sequences(config, sequences, length=length, device=device)  # noqa: E731
    seconds, _ = best_of(repeats, device, decode)
    return {f"decode {sequences} x {length} tokens": seconds}


def units(quick: bool) -> list[tuple[str, Callable[[str, int], dict[str, float]]]]:
    scale = 10 if quick else 1
    return [
        (f"chapter 2 point: TanH, depth 3, width 64, 64 x 64 grid, {1000 // scale} networks",
         lambda d, r: sweep_point(ru.MLPConfig(activation="tanh", depth=3, width=64), 1000 // scale, 64, d, r)),
        (f"wide point: ReLU, depth 3, width 512, 16 x 16 grid, {1000 // scale} networks",
         lambda d, r: sweep_point(ru.MLPConfig(activation="relu", depth=3, width=512), 1000 // scale, 16, d, r)),
        ("chapter 4 modulo training", lambda d, r: modulo_training(390 // scale, 200 // scale, d, r)),
        ("chapter 5 decoding", lambda d, r: decoding(64 // scale, 100 if not quick else 20, d, r)),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes (a check that it runs)")
    args = parser.parse_args()
    repeats = 2 if args.quick else 3
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    gpu = torch.cuda.get_device_name(0) if devices[-1] == "cuda" else "none (torch.cuda.is_available() is False)"
    print(f"(g) stage times per device: torch {torch.__version__}, {torch.get_num_threads()} torch threads, "
          f"{os.cpu_count()} cores, GPU {gpu}; {load_average()}")  # fmt: skip
    for title, unit in units(args.quick):
        print(f"    {title}")
        measured = {}
        for device in devices:
            os.environ["REDSHIFT_DEVICE"] = device  # the trainer reads the device from the environment
            measured[device] = unit(device, repeats)
        for stage, cpu in measured["cpu"].items():
            line = f"      {stage:<34} cpu {cpu:8.3f} s"
            if "cuda" in measured:
                cuda = measured["cuda"][stage]
                line += f"   cuda {cuda:8.3f} s   cpu / cuda {cpu / cuda:6.1f}x"
            print(line)
    if "cuda" not in devices:
        print("    no GPU here: only the CPU column is measured")
    print(f"    done; {load_average()} (wall seconds, best of {repeats})")


if __name__ == "__main__":
    main()
