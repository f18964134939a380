"""redshift_utils.experiments.modulo: the modulo tasks, splits, batched runs, tuning and the unbiased model."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from redshift_utils.experiments import modulo
from redshift_utils.experiments.modulo import ModuloSettings
from redshift_utils.training import TrainConfig


def settings(**fields) -> ModuloSettings:
    base = dict(
        activations=("relu", "sin"),
        moduli=(10, 4),
        prefactors=(0.5, 1.0, 2.0),
        seeds=2,
        width=8,
        train=TrainConfig(lr=3e-3, steps=5, loss="bce"),
        grid_n=16,
        init_slices=1,
    )
    return ModuloSettings(**(base | fields))


def test_labels_follow_the_modulo_rule_and_its_two_readings():
    s = settings()
    points, labels = s.points(), s.labels(4)
    ints = torch.round((points.double() + 1) / 2 * 15).long()
    assert torch.equal(labels.bool(), (ints.sum(1) % 4) < 2)
    assert float(points.min()) == -1.0 and float(points.max()) == 1.0
    # The strict reading balances even M; "<=" gives 60% and 75% positives for M = 10 and 4.
    assert float(s.labels(10).mean()) == pytest.approx(0.5, abs=0.02)
    loose = settings(inequality="<=")
    assert float(loose.labels(10).mean()) == pytest.approx(0.6, abs=0.02)
    assert float(loose.labels(4).mean()) == pytest.approx(0.75, abs=0.01)
    assert s.majority(4) == pytest.approx(0.5)


def test_each_seed_has_its_own_partition_of_the_inputs():
    s = settings()
    train, val, test = s.split(0)
    assert (len(train), len(val), len(test)) == (128, 64, 64)
    assert torch.equal(torch.sort(torch.cat([train, val, test])).values, torch.arange(256))
    assert not torch.equal(s.split(1)[0], train)
    assert torch.equal(s.split(0)[0], train)


def test_target_image_on_the_lattice_grid_is_the_label_image():
    s = settings()
    assert torch.equal(s.target_image(4, 16), s.labels(4).reshape(16, 16))


def test_from_params_reads_the_prefixed_parameters():
    from redshift_utils.book.parameters import load_spec, resolve_values

    params = resolve_values(load_spec("04_trained_models"), {"preset": "smoke"})
    s = ModuloSettings.from_params(params)
    assert s.activations == tuple(params["modulo_activations"]) and s.seeds == params["modulo_seeds"]
    assert len(s.prefactors) == params["prefactor_steps"] and s.train.steps == params["modulo_steps"]


def test_run_modulo_fills_every_run_reproducibly():
    s = settings()
    first, second = modulo.run_modulo(s), modulo.run_modulo(s)
    assert first["test_acc"].shape == (2, 3, 2, 2) and first["init_complexity"].shape == (2, 3, 2)
    assert first["logits_seed0"].shape == (2, 3, 2, 256)
    for name in modulo.RUN_FIELDS:
        assert np.array_equal(first[name], second[name])
    for name in ("train_acc", "val_acc", "test_acc"):
        assert ((first[name] >= 0) & (first[name] <= 1)).all()
    # ReLU's function shape hardly depends on the prefactor; Sin's complexity rises with it.
    sin = first["init_complexity"][1].mean(-1)
    assert sin[-1] > sin[0]
    assert len(modulo.modulo_records(first, s)) == 2 * 3 * 2 * 2


def test_tune_per_seed_picks_the_best_validation_prefactor_and_the_smallest_among_ties():
    val = np.zeros((1, 3, 1, 2))
    val[0, :, 0, 0] = [0.5, 0.9, 0.9]
    val[0, :, 0, 1] = [0.7, 0.6, 0.8]
    test = np.arange(6, dtype=float).reshape(1, 3, 1, 2)
    tuned = modulo.tune_per_seed({"val_acc": val, "test_acc": test, "train_acc": test})
    assert tuned["p_index"][0, 0].tolist() == [1, 2]
    assert tuned["test_acc"][0, 0].tolist() == [test[0, 1, 0, 0], test[0, 2, 0, 1]]


def test_quadratic_peak_is_the_vertex_or_the_better_end_of_the_range():
    x = np.log([0.5, 1.0, 2.0, 4.0])
    assert modulo.quadratic_peak(x, -((x - 0.3) ** 2)) == pytest.approx(0.3)
    assert modulo.quadratic_peak(x, (x - 0.1) ** 2) == pytest.approx(x[-1])  # opens upwards: the higher end
    assert modulo.quadratic_peak(x, -((x - 9.0) ** 2)) == pytest.approx(x[-1])  # vertex outside: clamped
    assert math.isnan(modulo.quadratic_peak(x[:2], x[:2]))


def test_peak_bootstrap_resamples_seeds_for_all_tasks_together():
    prefactors = (0.5, 1.0, 2.0, 4.0)
    log_p = np.log(prefactors)
    rng = np.random.default_rng(0)
    acc = np.stack([-((log_p - c) ** 2) for c in (0.0, 1.0)], 1)[:, :, None] + rng.normal(0, 0.01, (4, 2, 5))
    peaks, boot = modulo.peak_bootstrap(acc, prefactors, n_boot=50, seed=1)
    assert peaks == pytest.approx([0.0, 1.0], abs=0.1)
    assert boot.shape == (50, 2) and np.isfinite(boot).all()


def test_train_unbiased_matches_the_per_run_feature_product():
    """One matrix product over all inputs, then each run's points, equals the plain per-run model."""
    s = settings(train=TrainConfig(optimizer="sgd", lr=0.5, steps=3, loss="bce"))
    K = 6
    got = modulo.train_unbiased(s, K, "gd", gd_lr=0.5)
    phi = modulo.unbiased_features(s.points(), K)
    scale = 1.0 / float(phi.square().sum(1).mean().sqrt())
    from redshift_utils.seeds import derived_seed

    for k, M in enumerate(s.moduli):
        for i in range(s.seeds):
            train, _, test = s.split(i)
            gen = torch.Generator().manual_seed(derived_seed(s.seed, f"unbiased-{K}", i))
            c = torch.randn(K * K, generator=gen).to(phi.dtype).requires_grad_(True)
            y = s.labels(M)
            for _ in range(3):
                loss = F.binary_cross_entropy_with_logits(scale * phi[train] @ c, y[train])
                (grad,) = torch.autograd.grad(loss, c)
                c = (c - 0.5 * grad).detach().requires_grad_(True)
            correct = ((scale * phi @ c > 0).to(y.dtype) == y).double()
            assert got["test_acc"][k, i] == pytest.approx(float(correct[test].mean()))
            assert got["train_acc"][k, i] == pytest.approx(float(correct[train].mean()))


def test_gradient_descent_makes_the_unbiased_model_fit_its_training_points():
    s = settings(train=TrainConfig(lr=3e-3, steps=200, loss="bce"))
    out = modulo.run_unbiased(s, (16,), gd_lr=10.0)
    assert out["train_acc"].shape == (1, 2, 2, 2)
    assert out["train_acc"][0, 1].min() > 0.95  # plain gradient descent
    with pytest.raises(ValueError, match="2-D inputs"):
        modulo.train_unbiased(settings(dims=3), 4, "gd", 1.0)
    records = modulo.unbiased_records(out, s, (16,), ("adam", "gd"))
    assert len(records) == 1 * 2 * 2 * 2 and records[0]["experiment"] == "unbiased_gd"
