"""Shortcut learning (paper section 4.2, Figure 9): a digit beside a coloured band.

The paper places MNIST digits beside a band of coloured pixels whose colour, in training, carries
the same label as the digit. A network can fit the training set with the simple colour rule or
with the harder digit. This module rebuilds the task offline with scikit-learn's 8x8 digits
(1,797 images), trains every (activation, prefactor, seed) MLP with a squared loss, and also
trains each one on a *control* set whose colour is random (the digit accuracy the same network
reaches without a shortcut: the ceiling of what it can learn about digits).

Each seed has its own initial draw (shared by its prefactors), its own split of the images into
training, validation and test sets, and its own random colours, so seeds are independent
replicates of the whole experiment. Chapter 4 explains the experiment.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from redshift_utils.configs import MLPConfig
from redshift_utils.experiments.common import init_complexity, log_prefactors, select_models, slice_points
from redshift_utils.lempel_ziv import lz_complexity
from redshift_utils.precision import compute_dtype
from redshift_utils.seeds import derived_seed
from redshift_utils.training import TrainConfig, init_mlps, predict, train_mlps

LEVELS = 10  # the label and the colour take the values k / 9, k = 0..9
# Fields of the result arrays, indexed [activation, prefactor, seed].
RUN_FIELDS = (
    "train_mse",
    "train_acc",
    "colour_acc",
    "digit_acc",
    "val_digit_acc",
    "control_train_mse",
    "control_train_acc",
    "control_digit_acc",
    "init_lz",
)


def digit_images() -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 1,797 8x8 digits as grey levels in [0, 1] (float64) and their labels 0-9."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return torch.tensor(digits.images, dtype=torch.float64) / 16.0, torch.tensor(digits.target)


def colour_of(value: torch.Tensor) -> torch.Tensor:
    """RGB colour (B, 3) of colour values (B,) in [0, 1]: (v, 1 - v, 0.5), linear in the value."""
    value = torch.as_tensor(value, dtype=torch.float64)
    return torch.stack([value, 1 - value, torch.full_like(value, 0.5)], -1)


def shortcut_inputs(images: torch.Tensor, colour_values: torch.Tensor, band_width: int) -> torch.Tensor:
    """Network inputs in [-1, 1]: the digit's 64 grey levels, then the band's 8 x band_width x 3 RGB values."""
    band = colour_of(colour_values)[:, None, None, :].expand(-1, 8, band_width, 3)
    flat = torch.cat([images.reshape(len(images), -1).double(), band.reshape(len(images), -1)], 1)
    return (flat * 2 - 1).to(compute_dtype())


def picture(image: torch.Tensor, value: float, band_width: int) -> np.ndarray:
    """RGB picture (8, 8 + band_width, 3) of one input: the grey digit and its coloured band."""
    band = colour_of(torch.tensor([value]))[0].expand(8, band_width, 3)
    return torch.cat([image.double()[:, :, None].expand(8, 8, 3), band], 1).numpy()


@dataclass(frozen=True)
class ShortcutSettings:
    """Everything one shortcut sweep depends on (the chapter's ``shortcut_*`` parameters and the shared ones)."""

    activations: tuple[str, ...]
    prefactors: tuple[float, ...]
    seeds: int
    train_images: int = 1000
    band_width: int = 3
    depth: int = 2
    width: int = 64
    train: TrainConfig = TrainConfig(loss="mse", batch_size=128)
    control: bool = True
    grid_n: int = 64
    init_slices: int = 4
    seed: int = 0

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ShortcutSettings:
        """The settings of chapter 4's parameters: ``shortcut_*`` plus the shared prefactors, grid and seed."""
        return cls(
            activations=tuple(params["shortcut_activations"]),
            prefactors=tuple(
                log_prefactors(params["prefactor_min"], params["prefactor_max"], params["prefactor_steps"])
            ),
            seeds=params["shortcut_seeds"],
            train_images=params["shortcut_train_images"],
            band_width=params["shortcut_band_width"],
            depth=params["shortcut_depth"],
            width=params["shortcut_width"],
            train=TrainConfig(
                optimizer=params["optimizer"],
                lr=params["shortcut_lr"],
                steps=params["shortcut_steps"],
                batch_size=params["shortcut_batch_size"] or None,
                loss="mse",
                seed=derived_seed(params["seed"], "shortcut-batches"),
            ),
            grid_n=params["grid_n"],
            init_slices=params["init_slices"],
            seed=params["seed"],
        )

    @property
    def in_dim(self) -> int:
        return 64 + 8 * self.band_width * 3

    def data(self, index: int) -> dict[str, torch.Tensor]:
        """Seed ``index``'s data: training inputs (colour = digit), control inputs (random colour),
        validation and test inputs (held-out digits, each with an independent random colour).

        The images not used for training are split in half: validation images pick a prefactor,
        test images score it. Labels and colours are levels k/9; ``*_digit`` and ``*_colour``
        hold k.
        """
        images, labels = digit_images()
        gen = torch.Generator().manual_seed(derived_seed(self.seed, "shortcut-data", index))
        perm = torch.randperm(len(images), generator=gen)
        train, held = perm[: self.train_images], perm[self.train_images :]
        val, test = held[: len(held) // 2], held[len(held) // 2 :]
        levels = lambda n: torch.randint(0, LEVELS, (n,), generator=gen)  # noqa: E731
        val_colour, test_colour, control_colour = levels(len(val)), levels(len(test)), levels(len(train))
        scale = LEVELS - 1
        return {
            "x_train": shortcut_inputs(images[train], labels[train] / scale, self.band_width),
            "y_train": (labels[train] / scale).to(compute_dtype()),
            "train_digit": labels[train],
            "x_control": shortcut_inputs(images[train], control_colour / scale, self.band_width),
            "x_val": shortcut_inputs(images[val], val_colour / scale, self.band_width),
            "val_digit": labels[val],
            "x_test": shortcut_inputs(images[test], test_colour / scale, self.band_width),
            "test_digit": labels[test],
            "test_colour": test_colour,
            "test_images": images[test],
        }


def levels_of(output: torch.Tensor) -> torch.Tensor:
    """The output rounded to the nearest of the 10 levels k/9, as k."""
    return (output * (LEVELS - 1)).round().clamp(0, LEVELS - 1)


def run_shortcut(settings: ShortcutSettings) -> dict[str, np.ndarray]:
    """Train every (activation, prefactor, seed) MLP on its seed's data, and on the control data.

    Returns arrays indexed ``[activation, prefactor, seed]``: training squared error and level
    accuracy (``train_mse``, ``train_acc``), on the test images the accuracy against the colour
    (``colour_acc``, colour reliance) and against the digit (``digit_acc``), digit accuracy on
    the validation images (``val_digit_acc``), the control's ``control_train_mse``,
    ``control_train_acc`` and test ``control_digit_acc`` (NaN without the control), and the LZ
    complexity at initialisation ``init_lz`` (mean over random 2-D slices of the input cube).
    """
    s = settings
    A, P, S = len(s.activations), len(s.prefactors), s.seeds
    runs = list(itertools.product(range(P), range(S)))
    seeds_of_runs = [i for _, i in runs]
    prefactors = torch.tensor([s.prefactors[p] for p, _ in runs], dtype=torch.float64)
    data = [s.data(i) for i in range(S)]
    stack = lambda key: torch.stack([data[i][key] for i in seeds_of_runs])  # noqa: E731
    x_train, y_train, x_control = stack("x_train"), stack("y_train"), stack("x_control")
    x_val, x_test = stack("x_val"), stack("x_test")
    train_digit, val_digit = stack("train_digit"), stack("val_digit")
    test_digit, test_colour = stack("test_digit"), stack("test_colour")
    slices = slice_points(s.in_dim, s.grid_n, s.init_slices, derived_seed(s.seed, "shortcut-slices"))
    out = {name: np.full((A, P, S), np.nan) for name in RUN_FIELDS}

    def store(name: str, a: int, values: torch.Tensor) -> None:
        out[name][a] = values.double().numpy().reshape(P, S)

    for a, activation in enumerate(tqdm(s.activations, desc="shortcut: one batch per activation")):
        config = MLPConfig(activation=activation, depth=s.depth, width=s.width, in_dim=s.in_dim)
        init = select_models(init_mlps(config, S, seed=derived_seed(s.seed, "shortcut-init")), seeds_of_runs)
        store("init_lz", a, torch.as_tensor(init_complexity(config, init, prefactors, slices, lz_complexity)))
        trained = train_mlps(config, init, x_train, y_train, s.train, prefactors=prefactors).params
        fitted = predict(config, trained, x_train, prefactors)
        store("train_mse", a, (fitted - y_train).square().mean(1))
        store("train_acc", a, (levels_of(fitted) == train_digit).double().mean(1))
        test_level = levels_of(predict(config, trained, x_test, prefactors))
        store("colour_acc", a, (test_level == test_colour).double().mean(1))
        store("digit_acc", a, (test_level == test_digit).double().mean(1))
        store(
            "val_digit_acc", a, (levels_of(predict(config, trained, x_val, prefactors)) == val_digit).double().mean(1)
        )
        if s.control:
            control = train_mlps(config, init, x_control, y_train, s.train, prefactors=prefactors).params
            fitted = predict(config, control, x_control, prefactors)
            store("control_train_mse", a, (fitted - y_train).square().mean(1))
            store("control_train_acc", a, (levels_of(fitted) == train_digit).double().mean(1))
            level = levels_of(predict(config, control, x_test, prefactors))
            store("control_digit_acc", a, (level == test_digit).double().mean(1))
    return out


def shortcut_records(result: Mapping[str, np.ndarray], settings: ShortcutSettings) -> list[dict[str, Any]]:
    """One tidy row per (activation, prefactor, seed) run, for the results file."""
    rows = []
    for (a, act), (p, pf), i in itertools.product(
        enumerate(settings.activations), enumerate(settings.prefactors), range(settings.seeds)
    ):
        rows.append(
            {"experiment": "shortcut", "activation": act, "prefactor": pf, "seed": i}
            | {name: float(result[name][a, p, i]) for name in RUN_FIELDS}
        )
    return rows


# ------------------------------------------------------------------- reading the runs per seed


def fitting_end(train_acc: np.ndarray, threshold: float) -> int:
    """Index of the largest prefactor up to which the network still fits its training set.

    ``train_acc`` is ``[prefactor, seed]`` for one activation. A prefactor *fits* when the mean
    training accuracy over seeds is at least ``threshold``; the fitting range is the run of
    fitting prefactors from the smallest one. Why: at large prefactors training can simply fail
    (ReLU's output grows like p^depth), and a rule that compares prefactors must not read a
    failed optimisation as a preference. Returns -1 when even the smallest prefactor does not fit.
    """
    fits = np.nanmean(np.asarray(train_acc, dtype=np.float64), axis=1) >= threshold
    return int(np.argmin(fits)) - 1 if not fits.all() else len(fits) - 1


def pick_on_validation(val_acc: np.ndarray, end: int) -> np.ndarray:
    """Each seed's prefactor index with the best validation accuracy among prefactors ``0..end``: (seed,).

    Ties go to the smallest prefactor. Picking on validation images, not on the test images that
    score the pick, keeps the reported peak honest.
    """
    val = np.asarray(val_acc, dtype=np.float64)[: max(end, 0) + 1]
    return np.argmax(val, axis=0)


def at_index(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``values[index[s], s]`` for every seed s: each seed's value at its own prefactor."""
    values = np.asarray(values)
    return values[np.asarray(index), np.arange(values.shape[1])]


def per_seed_spearman(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Spearman correlation between ``x`` (prefactor,) and each seed's ``values[:, s]``: (seed,).

    Why per seed: the prefactors of a seed share one initial draw, so the seed, not the run, is
    the independent unit; the chapter bootstraps the mean of these correlations over seeds.
    NaN where a seed's values are constant (no ranks to correlate).
    """
    from scipy import stats

    values = np.asarray(values, dtype=np.float64)
    out = np.full(values.shape[1], np.nan)
    for s in range(values.shape[1]):
        if np.ptp(values[:, s]) > 0 and np.ptp(x) > 0:
            out[s] = stats.spearmanr(x, values[:, s]).statistic
    return out
