"""Bad input gets a clear ValueError naming the problem and what is allowed, before any work.

Measures (complex, non-numeric, empty, too small for the Chebyshev degree), the statistics
(constant or non-finite samples) and the measures' options. Configuration limits and numpy
scalars are in test_configs.py.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch

import redshift_utils as ru
from redshift_utils.polynomial import MIN_GRID_DEFAULT_DEGREE, default_degree

MEASURES = {
    "fourier": ru.fourier_complexity,
    "fourier_dft": lambda v, **kw: ru.fourier_complexity(v, method="dft", **kw),
    "chebyshev": ru.chebyshev_complexity,
    "legendre": lambda v, **kw: ru.chebyshev_complexity(v, basis="legendre", **kw),
    "lz": ru.lz_complexity,
}


def both_kinds(array: np.ndarray) -> list:
    return [array, torch.from_numpy(array)]


# ------------------------------------------------------------------------------------ measures


@pytest.mark.parametrize("name", sorted(MEASURES))
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_input_is_refused(name, dtype):
    values = (np.ones((8, 8)) + 1j * np.eye(8)).astype(dtype)
    for bad in both_kinds(values):
        with pytest.raises(ValueError) as info:
            MEASURES[name](bad)
        message = str(info.value)
        assert "real-valued" in message and "complex" in message and "abs(values)" in message


@pytest.mark.parametrize("name", sorted(MEASURES))
@pytest.mark.parametrize(
    "bad", [np.full((4, 4), "a"), np.full((4, 4), 1.0, dtype=object), np.zeros((4, 4), dtype="datetime64[s]")]
)
def test_non_numeric_dtypes_are_refused(name, bad):
    with pytest.raises(ValueError, match=r"must hold real numbers \(bool, integer or float dtype\), got dtype"):
        MEASURES[name](bad)


@pytest.mark.parametrize("name", sorted(MEASURES))
@pytest.mark.parametrize("shape", [(0, 8, 8), (2, 0, 8, 8), (0, 0, 16, 16)])
def test_empty_batches_are_refused(name, shape):
    for bad in both_kinds(np.zeros(shape)):
        with pytest.raises(ValueError) as info:
            MEASURES[name](bad)
        assert "empty batch" in str(info.value) and str(shape) in str(info.value)


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_bool_and_integer_inputs_are_accepted(name):
    grid = np.add.outer(np.arange(8), np.arange(8)) % 3
    expected = MEASURES[name](grid.astype(np.float64))
    for values in (grid, grid.astype(np.int8), torch.from_numpy(grid), grid > 0):
        out = MEASURES[name](values)
        assert np.shape(out) == ()
    assert float(MEASURES[name](torch.from_numpy(grid))) == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize("name", sorted(MEASURES))
@pytest.mark.parametrize(
    ("shape", "text"),
    [
        ((16,), "at least 2-D with shape (..., n, n), got shape (16,)"),
        ((4, 5), "square grid (..., n, n), got shape (4, 5) (4 != 5)"),
        ((2, 3, 4), "square grid (..., n, n), got shape (2, 3, 4) (3 != 4)"),
        ((1, 1), "n >= 2 points per axis, got shape (1, 1)"),
    ],
)
def test_shape_messages_are_kept(name, shape, text):
    for bad in both_kinds(np.zeros(shape)):
        with pytest.raises(ValueError) as info:
            MEASURES[name](bad)
        assert text in str(info.value)


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_non_finite_message_counts_the_bad_entries(name):
    bad = np.zeros((2, 8, 8))
    bad[0, 1, 1], bad[1, 2, 2] = np.nan, -np.inf
    with pytest.raises(ValueError, match=r"contains NaN or infinite values \(2 of 128 entries\)"):
        MEASURES[name](bad)


@pytest.mark.parametrize("name", sorted(MEASURES))
@pytest.mark.parametrize("flag", ["yes", 1, None, 0.0])
def test_normalize_must_be_a_bool(name, flag):
    with pytest.raises(ValueError, match="normalize must be True or False"):
        MEASURES[name](np.zeros((8, 8)), normalize=flag)
    MEASURES[name](np.zeros((8, 8)), normalize=np.bool_(False))


@pytest.mark.parametrize("bad", [["dct"], None, "DCT"])
def test_fourier_bad_method_lists_the_methods(bad):
    with pytest.raises(ValueError, match=r"method must be one of \('dct', 'dft'\)"):
        ru.fourier_complexity(np.zeros((8, 8)), method=bad)


def test_errors_come_before_the_work():
    """A huge empty-shaped or wrongly-typed call fails at once, without touching the data."""
    start = time.perf_counter()
    big = torch.zeros((1024, 64, 64), dtype=torch.complex64)
    for measure in MEASURES.values():
        with pytest.raises(ValueError, match="complex"):
            measure(big)
        with pytest.raises(ValueError, match="normalize"):
            measure(big, normalize="no")
    assert time.perf_counter() - start < 5


# -------------------------------------------------------------- Chebyshev: grid too small


def test_min_grid_is_the_smallest_n_the_default_degree_fits():
    assert all(default_degree(n) >= n for n in range(2, MIN_GRID_DEFAULT_DEGREE))
    assert all(1 <= default_degree(n) < n for n in range(MIN_GRID_DEFAULT_DEGREE, 20000))
    assert MIN_GRID_DEFAULT_DEGREE == 5


@pytest.mark.parametrize("basis", ["chebyshev", "legendre"])
@pytest.mark.parametrize("n", [2, 3, 4])
def test_chebyshev_small_grid_names_n_not_a_degree(basis, n):
    for bad in both_kinds(np.random.default_rng(n).normal(size=(3, n, n))):
        with pytest.raises(ValueError) as info:
            ru.chebyshev_complexity(bad, basis=basis)
        message = str(info.value)
        assert message.startswith(f"grid size n must be >= 5 for the {basis.capitalize()} measure")
        assert f"got n={n}" in message
        assert f"got {default_degree(n)}" not in message  # no degree the user never passed


@pytest.mark.parametrize("basis", ["chebyshev", "legendre"])
def test_chebyshev_smallest_grid_and_explicit_degrees_on_small_grids_work(basis, rng):
    assert np.all(np.isfinite(ru.chebyshev_complexity(rng.normal(size=(2, 5, 5)), basis=basis)))
    for n in (2, 3, 4):
        out = ru.chebyshev_complexity(rng.normal(size=(2, n, n)), degree=n - 1, basis=basis)
        assert out.shape == (2,) and np.all(np.isfinite(out))


def test_chebyshev_explicit_degree_too_large_names_degree_and_n():
    with pytest.raises(ValueError) as info:
        ru.chebyshev_complexity(np.zeros((2, 4, 4)), degree=4)
    assert str(info.value) == "degree must be an integer in [1, n-1] = [1, 3] for grid size n=4, got 4"


@pytest.mark.parametrize("degree", [0, -1, True, 3.0, "8"])
def test_chebyshev_bad_degree_is_refused_before_the_input(degree):
    with pytest.raises(ValueError, match=r"degree must be None \(the default floor\(2\*sqrt\(n\)\)\) or an integer"):
        ru.chebyshev_complexity(np.zeros((64, 64)), degree=degree)


def test_chebyshev_numpy_integer_degree_is_accepted(rng):
    f = rng.normal(size=(2, 32, 32))
    np.testing.assert_array_equal(ru.chebyshev_complexity(f, degree=np.int64(8)), ru.chebyshev_complexity(f, degree=8))


# ------------------------------------------------------------------------------------ stats


@pytest.mark.parametrize("which", ["x", "y"])
def test_spearman_ci_refuses_a_constant_variable(which):
    varying, constant = np.arange(10.0), np.full(10, 3.0)
    x, y = (constant, varying) if which == "x" else (varying, constant)
    with pytest.raises(ValueError) as info:
        ru.spearman_ci(x, y)
    assert str(info.value).startswith(f"spearman_ci: {which} is constant, the rank correlation is undefined")


def test_spearman_ci_refuses_non_finite_values_and_keeps_working_otherwise():
    x = np.arange(10.0)
    with pytest.raises(ValueError, match="spearman_ci: y contains NaN or infinite values"):
        ru.spearman_ci(x, np.where(x == 4, np.nan, x))
    with pytest.raises(ValueError, match="spearman_ci: x contains NaN or infinite values"):
        ru.spearman_ci(np.where(x == 2, np.inf, x), x)
    rho, low, high = ru.spearman_ci(x, x**3)
    assert rho == pytest.approx(1.0) and low == pytest.approx(1.0) and high == pytest.approx(1.0)


@pytest.mark.filterwarnings("ignore::scipy.stats.ConstantInputWarning")
def test_spearman_ci_all_resamples_constant_is_a_clear_error():
    x = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    rho, low, high = ru.spearman_ci(x, y, n_boot=200)  # some resamples are constant: dropped
    assert math.isfinite(rho) and low <= high
    with pytest.raises(ValueError, match="all 1 bootstrap resamples had a constant x or y"):
        for seed in range(50):  # a seed whose only resample misses the single 1.0
            ru.spearman_ci(x, y, n_boot=1, seed=seed)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_bootstrap_ci_refuses_non_finite_samples(bad):
    samples = np.array([1.0, 2.0, bad, 4.0])
    with pytest.raises(ValueError) as info:
        ru.bootstrap_ci(samples)
    message = str(info.value)
    assert message.startswith("bootstrap_ci: samples contains NaN or infinite values (1 of 4, first at index 2")


@pytest.mark.parametrize("side", ["a", "b"])
def test_difference_ci_refuses_non_finite_and_empty_samples(side):
    good, bad = np.arange(5.0), np.array([1.0, np.nan, np.inf])
    a, b = (bad, good) if side == "a" else (good, bad)
    with pytest.raises(ValueError, match=f"difference_ci: {side} contains NaN or infinite values \\(2 of 3"):
        ru.difference_ci(a, b)
    a, b = (np.array([]), good) if side == "a" else (good, np.array([]))
    with pytest.raises(ValueError, match=f"difference_ci: {side} must be 1-D with at least 1 values"):
        ru.difference_ci(a, b)
    with pytest.raises(ValueError, match=f"difference_ci: {side} must be 1-D"):
        ru.difference_ci(*((np.ones((3, 2)), good) if side == "a" else (good, np.ones((3, 2)))))


@pytest.mark.parametrize("func", ["bootstrap_ci", "difference_ci", "spearman_ci"])
@pytest.mark.parametrize(
    ("option", "value", "text"),
    [
        ("level", 1.0, "level must be a number strictly between 0 and 1"),
        ("level", 95, "level must be a number strictly between 0 and 1"),
        ("level", "0.95", "level must be a number strictly between 0 and 1"),
        ("n_boot", 0, "n_boot must be an integer >= 1"),
        ("n_boot", 100.0, "n_boot must be an integer >= 1"),
    ],
)
def test_bad_bootstrap_options_are_refused(func, option, value, text):
    x = np.arange(6.0)
    args = (x,) if func == "bootstrap_ci" else (x, x**2)
    with pytest.raises(ValueError) as info:
        getattr(ru, func)(*args, **{option: value})
    assert str(info.value).startswith(f"{func}: {text}") and f"got {value!r}" in str(info.value)


def test_stats_accept_numpy_options_and_plain_lists():
    assert ru.bootstrap_ci([1.0, 2.0, 3.0], n_boot=np.int64(50), level=np.float32(0.9))[0] == pytest.approx(2.0)
    assert ru.difference_ci([1.0], [2.0])[0] == pytest.approx(1.0)
