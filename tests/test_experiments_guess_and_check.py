"""redshift_utils.experiments.guess_and_check: the half-plane tasks, the kept draws and the task means."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from redshift_utils.experiments import guess_and_check
from redshift_utils.experiments.guess_and_check import GuessSettings


def test_each_task_draws_balanced_training_points_and_tests_on_the_rest():
    s = GuessSettings(tasks=2, draws=100, accept=5, train_points=10, grid_n=16)
    points, labels, train, test = s.task(0)
    assert len(train) == 10 and labels[train].sum() == 5
    assert len(train) + len(test) == len(points) and not set(train.tolist()) & set(test.tolist())
    assert not torch.equal(s.task(1)[2], train) and torch.equal(s.task(0)[2], train)


@pytest.mark.parametrize("family", guess_and_check.FAMILIES)
def test_guess_family_keeps_the_lowest_losses(family):
    s = GuessSettings(tasks=1, draws=600, accept=7, grid_n=16)
    kept = guess_and_check.guess_family(s, family, 0)
    assert 0 <= kept["fit_fraction"] <= 1
    for name in guess_and_check.SELECTIONS[:2] + ("no selection",):
        assert kept[name].shape == (7, 256)
    # The cross-entropy selection is the 7 lowest losses among all draws: re-scoring agrees.
    _, labels, train, _ = s.task(0)
    target = 2 * labels[train] - 1
    loss = torch.nn.functional.softplus(-s.logit_scale * kept["cross-entropy"][:, train] * target).mean(1)
    assert torch.all(loss[1:] >= loss[:-1] - 1e-6)
    fits = kept["fits every training point"]
    assert ((fits[:, train] > 0) == (target > 0)).all()
    with pytest.raises(ValueError, match="family"):
        guess_and_check.guess_family(s, "cnn", 0)


def test_run_guess_and_task_means():
    s = GuessSettings(tasks=2, draws=400, accept=4, grid_n=16)
    out = guess_and_check.run_guess(s)
    assert out["test_acc"].shape == (2, 4, 2, 4) and out["fit_fraction"].shape == (2, 2)
    means = guess_and_check.task_means(out)
    assert means.shape == (2, 4, 2)
    assert np.allclose(means[:, :2], np.nanmean(out["test_acc"][:, :2], -1))
    assert len(guess_and_check.guess_records(out, s)) == 2 * 4 * 2
    # A task without any kept draw has no mean (NaN), not a mean of zero.
    empty = {"test_acc": np.full((1, 1, 1, 3), np.nan)}
    assert np.isnan(guess_and_check.task_means(empty)).all()
