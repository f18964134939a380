"""Guess and check (Chiang et al. 2023, reinterpreted in paper section 4.3 and appendix E).

Draw random weights, keep the draws whose training loss is lowest, and ask whether the kept
functions generalise. The paper's reading: uniformly drawn MLP weights mostly implement simple
functions, so a kept draw generalises; the "unbiased" model, whose random functions are white
noise, keeps draws that fit the training points and are coin flips elsewhere.

The task is the 2-D half-plane ``x1 + 0.5 x2 > 0.1`` on a grid. Each *task* (the unit of the
chapter's intervals) draws its own training points, half from each class, and its own pool of
random functions, so tasks are independent replicates; every other grid point is a test point.
Chapter 4 explains the experiment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from redshift_utils.configs import MLPConfig, UnbiasedConfig
from redshift_utils.experiments.common import select_models
from redshift_utils.grids import grid
from redshift_utils.precision import compute_dtype
from redshift_utils.sampler import sample_functions, sample_mlp_params
from redshift_utils.seeds import derived_seed
from redshift_utils.training import predict

FAMILIES = ("mlp", "unbiased")
SELECTIONS = ("cross-entropy", "squared loss", "fits every training point", "no selection")
CHUNK = 10_000  # draws evaluated at once


@dataclass(frozen=True)
class GuessSettings:
    """Everything guess and check depends on (the chapter's ``guess_*`` parameters and the seed)."""

    tasks: int
    draws: int
    accept: int
    train_points: int = 10
    grid_n: int = 32
    logit_scale: float = 4.0
    activation: str = "relu"
    depth: int = 2
    width: int = 32
    seed: int = 0

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> GuessSettings:
        """The settings of chapter 4's ``guess_*`` parameters and its seed."""
        return cls(
            tasks=params["guess_tasks"],
            draws=params["guess_draws"],
            accept=params["guess_accept"],
            train_points=params["guess_train_points"],
            grid_n=params["guess_grid_n"],
            logit_scale=params["guess_logit_scale"],
            activation=params["guess_activation"],
            depth=params["guess_depth"],
            width=params["guess_width"],
            seed=params["seed"],
        )

    @property
    def config(self) -> MLPConfig:
        return MLPConfig(activation=self.activation, depth=self.depth, width=self.width)

    def task(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Grid points, 0/1 labels of the half-plane, and task ``index``'s train and test indices.

        The training points are drawn half from each class, so that fitting them takes more
        than predicting the majority class.
        """
        points = grid(self.grid_n).to(compute_dtype())
        labels = (points[:, 0] + 0.5 * points[:, 1] > 0.1).to(compute_dtype())
        gen = torch.Generator().manual_seed(derived_seed(self.seed, "guess-split", index))
        half = self.train_points // 2
        picks = []
        for value, count in ((1.0, half), (0.0, self.train_points - half)):
            members = torch.nonzero(labels == value).ravel()
            picks.append(members[torch.randperm(len(members), generator=gen)[:count]])
        train = torch.cat(picks)
        test = torch.ones(len(points), dtype=torch.bool)
        test[train] = False
        return points, labels, train, torch.nonzero(test).ravel()


def _losses(z: torch.Tensor, target: torch.Tensor, logit_scale: float) -> dict[str, torch.Tensor]:
    """Each draw's training loss on standardised outputs ``z`` (draws, points), targets ``t = +-1``."""
    return {
        "cross-entropy": F.softplus(-logit_scale * z * target).mean(1),
        "squared loss": (z - target).square().mean(1),
    }


def guess_family(settings: GuessSettings, family: str, task: int) -> dict[str, Any]:
    """Draw ``settings.draws`` functions of one family for one task; keep the selected ones.

    Outputs are divided by one constant per family and task, their standard deviation over the
    first chunk of draws at the training points, so both families are compared at the same
    output scale. Returns, per selection, the kept functions' outputs on the whole grid
    (kept, grid_n^2), lowest loss first, and ``fit_fraction``: the fraction of draws that
    classify every training point correctly.
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    s = settings
    points, labels, train, _ = s.task(task)
    target = 2 * labels[train] - 1
    kept: dict[str, list[tuple[torch.Tensor, torch.Tensor]]] = {name: [] for name in SELECTIONS}
    scale, n_fit, n_kept_fits = None, 0, 0
    for c, start in enumerate(range(0, s.draws, CHUNK)):
        count = min(CHUNK, s.draws - start)
        draw_seed = derived_seed(s.seed, f"guess-{family}", task, c)
        if family == "mlp":
            stacked = sample_mlp_params(s.config, count, seed=draw_seed)
            z = predict(s.config, stacked, points[train])

            def outputs(idx: torch.Tensor, stacked: list = stacked) -> torch.Tensor:
                return predict(s.config, select_models(stacked, idx.tolist()), points)
        else:
            functions = sample_functions(UnbiasedConfig(), count, n=s.grid_n, seed=draw_seed).reshape(count, -1)
            z = functions[:, train]

            def outputs(idx: torch.Tensor, functions: torch.Tensor = functions) -> torch.Tensor:
                return functions[idx]

        scale = z.std() if scale is None else scale
        z = z / scale
        for name, loss in _losses(z, target, s.logit_scale).items():
            best = loss.argsort(stable=True)[: s.accept]
            kept[name].append((loss[best], outputs(best) / scale))
        fits = torch.nonzero(((z > 0) == (target > 0)).all(1)).ravel()
        n_fit += len(fits)
        if n_kept_fits < s.accept and len(fits):
            fits = fits[: s.accept - n_kept_fits]
            n_kept_fits += len(fits)
            kept["fits every training point"].append((torch.zeros(len(fits)), outputs(fits) / scale))
        if c == 0:
            first = torch.arange(min(s.accept, count))
            kept["no selection"].append((torch.zeros(len(first)), outputs(first) / scale))
    result: dict[str, Any] = {"fit_fraction": n_fit / s.draws}
    for name, parts in kept.items():
        if not parts:
            result[name] = torch.empty((0, len(points)), dtype=compute_dtype())
            continue
        loss = torch.cat([part for part, _ in parts])
        out = torch.cat([o for _, o in parts])
        result[name] = out[loss.argsort(stable=True)[: s.accept]]
    return result


def run_guess(settings: GuessSettings) -> dict[str, np.ndarray]:
    """Guess and check for both families on every task.

    Returns ``test_acc`` and ``train_acc`` of every kept draw, indexed
    ``[family, selection, task, kept]`` (NaN where fewer than ``accept`` draws were kept: only
    possible for "fits every training point"), ``fit_fraction`` ``[family, task]``, and
    ``example`` ``[family, selection, grid point]``: the lowest-loss kept draw of task 0 (NaN if none).
    """
    s = settings
    F_, L, T = len(FAMILIES), len(SELECTIONS), s.tasks
    out = {
        "test_acc": np.full((F_, L, T, s.accept), np.nan),
        "train_acc": np.full((F_, L, T, s.accept), np.nan),
        "fit_fraction": np.zeros((F_, T)),
        "example": np.full((F_, L, s.grid_n**2), np.nan),
    }
    jobs = [(f, t) for t in range(T) for f in range(F_)]
    for f, t in tqdm(jobs, desc="guess and check: one pool per (task, family)"):
        _, labels, train, test = s.task(t)
        kept = guess_family(s, FAMILIES[f], t)
        out["fit_fraction"][f, t] = kept["fit_fraction"]
        for k, name in enumerate(SELECTIONS):
            pred = (kept[name] > 0).to(labels.dtype)
            n = len(pred)
            out["test_acc"][f, k, t, :n] = (pred[:, test] == labels[test]).double().mean(1).numpy()
            out["train_acc"][f, k, t, :n] = (pred[:, train] == labels[train]).double().mean(1).numpy()
            if t == 0 and n:
                out["example"][f, k] = kept[name][0].double().numpy()
    return out


def task_means(result: Mapping[str, np.ndarray], field: str = "test_acc") -> np.ndarray:
    """Mean over each task's kept draws: ``[family, selection, task]`` (the unit of the intervals)."""
    values = np.asarray(result[field])
    counts = np.isfinite(values).sum(-1)
    sums = np.nansum(values, axis=-1)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def guess_records(result: Mapping[str, np.ndarray], settings: GuessSettings) -> list[dict[str, Any]]:
    """One tidy row per (family, selection, task): kept draws and their mean accuracies."""
    test, train = task_means(result, "test_acc"), task_means(result, "train_acc")
    rows = []
    for f, family in enumerate(FAMILIES):
        for k, selection in enumerate(SELECTIONS):
            for t in range(settings.tasks):
                rows.append(
                    {
                        "experiment": "guess_and_check",
                        "model": family,
                        "selection": selection,
                        "task": t,
                        "draws": settings.draws,
                        "kept": int(np.isfinite(result["test_acc"][f, k, t]).sum()),
                        "fit_fraction": float(result["fit_fraction"][f, t]),
                        "train_acc": float(train[f, k, t]),
                        "test_acc": float(test[f, k, t]),
                    }
                )
    return rows
