"""Measure many architectures at once: the sweep behind every heatmap and curve (chapters 1-3).

A sweep samples ``n_networks`` random functions per configuration, scores each with the
three measures, and returns tidy records (the book's results contract) plus the raw
per-network scores and a few example functions for figures. The science does not cache:
chapters wrap a sweep in the book's cache (``ru.cached_sweep``). See the conventions page,
book/conventions.md, section "Sweeps".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from tqdm import tqdm  # plain text bar: tqdm.auto warns without ipywidgets

from redshift_utils.configs import MLPConfig, UnbiasedConfig
from redshift_utils.device import compute_device
from redshift_utils.fourier import fourier_complexity
from redshift_utils.lempel_ziv import lz_complexity
from redshift_utils.polynomial import chebyshev_complexity
from redshift_utils.sampler import sample_functions

MEASURES = {
    "fourier": fourier_complexity,
    "chebyshev": chebyshev_complexity,
    "lz": lz_complexity,
}

# Variants a sweep computes only on request (``extra_measures``): chapter 1 compares them with
# the three measures on the same networks without sampling those networks a second time.
EXTRA_MEASURES = {
    "legendre": lambda values: chebyshev_complexity(values, basis="legendre"),
    "fourier_dft": lambda values: fourier_complexity(values, method="dft"),
}


# Measures that score a batch where it lies (a GPU tensor stays on the GPU); the others copy it to the CPU.
DEVICE_MEASURES = ("fourier",)


def measure_all(
    functions: torch.Tensor | np.ndarray, measures: Sequence[str] = tuple(MEASURES)
) -> dict[str, np.ndarray]:
    """The normalised ``measures`` (default: all three) of a batch (N, n, n): name -> (N,) float64 numpy.

    A batch on a GPU is scored there by the measures in ``DEVICE_MEASURES`` and copied to the CPU
    once for the others.
    """
    measures = check_measures(measures)
    scores, array = {}, None
    for name in measures:
        if isinstance(functions, torch.Tensor) and functions.device.type != "cpu" and name in DEVICE_MEASURES:
            scores[name] = MEASURES[name](functions).numpy()
            continue
        if array is None:
            array = functions.cpu().numpy() if isinstance(functions, torch.Tensor) else np.asarray(functions)
        scores[name] = np.asarray(MEASURES[name](array))
    return scores


def check_measures(measures: Sequence[str]) -> tuple[str, ...]:
    """``measures`` as a tuple of names of ``MEASURES``, refused when empty, unknown or repeated."""
    if isinstance(measures, str) or not isinstance(measures, Sequence):
        raise ValueError(f"measures must be a sequence of names among {', '.join(MEASURES)}, got {measures!r}")
    measures = tuple(measures)
    unknown = [name for name in measures if name not in MEASURES]
    if not measures or unknown or len(set(measures)) != len(measures):
        raise ValueError(f"measures must name each of {', '.join(MEASURES)} at most once (at least one), "
                         f"got {list(measures)!r}")  # fmt: skip
    return measures


def summarize(scores: dict[str, np.ndarray]) -> dict[str, float]:
    """Per measure: mean, std, quartiles; plus ``n`` (networks)."""
    row: dict[str, float] = {}
    for name, values in scores.items():
        row[f"{name}_mean"] = float(np.mean(values))
        row[f"{name}_std"] = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
        row[f"{name}_q25"] = float(np.quantile(values, 0.25))
        row[f"{name}_q75"] = float(np.quantile(values, 0.75))
    row["n"] = int(next(iter(scores.values())).size)
    return row


def config_record(config: MLPConfig | UnbiasedConfig) -> dict[str, object]:
    """Config fields for a tidy record, with ``model`` = "mlp" or "unbiased"."""
    model = "unbiased" if isinstance(config, UnbiasedConfig) else "mlp"
    return {"model": model, **config.as_dict()}


@dataclass
class SweepResult:
    """``records[c]`` summarises config c; ``scores[measure][c]`` holds its per-network scores."""

    configs: list[MLPConfig | UnbiasedConfig]
    records: list[dict[str, object]]
    scores: dict[str, np.ndarray]
    examples: np.ndarray  # (n_configs, n_examples, n, n) float32


def run_sweep(
    configs: list[MLPConfig | UnbiasedConfig],
    n_networks: int,
    *,
    n: int = 64,
    seed: int = 0,
    n_examples: int = 0,
    desc: str = "sweep",
    extra_measures: tuple[str, ...] = (),
    measures: Sequence[str] = tuple(MEASURES),
) -> SweepResult:
    """Sample and score every configuration, with a progress bar in terminal runs.

    Every configuration uses the same seed, so network i of two configurations shares its
    random stream (common random numbers: differences between configurations are less noisy).
    ``extra_measures`` names entries of ``EXTRA_MEASURES`` to score as well (chapter 1's
    Legendre and plain-DFT variants); they appear in ``scores`` and as ``<name>_mean`` etc.
    ``measures`` keeps only some of the three (chapter 3b's search needs only the Fourier measure).
    When the sampler computes on a GPU the functions stay there: the measures in ``DEVICE_MEASURES``
    score them there, and the batch is copied to the CPU once for the others (none for chapter 3b's
    search, which asks for the Fourier measure only).
    """
    measures = check_measures(measures)
    configs = list(configs)
    extra_measures = tuple(extra_measures)
    unknown = [name for name in extra_measures if name not in EXTRA_MEASURES]
    if unknown:
        raise ValueError(f"extra_measures must be among {', '.join(EXTRA_MEASURES)}, got {unknown!r}")
    records, examples = [], []
    scores: dict[str, list[np.ndarray]] = {name: [] for name in (*measures, *extra_measures)}
    on_device = compute_device().type != "cpu"  # the functions stay where they were computed
    for config in tqdm(configs, desc=desc, leave=False):
        functions = sample_functions(config, n_networks, n=n, seed=seed, keep_on_device=on_device)
        measured = measure_all(functions, measures)
        for name in extra_measures:
            measured[name] = np.asarray(EXTRA_MEASURES[name](functions.cpu().numpy()))
        for name, values in measured.items():
            scores[name].append(values)
        records.append({**config_record(config), **summarize(measured)})
        examples.append(functions[:n_examples].cpu().numpy())
    return SweepResult(
        configs=configs,
        records=records,
        scores={name: np.stack(values) for name, values in scores.items()},
        examples=np.stack(examples) if configs else np.empty((0, 0, n, n), np.float32),
    )
