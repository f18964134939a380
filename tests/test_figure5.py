"""Figure 4 and 5 sweep plans (chapters 2 and 3): keys, shared configurations, curves, and the
scale-free statistics (joint bootstrap over draws, band verdicts, weakest condition)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import redshift_utils as ru
from redshift_utils import figure5
from redshift_utils.figure5 import Cell, Point, SweepPlan, band_verdict, network_bootstrap, weakest


def small_plan() -> SweepPlan:
    plan = SweepPlan().add_figure5(["relu", "unbiased"], 2, readings=("prefactor", "alpha"), depth=1, width=4)
    return plan


def test_figure5_plan_uses_the_paper_magnitudes_and_samples_shared_configs_once():
    plan = small_plan()
    assert plan.magnitudes("relu") == ru.paper.fig5_magnitudes("relu", 2) == [1.0, 4.0, 10.0]  # 4: gating read
    # alpha = prefactor = 1 is one network; the unbiased model is one config per magnitude
    assert plan.index(Point("relu", "mlp", "prefactor", 1.0)) == plan.index(Point("relu", "mlp", "alpha", 1.0))
    assert plan.index(Point("unbiased", "mlp", "prefactor", 10.0)) == plan.index(Point("unbiased", "mlp", "alpha", 10))
    assert len(plan) == 5 + 2
    assert plan.configs[0] == ru.paper.figure5_config("relu", depth=1, width=4, prefactor=1.0)
    assert plan.configs[4] == ru.paper.figure5_config("relu", depth=1, width=4, alpha=10.0)
    assert plan.configs[-1] == ru.UnbiasedConfig(alpha=10.0)


def test_curves_points_and_changes_come_from_the_attached_sweep():
    plan = small_plan()
    result = ru.run_sweep(plan.configs, 3, n=8, seed=1, n_examples=1)
    plan.attach(result)
    xs, scores = plan.curve("relu", reading="alpha", measure="lz")
    assert xs.tolist() == [1.0, 4.0, 10.0] and scores.shape == (3, 3)
    np.testing.assert_array_equal(scores[2], result.scores["lz"][4])
    np.testing.assert_array_equal(plan.at("relu", 10.0000000001), result.scores["fourier"][2])
    np.testing.assert_array_equal(plan.change("relu", 1, 10), result.scores["fourier"][2] - result.scores["fourier"][0])
    assert plan.example(Point("unbiased", "mlp", "alpha", 1.0)).shape == (8, 8)


def test_attach_refuses_another_sweep_and_lookups_fail_clearly():
    plan = small_plan()
    with pytest.raises(RuntimeError, match="no sweep attached"):
        plan.at("relu", 1.0)
    other = ru.run_sweep(plan.configs[::-1], 2, n=8)
    with pytest.raises(ValueError, match="not run on this plan"):
        plan.attach(other)
    with pytest.raises(KeyError, match="no Figure 5 line"):
        plan.magnitudes("tanh")
    with pytest.raises(ValueError, match="reading must be one of"):
        SweepPlan().add_figure5(["relu"], 2, readings=("bias",))
    with pytest.raises(ValueError, match="another configuration"):
        plan.add(Point("relu", "mlp", "prefactor", 1.0), ru.UnbiasedConfig())


def test_heatmap_cells_and_the_unbiased_panel():
    plan = SweepPlan().add_heatmap(["tanh", "unbiased"], [0.5, 2.0], [1, 2], width=4)
    assert plan.keys()[0] == Cell("tanh", 0.5, 1) and plan.keys()[-1] == Cell("unbiased", 2.0, 0)
    plan.attach(ru.run_sweep(plan.configs, 2, n=8))
    assert plan.heatmap("tanh", [0.5, 2.0], [1, 2]).shape == (2, 2, 2)
    assert plan.heatmap("unbiased", [0.5, 2.0], [1, 2]).shape == (2, 1, 2)
    np.testing.assert_array_equal(plan.heatmap("tanh", [2.0], [2])[0, 0], plan.result.scores["fourier"][3])


def test_read_comparison_lists_every_read_point_the_plan_holds():
    plan = SweepPlan().add_figure5(["relu", "tanh"], 2, readings=("prefactor", "alpha"), depth=1, width=4)
    plan.attach(ru.run_sweep(plan.configs, 2, n=8))
    rows = plan.read_comparison(readings=("prefactor", "alpha"))
    read = [(a, x) for a in ("relu", "tanh") for x, _ in ru.paper.FIG5_READ["mlp"][a]]
    assert [(r["activation"], r["magnitude"]) for r in rows] == read
    assert rows[0]["paper"] == ru.paper.FIG5_READ["mlp"]["relu"][0][1]
    assert set(rows[0]) == {"activation", "magnitude", "paper", "prefactor", "alpha"}


def test_network_bootstrap_resamples_draws_jointly():
    rng = np.random.default_rng(0)
    a = rng.normal(size=50)
    # b is a plus a constant: jointly resampled, the difference has no spread at all
    estimate, low, high = network_bootstrap(lambda x, y: float((y - x).mean()), a, a + 0.3, seed=1)
    assert estimate == pytest.approx(0.3) and low == pytest.approx(0.3) and high == pytest.approx(0.3)
    ratio = network_bootstrap(lambda x: float(x.std()), np.stack([a, 2 * a]), seed=1)
    assert ratio[1] <= ratio[0] <= ratio[2]
    with pytest.raises(ValueError, match="same number of networks"):
        network_bootstrap(lambda x, y: 0.0, a, a[:10])


@pytest.mark.parametrize(
    ("low", "high", "verdict", "margin"),
    [
        (-0.02, 0.03, "reproduced", 0.07),  # inside [-0.1, 0.1]: the nearer edge is 0.07 away
        (0.15, 0.3, "not reproduced", 0.05),  # wholly above
        (-0.4, -0.2, "not reproduced", 0.1),  # wholly below
        (0.05, 0.12, "inconclusive", -0.02),  # straddles the upper edge by 0.02
        (-0.3, 0.3, "inconclusive", -0.2),  # wider than the band
    ],
)
def test_band_verdict(low, high, verdict, margin):
    got, got_margin = band_verdict(low, high, -0.1, 0.1)
    assert got == verdict and got_margin == pytest.approx(margin)


def test_band_verdict_edge_cases():
    assert band_verdict(math.nan, 1.0, 0.0, 1.0)[0] == "inconclusive"
    with pytest.raises(ValueError, match="lower <= upper"):
        band_verdict(0.0, 0.1, 1.0, 0.0)


def test_weakest_condition_decides():
    assert weakest({"a": ("reproduced", 0.2), "b": ("reproduced", 0.05)}) == ("reproduced", 0.05, "b")
    mixed = {"a": ("reproduced", 0.2), "b": ("inconclusive", -0.01), "c": ("inconclusive", -0.03)}
    assert weakest(mixed) == ("inconclusive", -0.03, "c")
    failing = {"a": ("inconclusive", -0.01), "b": ("not reproduced", 0.02), "c": ("not reproduced", 0.1)}
    assert weakest(failing) == ("not reproduced", 0.1, "c")
    assert weakest({(5, 3): ("reproduced", math.nan), (4, 1): ("reproduced", 0.3)})[2] == (5, 3)
    with pytest.raises(ValueError, match="unknown verdict"):
        weakest({"a": ("maybe", 0.0)})
    with pytest.raises(ValueError, match="at least one"):
        weakest({})


def test_extra_magnitudes_join_every_line():
    plan = SweepPlan().add_figure5(["tanh", "relu"], 2, extra=(10.0, 2.5), depth=1, width=4)
    assert plan.magnitudes("tanh") == sorted({*ru.paper.fig5_magnitudes("tanh", 2), 2.5, 10.0})
    assert plan.magnitudes("relu") == [1.0, 2.5, 4.0, 10.0]


def test_network_bootstrap_drops_undefined_resamples():
    a = np.array([0.1, 0.2, 0.3])
    b = np.array([[1.0, 2.0, 4.0]])
    # a resample that repeats one draw has no spread: the ratio is undefined there and dropped
    estimate, low, high = network_bootstrap(lambda x, y: x.std() / y.std(), a, b, seed=3)
    assert np.isfinite([estimate, low, high]).all()
    assert network_bootstrap(lambda x: x.mean(), np.ones(4), seed=0) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="at least 2"):
        network_bootstrap(lambda x: x.mean(), np.ones(1))


def test_rescaling_identities_hold_for_relu_only():
    one = ru.paper.figure5_config("relu", depth=1, width=8)
    assert max(figure5.rescaling_deviations(one, 3, n=8, seed=0)) < 1e-5
    deep = ru.paper.figure5_config("relu", depth=3, width=8)
    plain, exact = figure5.rescaling_deviations(deep, 3, n=8, seed=0)
    assert exact < 1e-4 < 0.1 < plain  # deeper, only the identity with rescaled biases holds
    assert min(figure5.rescaling_deviations(ru.paper.figure5_config("gelu", depth=1, width=8), 3, n=8, seed=0)) > 1e-2


def test_limit_networks():
    config = ru.paper.figure5_config("relu", depth=3, width=8)
    layers = ru.sample_mlp_params(config, 2, seed=0)
    biases = [float(w.bias.abs().sum()) for w in figure5.relu_limit_layers(layers, "prefactor")]
    assert biases[0] > 0 and biases[1] == biases[2] == 0 and biases[3] > 0
    assert [float(w.bias.abs().sum()) for w in figure5.relu_limit_layers(layers, "alpha")][:3] == [0, 0, 0]
    tanh = ru.paper.figure5_config("tanh", depth=2, width=8)
    tanh_layers = ru.sample_mlp_params(tanh, 2, seed=0)
    x = ru.grid(8)
    sign = figure5.sign_limit(tanh_layers, x)
    huge = ru.mlp_forward(ru.paper.figure5_config("tanh", depth=2, width=8, prefactor=1e6), tanh_layers, x)
    assert sign.shape == (2, 64)
    # tanh(p z) -> sign(z): at a huge prefactor the hidden layers are signs (the output layer is linear)
    np.testing.assert_allclose(huge.double().numpy(), sign.double().numpy(), atol=1e-3)
    with pytest.raises(ValueError, match="reading must be one of"):
        figure5.relu_limit_layers(layers, "bias")


def test_float64_scores_match_the_float32_sweep_on_ordinary_cells():
    config = ru.paper.figure5_config("tanh", depth=2, width=8, prefactor=2.0)
    scores = figure5.float64_scores(config, 3, n=16, seed=4)
    sweep = ru.run_sweep([config], 3, n=16, seed=4)
    np.testing.assert_allclose(scores["fourier"], sweep.scores["fourier"][0], atol=1e-3)
