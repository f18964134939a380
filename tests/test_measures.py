"""Unit tests of the grid and the three complexity measures (book/conventions.md, "The three measures").

The analytic cases are derived from the conventions, not read off the implementation:

* Grid: ``x_m = -1 + (2m+1)/n``. On it, ``cos(pi j (x+1)/2)`` sampled at ``x_m`` is
  ``cos(pi j (2m+1) / (2n))``, exactly the (unnormalised) DCT-II basis vector j, so it has
  one non-zero coefficient, at frequency ``j/2`` cycles over [-1, 1].
* ``cos(pi k x) = cos(pi 2k (x+1)/2 - pi k) = (-1)^k cos(pi 2k (x+1)/2)`` is +-basis 2k,
  so it scores exactly ``2k/2 = k``; ``cos(pi a x) cos(pi b y)`` is +-basis (2a, 2b) and
  scores ``||(2a, 2b)||/2 = ||(a, b)||``.
* The orthonormal DCT of ``A * basis(j1, j2)`` is ``A * s(j1) s(j2)`` at (j1, j2), with
  ``s(0) = sqrt(n)`` and ``s(j>0) = sqrt(n/2)``; sums of terms with the same number of zero
  indices therefore keep their amplitude ratios, giving a known weighted mean.
* Chebyshev / Legendre: a tensor product ``T_i(x) T_j(y)`` (i, j <= degree) lies in the
  least-squares span, so the fit is exact and the score is ``||(i, j)||``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from numpy.polynomial import chebyshev, legendre

import redshift_utils as ru
from redshift_utils.lempel_ziv import lz76_reference

MEASURES = {
    "fourier": ru.fourier_complexity,
    "fourier_dft": lambda v, **kw: ru.fourier_complexity(v, method="dft", **kw),
    "chebyshev": ru.chebyshev_complexity,
    "legendre": lambda v, **kw: ru.chebyshev_complexity(v, basis="legendre", **kw),
    "lz": ru.lz_complexity,
}


def axis(n: int) -> np.ndarray:
    """The cell-centred grid written out from book/conventions.md (not from the library)."""
    return -1.0 + (2.0 * np.arange(n) + 1.0) / n


def outer(fx: np.ndarray, fy: np.ndarray) -> np.ndarray:
    """``F[i, j] = fx[i] * fy[j]``: the ``[.., i, j] = f(x_i, y_j)`` layout."""
    return fx[:, None] * fy[None, :]


def dct_basis(j: int, n: int) -> np.ndarray:
    return np.cos(np.pi * j * (axis(n) + 1.0) / 2.0)


def smooth_function(n: int) -> np.ndarray:
    """A smooth, non-periodic, non-symmetric test function."""
    x = axis(n)
    return np.sin(2.0 * x[:, None] + 0.5) * np.exp(0.7 * x[None, :]) + 0.3 * x[:, None] * x[None, :] ** 2


# ---------------------------------------------------------------------------------------- grid


@pytest.mark.parametrize("n", [2, 5, 64])
def test_grid_axis_is_cell_centred(n):
    x = ru.grid_axis(n)
    assert isinstance(x, torch.Tensor) and x.dtype == torch.float64 and x.shape == (n,)
    np.testing.assert_allclose(x.numpy(), axis(n), rtol=0, atol=1e-15)
    np.testing.assert_allclose(x.numpy(), -x.numpy()[::-1], atol=1e-15)  # symmetric about 0


def test_grid_default_size_and_ij_indexing():
    assert ru.grid_axis().shape == (64,)
    g = ru.grid(5)
    assert g.shape == (25, 2) and ru.grid().shape == (64 * 64, 2)
    x = axis(5)
    table = g.numpy().reshape(5, 5, 2)
    # [i, j] = (x_i, y_j): the first coordinate varies slowest.
    np.testing.assert_allclose(table[..., 0], np.repeat(x[:, None], 5, axis=1), atol=1e-15)
    np.testing.assert_allclose(table[..., 1], np.repeat(x[None, :], 5, axis=0), atol=1e-15)


@pytest.mark.parametrize("bad", [1, 0, -3, 2.0, True, "64"])
def test_grid_rejects_bad_n(bad):
    with pytest.raises(ValueError, match="n"):
        ru.grid_axis(bad)
    with pytest.raises(ValueError):
        ru.grid(bad)


# ------------------------------------------------------------------------------------- fourier


@pytest.mark.parametrize("n", [16, 64])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_fourier_cosine_along_one_axis_scores_k(n, k):
    c = np.cos(np.pi * k * axis(n))
    ones = np.ones(n)
    for f in (outer(c, ones), outer(ones, c)):
        assert ru.fourier_complexity(f, normalize=False) == pytest.approx(k, abs=1e-9)


@pytest.mark.parametrize("j", [1, 2, 7, 31, 63])
def test_fourier_dct_basis_function_scores_half_its_index(j):
    n = 64
    f = outer(dct_basis(j, n), np.ones(n))
    assert ru.fourier_complexity(f, normalize=False) == pytest.approx(j / 2, abs=1e-9)


@pytest.mark.parametrize(("a", "b"), [(1, 1), (1, 2), (3, 4), (5, 2), (10, 7)])
def test_fourier_cosine_product_scores_norm(a, b):
    n = 64
    f = outer(np.cos(np.pi * a * axis(n)), np.cos(np.pi * b * axis(n)))
    assert ru.fourier_complexity(f, normalize=False) == pytest.approx(math.hypot(a, b), abs=1e-9)
    # The DCT-basis product (j1, j2) scores ||(j1, j2)|| / 2, also for odd indices.
    g = outer(dct_basis(a, n), dct_basis(b, n))
    assert ru.fourier_complexity(g, normalize=False) == pytest.approx(math.hypot(a, b) / 2, abs=1e-9)


def test_fourier_weighted_sum_of_cosines():
    n = 64
    x = axis(n)
    ones = np.ones(n)
    # Two single-axis cosines (each with one zero DCT index): amplitude ratio is kept.
    f = 3.0 * outer(np.cos(2 * np.pi * x), ones) - 1.0 * outer(ones, np.cos(5 * np.pi * x))
    expected = (3.0 * 2 + 1.0 * 5) / (3.0 + 1.0)
    assert ru.fourier_complexity(f, normalize=False) == pytest.approx(expected, abs=1e-9)
    # Two products with both indices non-zero.
    g = 2.0 * outer(dct_basis(2, n), dct_basis(4, n)) - 0.5 * outer(dct_basis(6, n), dct_basis(3, n))
    expected = (2.0 * math.hypot(2, 4) / 2 + 0.5 * math.hypot(6, 3) / 2) / 2.5
    assert ru.fourier_complexity(g, normalize=False) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("n", [8, 64])
@pytest.mark.parametrize("method", ["dct", "dft"])
def test_fourier_normalisation_is_white_noise_mean_frequency(n, method, rng):
    if method == "dct":
        j = np.arange(n)
        k = np.hypot(j[:, None], j[None, :]) / 2
    else:
        f = np.fft.fftfreq(n) * n
        k = np.hypot(f[:, None], f[None, :])
    expected_noise = (k.sum() - k[0, 0]) / (n * n - 1)
    values = rng.normal(size=(3, n, n))
    raw = ru.fourier_complexity(values, normalize=False, method=method)
    normed = ru.fourier_complexity(values, method=method)
    np.testing.assert_allclose(normed, raw / expected_noise, rtol=1e-12)


@pytest.mark.parametrize("method", ["dct", "dft"])
def test_fourier_white_noise_scores_one(method, rng):
    scores = ru.fourier_complexity(rng.normal(size=(8, 64, 64)), method=method)
    np.testing.assert_allclose(scores, 1.0, atol=0.02)
    assert abs(scores.mean() - 1.0) < 0.01


def test_fourier_dft_boundary_artefact():
    """A smooth non-periodic ramp: the DFT sees the wrap-around jump, the DCT does not."""
    n = 64
    x = axis(n)
    ramp = x[:, None] + 0.5 * x[None, :]
    dct = float(ru.fourier_complexity(ramp))
    dft = float(ru.fourier_complexity(ramp, method="dft"))
    assert dct < 0.1
    assert dft > 5 * dct
    # A function periodic on the domain (2 cycles over [-1, 1]) has raw frequency 2 in both.
    periodic = outer(np.cos(2 * np.pi * x), np.ones(n))
    for method in ("dct", "dft"):
        raw = ru.fourier_complexity(periodic, method=method, normalize=False)
        assert raw == pytest.approx(2.0, abs=1e-9)


# ---------------------------------------------------------------------------------- chebyshev


@pytest.mark.parametrize("basis", ["chebyshev", "legendre"])
@pytest.mark.parametrize(("i", "j"), [(1, 0), (0, 1), (2, 3), (5, 5), (16, 0), (7, 16), (16, 16)])
def test_polynomial_tensor_basis_scores_its_order(basis, i, j):
    n = 64
    val = chebyshev.chebval if basis == "chebyshev" else legendre.legval
    x = axis(n)
    f = outer(val(x, np.eye(i + 1)[i]), val(x, np.eye(j + 1)[j]))
    score = ru.chebyshev_complexity(f, normalize=False, basis=basis)
    assert score == pytest.approx(math.hypot(i, j), abs=1e-6)


@pytest.mark.parametrize("basis", ["chebyshev", "legendre"])
def test_polynomial_weighted_sum(basis):
    n, degree = 32, 8
    val = chebyshev.chebval if basis == "chebyshev" else legendre.legval
    x = axis(n)

    def p(k):
        return val(x, np.eye(k + 1)[k])

    f = 2.0 * outer(p(3), p(1)) - 0.5 * outer(p(0), p(5)) + 7.0  # constant is excluded
    expected = (2.0 * math.hypot(3, 1) + 0.5 * 5.0) / 2.5
    score = ru.chebyshev_complexity(f, degree=degree, normalize=False, basis=basis)
    assert score == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize(("n", "degree"), [(64, 16), (20, 8), (16, 8), (9, 6), (5, 4)])
def test_polynomial_default_degree_is_floor_two_sqrt_n(n, degree, rng):
    f = rng.normal(size=(2, n, n))
    default = ru.chebyshev_complexity(f)
    np.testing.assert_array_equal(default, ru.chebyshev_complexity(f, degree=degree))
    assert not np.allclose(default, ru.chebyshev_complexity(f, degree=degree - 1))


@pytest.mark.parametrize("basis", ["chebyshev", "legendre"])
def test_polynomial_white_noise_scores_one(basis, rng):
    scores = ru.chebyshev_complexity(rng.normal(size=(32, 64, 64)), basis=basis)
    assert abs(scores.mean() - 1.0) < 0.02
    np.testing.assert_allclose(scores, 1.0, atol=0.1)


def test_polynomial_smooth_function_scores_low():
    assert ru.chebyshev_complexity(smooth_function(64)) < 0.3


@pytest.mark.parametrize("degree", [0, 64, 65, True, 3.0])
def test_polynomial_rejects_bad_degree(degree):
    with pytest.raises(ValueError, match="degree"):
        ru.chebyshev_complexity(np.zeros((64, 64)), degree=degree)


def test_polynomial_rejects_bad_basis():
    with pytest.raises(ValueError, match="basis"):
        ru.chebyshev_complexity(np.zeros((8, 8)), basis="hermite")


# ------------------------------------------------------------------ shared: constants, kinds


@pytest.mark.parametrize("name", sorted(MEASURES))
@pytest.mark.parametrize("value", [0.0, 1.0, -3.5])
def test_constants_score_zero(name, value):
    measure = MEASURES[name]
    f = np.full((2, 16, 16), value)
    for normalize in (True, False):
        scores = measure(f, normalize=normalize)
        assert np.all(np.isfinite(scores))
        if name == "lz":  # a constant's bits are all 0: one string of 256 zeros = 2 phrases
            np.testing.assert_array_equal(ru.lz_complexity(f, normalize=False), 2.0)
        else:
            np.testing.assert_array_equal(scores, 0.0)


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_invariances(name, rng):
    measure = MEASURES[name]
    n = 32
    fs = np.stack([smooth_function(n), rng.normal(size=(n, n)), np.cumsum(rng.normal(size=(n, n)), 0)])
    base = measure(fs)
    np.testing.assert_allclose(measure(3.7 * fs), base, rtol=1e-9)
    np.testing.assert_allclose(measure(fs + 11.0), base, rtol=1e-9)
    np.testing.assert_allclose(measure(-fs), base, rtol=1e-9)
    if name != "lz":  # LZ reads rows in order, so it is not transpose-invariant
        np.testing.assert_allclose(measure(np.swapaxes(fs, -1, -2)), base, rtol=1e-9)


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_return_kind_dtype_and_batch_shape(name, rng):
    measure = MEASURES[name]
    values = rng.normal(size=(3, 5, 16, 16))
    out_np = measure(values)
    assert isinstance(out_np, np.ndarray) and out_np.dtype == np.float64 and out_np.shape == (3, 5)
    for dtype in (torch.float32, torch.float64):
        out_t = measure(torch.from_numpy(values).to(dtype))
        assert isinstance(out_t, torch.Tensor) and out_t.dtype == torch.float64 and out_t.shape == (3, 5)
    np.testing.assert_allclose(measure(torch.from_numpy(values)).numpy(), out_np, rtol=1e-12)
    single = measure(values[1, 2])
    assert np.shape(single) == ()
    assert float(single) == pytest.approx(out_np[1, 2], rel=1e-12)
    # A batch is scored function by function.
    np.testing.assert_allclose(measure(values[0]), [float(measure(v)) for v in values[0]], rtol=1e-12)


@pytest.mark.parametrize("name", sorted(MEASURES))
@pytest.mark.parametrize(
    "bad",
    [np.zeros(16), np.zeros((4, 5)), np.zeros((2, 3, 4)), np.zeros((1, 1)), np.zeros((3, 0, 0))],
    ids=["1d", "non-square", "batch-non-square", "n1", "n0"],
)
def test_wrong_shapes_raise(name, bad):
    with pytest.raises(ValueError):
        MEASURES[name](bad)
    with pytest.raises(ValueError):
        MEASURES[name](torch.from_numpy(bad))


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_non_finite_and_non_array_inputs_raise(name):
    bad = np.zeros((8, 8))
    bad[2, 3] = np.nan
    with pytest.raises(ValueError):
        MEASURES[name](bad)
    with pytest.raises(ValueError):
        MEASURES[name]([[0.0, 1.0], [2.0, 3.0]])


def test_fourier_rejects_bad_method():
    with pytest.raises(ValueError, match="method"):
        ru.fourier_complexity(np.zeros((8, 8)), method="fft")


# -------------------------------------------------------------------------------- lempel-ziv


@pytest.mark.parametrize(
    ("sequence", "count"),
    [
        ("0001101001000101", 6),  # Kaspar & Schuster (1987): 0.001.10.100.1000.101
        ("", 0),
        ("0", 1),
        ("1", 1),
        ("00", 2),
        ("0000000000", 2),
        ("1111", 2),
        ("01", 2),
        ("010101010", 3),  # 0.1.0101010
        ("0123", 4),
        ("aab", 2),  # a.ab
    ],
)
def test_lz76_known_strings(sequence, count):
    assert ru.lz76(sequence) == count
    assert lz76_reference(sequence) == count
    assert isinstance(ru.lz76(sequence), int)


def test_lz76_accepts_lists_arrays_and_tensors():
    s = "0001101001000101"
    symbols = [int(c) for c in s]
    assert ru.lz76(symbols) == 6
    for dtype in (np.int64, np.int32, np.uint8, np.bool_):
        assert ru.lz76(np.array(symbols, dtype=dtype)) == 6
    assert ru.lz76(torch.tensor(symbols, dtype=torch.long)) == 6
    assert ru.lz76(torch.tensor(symbols, dtype=torch.int32)) == 6
    # Token ids: large values and relabelled symbols give the same phrase structure.
    assert ru.lz76([500 + 7 * v for v in symbols]) == 6
    assert ru.lz76(np.array([], dtype=np.int64)) == 0
    assert ru.lz76([]) == 0


@pytest.mark.parametrize("bad", [np.zeros((2, 3), dtype=np.int64), np.array([0.5, 1.5]), 7])
def test_lz76_rejects_bad_sequences(bad):
    with pytest.raises(ValueError):
        ru.lz76(bad)


def test_lz76_fast_equals_reference_on_random_strings():
    """Thousands of random strings: binary, small alphabets, biased, and periodic ones."""
    rng = np.random.default_rng(76)
    checked = 0
    for trial in range(4000):
        length = int(rng.integers(0, 40 if trial % 2 else 160))
        kind = trial % 4
        if kind == 0:
            seq = rng.integers(0, 2, length)
        elif kind == 1:
            seq = rng.integers(0, int(rng.integers(3, 6)), length)
        elif kind == 2:  # low entropy: long repeats exercise the long-match branch
            seq = (rng.random(length) < 0.1).astype(np.int64)
        else:
            period = rng.integers(0, 3, int(rng.integers(1, 6)))
            seq = np.resize(period, length)
            flips = rng.random(length) < 0.03
            seq = np.where(flips, (seq + 1) % 3, seq)
        expected = lz76_reference(seq)
        assert ru.lz76(seq) == expected, seq.tolist()
        assert ru.lz76("".join(chr(97 + v) for v in seq.tolist())) == expected
        checked += 1
    assert checked == 4000


def test_lz_complexity_equals_lz76_of_median_bits(rng):
    f = rng.normal(size=(16, 16))
    bits = (f > np.median(f)).astype(np.int64).reshape(-1)  # row-major
    assert bits.sum() == 128
    raw = ru.lz_complexity(f, normalize=False)
    assert raw == ru.lz76(bits)
    assert ru.lz_complexity(f) == pytest.approx(raw * math.log2(256) / 256)


def test_lz_white_noise_scores_about_one(rng):
    scores = ru.lz_complexity(rng.normal(size=(16, 64, 64)))
    assert abs(scores.mean() - 1.0) < 0.06
    np.testing.assert_allclose(scores, 1.0, atol=0.1)


def test_lz_smooth_function_scores_near_zero():
    assert ru.lz_complexity(smooth_function(64)) < 0.1


def test_lz_invariant_to_increasing_maps(rng):
    fs = rng.normal(size=(4, 32, 32))
    base = ru.lz_complexity(fs)
    np.testing.assert_array_equal(ru.lz_complexity(np.exp(fs)), base)
    np.testing.assert_array_equal(ru.lz_complexity(np.tanh(0.3 * fs) * 5 - 2), base)
    np.testing.assert_array_equal(ru.lz_complexity(fs**3), base)


# ------------------------------------------------------- lempel-ziv: the suffix-array count


def _random_sequence(rng: np.random.Generator, trial: int, length: int) -> np.ndarray:
    """Binary, small alphabets, low entropy, periodic with flips, and runs: the kinds LZ76 meets."""
    kind = trial % 5
    if kind == 0:
        return rng.integers(0, 2, length)
    if kind == 1:
        return rng.integers(0, int(rng.integers(3, 6)), length)
    if kind == 2:  # low entropy: long repeats
        return (rng.random(length) < rng.choice([0.01, 0.05, 0.1])).astype(np.int64)
    if kind == 3:
        period = rng.integers(0, 3, int(rng.integers(1, 6)))
        seq = np.resize(period, length)
        return np.where(rng.random(length) < 0.03, (seq + 1) % 3, seq)
    runs = rng.integers(1, 30, length)  # a binarised smooth function: long runs of each bit
    return (np.repeat(np.arange(runs.size) % 2, runs)[:length]).astype(np.int64)


def test_lz76_suffix_array_equals_reference_on_random_strings():
    """The O(n log n) count gives exactly the reference's phrases, also on low-complexity strings."""
    from redshift_utils.lempel_ziv import _lz76_count, _lz76_suffix_array

    rng = np.random.default_rng(1976)
    for trial in range(4000):
        length = int(rng.integers(0, 40 if trial % 2 else 200))
        seq = _random_sequence(rng, trial, length).astype(np.int64)
        expected = lz76_reference(seq)
        assert _lz76_suffix_array(seq) == expected, seq.tolist()
        assert _lz76_count(seq) == expected, seq.tolist()


def test_lz76_long_sequences_all_paths_agree():
    """Past the short-sequence threshold: the hybrid, the suffix array and unlimited Kaspar-Schuster agree."""
    from redshift_utils.lempel_ziv import KS_MAX_LENGTH, _lz76_count, _lz76_kaspar_schuster, _lz76_suffix_array

    rng = np.random.default_rng(2048)
    used_suffix_array = 0
    for trial in range(150):
        length = int(rng.integers(KS_MAX_LENGTH + 1, 6000))
        seq = _random_sequence(rng, trial, length).astype(np.int64)
        expected = _lz76_kaspar_schuster(seq, -1)
        assert _lz76_suffix_array(seq) == expected
        assert _lz76_count(seq) == expected
        assert ru.lz76(seq) == expected
        used_suffix_array += _lz76_kaspar_schuster(seq, 32 * length) < 0
    assert used_suffix_array > 20  # both paths of the hybrid were exercised
    # Token ids from a large vocabulary and a near-threshold reference check.
    tokens = rng.integers(0, 50257, 3000)
    assert ru.lz76(tokens) == _lz76_kaspar_schuster(tokens, -1)
    seq = rng.integers(0, 2, KS_MAX_LENGTH + 40)
    assert ru.lz76(seq) == lz76_reference(seq)


def test_lz76_kaspar_schuster_step_budget():
    from redshift_utils.lempel_ziv import _lz76_kaspar_schuster

    bits = np.random.default_rng(0).integers(0, 2, 4096)
    assert _lz76_kaspar_schuster(bits, 100) == -1
    assert _lz76_kaspar_schuster(bits, -1) == ru.lz76(bits) > 0  # unlimited: the count
    assert _lz76_kaspar_schuster(np.zeros(10**6, dtype=np.int64), 32 * 10**6) == 2  # simple: well within budget


def test_lz_complexity_on_large_grids(rng):
    """A 1024 grid (1 M symbols) goes through the suffix-array path (timings: benchmarks/, part c)."""
    n = 1024
    x = axis(n)
    batch = np.stack([rng.normal(size=(n, n)), np.sin(3 * x[:, None]) * np.exp(x[None, :])])
    scores = ru.lz_complexity(batch, normalize=False)
    assert scores[0] > 20000 and scores[1] < 10
    assert scores[1] == ru.lz76(ru.lempel_ziv.binarize(batch[1]))


# ------------------------------------------------ shapes: numpy and torch give the same shape


@pytest.mark.parametrize("name", sorted(MEASURES))
@pytest.mark.parametrize("shape", [(8, 8), (1, 8, 8), (3, 8, 8), (2, 3, 8, 8), (1, 1, 1, 8, 8)])
def test_numpy_and_torch_outputs_have_the_same_shape(name, shape, rng):
    measure = MEASURES[name]
    values = rng.normal(size=shape)
    out_np = measure(values)
    out_t = measure(torch.from_numpy(values))
    out_t32 = measure(torch.from_numpy(values).float())
    assert isinstance(out_np, np.ndarray) and isinstance(out_t, torch.Tensor)
    assert out_np.shape == tuple(out_t.shape) == tuple(out_t32.shape) == shape[:-2]
    np.testing.assert_allclose(out_t.numpy(), out_np, rtol=1e-12)
    # Non-contiguous and integer inputs are fine too.
    flipped = values[..., ::-1, :]
    np.testing.assert_allclose(measure(torch.from_numpy(flipped.copy())).numpy(), measure(flipped), rtol=1e-12)
    assert measure(torch.ones(shape, dtype=torch.int64)).shape == shape[:-2]


@pytest.mark.parametrize("method", ["dct", "dft"])
@pytest.mark.parametrize("normalize", [True, False])
def test_fourier_on_a_tensors_own_device_agrees_with_scipy(method, normalize, rng):
    # The GPU path (torch, DCT as two matrix products) checked on the CPU, where it can run everywhere.
    from redshift_utils.fourier import fourier_complexity_tensor

    values = torch.from_numpy(rng.normal(size=(5, 24, 24)).cumsum(axis=1))
    values[0] = 3.0  # a constant scores 0 on both paths
    expected = ru.fourier_complexity(values, method=method, normalize=normalize)
    got = fourier_complexity_tensor(values.float(), method=method, normalize=normalize)
    assert got.dtype == torch.float64 and got.shape == (5,) and float(got[0]) == 0.0
    np.testing.assert_allclose(got.numpy(), ru.fourier_complexity(values.float(), method=method, normalize=normalize))
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_fourier_on_a_tensors_own_device_refuses_what_the_cpu_path_refuses():
    from redshift_utils.fourier import fourier_complexity_tensor

    bad = torch.zeros(2, 8, 8)
    bad[1, 2, 3] = float("nan")
    for values, message in [(bad, "NaN or infinite values \\(1 of 128"), (torch.zeros(2, 8, 7), "square grid")]:
        with pytest.raises(ValueError, match=message):
            fourier_complexity_tensor(values)
    with pytest.raises(ValueError, match="method must be one of"):
        fourier_complexity_tensor(torch.zeros(8, 8), method="wavelet")


@pytest.mark.parametrize("threads", [1, 2, 3, 5])
def test_lz_counts_shared_among_threads_are_the_one_thread_counts(threads, rng):
    from redshift_utils.lempel_ziv import ROWS_PER_TASK, _lz76_rows, lz76_rows

    rows = 3 * ROWS_PER_TASK + 7  # blocks of unequal size, and rows of very different cost
    bits = (rng.random((rows, 300)) < rng.random((rows, 1))).astype(np.uint8)
    bits[::4] = np.arange(300) % 2  # periodic rows finish at once, random ones take longer
    np.testing.assert_array_equal(lz76_rows(bits, threads), _lz76_rows(bits))


def test_lz_complexity_does_not_depend_on_the_thread_count(monkeypatch, rng):
    values = rng.normal(size=(70, 16, 16)).cumsum(axis=2)
    monkeypatch.setenv("REDSHIFT_DRAW_THREADS", "1")
    one = ru.lz_complexity(values)
    monkeypatch.setenv("REDSHIFT_DRAW_THREADS", "3")
    np.testing.assert_array_equal(ru.lz_complexity(values), one)
