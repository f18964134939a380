"""Drawing random networks' parameters against the forward pass, and against the previous drawing, same run.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_drawing.py [--quick] [--networks N]``).

For each width (64, 256, 512, 1024), ReLU MLPs of depth 3 on the 16 x 16 grid are processed in
``sample_functions``' own chunks. Per chunk the three are timed back to back, so that they see
the same machine load: the previous drawing (``baseline_sample_networks`` below: one
``torch.Generator`` per network, ``torch.rand`` into each tensor, then whole-tensor passes for
``2u - 1`` and the bounds, fresh memory for every chunk), the library's drawing as
``sample_functions`` runs it (``redshift_utils.sampler._sample_networks``: one numpy PCG64DXSM
stream per network, networks drawn on ``draw_threads()`` threads, in cache-sized blocks, every
chunk into the first chunk's memory) and the forward pass (``mlp_forward``) on the drawn
networks; then the library's drawing of the same chunk again, into memory already handed out
(the last column). With 1,000 networks a width's networks fit in one chunk, so the "new draw"
column pays the kernel's page faults for fresh memory, as the old drawing does: at width 256
that is about a third of the new drawing's time. Every chunk after the first in
``sample_functions`` costs what the last column shows. Wall time and the process's CPU time
(user + system, all threads) are summed over the chunks; each number is the best of a few
repeats. Nothing here asserts: the target (drawing >= 3x faster at width >= 256) is printed
next to the measured ratio.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from common import load_average  # noqa: E402  (benchmarks/, the script's own folder)

import redshift_utils as ru  # noqa: E402
from redshift_utils.sampler import LayerParams, _chunk_size, _layer_shapes, _sample_networks  # noqa: E402

WIDTHS = (64, 256, 512, 1024)
TARGET = 3.0  # drawing speed-up at width >= 256 (issue 17)


# ---------------------------------------------------- the previous drawing (uniform weights only)


def baseline_sample_networks(config: ru.MLPConfig, indices: range, seed: int) -> list[LayerParams]:
    """The library's drawing before numpy streams (uniform weights, no gating), kept as the baseline."""
    shapes = _layer_shapes(config)
    count = len(indices)
    weights = [torch.empty(count, out, inp) for inp, out in shapes]
    biases = [torch.empty(count, out) for _, out in shapes]
    for row, index in enumerate(indices):
        state = np.random.SeedSequence([seed, index]).generate_state(1, dtype=np.uint64)[0]
        gen = torch.Generator().manual_seed(int(state))
        for layer in range(len(shapes)):
            torch.rand(weights[layer][row].shape, generator=gen, out=weights[layer][row])
            torch.rand(biases[layer][row].shape, generator=gen, out=biases[layer][row])
    for tensor in (*weights, *biases):
        tensor.mul_(2.0).sub_(1.0)
    dtype = ru.compute_dtype()
    params = []
    for layer, (inp, out) in enumerate(shapes):
        bound = config.alpha * math.sqrt(6.0 / (inp + out))
        weight = weights[layer].to(dtype).mul_(bound)
        params.append(LayerParams(weight=weight, bias=biases[layer].to(dtype).mul_(config.bias_scale)))
    return params


# ------------------------------------------------------------------------------------ timing


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of the whole process, result)."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = fn()
    return time.perf_counter() - wall, cpu_seconds() - cpu, result


@torch.inference_mode()
def bench_width(width: int, n_networks: int, n: int, repeats: int) -> dict[str, tuple[float, float]]:
    """Best (wall, CPU) seconds over ``repeats`` of old drawing, new drawing and forward, summed over chunks."""
    config = ru.MLPConfig(activation="relu", depth=3, width=width)
    points = ru.grid(n).to(ru.compute_dtype())
    chunk = _chunk_size(config, n * n, torch.finfo(ru.compute_dtype()).bits // 8)
    chunks = [range(start, min(start + chunk, n_networks)) for start in range(0, n_networks, chunk)]
    warm = range(min(chunk, 4))  # warm-up: allocator, thread pool, kernels
    ru.mlp_forward(config, _sample_networks(config, warm, 0), points)
    baseline_sample_networks(config, warm, 0)
    best = {name: (math.inf, math.inf) for name in ("old", "new", "forward", "reused")}
    for _ in range(repeats):
        total = dict.fromkeys(best, (0.0, 0.0))
        buffers = None  # as in sample_functions: every chunk is drawn into the first chunk's memory
        for indices in chunks:
            wall, cpu, old = timed(lambda indices=indices: baseline_sample_networks(config, indices, 0))
            total["old"] = (total["old"][0] + wall, total["old"][1] + cpu)
            del old
            wall, cpu, params = timed(lambda indices=indices, b=buffers: _sample_networks(config, indices, 0, out=b))
            total["new"] = (total["new"][0] + wall, total["new"][1] + cpu)
            buffers = params
            wall, cpu, _ = timed(lambda params=params: ru.mlp_forward(config, params, points))
            total["forward"] = (total["forward"][0] + wall, total["forward"][1] + cpu)
            # The same chunk drawn again into memory already handed out: what every chunk after the
            # first costs in sample_functions (and all of them, when a call has a single chunk, pay
            # the kernel's page faults above).
            wall, cpu, _ = timed(lambda indices=indices, b=buffers: _sample_networks(config, indices, 0, out=b))
            total["reused"] = (total["reused"][0] + wall, total["reused"][1] + cpu)
        del buffers, params
        best = {name: min(best[name], total[name]) for name in best}  # by wall time
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 networks, one repeat: a smoke run")
    parser.add_argument("--networks", type=int, default=None, help="networks per width (default 1000)")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per width (default 2)")
    args = parser.parse_args()
    n_networks = args.networks or (100 if args.quick else 1000)
    repeats = args.repeats or (1 if args.quick else 2)
    n = 16
    print(
        f"drawing vs forward: {n_networks} ReLU networks per width, depth 3, {n}x{n} grid, {ru.dtype_name()}; "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), numpy {np.__version__}, "
        f"{ru.sampler.draw_threads()} drawing threads, {os.cpu_count()} CPUs, {platform.machine()}, {load_average()}"
    )
    print(
        "    width   old draw (CPU)     new draw (CPU)     forward (CPU)     drawing share  speed-up (target)"
        "   new, memory reused: speed-up"
    )
    for width in WIDTHS:
        t = bench_width(width, n_networks, n, repeats)
        (old, old_cpu), (new, new_cpu), (fwd, fwd_cpu) = t["old"], t["new"], t["forward"]
        reused = t["reused"][0]
        target = f"(target >= {TARGET:.0f}x)" if width >= 256 else "(no target below 256)"
        print(
            f"    {width:5d}  {old:7.3f} s ({old_cpu:6.2f})  {new:7.3f} s ({new_cpu:6.2f})  "
            f"{fwd:7.3f} s ({fwd_cpu:6.2f})  {new / (new + fwd):6.0%} (was {old / (old + fwd):3.0%})  "
            f"{old / new:5.1f}x {target}   {reused:7.3f} s: {old / reused:4.1f}x"
        )
    print(f"    done; {load_average()} (wall seconds, best of {repeats}; CPU = user + system of all threads)")


if __name__ == "__main__":
    main()
