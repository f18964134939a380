"""Sweeps: tidy records, and extra measures (chapter 1's Legendre and plain-DFT) on the same networks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import redshift_utils as ru
from redshift_utils.sweeps import EXTRA_MEASURES


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REDSHIFT_CACHE_DIR", str(tmp_path))


CONFIGS = [ru.MLPConfig(activation="tanh", depth=1, width=8), ru.UnbiasedConfig()]


def test_extra_measures_score_the_same_networks():
    result = ru.run_sweep(CONFIGS, 3, n=16, seed=2, n_examples=3, extra_measures=("legendre", "fourier_dft"))
    for c, config in enumerate(CONFIGS):
        functions = ru.sample_functions(config, 3, n=16, seed=2).numpy()
        np.testing.assert_array_equal(result.examples[c], functions)
        legendre = ru.chebyshev_complexity(functions, basis="legendre")
        dft = ru.fourier_complexity(functions, method="dft")
        np.testing.assert_allclose(result.scores["legendre"][c], legendre)
        np.testing.assert_allclose(result.scores["fourier_dft"][c], dft)
        assert result.records[c]["legendre_mean"] == pytest.approx(legendre.mean())
        assert result.records[c]["fourier_dft_std"] == pytest.approx(dft.std(ddof=1))


def test_default_sweep_keeps_the_three_measures():
    result = ru.run_sweep(CONFIGS, 2, n=16)
    assert set(result.scores) == {"fourier", "chebyshev", "lz"}
    assert not any(key.startswith("legendre") for key in result.records[0])


def test_unknown_extra_measure_is_rejected():
    with pytest.raises(ValueError, match="extra_measures"):
        ru.run_sweep(CONFIGS, 2, n=16, extra_measures=("hermite",))
    assert set(EXTRA_MEASURES) == {"legendre", "fourier_dft"}


def test_sweep_records_are_tidy_and_deterministic():
    configs = [ru.MLPConfig(activation="relu", depth=1, width=8), ru.UnbiasedConfig()]
    result = ru.run_sweep(configs, 3, n=16, n_examples=2)
    again = ru.run_sweep(configs, 3, n=16, n_examples=2)
    assert result.records == again.records
    assert result.records[0]["model"] == "mlp" and result.records[1]["model"] == "unbiased"
    for key in ("fourier_mean", "fourier_std", "chebyshev_mean", "lz_mean", "n"):
        assert key in result.records[0]
    assert result.scores["fourier"].shape == (2, 3)
    assert result.examples.shape == (2, 2, 16, 16)
    assert torch.is_tensor(ru.sample_functions(configs[0], 2, n=16))


def test_a_subset_of_measures_scores_the_same_networks_alike():
    full = ru.run_sweep(CONFIGS, 3, n=16, seed=4)
    fourier = ru.run_sweep(CONFIGS, 3, n=16, seed=4, measures=("fourier",))
    assert set(fourier.scores) == {"fourier"}
    np.testing.assert_array_equal(fourier.scores["fourier"], full.scores["fourier"])
    assert not any(key.startswith(("lz", "chebyshev")) for key in fourier.records[0])
    two = ru.measure_all(ru.sample_functions(CONFIGS[0], 3, n=16, seed=4), ("lz", "chebyshev"))
    assert list(two) == ["lz", "chebyshev"]
    np.testing.assert_array_equal(two["lz"], full.scores["lz"][0])


@pytest.mark.parametrize("measures", [(), ("fourier", "fourier"), ("hermite",), "fourier", None])
def test_bad_measure_lists_are_refused_naming_the_allowed_ones(measures):
    with pytest.raises(ValueError, match="measures must .*fourier, chebyshev, lz"):
        ru.run_sweep(CONFIGS, 2, n=16, measures=measures)
