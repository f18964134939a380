"""redshift_utils.measures_study: the studies behind chapter 1 agree with the library they explain."""

from __future__ import annotations

import math

import numpy as np
import pytest

import redshift_utils as ru
from redshift_utils import measures_study as study
from redshift_utils.lempel_ziv import lz76_reference


@pytest.fixture(scope="module")
def functions() -> np.ndarray:
    """Three random ReLU networks and one white-noise image on a 24 x 24 grid, float64."""
    nets = ru.sample_functions(ru.MLPConfig(), 3, n=24, seed=1).numpy().astype(np.float64)
    noise = np.random.default_rng(0).standard_normal((1, 24, 24))
    return np.concatenate([nets, noise])


def test_axis64_is_the_library_grid_axis():
    assert np.array_equal(study.axis64(8), -1.0 + (2.0 * np.arange(8) + 1.0) / 8)


def test_by_hand_measures_equal_the_library(functions):
    for f in functions:
        assert math.isclose(study.fourier_by_hand(f), float(ru.fourier_complexity(f, normalize=False)), rel_tol=1e-9)
        for degree in (3, 9):
            library = float(ru.chebyshev_complexity(f, degree=degree, normalize=False))
            assert math.isclose(study.chebyshev_by_hand(f, degree), library, rel_tol=1e-9)
        bits = study.median_bits(f)
        assert len(study.lz76_phrases(bits)) == int(ru.lz_complexity(f, normalize=False))


def test_a_cosine_scores_its_number_of_cycles():
    x = study.axis64(32)
    assert study.fourier_by_hand(np.cos(np.pi * 3 * x)[:, None] * np.ones(32)) == pytest.approx(3.0)


def test_lz76_phrases_partition_the_string_and_match_the_count():
    assert study.lz76_phrases("0001101001000101") == ["0", "001", "10", "100", "1000", "101"]
    generator = np.random.default_rng(3)
    for length in (1, 2, 17, 200):
        bits = "".join(generator.choice(["0", "1"], size=length))
        phrases = study.lz76_phrases(bits)
        assert "".join(phrases) == bits
        assert len(phrases) == ru.lz76(bits) == lz76_reference(bits)
    assert study.lz76_phrases("") == []


def test_median_bits_and_bits_image():
    f = np.arange(16.0).reshape(4, 4)
    bits = study.median_bits(f)
    assert bits == "0" * 8 + "1" * 8  # row-major, strictly above the median
    assert np.array_equal(study.bits_image(bits, 4), (f > np.median(f)).astype(np.uint8))


def test_lz78_and_zlib_counts():
    assert study.lz78_phrases("0101") == 3  # 0 | 1 | 01
    assert study.lz78_phrases("0000") == 3  # 0 | 00 | 0 (unfinished)
    assert study.lz78_phrases("") == 0
    constant, random = "0" * 4096, study.random_bit_strings([np.random.default_rng(0)], 4096)[0]
    assert study.lz78_phrases(constant) < study.lz78_phrases(random)
    assert study.zlib_bytes(constant) < study.zlib_bytes(random)


def test_random_bit_strings_are_fair_and_reproducible():
    a = study.random_bit_strings([ru.rng(0, 3, i) for i in range(2)], 1000)
    b = study.random_bit_strings([ru.rng(0, 3, i) for i in range(2)], 1000)
    assert a == b and a[0] != a[1] and all(set(s) == {"0", "1"} and len(s) == 1000 for s in a)
    assert 400 < a[0].count("1") < 600


def test_symbols_and_scan_orders():
    f = np.random.default_rng(1).standard_normal((6, 6))
    assert np.array_equal(study.symbols(f, 2, "quantile"), (f > np.median(f)).astype(int))
    four = study.symbols(f, 4, "quantile")
    assert sorted(np.bincount(four.ravel()).tolist()) == [9, 9, 9, 9]  # equally frequent
    width = study.symbols(f, 8, "width")
    assert width.min() == 0 and width.max() == 7
    with pytest.raises(ValueError, match="spacing"):
        study.symbols(f, 2, "log")

    image = np.arange(6).reshape(2, 3)
    assert study.scan(image, "row-major").tolist() == [0, 1, 2, 3, 4, 5]
    assert study.scan(image, "column-major").tolist() == [0, 3, 1, 4, 2, 5]
    assert study.scan(image, "snake").tolist() == [0, 1, 2, 5, 4, 3]
    assert study.scan(image, "shuffled", np.array([5, 0, 1, 2, 3, 4])).tolist() == [5, 0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="permutation"):
        study.scan(image, "shuffled")
    with pytest.raises(ValueError, match="order"):
        study.scan(image, "diagonal")


def test_library_variant_of_the_lz_study_is_the_library():
    assert next(iter(study.LZ_VARIANTS)) == "median, row-major (library)"
    assert study.LZ_VARIANTS["median, row-major (library)"] == (2, "quantile", "row-major")
    assert {order for _, _, order in study.LZ_VARIANTS.values()} <= set(study.SCAN_ORDERS)


def test_condition_numbers_on_the_book_grid():
    # Raw condition numbers favour Chebyshev up to degree 20 (7.77 against 8.66 at d = 16);
    # column-normalised ones favour Legendre (6.54 against 1.78).
    assert study.condition_number("Chebyshev", 64, 16) == pytest.approx(7.77, abs=0.01)
    assert study.condition_number("Legendre", 64, 16) == pytest.approx(8.66, abs=0.01)
    assert study.condition_number("Chebyshev", 64, 16, equilibrate=True) == pytest.approx(6.54, abs=0.01)
    assert study.condition_number("Legendre", 64, 16, equilibrate=True) == pytest.approx(1.78, abs=0.01)
    for d in (2, 4, 8, 12, 16, 20):
        assert study.condition_number("Chebyshev", 64, d) < study.condition_number("Legendre", 64, d)
    assert study.condition_number("monomial", 64, 16) > 1e5
    assert study.condition_number("Hermite", 64, 16) > 1e10


def test_only_condition_numbers_known_to_one_percent_are_compared():
    """At d = n - 1 (interpolation) both good bases reach about 1 / eps, and which is smaller was
    float rounding (it differed between a CPU with numpy 2.4 and another with numpy 2.5)."""
    degrees = [2, 16, 48, 63]
    curves = [[study.condition_number(b, 64, d, equilibrate=e) for d in degrees]
              for b in ("Chebyshev", "Legendre") for e in (False, True)]  # fmt: skip
    assert study.comparable(*curves).tolist() == [True, True, True, False]
    assert study.COMPARABLE_CONDITION == pytest.approx(4.5e13, rel=0.01)
    assert study.comparable([1.0, 1e14], [2.0, 3.0]).tolist() == [True, False]


def test_coefficient_recovery_is_bounded_by_the_condition_number_and_paired():
    for basis in ("Chebyshev", "Legendre", "monomial"):
        amplification = study.coefficient_recovery(basis, 64, 12, 50, seed=0)
        assert amplification.shape == (50,) and np.all(amplification > 0)
        assert np.all(amplification <= study.condition_number(basis, 64, 12) * (1 + 1e-6))
    again = study.coefficient_recovery("Legendre", 64, 12, 50, seed=0)
    assert np.array_equal(again, study.coefficient_recovery("Legendre", 64, 12, 50, seed=0))
    assert not np.array_equal(again, study.coefficient_recovery("Legendre", 64, 12, 50, seed=1))
    # The fit is linear: the noise level cancels.
    quiet = study.coefficient_recovery("Chebyshev", 64, 8, 20, seed=0, noise=1e-6)
    assert np.allclose(quiet, study.coefficient_recovery("Chebyshev", 64, 8, 20, seed=0), rtol=1e-6)


def test_projection_row_norms_grow_with_the_degree():
    low, high = study.projection_row_norms(64, 16), study.projection_row_norms(64, 48)
    assert low.shape == (17,) and high.shape == (49,)
    assert high.max() > 100 * low.max()


def test_frequency_profile_area_is_the_raw_score(functions):
    k, profile = study.frequency_profile(functions, "dct")
    area = profile.sum() * (k[1] - k[0])
    assert area == pytest.approx(float(np.mean(ru.fourier_complexity(functions, normalize=False))), rel=1e-9)
    k_dft, profile_dft = study.frequency_profile(functions, "dft")
    area_dft = profile_dft.sum() * (k_dft[1] - k_dft[0])
    expected = float(np.mean(ru.fourier_complexity(functions, method="dft", normalize=False)))
    assert area_dft == pytest.approx(expected, rel=1e-9)
    with pytest.raises(ValueError, match="method"):
        study.frequency_profile(functions, "wavelet")


def test_sample_float64_evaluates_the_same_networks():
    config = ru.MLPConfig(activation="tanh")
    f64 = study.sample_float64(config, 3, n=16, seed=2)
    f32 = ru.sample_functions(config, 3, n=16, seed=2).numpy()
    assert f64.dtype == np.float64 and f64.shape == (3, 16, 16)
    assert np.allclose(f64, f32, atol=1e-5)


def test_paired_intervals():
    a = np.array([2.0, 4.0, 6.0, 8.0])
    b = np.array([1.0, 2.0, 3.0, 4.0])
    ratio, low, high = study.ratio_ci(a, b, seed=0)
    assert ratio == 2.0 and low == pytest.approx(2.0) and high == pytest.approx(2.0)  # paired: exactly 2 always
    estimate, low, high = study.paired_ci(lambda i: float(a[i].mean() - b[i].mean()), 4, seed=0)
    assert estimate == pytest.approx(2.5) and low <= estimate <= high


def test_spearman_helper():
    assert study.spearman([1, 2, 3], [2, 4, 9]) == pytest.approx(1.0)
    assert math.isnan(study.spearman([1, 1, 1], [1, 2, 3]))


def test_rank_stability_ci():
    generator = np.random.default_rng(0)
    coarse = np.arange(5.0)[:, None] + 0.01 * generator.standard_normal((5, 8))
    rho, low, high = study.rank_stability_ci(coarse, 2 * coarse, seed=0)
    assert rho == pytest.approx(1.0) and low == pytest.approx(1.0) and high == pytest.approx(1.0)
    with pytest.raises(ValueError, match="architectures"):
        study.rank_stability_ci(coarse[:2], coarse[:2], seed=0)


def test_resolution_scores_use_the_same_networks_on_every_grid():
    configs = [ru.MLPConfig(), ru.UnbiasedConfig()]
    result = study.resolution_scores(configs, [16, 24], 3, seed=0)
    for name in ("fourier", "chebyshev", "lz", "fourier_raw"):
        assert result[name].shape == (2, 2, 3)
    assert result["seconds_per_network"].shape == (2,)
    direct = ru.fourier_complexity(ru.sample_functions(configs[0], 3, n=24, seed=0).numpy(), normalize=False)
    assert np.allclose(result["fourier_raw"][0, 1], direct)
    assert np.allclose(result["fourier"][1].mean(), 1.0, atol=0.1)  # the unbiased model: white noise
