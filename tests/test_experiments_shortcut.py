"""redshift_utils.experiments.shortcut: the coloured-band data, the batched runs and the per-seed readings."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from redshift_utils.experiments import shortcut
from redshift_utils.experiments.shortcut import ShortcutSettings
from redshift_utils.training import TrainConfig


def settings(**fields) -> ShortcutSettings:
    base = dict(
        activations=("relu", "tanh"),
        prefactors=(0.5, 2.0),
        seeds=2,
        train_images=200,
        width=8,
        train=TrainConfig(lr=1e-3, steps=5, loss="mse", batch_size=64),
        grid_n=16,
        init_slices=1,
    )
    return ShortcutSettings(**(base | fields))


def test_the_colour_is_linear_in_its_value_and_the_inputs_are_scaled():
    values = torch.tensor([0.0, 0.5, 1.0])
    colours = shortcut.colour_of(values)
    assert torch.allclose(colours[1], (colours[0] + colours[2]) / 2)
    images = torch.rand(3, 8, 8, dtype=torch.float64)
    x = shortcut.shortcut_inputs(images, values, band_width=2)
    assert x.shape == (3, 64 + 8 * 2 * 3) and float(x.min()) >= -1 and float(x.max()) <= 1
    assert shortcut.picture(images[0], 0.3, 2).shape == (8, 10, 3)


def test_each_seed_has_its_own_disjoint_split_and_colours():
    s = settings()
    data = s.data(0)
    assert len(data["x_train"]) == 200 and len(data["x_val"]) + len(data["x_test"]) == 1797 - 200
    # Training colour equals the label: the band's red channel, scaled to [-1, 1], is 2 y - 1.
    assert torch.allclose(data["x_train"][:, 64].double(), 2 * data["y_train"].double() - 1, atol=1e-6)
    assert not torch.allclose(data["x_control"][:, 64], data["x_train"][:, 64])  # control: random colours
    assert not torch.equal(s.data(1)["test_digit"], data["test_digit"])
    assert torch.equal(s.data(0)["test_colour"], data["test_colour"])


def test_levels_round_to_the_nearest_of_ten():
    assert shortcut.levels_of(torch.tensor([-0.3, 0.05, 0.06, 0.5, 1.4])).tolist() == [0, 0, 1, 4, 9]


def test_run_shortcut_fills_every_field_and_the_control_is_optional():
    s = settings()
    out = shortcut.run_shortcut(s)
    for name in shortcut.RUN_FIELDS:
        assert out[name].shape == (2, 2, 2) and np.isfinite(out[name]).all(), name
    assert ((out["digit_acc"] >= 0) & (out["digit_acc"] <= 1)).all()
    without = shortcut.run_shortcut(settings(control=False))
    assert np.isnan(without["control_digit_acc"]).all()
    assert np.array_equal(without["digit_acc"], out["digit_acc"])  # the control trains separate copies
    assert len(shortcut.shortcut_records(out, s)) == 8


def test_fitting_end_is_the_last_prefactor_of_the_fitting_run_from_the_smallest():
    acc = np.array([[1.0, 0.95], [0.92, 0.9], [0.5, 0.4], [1.0, 1.0]])
    assert shortcut.fitting_end(acc, 0.9) == 1  # the later fitting prefactor does not count
    assert shortcut.fitting_end(acc, 0.99) == -1
    assert shortcut.fitting_end(np.ones((3, 2)), 0.9) == 2


def test_pick_on_validation_stays_in_range_and_breaks_ties_low():
    val = np.array([[0.1, 0.5], [0.3, 0.5], [0.9, 0.2]])
    assert shortcut.pick_on_validation(val, 1).tolist() == [1, 0]
    assert shortcut.pick_on_validation(val, 2).tolist() == [2, 0]
    assert shortcut.at_index(val, np.array([2, 1])).tolist() == [0.9, 0.5]


def test_per_seed_spearman_is_nan_for_a_constant_seed():
    x = np.log([0.5, 1.0, 2.0])
    values = np.array([[1.0, 3.0, 2.0], [2.0, 2.0, 1.0], [3.0, 1.0, 0.0]]).T  # [prefactor, seed]
    rho = shortcut.per_seed_spearman(x, values.T)
    assert rho[0] == pytest.approx(1.0) and rho[1] == pytest.approx(-1.0)
    assert math.isnan(shortcut.per_seed_spearman(x, np.ones((3, 1)))[0])
