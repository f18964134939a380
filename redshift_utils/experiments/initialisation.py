"""A complex start in a simplicity-biased architecture (paper appendix E.3).

Ramasinghe et al. (2023) argued that high-frequency content at initialisation causes networks
to learn high-frequency functions; the paper reads both as effects of one cause, the
architecture's bias, and reports that gradient descent started from a complex initialisation in
a simplicity-biased architecture still ends at a simple solution. The appendix is not available,
so chapter 4 designs the test: per seed, a ReLU MLP's *standard* start (a draw from the uniform
prior) and a *complex* start (the same draw first trained to match a white-noise function) are
both trained on the same smooth regression task, and their complexities are compared before and
after. Each seed has its own draw, noise function and training points; the two starts of a seed
are paired.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from redshift_utils.configs import MLPConfig, UnbiasedConfig
from redshift_utils.grids import grid
from redshift_utils.precision import compute_dtype
from redshift_utils.sampler import LayerParams, sample_functions
from redshift_utils.seeds import derived_seed
from redshift_utils.training import TrainConfig, init_mlps, predict, train_mlps

STARTS = ("standard", "complex")


def smooth_target(points: torch.Tensor) -> torch.Tensor:
    """The smooth regression target ``g(x) = sin(pi x1 / 2) cos(pi x2 / 2)``."""
    return torch.sin(math.pi * points[:, 0] / 2) * torch.cos(math.pi * points[:, 1] / 2)


# Learning rate of the pre-fit that makes each complex start (Adam, or the chapter's optimiser).
# Not a parameter: the pre-fit only has to land near its white noise, and how near it lands is
# measured and shown (``prefit_mse``); the experiment's choices are its steps and grid.
PREFIT_LR = 1e-2


@dataclass(frozen=True)
class ComplexInitSettings:
    """Everything the appendix E.3 test depends on (the chapter's ``e3_*`` parameters and the shared ones)."""

    seeds: int
    depth: int = 3
    width: int = 64
    prefit: TrainConfig = TrainConfig(lr=PREFIT_LR, steps=500, loss="mse")
    prefit_grid: int = 32
    train_points: int = 64
    train: TrainConfig = TrainConfig(lr=1e-3, steps=1000, loss="mse")
    grid_n: int = 64
    seed: int = 0
    coverage: tuple[int, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ComplexInitSettings:
        """The settings of chapter 4's ``e3_*`` parameters plus the shared optimiser, grid and seed."""
        seed = params["seed"]
        return cls(
            seeds=params["e3_seeds"],
            depth=params["e3_depth"],
            width=params["e3_width"],
            prefit=TrainConfig(
                optimizer=params["optimizer"],
                lr=PREFIT_LR,
                steps=params["e3_prefit_steps"],
                loss="mse",
                seed=derived_seed(seed, "e3-prefit"),
            ),
            prefit_grid=params["e3_prefit_grid"],
            train_points=params["e3_train_points"],
            train=TrainConfig(
                optimizer=params["optimizer"],
                lr=params["e3_lr"],
                steps=params["e3_steps"],
                batch_size=params["e3_batch_size"],
                loss="mse",
                seed=derived_seed(seed, "e3-batches"),
            ),
            grid_n=params["grid_n"],
            seed=seed,
            coverage=tuple(params["e3_coverage_points"]),
        )

    @property
    def config(self) -> MLPConfig:
        return MLPConfig(activation="relu", depth=self.depth, width=self.width)

    def train_indices(self, index: int, points: int | None = None) -> torch.Tensor:
        """Seed ``index``'s training points: distinct random points of the grid_n x grid_n grid.

        ``points`` (default ``train_points``) takes the first ones of the seed's one random order,
        so a seed's training sets are nested: more coverage adds points, it does not redraw them.
        """
        gen = torch.Generator().manual_seed(derived_seed(self.seed, "e3-train", index))
        return torch.randperm(self.grid_n**2, generator=gen)[: self.train_points if points is None else points]


def run_complex_init(settings: ComplexInitSettings) -> dict[str, np.ndarray]:
    """Pre-fit each seed's draw to white noise, then train both starts on the smooth task.

    Returns ``before`` and ``after`` (start, seed, grid_n, grid_n): each network's function on
    the grid before and after training on the smooth task (start 0 standard, 1 complex);
    ``noise`` (seed, prefit_grid^2), the standardised white-noise functions of the pre-fit;
    ``prefit_mse`` (seed,), how closely each complex start matches its noise;
    ``train_idx`` (seed, train_points); and ``coverage_after`` (coverage, start, seed, grid_n,
    grid_n): the same two starts trained on each number of points of ``coverage`` instead
    (appendix E.3 against data coverage; the entry for ``train_points`` is the main run's).
    """
    s = settings
    config, S = s.config, s.seeds
    standard = init_mlps(config, S, seed=derived_seed(s.seed, "e3-init"))
    coarse = grid(s.prefit_grid).to(compute_dtype())
    noise = sample_functions(UnbiasedConfig(), S, n=s.prefit_grid, seed=derived_seed(s.seed, "e3-noise"))
    noise = noise.reshape(S, -1)
    noise = (noise - noise.mean(1, keepdim=True)) / noise.std(1, keepdim=True)
    complex_start = train_mlps(config, standard, coarse, noise, s.prefit).params
    prefit_mse = (predict(config, complex_start, coarse) - noise).square().mean(1)
    both = [
        LayerParams(torch.cat([a.weight, b.weight]), torch.cat([a.bias, b.bias]))
        for a, b in zip(standard, complex_start, strict=True)
    ]
    fine = grid(s.grid_n).to(compute_dtype())
    target = smooth_target(fine)
    shape = (2, S, s.grid_n, s.grid_n)

    def trained_on(points: int) -> np.ndarray:
        idx = torch.stack([s.train_indices(i, points) for i in range(S)])
        idx = torch.cat([idx, idx])  # both starts of a seed see the same points
        trained = train_mlps(config, both, fine[idx], target[idx], s.train).params
        return predict(config, trained, fine).reshape(shape).double().numpy()

    after = trained_on(s.train_points)
    coverage = [after if n == s.train_points else trained_on(n) for n in s.coverage]
    return {
        "before": predict(config, both, fine).reshape(shape).double().numpy(),
        "after": after,
        "noise": noise.double().numpy(),
        "prefit_mse": prefit_mse.double().numpy(),
        "train_idx": torch.stack([s.train_indices(i) for i in range(S)]).numpy(),
        "coverage_after": np.array(coverage).reshape(len(s.coverage), *shape),
    }


def excess_remaining(c_before: np.ndarray, c_after: np.ndarray, seeds: np.ndarray | None = None) -> float:
    """Fraction of the complex start's excess complexity that remains after training.

    ``c_before`` and ``c_after`` are (start, seed) complexities. The excess is complex minus
    standard, paired by seed; the fraction is the mean excess after training over the mean excess
    before, over ``seeds`` (all seeds by default; a bootstrap passes resampled seed indices).
    Near 0: training erased the complex start; near 1: it persisted.
    """
    seeds = np.arange(np.shape(c_before)[1]) if seeds is None else np.asarray(seeds).astype(int)
    before = np.asarray(c_before)[1, seeds] - np.asarray(c_before)[0, seeds]
    after = np.asarray(c_after)[1, seeds] - np.asarray(c_after)[0, seeds]
    return float(after.mean() / before.mean())


def complex_init_records(c_before: np.ndarray, c_after: np.ndarray, grid_mse: np.ndarray) -> list[dict[str, Any]]:
    """One tidy row per (start, seed): Fourier complexity before and after training, error on the grid."""
    return [
        {
            "experiment": "complex_init",
            "start": start,
            "seed": i,
            "fourier_before": float(c_before[k, i]),
            "fourier_after": float(c_after[k, i]),
            "grid_mse_after": float(grid_mse[k, i]),
        }
        for k, start in enumerate(STARTS)
        for i in range(np.shape(c_before)[1])
    ]
