"""Repository paths, resolved from the package location, never from the current directory.

Why: myst-nb executes notebooks inside ``notebooks/`` while papermill runs them
elsewhere; every chapter must read and write the same files wherever it runs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]  # redshift_utils/book/paths.py -> the repository
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
BUILD_DIR = REPO_ROOT / "_build"
PRESETS = ("smoke", "book", "paper")


def active_preset() -> str:
    """The preset a chapter uses when its ``preset`` parameter is None: ``$REDSHIFT_PRESET`` or book."""
    preset = os.environ.get("REDSHIFT_PRESET", "book") or "book"
    if preset not in PRESETS:
        raise ValueError(f"REDSHIFT_PRESET must be one of {', '.join(PRESETS)}, got {preset!r}")
    return preset


BOOK_BUILD_ENV = "REDSHIFT_BOOK_BUILD"  # set to 1 by ``python -m redshift_utils book`` for its kernels


def build_root(preset: str, dtype: str | None = None) -> Path:
    """The folder of one book build: ``_build`` (book preset, float32, CPU), ``_build/<preset>`` for
    the other presets, the same under ``_build/float64/`` for float64 builds and under
    ``_build/cuda/`` for GPU builds (``REDSHIFT_DEVICE=cuda``), so that no build ever reads or
    overwrites another's results."""
    from redshift_utils.device import device_name
    from redshift_utils.precision import dtype_name

    root = BUILD_DIR if device_name() == "cpu" else BUILD_DIR / device_name()
    root = root if (dtype or dtype_name()) == "float32" else root / (dtype or dtype_name())
    return root if preset == "book" else root / preset


def book_results_dir(preset: str, dtype: str | None = None) -> Path:
    """Where a book build's chapters write their results JSON (and where its scoreboard reads)."""
    return build_root(preset, dtype) / "results"


def results_dir(preset: str, notebook: str = "run") -> Path:
    """Where a chapter writes its results JSON.

    ``$REDSHIFT_RESULTS_DIR`` when set (the ``run`` command sets it); the book's own folder
    (``book_results_dir``) only when the book builder says so (``REDSHIFT_BOOK_BUILD=1``); any
    other run (plain Jupyter, ``jupyter execute``, papermill) gets a fresh folder of its own,
    ``_build/runs/<notebook>/<time>-<pid>``, so it never overwrites the book's results.
    """
    override = os.environ.get("REDSHIFT_RESULTS_DIR")
    if override:
        return Path(override).resolve()
    if os.environ.get(BOOK_BUILD_ENV) == "1":
        return book_results_dir(preset)
    return BUILD_DIR / "runs" / notebook / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"


def cache_dir() -> Path:
    """Where long computations cache their results (``$REDSHIFT_CACHE_DIR`` or ``_build/cache``)."""
    override = os.environ.get("REDSHIFT_CACHE_DIR")
    path = Path(override).resolve() if override else BUILD_DIR / "cache"
    if path.exists() and not path.is_dir():
        raise ValueError(f"the cache folder {path} (REDSHIFT_CACHE_DIR) is a file; point it at a folder")
    return path
