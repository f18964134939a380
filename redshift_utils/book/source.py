"""A short hash of the library's own source, printed by every chapter (see chapter 1)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the whole package, science and book machinery


@lru_cache(maxsize=1)
def source_hash() -> str:
    """Return 12 hex digits of SHA-256 over every ``.py`` file of the package.

    Why: caches and printed provenance must change whenever the code that produced a number
    changes, and only then (byte-identical sources give the same hash on any machine).
    Explained in chapter 1 (``notebooks/01_metrics.md``).
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]
