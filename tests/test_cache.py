"""The cache: keyed by parameters, code and precision; atomic; checksummed; never unpickles."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import redshift_utils as ru
from redshift_utils.book.cache import cache_path, cached


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
    assert path.name.startswith("demo-") and path.suffix == ".npz"
    assert ru.source_hash() and len(ru.source_hash()) == 12


def one() -> int:
    return 1


def test_corrupt_entry_is_recomputed_and_no_temp_files_remain():
    cached("demo", {"a": 1}, one)
    path = cache_path("demo", {"a": 1}, one)
    path.write_bytes(b"truncated garbage")
    with pytest.warns(RuntimeWarning, match="unusable"):
        assert cached("demo", {"a": 1}, one) == 1
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_interrupted_compute_leaves_no_entry():
    def boom():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cached("demo", {"a": 3}, boom)
    assert not cache_path("demo", {"a": 3}, boom).exists()


# ------------------------------------------------------------------ keys, code and format


def test_round_trip_keeps_types_exactly():
    from redshift_utils.book.cache import dumps, loads

    value = {
        "tuple": (1, 2.5, "x", None, True),
        (0, "key"): [np.arange(3), torch.ones(2, 2, dtype=torch.float64)],
        "scalars": [np.float32(1.5), np.int64(7), float("nan"), float("inf"), 10**30],
        "config": ru.MLPConfig(activation="tanh", prefactor=2.0),
    }
    back = loads(dumps(value))
    assert isinstance(back["tuple"], tuple) and back["tuple"] == value["tuple"]
    assert isinstance(back[(0, "key")][1], torch.Tensor) and back[(0, "key")][1].dtype == torch.float64
    assert np.array_equal(back[(0, "key")][0], np.arange(3))
    assert back["scalars"][0].dtype == np.float32 and back["scalars"][1] == 7 and np.isnan(back["scalars"][2])
    assert back["scalars"][3] == float("inf") and back["scalars"][4] == 10**30
    assert back["config"] == value["config"]


def test_entries_never_unpickle_and_refuse_unknown_types():
    from redshift_utils.book.cache import dumps

    class Opaque:
        pass

    with pytest.raises(TypeError, match="cannot cache"):
        dumps({"x": Opaque()})
    with pytest.raises(TypeError, match="cannot cache"):
        dumps(np.array([object()], dtype=object))


def test_altered_entry_fails_its_checksum_and_is_recomputed():
    cached("demo", {"a": 5}, lambda: np.arange(1000.0))
    path = next(cache_path("demo", {"a": 5}).parent.glob("demo-*.npz"))
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # one flipped byte inside the array data
    path.write_bytes(bytes(data))
    with pytest.warns(RuntimeWarning, match="checksum"):
        assert cached("demo", {"a": 5}, lambda: np.zeros(2)).tolist() == [0.0, 0.0]


def test_key_hashes_array_data_not_its_truncated_repr():
    a = np.zeros(5000)
    b = a.copy()
    b[2500] = 1.0  # repr() of both shows the same "0., 0., ..., 0." summary
    assert repr(a) == repr(b)
    assert cache_path("demo", {"x": a}) != cache_path("demo", {"x": b})
    assert cache_path("demo", {"x": torch.zeros(5000)}) != cache_path("demo", {"x": torch.zeros(5001)})


def test_key_follows_the_dtype(monkeypatch):
    monkeypatch.setenv("REDSHIFT_DTYPE", "float32")
    single = cache_path("demo", {"a": 1})
    monkeypatch.setenv("REDSHIFT_DTYPE", "float64")
    assert cache_path("demo", {"a": 1}) != single


NOTEBOOK_CODE = """
SCALE = {scale}

def helper(x):
    return x * SCALE

def compute():
    return helper(3)

behind_a_lambda = lambda: compute()
"""


def notebook_namespace(scale: int) -> dict:
    """Functions as a notebook defines them: in ``__main__``, reaching each other through globals."""
    namespace = {"__name__": "__main__"}
    exec(compile(NOTEBOOK_CODE.format(scale=scale), "<cell>", "exec"), namespace)  # noqa: S102
    return namespace


def test_key_covers_notebook_code_reached_from_the_compute_function():
    from redshift_utils.book.cache import code_fingerprint

    one, same, other = notebook_namespace(2), notebook_namespace(2), notebook_namespace(3)
    assert code_fingerprint(one["compute"]) == code_fingerprint(same["compute"])
    # a constant two calls away, and a function behind a lambda (chapter 5's decode_all)
    assert code_fingerprint(one["compute"]) != code_fingerprint(other["compute"])
    assert code_fingerprint(one["behind_a_lambda"]) != code_fingerprint(other["behind_a_lambda"])
    edited = notebook_namespace(2)
    exec(compile("def helper(x):\n    return x + SCALE\n", "<cell>", "exec"), edited)  # noqa: S102
    assert code_fingerprint(edited["behind_a_lambda"]) != code_fingerprint(one["behind_a_lambda"])


def test_edited_notebook_function_is_recomputed_with_a_warm_cache():
    first, edited = notebook_namespace(2), notebook_namespace(5)
    assert cached("demo", {"a": 1}, first["behind_a_lambda"]) == 6
    assert cached("demo", {"a": 1}, edited["behind_a_lambda"]) == 15


def test_cache_folder_that_is_a_file_is_a_clear_error(tmp_path, monkeypatch):
    target = tmp_path / "a-file"
    target.write_text("x")
    monkeypatch.setenv("REDSHIFT_CACHE_DIR", str(target))
    with pytest.raises(ValueError, match="is a file"):
        cached("demo", {"a": 1}, lambda: 1)
