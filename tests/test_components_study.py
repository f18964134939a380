"""Chapter 3's study helpers: sweep look-ups, paired statistics, shapes, Table 1, figures."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

import redshift_utils as ru
from redshift_utils import components_study as study
from redshift_utils import paper

matplotlib.use("Agg")


class FakePlan:
    """A stand-in for a Plan: the score of a key is a fixed function of its last number and its words."""

    def __init__(self, networks: int = 6, n: int = 4) -> None:
        self.networks, self.n = networks, n

    def __call__(self, *key, score: str = "fourier") -> np.ndarray:
        words = "".join(str(k) for k in key if isinstance(k, str))
        level = (sum(map(ord, words)) % 7) / 10 + 0.01 * float(key[-1])
        return level + 0.01 * np.arange(self.networks)

    def line(self, *prefix, xs, score: str = "fourier") -> np.ndarray:
        return np.stack([self(*prefix, float(x), score=score) for x in xs])

    def example(self, *key) -> np.ndarray:
        return np.full((self.n, self.n), float(key[-1]))


# ------------------------------------------------------------------------------- Plan


def small_sweep(configs):
    return ru.run_sweep(configs, 3, n=8, seed=0, n_examples=1, desc="test")


def test_plan_files_each_configuration_once_and_finds_it_by_key():
    plan = study.Plan()
    relu, tanh = ru.MLPConfig(activation="relu", depth=1, width=8), ru.MLPConfig(activation="tanh", depth=1, width=8)
    plan.add(("relu", 1.0), relu)
    plan.add(("relu again", 1), relu)  # the same configuration under a second key: sampled once
    plan.add(("tanh", np.float64(2.0)), tanh)
    assert plan.configs == [relu, tanh]
    with pytest.raises(RuntimeError, match="attach"):
        plan("relu", 1.0)
    result = small_sweep(plan.configs)
    assert plan.attach(result) is plan
    assert np.array_equal(plan("relu", 1), plan("relu again", 1.0))
    assert np.array_equal(plan("tanh", 2), result.scores["fourier"][1])
    assert plan("tanh", 2.0, score="lz").shape == (3,)
    assert plan.example("tanh", 2.0).shape == (8, 8)
    assert plan.line("tanh", xs=[2.0]).shape == (1, 3)
    with pytest.raises(KeyError, match="no configuration"):
        plan("sin", 1.0)


def test_plan_refuses_a_key_for_two_configurations_and_a_foreign_sweep():
    plan = study.Plan()
    plan.add(("a",), ru.MLPConfig(depth=1, width=8))
    with pytest.raises(ValueError, match="already names"):
        plan.add(("a",), ru.MLPConfig(depth=2, width=8))
    with pytest.raises(ValueError, match="does not hold"):
        plan.attach(small_sweep([ru.MLPConfig(depth=2, width=8)]))


def test_plan_records_carry_the_study_and_the_variant_fields():
    plan = study.Plan()
    plan.add(("x",), ru.MLPConfig(depth=1, width=8, residual=True, residual_mode="around_layer"))
    plan.add(("u",), ru.UnbiasedConfig(alpha=2.0))
    plan.attach(small_sweep(plan.configs))
    mlp_row, unbiased_row = plan.records("readings")
    assert mlp_row["study"] == "readings" and mlp_row["residual_mode"] == "around_layer"
    assert mlp_row["n"] == 3 and "fourier_mean" in mlp_row
    assert unbiased_row["model"] == "unbiased" and "residual_mode" not in unbiased_row


# ------------------------------------------------------------------------- statistics


def test_paired_effect_is_the_mean_with_an_interval_around_it():
    effect = study.paired_effect(np.array([0.1, 0.2, 0.3, 0.4]), seed=1)
    assert isinstance(effect, study.Effect)
    assert effect.estimate == pytest.approx(0.25)
    assert effect.low <= effect.estimate <= effect.high
    assert study.paired_effect(np.full(5, -0.5)) == (-0.5, -0.5, -0.5)
    assert effect.text() == f"+0.250 [{effect.low:+.3f}, {effect.high:+.3f}]"


def test_share_of_reference_adds_absolute_group_effects_so_opposite_signs_do_not_cancel():
    effects = np.array([[0.1, 0.1, 0.1], [-0.1, -0.1, -0.1]])
    references = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
    share = study.share_of_reference(effects, references)
    assert share == pytest.approx((0.1, 0.1, 0.1))  # a signed mean would give 0
    noisy = study.share_of_reference(effects + np.array([0.0, 0.05, -0.05]), references, seed=3)
    assert noisy.low < noisy.estimate < noisy.high
    with pytest.raises(ValueError, match="reference effect is zero"):
        study.share_of_reference(effects, np.zeros_like(effects))


def test_share_of_reference_refuses_bad_shapes_and_values():
    with pytest.raises(ValueError, match="share a shape"):
        study.share_of_reference(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="networks >= 2"):
        study.share_of_reference(np.ones((2, 1)), np.ones((2, 1)))
    with pytest.raises(ValueError, match="finite"):
        study.share_of_reference(np.array([[1.0, np.nan]]), np.ones((1, 2)))


def test_rank_agreement_resamples_networks_not_configurations():
    rng = np.random.default_rng(0)
    left = np.arange(6.0)[:, None] + 0.01 * rng.standard_normal((6, 5))
    assert study.rank_agreement(left, left + 0.5, seed=0).estimate == pytest.approx(1.0)
    reversed_ = study.rank_agreement(left, -left[:, :4], seed=0)
    assert reversed_.estimate == pytest.approx(-1.0) and reversed_.high <= -0.9
    noisy = study.rank_agreement(left + 2 * rng.standard_normal((6, 5)), left, seed=1)
    assert noisy.low <= noisy.estimate <= noisy.high <= 1.0  # centred on the estimate despite the resampling noise
    with pytest.raises(ValueError, match="constant"):
        study.rank_agreement(np.ones((4, 3)), left[:4])
    with pytest.raises(ValueError, match="configurations >= 3"):
        study.rank_agreement(left[:2], left[:2])


def test_graded_verdict_bands_and_margins():
    assert study.graded_verdict(0.95, full=0.9, part=0.5) == ("reproduced", pytest.approx(0.05))
    assert study.graded_verdict(0.6, full=0.9, part=0.5) == ("partly", pytest.approx(0.1))
    assert study.graded_verdict(0.8, full=0.9, part=0.5) == ("partly", pytest.approx(0.1))
    assert study.graded_verdict(0.2, full=0.9, part=0.5) == ("not reproduced", pytest.approx(0.3))


def test_combine_verdicts():
    assert study.combine_verdicts([("reproduced", 0.1), ("reproduced", 0.02)]) == ("reproduced", 0.02)
    assert study.combine_verdicts([("reproduced", 0.1), ("not reproduced", 0.3)]) == ("partly", 0.1)
    assert study.combine_verdicts([("reproduced", 0.1), ("inconclusive", -0.01)]) == ("inconclusive", -0.01)
    assert study.combine_verdicts([("not reproduced", 0.1), ("not reproduced", 0.2)])[0] == "not reproduced"


def test_change_shape_and_the_papers_shapes():
    assert study.change_shape(study.Effect(0.3, 0.2, 0.4)) == "rising"
    assert study.change_shape(study.Effect(-0.3, -0.4, -0.2)) == "falling"
    assert study.change_shape(study.Effect(0.0, -0.01, 0.02)) == "flat"
    assert study.change_shape(study.Effect(0.05, 0.04, 0.06)) == "unclear"
    assert study.paper_shape("mlp", "relu") == "flat"
    assert study.paper_shape("mlp", "tanh") == "rising"
    assert study.paper_shape("gating", "relu") == "rising"
    assert study.paper_shape("gating", "gelu") == "rising"
    assert study.paper_shape("gating", "selu") is None  # read at one point only
    assert study.paper_shape("layernorm", "sin") == "flat"


def test_same_direction_share():
    left = np.array([[0.1, 0.1], [0.5, 0.5], [0.2, 0.2], [0.21, 0.21]])
    right = np.array([[0.1, 0.1], [0.3, 0.3], [0.5, 0.5], [0.1, 0.1]])
    assert study.same_direction_share(left, right) == pytest.approx(0.5)
    assert study.same_direction_share(left, right, tolerance=1.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="even number"):
        study.same_direction_share(left[:3], right[:3])


def test_tiny_prints_rounding_noise_as_a_bound():
    assert study.tiny(3e-7) == "< 1e-04"
    assert study.tiny(2.5e-3) == "2.5e-03"


# -------------------------------------------------------------------- Figure 5 helpers


def test_readings_and_shape_tables_cover_the_papers_points():
    fake = FakePlan()
    rows = study.readings_table(fake, ["relu", "tanh"], ["mlp"])
    assert [(r["activation"], r["x"]) for r in rows] == [
        (a, x) for a in ("relu", "tanh") for x, _ in paper.FIG5_READ["mlp"][a]
    ]
    assert [r["x"] for r in rows][:3] == [1.0, 10.0, 1.0]
    assert all(r["deviation"] == pytest.approx(abs(r["mean"] - r["paper"])) for r in rows)
    shapes = study.shape_table(fake, paper.ACTIVATIONS, ["gating"])
    assert [s["activation"] for s in shapes] == ["relu", "gelu", "swish", "tanh", "gaussian", "sin"]  # SELU: one point
    assert all(s["match"] == (s["ours"] == s["paper"]) for s in shapes)


def test_over_range_and_mean_over_activations_average_per_network():
    fake = FakePlan()
    diff = study.over_range(fake, "gating", ["relu"], steps=2)
    expected = np.mean([fake("gating", "relu", x) - fake("mlp", "relu", x) for x in (1.0, 10.0)], axis=0)
    assert np.allclose(diff, expected)
    mean = study.mean_over_activations(fake, "mlp", 3, activations=["relu", "sin"])
    assert np.allclose(mean, (fake("mlp", "relu", 3) + fake("mlp", "sin", 3)) / 2)


# ---------------------------------------------------------------------------- sampling


def test_the_prefactor_identity_holds_on_the_same_networks():
    left = ru.MLPConfig(activation="tanh", depth=2, width=16, alpha=3.0)
    right = ru.MLPConfig(activation="tanh", depth=2, width=16, prefactor=3.0, bias_scale=1 / 3)
    function_gap, score_gap = study.same_networks_gap(left, right, count=2, n=16)
    assert function_gap < study.FLOAT_NOISE and score_gap < study.FLOAT_NOISE
    other = ru.MLPConfig(activation="tanh", depth=2, width=16, prefactor=6.0)
    assert study.same_networks_gap(left, other, count=2, n=16)[0] > 0.01


def test_layer_norm_removes_the_prefactor_without_standardising():
    small = ru.MLPConfig(activation="sin", depth=2, width=16, layernorm=True)
    large = ru.MLPConfig(activation="sin", depth=2, width=16, layernorm=True, prefactor=20.0)
    assert study.same_networks_gap(small, large, count=2, n=16, standardise=False)[0] < 1e-3


def test_fixed_first_layer_is_the_plain_network_at_the_reference_width():
    config = ru.MLPConfig(activation="tanh", depth=2, width=16, gating=True)
    fixed = study.fixed_first_layer_functions(config, 2, reference_width=16, n=8, seed=1)
    plain = ru.sample_functions(config, 2, n=8, seed=1).numpy()
    assert np.allclose(fixed, plain, atol=1e-6)
    wider = study.fixed_first_layer_functions(config, 2, reference_width=64, n=8, seed=1)
    assert not np.allclose(wider, plain, atol=1e-3)
    scores = study.fixed_first_layer_scores({("tanh", 16): config}, 2, reference_width=16, n=8, seed=1)
    assert set(scores[("tanh", 16)]) == {"fourier", "chebyshev", "lz"}
    row = study.summary_record("width_fixed_first_layer", config, scores[("tanh", 16)])
    assert row["study"] == "width_fixed_first_layer" and row["n"] == 2 and row["gating"] is True


# ---------------------------------------------------------------------------- Table 1


def test_table1_rows_split_the_components_by_activation_group():
    fake = FakePlan()
    vs_mlp = {(p, g): study.Effect(-0.1, -0.2, -0.05) for p in study.COMPONENT_DIRECTIONS for g in study.GROUPS}
    shares = {1.0: study.Effect(0.02, 0.01, 0.03), 5.0: study.Effect(0.3, 0.2, 0.4)}
    rows = study.table1_rows(
        fake,
        fake,
        steps=2,
        depths=(1, 3),
        prefactor=5.0,
        vs_mlp=vs_mlp,
        width=shares,
        width_text="64 vs 16",
        bias=shares,
        bias_text="2 vs 0.5",
        share=0.1,
    )
    assert len(rows) == 2 + 3 * 2 + 1 + 2 + 2
    assert [r.paper for r in rows].count("no impact") == 4
    gating = [r for r in rows if r.factor.startswith("+Gating")]
    assert [r.measured_on for r in gating] == ["Figure 5, ReLU-like", "Figure 5, TanH, Gaussian, Sin"]
    assert all(r.paper == "higher" and "above 0" in r.rule for r in gating)
    assert rows[-1].rule == "share of magnitude effect: 95% CI below 0.1"


def test_claim_texts_name_every_claim_once():
    assert all(set(text) == {"statement", "paper"} for text in study.CLAIM_TEXT.values())
    assert len(study.CLAIM_TEXT) == len(set(study.CLAIM_TEXT))


# ---------------------------------------------------------------------------- figures


def test_figures_draw_from_plans():
    fake = FakePlan()
    study.draw_figure5(fake, 2, "fourier", 6)
    study.draw_gain(fake, [0.5, 4.0], "lz", 3, example="tanh")
    study.draw_readings(fake, fake, ["relu", "sin"], 2, "fourier")
    study.draw_depth(fake, [1, 3], "chebyshev", "depth")
    study.draw_factor(
        lambda a, v, p: fake(a, v, p),
        ["relu"],
        [16, 64],
        [1.0, 5.0],
        xlabel="width",
        ylabel="C",
        title="t",
        dashed=lambda a, v, p: fake(a, v, p),
        dashed_label="fixed",
    )
    ends = [("mlp", "relu", 1.0), ("mlp", "relu", 10.0), ("gating", "sin", 1.0)]
    figure = study.draw_priors(fake, fake, ends, {"normal": study.Effect(0.9, 0.8, 1.0)}, "fourier")
    assert figure.axes[0].get_xlabel() == "Fourier complexity, uniform prior"
    matplotlib.pyplot.close("all")
