"""The results contract: one JSON document per chapter, in one schema, read back with clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import redshift_utils as ru


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("REDSHIFT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("REDSHIFT_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("REDSHIFT_NO_CACHE", raising=False)


def test_results_document_follows_the_schema(tmp_path):
    params = {"preset": "smoke", "seed": 0}
    claims = [ru.claim("c1", "ReLU is flat", "flat", "0.11", "reproduced", "#fig5", 0.1, 0.12)]
    records = [{"activation": "relu", "fourier_mean": np.float64(0.1), "n": np.int64(4), "x": float("nan")}]
    path = ru.write_results("01_metrics", params, records, claims)
    assert path == tmp_path / "results" / "01_metrics.json"
    document = json.loads(path.read_text())
    assert document["library"] == {"version": ru.__version__, "source_hash": ru.source_hash()}
    assert document["dtype"] in ("float32", "float64") and document["device"] in ("cpu", "cuda")
    assert document["records"] == [{"activation": "relu", "fourier_mean": 0.1, "n": 4, "x": None}]
    assert document["claims"][0]["verdict"] == "reproduced"


def test_bad_verdict_is_rejected():
    with pytest.raises(ValueError, match="verdict must be one of"):
        ru.claim("c", "x", "y", "z", "maybe", "#s")


def test_truncated_results_file_names_itself(tmp_path):
    from redshift_utils.book.results import read_results

    path = tmp_path / "02_activations.json"
    path.write_text('{"notebook": "02_activations", "claims": [')
    with pytest.raises(ValueError, match="02_activations.json"):
        read_results(path)
