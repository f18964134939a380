"""Benchmark of chapter 5's greedy decoding, printed as ratios against baselines measured in the same run.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_transformer.py [--quick]``).

(a) key/value-cached greedy decoding against recomputing the full prefix at every step: the
    same default-config models (``ru.TransformerConfig()``), the same prompts, length 100 as in
    chapter 5 (target: at least 4x faster, with identical tokens; see below);
(b) where the cached path spends its time: drawing the weights vs decoding;
(c) decoding with one intra-op thread (the library's choice) against two;
(d) a sweep of activations x gains decoded on shared weights (``generate_sweep``, what chapter 5
    runs) against one ``generate_sequences`` call per cell, in CPU time (target: at least 2x
    faster, with the share of identical sequences printed).

Timings are warm (a warm-up call first) and report the minimum over a few repeats, in CPU time
(user + system of this process): decoding runs on one thread, so CPU time is the work done,
which other processes on a shared machine do not inflate (wall time is printed beside it).
Nothing here asserts: targets are printed next to the measured numbers.

Why 4x and not 5x. A cached step feeds one token per model, so each of its matrix products
is a matrix-vector product: it reads every weight of the chunk once per token and does two
FLOPs per weight read, so it runs at the speed of memory, not of arithmetic. A torch.profiler
run (21 models, the library's chunk, 2-core AMD EPYC) put 52% of the cached step in those
products, at about 7 GB/s from the shared L3 cache and memory; the rest is the launch cost of
the step's ~100 small operations (0.4 ms per step with a single model, 12% of a 21-model
step); chunks of 4 to 64 models changed the cached time by at most 20% (2 models: 60% slower),
so the chunk is not the lever. Recomputing the prefix feeds t tokens at step t, so it reads
the same weights but does t times the arithmetic, at the machine's matrix rate. The ratio of
the two is therefore a property of the machine: its matrix rate over its memory bandwidth per
core, and on a shared machine other processes' use of the L3 cache and of memory slows the
cached side more than the other. It measured 4.5x (wall time, the run that filed issue 17) and
4.3x to 4.6x (CPU time, this target's runs, at load averages of 10 to 12 on 2 cores) on 2-core
AMD EPYC machines, and 5.5x on the machine that set the first target of 5x; 4x holds on all of
them, with a margin of 7% in the worst case, a machine five times oversubscribed. A longer
generation would raise the ratio (the recomputed prefix grows) but would measure a workload
the book does not run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import redshift_utils as ru  # noqa: E402
from redshift_utils.transformer import greedy_decode, sample_params  # noqa: E402

KV_TARGET = 4.0  # the docstring says why


def best_times(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Minimum (CPU time, wall time) of ``repeats`` calls after one warm-up call."""
    fn()
    cpu, wall = [], []
    for _ in range(repeats):
        start_cpu, start = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return min(cpu), min(wall)


def best_time(fn: Callable[[], object], repeats: int) -> float:
    """Minimum wall time of ``repeats`` calls after one warm-up call."""
    return best_times(fn, repeats)[1]


def kv_cache_speedup(n_models: int, length: int, repeats: int) -> None:
    config = ru.TransformerConfig()
    cached = ru.generate_sequences(config, n_models, length=length, kv_cache=True)
    full = ru.generate_sequences(config, n_models, length=length, kv_cache=False)
    same = bool(torch.equal(cached, full))
    # Interleaved round by round, so that both sides see the same load on a shared machine.
    rounds = [
        (
            best_times(lambda: ru.generate_sequences(config, n_models, length=length, kv_cache=True), 1),
            best_times(lambda: ru.generate_sequences(config, n_models, length=length, kv_cache=False), 1),
        )
        for _ in range(repeats)
    ]
    t_cached, wall_cached = min(r[0][0] for r in rounds), min(r[0][1] for r in rounds)
    t_full, wall_full = min(r[1][0] for r in rounds), min(r[1][1] for r in rounds)
    # Weights a cached step reads: the blocks' four matrices and the (tied) output layer.
    weights = config.depth * 12 * config.width**2 + config.vocab_size * config.width
    traffic = 4 * weights * n_models * (length - 1) / t_cached
    print(f"(a) {n_models} default-config models ({config.n_parameters():,} parameters each), length {length}")
    print(f"    recompute the prefix every step: {t_full / n_models * 1e3:8.2f} ms CPU per sequence "
          f"({wall_full / n_models * 1e3:.2f} ms wall)")  # fmt: skip
    print(f"    key/value cache:                 {t_cached / n_models * 1e3:8.2f} ms CPU per sequence "
          f"({wall_cached / n_models * 1e3:.2f} ms wall; weights read at {traffic / 1e9:.1f} GB/s)")  # fmt: skip
    print(f"    speedup {t_full / t_cached:.1f}x in CPU time (target >= {KV_TARGET:g}x); identical tokens: {same}")


def time_split(n_models: int, length: int, repeats: int) -> None:
    config = ru.TransformerConfig()
    indices = range(n_models)
    t_sample = best_time(lambda: sample_params(config, indices, 0), repeats)
    params, prompts = sample_params(config, indices, 0)
    torch.set_num_threads(1)
    t_decode = best_time(lambda: greedy_decode(config, params, prompts, length), repeats)
    print(
        f"(b) per default-config model: draw weights {t_sample / n_models * 1e3:.2f} ms, "
        f"decode {length} tokens {t_decode / n_models * 1e3:.2f} ms "
        f"(drawing is {t_sample / (t_sample + t_decode):.0%} of the total)"
    )


def thread_effect(n_models: int, length: int, repeats: int) -> None:
    config = ru.TransformerConfig()
    params, prompts = sample_params(config, range(n_models), 0)
    times = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        times[threads] = best_time(lambda: greedy_decode(config, params, prompts, length), repeats)
    print(
        f"(c) decoding {n_models} models: 2 threads take {times[2] / times[1]:.2f}x the time of 1 thread "
        "(the library decodes with 1)"
    )


def sweep_speedup(n_models: int, length: int) -> None:
    config = ru.TransformerConfig(depth=4)
    names, gains = ["gelu", "relu", "selu", "tanh", "sin", "gaussian"], [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    ru.generate_sweep(config, names[:1], gains[:1], 1, length=length)  # warm-up
    start = time.process_time()
    sweep = ru.generate_sweep(config, names, gains, n_models, length=length)
    t_sweep = time.process_time() - start
    start = time.process_time()
    cells = torch.stack([
        torch.stack([ru.generate_sequences(replace(config, activation=a, ln_gain=g), n_models, length=length)
                     for g in gains]) for a in names])
    t_cells = time.process_time() - start
    same = float((sweep == cells).all(-1).float().mean())
    sequences = len(names) * len(gains) * n_models
    print(f"(d) {len(names)} activations x {len(gains)} gains x {n_models} models, {config.depth} blocks, CPU time")
    print(f"    one generate_sequences call per cell: {t_cells / sequences * 1e3:8.2f} ms per sequence")
    print(f"    generate_sweep (shared weights):      {t_sweep / sequences * 1e3:8.2f} ms per sequence")
    print(f"    speedup {t_cells / t_sweep:.1f}x (target >= 2x); identical sequences: {same:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer models and repeats (a rough check)")
    args = parser.parse_args()
    n_models, repeats = (16, 1) if args.quick else (64, 3)
    default_threads = torch.get_num_threads()
    try:
        load = "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # not available on this platform
        load = "load average unknown"
    print(f"torch {torch.__version__}, {default_threads} threads available, {load}")
    kv_cache_speedup(n_models, 100, repeats)
    time_split(n_models, 100, repeats)
    torch.set_num_threads(default_threads)
    thread_effect(n_models, 100, repeats)
    torch.set_num_threads(default_threads)
    sweep_speedup(max(2, n_models // 8), 100)


if __name__ == "__main__":
    main()
