"""The convention search of Figure 5 (figure5_search.py): its grid, its configurations, its fit rule."""

from __future__ import annotations

import numpy as np
import pytest

import redshift_utils as ru
from redshift_utils import figure5_search as fs
from redshift_utils.figure5_search import Fit, PointKey, Reading, SearchGrid

PRECISION = ru.paper.FIG5_READ_PRECISION


def test_grid_blocks_always_hold_the_books_default_and_refuse_bad_values():
    grid = SearchGrid(depths=(1, 2), widths=(16,), grids=(32,))
    assert grid.blocks() == [(32, 1, 16), (32, 2, 16), fs.DEFAULT_BLOCK]
    assert grid.magnitudes_of((32, 1, 16)) == ("prefactor", "alpha")
    assert grid.magnitudes_of(fs.DEFAULT_BLOCK) == ("prefactor",)  # outside the grid: the default reading only
    inside = SearchGrid(depths=(3,), widths=(64,), grids=(64,), magnitudes=("alpha",))
    assert inside.blocks() == [fs.DEFAULT_BLOCK] and inside.magnitudes_of(fs.DEFAULT_BLOCK) == ("alpha", "prefactor")
    with pytest.raises(ValueError, match="magnitudes must be among prefactor, alpha, got 'bias'"):
        SearchGrid(depths=(1,), widths=(16,), grids=(32,), magnitudes=("bias",))
    with pytest.raises(ValueError, match="depths needs at least one value"):
        SearchGrid(depths=(), widths=(16,), grids=(32,))


def test_grid_size_counts_every_form_of_every_line():
    grid = SearchGrid(depths=(3,), widths=(64,), grids=(64,))
    size = grid.size(["relu"])
    # relu lines: mlp (2 points), gating x2 forms (3 points), residual x3 (2), layer norm x2 (2)
    assert size["readings"] == 2
    assert size["curves"] == 2 * (1 + 2 + 3 + 2)
    assert size["points"] == 2 * (2 + 2 * 3 + 3 * 2 + 2 * 2)


def test_block_configs_read_every_paper_point_in_every_form():
    items = fs.block_configs(32, 2, 8, ("prefactor", "alpha"), ["relu", "sin"])
    keys = [key for key, _ in items]
    assert len(keys) == len(set(keys))
    sin_mlp = sorted(k.x for k in keys if k[1:3] == ("mlp", "sin") and k.reading.magnitude == "alpha")
    assert sin_mlp == [x for x, _, _ in ru.paper.FIG5_BANDS["mlp"]["sin"]]
    config = dict(items)[PointKey(Reading(2, 8, 32, "prefactor", "gate at 1"), "gating", "relu", 10.0)]
    assert config.gating and not config.gate_magnitude and config.prefactor == 10.0 and config.depth == 2
    config = dict(items)[PointKey(Reading(2, 8, 32, "alpha", "(z + φ(z))/√2"), "residual", "sin", 20.0)]
    assert config.residual_mode == "scaled" and config.alpha == 20.0 and config.prefactor == 1.0
    config = dict(items)[PointKey(Reading(2, 8, 32, "prefactor", "LN after φ"), "layernorm", "relu", 1.0)]
    assert config.layernorm and config.layernorm_position == "after"


def test_band_distance_is_zero_inside_the_band():
    assert fs.band_distance(0.09, 0.08, 0.10) == 0.0
    assert fs.band_distance(0.05, 0.08, 0.10) == pytest.approx(0.03)
    assert fs.band_distance(0.30, 0.20, 0.20) == pytest.approx(0.10)


def synthetic(offsets: dict[Reading, float], networks: int = 50) -> dict[PointKey, np.ndarray]:
    """Scores at every read point of the ReLU and TanH MLP lines: the paper's value plus an offset."""
    rng = np.random.default_rng(0)
    scores = {}
    for reading, offset in offsets.items():
        for activation in ("relu", "tanh"):
            for x, low, high in ru.paper.FIG5_BANDS["mlp"][activation]:
                noise = rng.normal(0, 0.001, networks)
                scores[PointKey(reading, "mlp", activation, x)] = (low + high) / 2 + offset + noise - noise.mean()
    return scores


def test_line_fits_rank_readings_and_apply_the_rule():
    near, far = Reading(3, 64, 64, "prefactor", "plain"), Reading(2, 64, 64, "prefactor", "plain")
    fits = fs.line_fits(synthetic({near: 0.0, far: 0.2}))
    assert set(fits) == {("mlp", "relu"), ("mlp", "tanh")}
    best = fs.best(fits["mlp", "tanh"])
    assert best.reading == near and best.worst == pytest.approx(0.0, abs=1e-12) and best.fits
    worst = next(f for f in fits["mlp", "relu"] if f.reading == far)  # a flat line: no widening in magnitude
    assert worst.mean == pytest.approx(0.2 - 0.01) and not worst.fits and worst.points == 2  # outside 0.10-0.12
    assert fs.default_fit(fits["mlp", "relu"], "plain").reading == near
    with pytest.raises(KeyError, match="was not sampled"):
        fs.default_fit([worst], "plain")


def test_a_point_within_the_precision_plus_sampling_error_is_consistent():
    reading = Reading(3, 64, 64, "prefactor", "plain")
    scores = synthetic({reading: PRECISION + 0.005}, networks=4)  # outside by more than the precision ...
    rng = np.random.default_rng(1)
    noisy = {k: v + rng.normal(0, 0.05, v.size) for k, v in scores.items()}  # ... but the means are uncertain
    (fit,) = fs.line_fits(noisy)["mlp", "tanh"]
    assert fit.worst > PRECISION and fit.excess < fit.worst
    (exact,) = fs.line_fits(scores)["mlp", "tanh"]
    assert not exact.fits  # tight means: no allowance


def test_shared_fits_need_every_line_and_free_forms_pick_each_components_best():
    a, b = Reading(3, 64, 64, "prefactor", "plain"), Reading(4, 64, 64, "prefactor", "plain")
    scores = synthetic({a: 0.0, b: 0.1})
    # b fits TanH better than a: move a's TanH points away
    for key in scores:
        if key.reading == a and key.activation == "tanh":
            scores[key] = scores[key] + 0.3
    fits = fs.line_fits(scores)
    assert fs.best(fits["mlp", "relu"]).reading == a and fs.best(fits["mlp", "tanh"]).reading == b
    shared = fs.shared_fits(fits, [("mlp", "relu"), ("mlp", "tanh")])
    best = fs.best(shared)
    assert best.reading == b and best.worst == pytest.approx(0.1) and best.points == 10
    only_a = [f for f in fits["mlp", "tanh"] if f.reading == a]
    partial = {("mlp", "relu"): fits["mlp", "relu"], ("mlp", "tanh"): only_a}
    assert [f.reading for f in fs.shared_fits(partial, list(partial))] == [a]


def test_free_form_sharing_chooses_the_form_per_component():
    base = Reading(3, 64, 64, "prefactor", "")
    fits = {
        ("residual", "sin"): [Fit(base._replace(form="z + φ(z)"), 0.2, 0.3, 0.3, 2),
                              Fit(base._replace(form="(z + φ(z))/√2"), 0.01, 0.02, 0.0, 2)],
        ("mlp", "sin"): [Fit(base._replace(form="plain"), 0.05, 0.06, 0.04, 5)],
    }  # fmt: skip
    (fit,) = fs.shared_fits(fits, list(fits), free_form=True)
    assert fit.reading.form == "(z + φ(z))/√2" and fit.worst == pytest.approx(0.06)
    assert fit.mean == pytest.approx((0.01 * 2 + 0.05 * 5) / 7) and fit.points == 7


def test_run_search_samples_each_block_once_with_shared_draws():
    calls = []

    def sweep(name, configs, n):
        calls.append((name, len(configs), n))
        return fs.timed_sweep(configs, 2, n=n, seed=0)

    grid = SearchGrid(depths=(1,), widths=(4,), grids=(8,))
    search = fs.run_search(grid, ["relu"], sweep)
    assert [c[0] for c in calls] == ["fig5_search_n8_d1_w4", "fig5_search_n64_d3_w64"]
    assert set(search.cpu) == {(8, 1, 4), fs.DEFAULT_BLOCK} and all(t >= 0 for t in search.cpu.values())
    assert len(search.scores) == grid.size(["relu"])["points"]
    one_p = search.scores[PointKey(Reading(1, 4, 8, "prefactor", "plain"), "mlp", "relu", 1.0)]
    one_a = search.scores[PointKey(Reading(1, 4, 8, "alpha", "plain"), "mlp", "relu", 1.0)]
    np.testing.assert_array_equal(one_p, one_a)  # p = alpha = 1: one configuration, sampled once
    assert calls[0][1] == 2 * 18 - 8  # 18 ReLU points per magnitude reading; the 8 at magnitude 1 are shared
    rows = fs.curve(search.scores, Reading(1, 4, 8, "prefactor", "gate at 1"), "gating", "relu")
    assert rows[:, 0].tolist() == [1.0, 4.0, 10.0]
    with pytest.raises(ValueError, match="activations must be among"):
        fs.run_search(grid, ["unbiased"], sweep)


def test_readings_inside_a_band_are_ranked_by_their_distance_to_its_middle():
    centred, edge = Reading(3, 64, 64, "prefactor", "plain"), Reading(1, 64, 64, "prefactor", "plain")
    scores = {k: v for k, v in synthetic({edge: 0.009, centred: 0.001}).items() if k.activation == "relu"}
    (line,) = fs.line_fits(scores).values()
    assert all(f.worst == 0.0 and f.mean == 0.0 for f in line)  # both inside ReLU's 0.10-0.12 band
    assert fs.best(line).reading == centred and fs.best(line[::-1]).reading == centred


def test_headline_depths_list_the_depths_within_the_precision():
    shallow, deep = Reading(2, 64, 64, "prefactor", "plain"), Reading(6, 64, 64, "prefactor", "plain")
    scores = {
        PointKey(shallow, "mlp", "tanh", 50.0): np.full(4, 0.53),
        PointKey(deep, "mlp", "tanh", 50.0): np.full(4, 0.80),
        PointKey(shallow, "mlp", "sin", 6.8): np.full(4, 0.60),
        PointKey(deep, "mlp", "sin", 6.8): np.full(4, 0.97),
    }
    allowed = fs.headline_depths(scores, [shallow, deep], [("tanh", 50.0), ("sin", 6.8), ("gelu", 1.0)])
    assert allowed == {"tanh": [2], "sin": [6], "gelu": []}


def test_the_read_band_widens_with_the_slope_of_the_papers_curve():
    step = ru.paper.FIG5_READ_X_PRECISION * ru.paper.FIG5_X_MAX["sin"]
    low, high = fs.read_band("mlp", "sin", 6.8)
    assert low == pytest.approx(0.95 - (0.95 - 0.14) / 3.5 * step) and high == pytest.approx(0.95 + 0.05 / 2.2 * step)
    assert fs.read_band("residual", "relu", 1.0) == (0.08, 0.08)  # flat: unchanged
    assert fs.read_band("layernorm", "tanh", 50.0) == (0.02, 0.04)  # a band on a flat line: unchanged
    assert fs.read_band("gating", "selu", 10.0) == (0.20, 0.20)  # one point: nothing to interpolate


def test_glue_values_are_numbers_and_formulas_without_english_words():
    from redshift_utils.book.catalogues import worded_glue

    reading = Reading(3, 64, 64, "alpha", "LN after φ")
    assert reading.glue_values() == {"depth": 3, "width": 64, "n": 64, "magnitude": "α", "form": "LN(φ(z))"}
    free = Reading(1, 16, 32, "prefactor", "gate at 1; (z + φ(z))/√2")  # a free-form shared reading
    assert free.glue_values()["form"] == "σ(W'h + b'); (z + φ(z))/√2"
    forms = [f for forms in fs.COMPONENT_FORMS.values() for f in forms]
    assert sorted(fs.FORM_SYMBOLS) == sorted(forms)
    glue = {f: {"data": {"text/markdown": fs.FORM_SYMBOLS[f]}} for f in forms}
    assert worded_glue(glue) == {}
    assert worded_glue({"label": {"data": {"text/markdown": reading.label()}}})  # the table's label has words


def test_ties_within_rounding_go_to_the_form_listed_first():
    base = Reading(1, 16, 32, "alpha", "")
    scaled = Fit(base._replace(form="(z + φ(z))/√2"), 0.04043725, 0.05115194, 0.05, 2)
    plain = Fit(base._replace(form="z + φ(z)"), 0.04043729, 0.05115197, 0.05, 2)  # the same network, rounded
    assert fs.best([scaled, plain]) is plain and fs.best([plain, scaled]) is plain
    clearly = scaled._replace(worst=0.0511)
    assert fs.best([clearly, plain]) is clearly  # a real difference still decides
    fits = {("residual", "sin"): [scaled, plain], ("mlp", "sin"): [Fit(base._replace(form="plain"), 0.0, 0.0, 0.0, 3)]}
    (fit,) = fs.shared_fits(fits, list(fits), free_form=True)
    assert fit.reading.form == "z + φ(z)"
