"""Benchmarks of the measurement core, printed as ratios against baselines measured in the same run.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/run_benchmarks.py [--quick]``).

(a) end to end: sampling + the Fourier measure for many ReLU networks, against a per-network
    ``nn.Sequential`` loop with ``rfft2`` and a Python loop over radial bins (the prototype);
(b) the sampler's FLOP rate on the hidden layers as a fraction of plain ``torch.bmm`` chains;
(c) throughput of the three measures on 1,000 functions of 64 x 64;
(d) peak resident memory of ``sample_functions`` for many wide networks (child processes).

All timings are warm (a warm-up call first), in one process, with torch's default thread
count, and report the minimum over a few repeats. Nothing here asserts: targets are printed
next to the measured numbers.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from common import load_average  # noqa: E402  (benchmarks/, the script's own folder)

import redshift_utils as ru  # noqa: E402


def best_times(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Minimum wall time of each function over ``repeats`` rounds, after one warm-up round.

    The functions are interleaved round by round, so that a baseline and the code compared
    with it see the same machine load (this matters on small shared machines).
    """
    for fn in fns.values():
        fn()
    best = dict.fromkeys(fns, math.inf)
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


# ------------------------------------------------------------------------------ (a) end to end


def baseline_network(depth: int, width: int, seed: int, index: int) -> nn.Sequential:
    """One network as a prototype builds it: nn.Sequential, then the same uniform init in place."""
    gen = torch.Generator().manual_seed(seed * 1_000_003 + index)
    sizes = [2] + [width] * depth + [1]
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        linear = nn.Linear(fan_in, fan_out)
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        with torch.no_grad():
            nn.init.uniform_(linear.weight, -bound, bound, generator=gen)
            nn.init.uniform_(linear.bias, -1.0, 1.0, generator=gen)
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers[:-1])  # no output activation


def baseline_fourier(values: torch.Tensor) -> float:
    """rfft2 magnitude, averaged per integer radial-frequency bin in a Python loop (DC dropped)."""
    n = values.shape[-1]
    spectrum = torch.fft.rfft2(values).abs()
    kx = torch.fft.fftfreq(n) * n
    ky = torch.fft.rfftfreq(n) * n
    radius = torch.sqrt(kx[:, None] ** 2 + ky[None, :] ** 2).round().long()
    weighted, total = 0.0, 0.0
    for k in range(1, int(radius.max()) + 1):
        mask = radius == k
        if mask.any():
            energy = float(spectrum[mask].mean())
            weighted += k * energy
            total += energy
    return weighted / total if total > 0 else 0.0


@torch.inference_mode()
def baseline_end_to_end(n_networks: int, depth: int, width: int, n: int) -> np.ndarray:
    points = ru.grid(n).to(torch.float32)
    scores = np.empty(n_networks)
    for index in range(n_networks):
        net = baseline_network(depth, width, 0, index)
        values = net(points).reshape(n, n)
        scores[index] = baseline_fourier(values)
    return scores


def library_end_to_end(n_networks: int, depth: int, width: int, n: int) -> np.ndarray:
    config = ru.MLPConfig(activation="relu", depth=depth, width=width)
    return ru.fourier_complexity(ru.sample_functions(config, n_networks, n=n, seed=0)).numpy()


def bench_end_to_end(n_networks: int, repeats: int) -> None:
    depth, width, n = 4, 64, 64
    config = ru.MLPConfig(activation="relu", depth=depth, width=width)
    values = ru.sample_functions(config, n_networks, n=n)
    t = best_times(
        {
            "baseline": lambda: baseline_end_to_end(n_networks, depth, width, n),
            "library": lambda: library_end_to_end(n_networks, depth, width, n),
            "sampling": lambda: ru.sample_functions(config, n_networks, n=n),
            "measure": lambda: ru.fourier_complexity(values),
        },
        repeats,
    )
    print(f"(a) end to end: {n_networks} ReLU networks, depth {depth}, width {width}, {n}x{n} grid, sampling + Fourier")
    print(f"    baseline per-network nn.Sequential + rfft2 + radial-bin loop: {t['baseline']:8.3f} s")
    print(f"    redshift_utils sample_functions + fourier_complexity:       {t['library']:8.3f} s")
    print(f"    speedup: {t['baseline'] / t['library']:.1f}x   (target >= 3x)")
    print(f"    (library split: sampling {t['sampling']:.3f} s, Fourier measure {t['measure']:.3f} s)")


# ---------------------------------------------------------------------------------- (b) FLOPs


@torch.inference_mode()
def bench_flops(widths: tuple[int, ...], depth: int, n: int, repeats: int, budget: float) -> None:
    """Hidden-to-hidden FLOPs (2 P w^2 per layer and network) per second of mlp_forward vs bmm."""
    points = n * n
    x = ru.grid(n).to(torch.float32)
    print(f"(b) sampler FLOP rate, ReLU, depth {depth}, {n}x{n} = {points} points, float32, "
          f"{torch.get_num_threads()} threads")  # fmt: skip
    for width in widths:
        # Enough networks for a well-sized batch: activations of one layer about `budget` bytes.
        n_networks = max(1, int(budget // (4 * points * width)))
        config = ru.MLPConfig(activation="relu", depth=depth, width=width)
        params = ru.sample_mlp_params(config, n_networks, seed=0)
        hidden = params[1:-1]  # the (depth - 1) width x width layers
        flops = 2.0 * points * width * width * len(hidden) * n_networks
        h0 = torch.randn(n_networks, points, width)
        mats = [layer.weight.transpose(1, 2).contiguous() for layer in hidden]
        group = max(1, ru.sampler.TILE_BYTES // (4 * points * width))

        def bmm_chain(h0=h0, mats=mats):
            h = h0
            for w in mats:
                h = torch.bmm(h, w)
            return h

        def bmm_chain_tiled(h0=h0, mats=mats, group=group):
            for start in range(0, h0.shape[0], group):
                h = h0[start : start + group]
                for w in mats:
                    h = torch.bmm(h, w[start : start + group])
            return h

        t = best_times(
            {
                "lib": lambda config=config, params=params: ru.mlp_forward(config, params, x),
                "bmm": bmm_chain,
                "bmm_tiled": bmm_chain_tiled,
            },
            repeats,
        )
        rate = {name: flops / seconds / 1e9 for name, seconds in t.items()}
        print(
            f"    width {width:4d}, {n_networks:4d} networks: mlp_forward {t['lib'] * 1e3:7.1f} ms "
            f"({rate['lib']:5.1f} GFLOP/s, counting hidden layers only but timing everything); "
            f"plain bmm chain {t['bmm'] * 1e3:7.1f} ms ({rate['bmm']:5.1f} GFLOP/s)\n"
            f"        fraction of plain bmm: {rate['lib'] / rate['bmm']:.2f} (target >= 0.7); "
            f"of the same bmm chain run in mlp_forward's cache-sized groups of {group}: "
            f"{rate['lib'] / rate['bmm_tiled']:.2f} ({rate['bmm_tiled']:.1f} GFLOP/s)"
        )


# --------------------------------------------------------------------------- (c) throughput


def bench_measures(n_functions: int, repeats: int) -> None:
    # Sampler output as the chapters pass it: a float32 torch tensor (conversion is timed too).
    values = ru.sample_functions(ru.MLPConfig(activation="tanh", prefactor=5.0), n_functions, n=64, seed=1)
    measures = {
        "fourier_complexity (DCT)": ru.fourier_complexity,
        "chebyshev_complexity": ru.chebyshev_complexity,
        "lz_complexity": ru.lz_complexity,
    }

    def all_three():
        return [measure(values) for measure in measures.values()]

    timed = {name: (lambda measure=measure: measure(values)) for name, measure in measures.items()}
    t = best_times({**timed, "all three": all_three}, repeats)  # the warm-up round compiles numba
    print(f"(c) measure throughput on {n_functions} functions of 64x64 (after JIT warm-up)")
    for name in measures:
        print(f"    {name:26s} {t[name]:7.3f} s  {n_functions / t[name]:10.0f} functions/s")
    print(f"    all three in one pass: {t['all three']:.3f} s   (target < 2 s for 1000 functions)")
    # The LZ count shares its rows among the drawing threads (REDSHIFT_DRAW_THREADS, else every core).
    from redshift_utils.lempel_ziv import binarize, lz76_rows
    from redshift_utils.sampler import draw_threads

    bits = binarize(values)
    threads = draw_threads()
    t = best_times({"one": lambda: lz76_rows(bits, 1), "all": lambda: lz76_rows(bits, threads)}, repeats)
    print(f"    LZ phrase counts: 1 thread {t['one']:.3f} s, {threads} threads {t['all']:.3f} s: "
          f"{t['one'] / t['all']:.2f}x (at most {threads}x)")  # fmt: skip


# ------------------------------------------------------------------------------- (d) memory

CHILD = """
import json, re, resource, sys, time
sys.path.insert(0, {root!r})
import torch
import redshift_utils as ru


def vm_hwm_kib():
    # Peak RSS of this process's own address space. ru_maxrss is not used: on Linux it keeps
    # the RSS of the spawning parent across exec, so a big parent inflates a child's value.
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))


before = vm_hwm_kib()
config = ru.MLPConfig(activation="relu", depth={depth}, width={width})
start = time.perf_counter()
out = ru.sample_functions(config, {n_networks}, n={n}, seed=0)
elapsed = time.perf_counter() - start
print(json.dumps({{"before_kib": before, "peak_kib": vm_hwm_kib(), "seconds": elapsed,
                  "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "shape": list(out.shape), "output_bytes": out.numel() * 4}}))
"""


def peak_memory(n_networks: int, width: int, depth: int, n: int) -> dict:
    code = CHILD.format(root=str(REPO_ROOT), depth=depth, width=width, n_networks=n_networks, n=n)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_memory(cases: list[tuple[int, int, int, int]]) -> None:
    print("(d) peak resident memory of sample_functions (fresh child process, VmHWM = its own peak RSS)")
    for n_networks, width, depth, n in cases:
        r = peak_memory(n_networks, width, depth, n)
        print(
            f"    {n_networks:6d} networks, width {width}, depth {depth}, {n}x{n} grid: "
            f"peak {r['peak_kib'] / 2**20:.2f} GiB (after imports {r['before_kib'] / 2**20:.2f} GiB; "
            f"output tensor {r['output_bytes'] / 2**30:.3f} GiB; {r['seconds']:.1f} s)   (target < 3 GB)"
        )
    print(
        "    Memory is governed by chunking: each chunk's parameters plus live activations are kept\n"
        "    under ru.sampler.CHUNK_BYTES (1 GiB), so the peak is about imports + one chunk + the\n"
        "    (n_networks, n, n) float32 output, whatever n_networks is; a larger grid means fewer\n"
        "    networks per chunk, not more memory."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run in seconds")
    args = parser.parse_args()
    quick = args.quick
    repeats = 1 if quick else 5
    print(
        f"redshift_utils {ru.__version__} ({ru.source_hash()}), torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, {os.cpu_count()} CPUs, {platform.machine()}, {load_average()}"
        + ("  [--quick: reduced sizes, numbers are not the targets' sizes]" if quick else "")
    )
    bench_end_to_end(32 if quick else 256, repeats)
    bench_flops((64, 256), depth=4, n=32 if quick else 64, repeats=repeats, budget=2**24 if quick else 2**27)
    bench_measures(100 if quick else 1000, repeats)
    if quick:
        bench_memory([(200, 512, 3, 16), (20, 512, 3, 64)])
    else:
        bench_memory([(10_000, 512, 3, 16), (500, 512, 3, 64)])
    print(f"done; {load_average()} (timings on a loaded shared machine are noisy: rerun to compare)")


if __name__ == "__main__":
    main()
