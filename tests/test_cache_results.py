"""The cache (keyed, atomic, self-healing) and the results contract."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import redshift_utils as ru
from redshift_utils.cache import cache_path, cached


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("REDSHIFT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("REDSHIFT_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("REDSHIFT_NO_CACHE", raising=False)


def test_cache_computes_once_per_key():
    calls = []
    compute = lambda: calls.append(1) or {"value": len(calls)}  # noqa: E731
    assert cached("demo", {"a": 1}, compute) == {"value": 1}
    assert cached("demo", {"a": 1}, compute) == {"value": 1}
    assert cached("demo", {"a": 2}, compute) == {"value": 2}
    assert len(calls) == 2


def test_cache_key_includes_source_hash():
    path = cache_path("demo", {"a": 1})
    assert path.name.startswith("demo-") and path.suffix == ".pkl"
    assert ru.source_hash() and len(ru.source_hash()) == 12


def test_corrupt_entry_is_recomputed_and_no_temp_files_remain():
    cached("demo", {"a": 1}, lambda: 1)
    path = cache_path("demo", {"a": 1})
    path.write_bytes(b"truncated garbage")
    assert cached("demo", {"a": 1}, lambda: 2) == 2
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_interrupted_compute_leaves_no_entry():
    def boom():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cached("demo", {"a": 3}, boom)
    assert not cache_path("demo", {"a": 3}).exists()


def test_results_document_follows_the_schema(tmp_path):
    params = {"preset": "smoke", "seed": 0}
    claims = [ru.claim("c1", "ReLU is flat", "flat", "0.11", "reproduced", "#fig5", 0.1, 0.12)]
    records = [{"activation": "relu", "fourier_mean": np.float64(0.1), "n": np.int64(4), "x": float("nan")}]
    path = ru.write_results("01_metrics", params, records, claims)
    assert path == tmp_path / "results" / "01_metrics.json"
    document = json.loads(path.read_text())
    assert document["library"] == {"version": ru.__version__, "source_hash": ru.source_hash()}
    assert document["records"] == [{"activation": "relu", "fourier_mean": 0.1, "n": 4, "x": None}]
    assert document["claims"][0]["verdict"] == "reproduced"


def test_bad_verdict_is_rejected():
    with pytest.raises(ValueError, match="verdict must be one of"):
        ru.claim("c", "x", "y", "z", "maybe", "#s")


def test_bootstrap_intervals_cover_the_estimate():
    values = np.random.default_rng(0).normal(1.0, 0.1, size=200)
    estimate, low, high = ru.bootstrap_ci(values)
    assert low < estimate < high and abs(estimate - 1.0) < 0.03
    diff, low, high = ru.difference_ci(values, values + 0.5)
    assert low < diff < high and abs(diff - 0.5) < 1e-9
    rho, low, high = ru.spearman_ci(values, values**3)
    assert rho == pytest.approx(1.0) and high >= low


def test_sweep_records_are_tidy_and_cached():
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
