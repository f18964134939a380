"""Benchmark of chapter 5's greedy decoding, printed as ratios against baselines measured in the same run.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_transformer.py [--quick]``).

(a) key/value-cached greedy decoding against recomputing the full prefix at every step: the
    same default-config models (``ru.TransformerConfig()``), the same prompts, length 100
    (target: at least 5x faster, with identical tokens);
(b) where the cached path spends its time: drawing the weights vs decoding;
(c) decoding with one intra-op thread (the library's choice) against two;
(d) a sweep of activations x gains decoded on shared weights (``generate_sweep``, what chapter 5
    runs) against one ``generate_sequences`` call per cell, in CPU time (target: at least 2x
    faster, with the share of identical sequences printed).

Timings are warm (a warm-up call first) and report the minimum over a few repeats. Nothing
here asserts: targets are printed next to the measured numbers.
"""

from __future__ import annotations

import argparse
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


def best_time(fn: Callable[[], object], repeats: int) -> float:
    """Minimum wall time of ``repeats`` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def kv_cache_speedup(n_models: int, length: int, repeats: int) -> None:
    config = ru.TransformerConfig()
    cached = ru.generate_sequences(config, n_models, length=length, kv_cache=True)
    full = ru.generate_sequences(config, n_models, length=length, kv_cache=False)
    same = bool(torch.equal(cached, full))
    t_cached = best_time(lambda: ru.generate_sequences(config, n_models, length=length, kv_cache=True), repeats)
    t_full = best_time(lambda: ru.generate_sequences(config, n_models, length=length, kv_cache=False), repeats)
    print(f"(a) {n_models} default-config models ({config.n_parameters():,} parameters each), length {length}")
    print(f"    recompute the prefix every step: {t_full / n_models * 1e3:8.2f} ms per sequence")
    print(f"    key/value cache:                 {t_cached / n_models * 1e3:8.2f} ms per sequence")
    print(f"    speedup {t_full / t_cached:.1f}x (target >= 5x); identical tokens: {same}")


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
    print(f"torch {torch.__version__}, {default_threads} threads available")
    kv_cache_speedup(n_models, 100, repeats)
    time_split(n_models, 100, repeats)
    torch.set_num_threads(default_threads)
    thread_effect(n_models, 100, repeats)
    torch.set_num_threads(default_threads)
    sweep_speedup(max(2, n_models // 8), 100)


if __name__ == "__main__":
    main()
