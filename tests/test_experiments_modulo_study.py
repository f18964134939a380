"""redshift_utils.experiments.modulo_study: the grid of settings, per-cell verdicts, the region, best prefactors
and the correlation between complexity at initialisation and test accuracy (chapter 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from redshift_utils.book.report import interval_verdict
from redshift_utils.experiments import modulo, modulo_study
from redshift_utils.experiments.modulo import ModuloSettings
from redshift_utils.training import TrainConfig

BASE = ModuloSettings(activations=("relu",), moduli=(10, 4), prefactors=(1.0,), seeds=3, width=8,
                      train=TrainConfig(lr=3e-3, steps=5, loss="bce"), grid_n=16, init_slices=1)  # fmt: skip


def study(**fields) -> modulo_study.StudySettings:
    base = dict(base=BASE, train_fractions=(0.3, 0.5), widths=(8,), depths=(1, 2), prefactors=(0.5, 2.0),
                seeds=2, steps=7)  # fmt: skip
    return modulo_study.StudySettings(**(base | fields))


def test_cells_cover_the_grid_and_run_settings_sweep_the_tunable_activations_with_a_relu_control():
    s = study()
    cells = s.cells()
    assert [(c.train_fraction, c.depth) for c in cells] == [(0.3, 1), (0.3, 2), (0.5, 1), (0.5, 2)]
    tunable, control = s.run_settings(cells[1], False), s.run_settings(cells[1], True)
    assert tunable.activations == modulo_study.TUNABLE and tunable.prefactors == (0.5, 2.0)
    assert control.activations == ("relu",) and control.prefactors == (1.0,)
    assert tunable.depth == 2 and tunable.train_fraction == 0.3 and tunable.train.steps == 7 and tunable.until_fit
    assert s.n_models() == 4 * (3 * 2 + 1) * 2 * 2
    assert cells[0].label == "0.3 / 8 / 1"


def fake_runs(tuned_test: float, relu_train: list[float], relu_test: list[float], seeds: int = 5):
    rng = np.random.default_rng(0)
    noise = lambda shape: rng.normal(0, 0.005, shape)  # noqa: E731
    tunable = {"val_acc": np.ones((3, 2, 2, seeds)), "test_acc": tuned_test + noise((3, 2, 2, seeds)),
               "train_acc": np.ones((3, 2, 2, seeds))}  # fmt: skip
    control = {"train_acc": np.array(relu_train)[None, None, :, None] + noise((1, 1, 2, seeds)),
               "test_acc": np.array(relu_test)[None, None, :, None] + noise((1, 1, 2, seeds))}  # fmt: skip
    return tunable, control


def test_cell_verdicts_need_every_condition():
    args = ((10, 4), 0.9, 0.98, interval_verdict)
    v = modulo_study.cell_verdicts(*fake_runs(0.95, [1.0, 0.995], [0.95, 0.6]), *args)
    assert v["tuned_solve"][0] == "reproduced" and v["relu"][0] == "reproduced"
    # ReLU that does not fit M = 4 has shown an optimisation failure, not the paper's.
    v = modulo_study.cell_verdicts(*fake_runs(0.8, [1.0, 0.8], [0.95, 0.6]), *args)
    assert v["tuned_solve"][0] == "not reproduced" and v["relu"][0] == "not reproduced"
    assert v["relu_fits"].tolist() == [0.0, 0.0]  # noisy accuracies never equal 1 exactly


def test_region_counts_the_cells_where_a_claim_holds():
    yes, no, open_ = ("reproduced", 0.1), ("not reproduced", 0.2), ("inconclusive", -0.05)
    assert modulo_study.region([yes, yes]) == ("reproduced", pytest.approx(0.1), 2)
    assert modulo_study.region([yes, no])[::2] == ("partly", 1)
    assert modulo_study.region([no, no])[::2] == ("not reproduced", 0)
    assert modulo_study.region([no, open_])[::2] == ("inconclusive", 0)


def test_best_prefactor_reads_the_argmax_and_the_fitted_vertex_per_task():
    prefactors = (0.25, 0.5, 1.0, 2.0, 4.0)
    log_p = np.log(prefactors)
    rng = np.random.default_rng(3)
    acc = np.stack([1 - (log_p - c) ** 2 for c in (np.log(0.5), np.log(2.0))], 1)[:, :, None]
    acc = acc + rng.normal(0, 0.01, (5, 2, 8))
    best = modulo_study.best_prefactor(acc, prefactors, n_boot=100, seed=0)
    assert best["raw"][:, 0] == pytest.approx([0.5, 2.0])
    assert best["fitted"][:, 0] == pytest.approx([0.5, 2.0], rel=0.1)
    assert (best["fitted"][:, 1] <= best["fitted"][:, 0]).all() and (best["fitted"][:, 0] <= best["fitted"][:, 2]).all()


def test_init_vs_test_resamples_seeds_and_reads_the_rank_correlation_across_architectures():
    rng = np.random.default_rng(0)
    init = np.linspace(0.1, 1.0, 12)[:, None] + rng.normal(0, 0.01, (12, 6))
    rho, low, high = modulo_study.init_vs_test(init, -init, seed=0)
    assert rho == pytest.approx(-1.0) and high <= -0.9
    rho, low, high = modulo_study.init_vs_test(init, rng.normal(0, 1, (12, 6)), seed=0)
    assert low < 0.5 and -0.5 < high  # no relation: the interval reaches well inside +-0.5
    assert math.isnan(modulo_study.init_vs_test(init[:, :1], init[:, :1])[1])


def test_architectures_stack_every_activation_and_prefactor_of_several_runs():
    s = study()
    runs = [modulo.run_modulo(s.run_settings(c, control)) for c in s.cells()[:1] for control in (False, True)]
    stack = modulo_study.architectures(runs, BASE.moduli)
    assert stack["init"].shape == (3 * 2 + 1, 2, 2) and stack["test"].shape == (7, 2, 2)
    assert stack["index"][-1].tolist() == [1, 0, 0]
    assert (runs[0]["steps_run"] <= 7).all() and (runs[0]["steps_run"] >= 0).all()
