"""Modulo arithmetic (paper section 4.1, Figures 7 and 8): the task, the splits, the batched runs.

Binary classification of integer vectors x in {0, ..., N-1}^d with the label
``1[(sum_i x_i mod M) < M/2]`` (or ``<=``: the paper's printed inequality is garbled). Smaller M
alternates faster along the diagonal, a higher-frequency target. Every (activation, prefactor,
M, seed) is one MLP; all runs of a seed start from that seed's one initial draw (the prefactor
rescales it) and use that seed's random train / validation / test split, so the seed is the
independent unit of every interval. Chapter 4 explains the experiment; this module holds its
bookkeeping so that the chapter shows the argument.

Also here: the paper's "unbiased" model (appendix E) trained on the same tasks by gradient
descent, and the quadratic fit of Figure 8.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from redshift_utils.configs import MLPConfig
from redshift_utils.experiments.common import init_complexity, log_prefactors, select_models, slice_points
from redshift_utils.fourier import fourier_complexity
from redshift_utils.grids import grid_axis
from redshift_utils.precision import compute_dtype
from redshift_utils.sampler import unbiased_basis
from redshift_utils.seeds import derived_seed
from redshift_utils.training import TrainConfig, batch_indices, init_mlps, predict, train_mlps

# Fields of the (activation, prefactor, M, seed) result arrays.
RUN_FIELDS = ("train_acc", "val_acc", "test_acc", "train_loss", "steps_run")


@dataclass(frozen=True)
class ModuloSettings:
    """Everything one modulo sweep depends on (the chapter's ``modulo_*`` parameters and the shared ones)."""

    activations: tuple[str, ...]
    moduli: tuple[int, ...]
    prefactors: tuple[float, ...]
    seeds: int
    levels: int = 16
    dims: int = 2
    inequality: str = "<"
    train_fraction: float = 0.5
    val_fraction: float = 0.25
    depth: int = 3
    width: int = 32
    train: TrainConfig = TrainConfig(loss="bce")
    grid_n: int = 64
    init_slices: int = 4
    seed: int = 0
    until_fit: bool = True

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ModuloSettings:
        """The settings of chapter 4's parameters: ``modulo_*`` plus the shared prefactors, grid and seed."""
        return cls(
            activations=tuple(params["modulo_activations"]),
            moduli=tuple(params["modulo_moduli"]),
            prefactors=tuple(
                log_prefactors(params["prefactor_min"], params["prefactor_max"], params["prefactor_steps"])
            ),
            seeds=params["modulo_seeds"],
            levels=params["modulo_levels"],
            dims=params["modulo_dims"],
            inequality=params["modulo_inequality"],
            train_fraction=params["modulo_train_fraction"],
            val_fraction=params["modulo_val_fraction"],
            depth=params["modulo_depth"],
            width=params["modulo_width"],
            train=TrainConfig(
                optimizer=params["optimizer"],
                lr=params["modulo_lr"],
                steps=params["modulo_steps"],
                batch_size=params["modulo_batch_size"] or None,
                loss="bce",
                seed=derived_seed(params["seed"], "modulo-batches"),
            ),
            grid_n=params["grid_n"],
            init_slices=params["init_slices"],
            seed=params["seed"],
        )

    @property
    def n_points(self) -> int:
        return self.levels**self.dims

    def points(self) -> torch.Tensor:
        """All N^d inputs scaled to [-1, 1]^d (x -> 2x/(N-1) - 1), first coordinate slowest: (N^d, d)."""
        ints = torch.tensor(list(itertools.product(range(self.levels), repeat=self.dims)), dtype=torch.float64)
        return (ints / (self.levels - 1) * 2 - 1).to(compute_dtype())

    def labels(self, modulus: int) -> torch.Tensor:
        """The 0/1 label of every input for modulus M: (N^d,)."""
        ints = torch.tensor(list(itertools.product(range(self.levels), repeat=self.dims)))
        return self._rule(ints.sum(1) % modulus, modulus).to(compute_dtype())

    def _rule(self, residue: torch.Tensor, modulus: int) -> torch.Tensor:
        return residue < modulus / 2 if self.inequality == "<" else residue <= modulus / 2

    def majority(self, modulus: int) -> float:
        """Accuracy of the constant majority-class predictor over all inputs."""
        positive = float(self.labels(modulus).mean())
        return max(positive, 1 - positive)

    def split(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Train / validation / test indices of seed ``index``: its own random partition of the inputs."""
        gen = torch.Generator().manual_seed(derived_seed(self.seed, "modulo-split", index))
        perm = torch.randperm(self.n_points, generator=gen)
        n_train = round(self.train_fraction * self.n_points)
        n_val = round(self.val_fraction * self.n_points)
        return perm[:n_train], perm[n_train : n_train + n_val], perm[n_train + n_val :]

    def target_image(self, modulus: int, n: int) -> torch.Tensor:
        """The label of the nearest integer input at each point of the n x n grid (the d = 2 view): (n, n)."""
        axis = ((grid_axis(n) + 1) / 2 * (self.levels - 1)).round().long()
        return self._rule((axis[:, None] + axis[None, :]) % modulus, modulus).to(compute_dtype())


def run_modulo(settings: ModuloSettings) -> dict[str, np.ndarray]:
    """Train every (activation, prefactor, M, seed) MLP, one batch per activation.

    With ``until_fit`` each MLP trains until it classifies every training point correctly, or for
    ``train.steps`` steps at most (the budget). Returns arrays indexed ``[activation, prefactor,
    M, seed]`` for ``train_acc``, ``val_acc``, ``test_acc``, the final ``train_loss`` (binary
    cross-entropy on the training points, at the returned parameters) and ``steps_run``;
    ``init_complexity`` ``[activation, prefactor, seed]`` (Fourier, on the grid_n grid or its
    slices: the prefactor rescales one draw per seed, which does not depend on M); and
    ``logits_seed0`` ``[activation, prefactor, M, input]``, seed 0's output at every input.
    """
    s = settings
    A, P, K, S = len(s.activations), len(s.prefactors), len(s.moduli), s.seeds
    points = s.points()
    labels = torch.stack([s.labels(m) for m in s.moduli])  # (K, N^d)
    splits = [s.split(i) for i in range(S)]
    runs = list(itertools.product(range(P), range(K), range(S)))
    x = torch.stack([points[splits[i][0]] for _, _, i in runs])
    y = torch.stack([labels[k, splits[i][0]] for _, k, i in runs])
    prefactors = torch.tensor([s.prefactors[p] for p, _, _ in runs], dtype=torch.float64)
    slices = slice_points(s.dims, s.grid_n, s.init_slices, derived_seed(s.seed, "modulo-slices"))
    init_runs = list(itertools.product(range(P), range(S)))
    out = {name: np.zeros((A, P, K, S)) for name in RUN_FIELDS}
    out["init_complexity"] = np.zeros((A, P, S))
    out["logits_seed0"] = np.zeros((A, P, K, s.n_points))
    for a, activation in enumerate(tqdm(s.activations, desc="modulo: one batch per activation")):
        config = MLPConfig(activation=activation, depth=s.depth, width=s.width, in_dim=s.dims)
        draws = init_mlps(config, S, seed=derived_seed(s.seed, "modulo-init"))
        c0 = init_complexity(
            config,
            select_models(draws, [i for _, i in init_runs]),
            torch.tensor([s.prefactors[p] for p, _ in init_runs], dtype=torch.float64),
            slices,
            fourier_complexity,
        )
        out["init_complexity"][a] = c0.reshape(P, S)
        trained = train_mlps(
            config,
            select_models(draws, [i for _, _, i in runs]),
            x,
            y,
            s.train,
            prefactors=prefactors,
            until_fit=s.until_fit,
        )
        logits = predict(config, trained.params, points, prefactors)  # (runs, N^d)
        run_labels = labels[[k for _, k, _ in runs]]
        correct = ((logits > 0).to(labels.dtype) == run_labels).double()
        for r, (p, k, i) in enumerate(runs):
            train, val, test = splits[i]
            out["train_acc"][a, p, k, i] = float(correct[r, train].mean())
            out["val_acc"][a, p, k, i] = float(correct[r, val].mean())
            out["test_acc"][a, p, k, i] = float(correct[r, test].mean())
            out["train_loss"][a, p, k, i] = float(
                F.binary_cross_entropy_with_logits(logits[r, train], run_labels[r, train])
            )
            out["steps_run"][a, p, k, i] = float(trained.steps_run[r])
            if i == 0:
                out["logits_seed0"][a, p, k] = logits[r].double().numpy()
    return out


def tune_per_seed(result: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each seed's prefactor picked on its own validation points, and its accuracies there.

    Why per seed: the seed is the unit of the chapter's intervals, so each seed runs the whole
    protocol (train at every prefactor, pick the best validation accuracy, report test accuracy)
    and the spread over seeds includes the noise of the choice. Ties go to the smallest prefactor.
    Returns ``p_index``, ``train_acc``, ``test_acc`` indexed ``[activation, M, seed]``.
    """
    val = np.asarray(result["val_acc"])  # (A, P, K, S)
    best = np.argmax(val, axis=1)  # first maximum: the smallest prefactor among ties
    pick = lambda field: np.take_along_axis(np.asarray(result[field]), best[:, None], axis=1)[:, 0]  # noqa: E731
    return {"p_index": best, "train_acc": pick("train_acc"), "test_acc": pick("test_acc")}


def quadratic_peak(log_p: np.ndarray, acc: np.ndarray) -> float:
    """Best log-prefactor of the least-squares parabola ``acc ~ a (log p)^2 + b log p + c`` (Figure 8).

    The parabola's vertex ``-b / 2a`` when it opens downwards and lies inside the swept range;
    otherwise the end of the range where the parabola is higher. Why clamp: a fit that opens
    upwards or peaks outside the sweep still says which swept prefactors the task favours, and a
    defined value for every bootstrap replicate keeps the interval honest (dropping the
    replicates without a vertex would bias it). NaN with fewer than three distinct prefactors.
    """
    log_p, acc = np.asarray(log_p, dtype=np.float64), np.asarray(acc, dtype=np.float64)
    if np.unique(log_p).size < 3:
        return float("nan")
    a, b, c = np.polyfit(log_p, acc, 2)
    low, high = float(log_p.min()), float(log_p.max())
    if a < 0 and low <= -b / (2 * a) <= high:
        return float(-b / (2 * a))
    return high if np.polyval((a, b, c), high) > np.polyval((a, b, c), low) else low


def peak_bootstrap(
    test_acc: np.ndarray, prefactors: tuple[float, ...], *, n_boot: int = 1000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Log-peaks of the quadratic fit per task, and the same on seed-resampled data.

    ``test_acc`` is ``[prefactor, M, seed]`` for one activation. Each fit uses every
    (prefactor, seed) run of a task; a bootstrap replicate resamples whole seeds, the same seeds
    for every task, so the tasks stay paired (each seed has one initial draw and one split for
    all tasks). Returns ``(peaks (K,), replicates (n_boot, K))``.
    """
    acc = np.asarray(test_acc, dtype=np.float64)
    _, K, S = acc.shape
    log_p = np.log(np.asarray(prefactors, dtype=np.float64))

    def peaks(seeds: np.ndarray) -> np.ndarray:
        x = np.repeat(log_p, len(seeds))  # matches acc[:, k][:, seeds].ravel(): prefactor-major
        return np.array([quadratic_peak(x, acc[:, k][:, seeds].ravel()) for k in range(K)])

    estimate = peaks(np.arange(S))
    draws = np.random.default_rng(seed).integers(0, S, size=(n_boot, S))
    return estimate, np.array([peaks(row) for row in draws])


def modulo_records(result: Mapping[str, np.ndarray], settings: ModuloSettings) -> list[dict[str, Any]]:
    """One tidy row per (activation, prefactor, M, seed) run, for the results file."""
    rows = []
    for (a, act), (p, pf), (k, m), i in itertools.product(
        enumerate(settings.activations),
        enumerate(settings.prefactors),
        enumerate(settings.moduli),
        range(settings.seeds),
    ):
        rows.append(
            {"experiment": "modulo", "activation": act, "prefactor": pf, "M": m, "seed": i}
            | {name: float(result[name][a, p, k, i]) for name in RUN_FIELDS}
            | {"init_complexity": float(result["init_complexity"][a, p, i])}
        )
    return rows


# ----------------------------------------------------------------------------- the unbiased model


def unbiased_features(points: torch.Tensor, frequencies: int) -> torch.Tensor:
    """The unbiased model's basis at 2-D points, products of ``unbiased_basis`` along each axis: (P, K*K)."""
    c1, c2 = unbiased_basis(points[:, 0], frequencies), unbiased_basis(points[:, 1], frequencies)
    return (c1[:, :, None] * c2[:, None, :]).reshape(len(points), frequencies * frequencies)


def train_unbiased(settings: ModuloSettings, frequencies: int, method: str, gd_lr: float) -> dict[str, np.ndarray]:
    """Train the unbiased model (K cosines per axis) on every (M, seed) of the modulo tasks at once.

    ``method`` is ``"optimizer"`` (the chapter's optimiser, learning rate and steps, as for the
    MLPs) or ``"gd"`` (plain full-batch gradient descent with learning rate ``gd_lr``). The
    coefficients start from one N(0, 1) draw per seed, shared by the tasks; the logit is the
    model's output scaled so that initial logits have unit variance over the inputs. Returns
    ``train_acc``, ``test_acc``, ``init_complexity`` and ``final_complexity`` (Fourier, on the
    grid_n grid) indexed ``[M, seed]``. The model is defined on 2-D inputs only.
    """
    s = settings
    if s.dims != 2:
        raise ValueError(f"the unbiased model is defined on 2-D inputs, got modulo dims = {s.dims}")
    if method not in ("optimizer", "gd"):
        raise ValueError(f"method must be 'optimizer' or 'gd', got {method!r}")
    K, S = frequencies, s.seeds
    phi = unbiased_features(s.points(), K)
    scale = 1.0 / float(phi.square().sum(1).mean().sqrt())
    splits = [s.split(i) for i in range(S)]
    runs = list(itertools.product(range(len(s.moduli)), range(S)))
    labels = torch.stack([s.labels(m) for m in s.moduli])
    train_idx = torch.stack([splits[i][0] for _, i in runs])  # (runs, train points)
    y = torch.stack([labels[k, splits[i][0]] for k, i in runs])
    draws = [
        torch.randn(K * K, generator=torch.Generator().manual_seed(derived_seed(s.seed, f"unbiased-{K}", i)))
        for i in range(S)
    ]  # float32 draws, as for the MLPs, computed in the compute dtype
    init = torch.stack([draws[i] for _, i in runs]).to(phi.dtype)
    coeffs = init.clone().requires_grad_(True)
    if method == "gd" or s.train.optimizer == "sgd":
        opt: torch.optim.Optimizer = torch.optim.SGD([coeffs], lr=gd_lr if method == "gd" else s.train.lr)
    else:
        opt = torch.optim.Adam([coeffs], lr=s.train.lr)
    for index in batch_indices(train_idx.shape[1], s.train):
        idx, yb = (train_idx, y) if index is None else (train_idx[:, index], y[:, index])
        # All N^d outputs in one matrix product, then each run's points: far cheaper than a
        # per-run copy of the features (runs x points x K^2 numbers read at every step).
        logits = (scale * coeffs @ phi.T).gather(1, idx)
        loss = F.binary_cross_entropy_with_logits(logits, yb, reduction="none").mean(1)
        opt.zero_grad(set_to_none=True)
        loss.sum().backward()
        opt.step()
    axis = unbiased_basis(grid_axis(s.grid_n), K)
    with torch.no_grad():
        correct = (((scale * coeffs @ phi.T) > 0).to(labels.dtype) == labels[[k for k, _ in runs]]).double()
        c_init = np.asarray(fourier_complexity(axis @ init.reshape(-1, K, K) @ axis.T))
        c_final = np.asarray(fourier_complexity(axis @ coeffs.reshape(-1, K, K) @ axis.T))
    out = {
        name: np.zeros((len(s.moduli), S)) for name in ("train_acc", "test_acc", "init_complexity", "final_complexity")
    }
    for r, (k, i) in enumerate(runs):
        train, _, test = splits[i]
        out["train_acc"][k, i] = float(correct[r, train].mean())
        out["test_acc"][k, i] = float(correct[r, test].mean())
        out["init_complexity"][k, i] = float(c_init[r])
        out["final_complexity"][k, i] = float(c_final[r])
    return out


def run_unbiased(settings: ModuloSettings, frequencies: tuple[int, ...], gd_lr: float) -> dict[str, np.ndarray]:
    """``train_unbiased`` for every K and both methods: arrays ``[K, method, M, seed]`` (methods: optimizer, gd)."""
    jobs = list(itertools.product(range(len(frequencies)), range(2)))
    parts = {}
    for f, m in tqdm(jobs, desc="unbiased model: one batch per (K, method)"):
        parts[f, m] = train_unbiased(settings, frequencies[f], ("optimizer", "gd")[m], gd_lr)
    return {
        name: np.array([[parts[f, m][name] for m in range(2)] for f in range(len(frequencies))])
        for name in ("train_acc", "test_acc", "init_complexity", "final_complexity")
    }


def unbiased_records(
    result: Mapping[str, np.ndarray], settings: ModuloSettings, frequencies: tuple[int, ...], methods: tuple[str, str]
) -> list[dict[str, Any]]:
    """One tidy row per (K, method, M, seed) run of the unbiased model, for the results file."""
    rows = []
    for (f, K), (m, method), (k, mod), i in itertools.product(
        enumerate(frequencies), enumerate(methods), enumerate(settings.moduli), range(settings.seeds)
    ):
        rows.append(
            {"experiment": "unbiased_gd", "frequencies": K, "method": method, "M": mod, "seed": i}
            | {name: float(result[name][f, m, k, i]) for name in result}
        )
    return rows


__all__ = [
    "ModuloSettings",
    "modulo_records",
    "peak_bootstrap",
    "quadratic_peak",
    "run_modulo",
    "run_unbiased",
    "train_unbiased",
    "tune_per_seed",
    "unbiased_features",
    "unbiased_records",
]
