"""Compute-or-load for long computations, keyed by parameters and the library's source hash."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from redshift_utils.atomic import write_bytes_atomic
from redshift_utils.paths import cache_dir
from redshift_utils.source import source_hash

T = TypeVar("T")


def cache_path(name: str, key: dict[str, Any]) -> Path:
    """``_build/cache/<name>-<digest>.pkl``; the digest covers ``key`` and ``source_hash()``."""
    payload = json.dumps({"key": key, "source": source_hash()}, sort_keys=True, default=repr)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
    return cache_dir() / f"{name}-{digest}.pkl"


def cached(name: str, key: dict[str, Any], compute: Callable[[], T]) -> T:
    """Return the cached result for ``(name, key)`` or compute it and store it atomically.

    Why keyed on the source hash: an edit anywhere in the library invalidates every cached
    number, so a page can never show numbers from old code. ``REDSHIFT_NO_CACHE=1`` bypasses
    the cache. A corrupt or unreadable entry is recomputed, never trusted.
    """
    if os.environ.get("REDSHIFT_NO_CACHE") == "1":
        return compute()
    path = cache_path(name, key)
    if path.exists():
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except Exception:  # noqa: BLE001 - any unreadable entry is recomputed
            path.unlink(missing_ok=True)
    result = compute()
    write_bytes_atomic(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result
