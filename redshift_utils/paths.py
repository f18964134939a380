"""Repository paths, resolved from the package location, never from the current directory.

Why: myst-nb executes notebooks inside ``notebooks/`` while papermill and nbval run them
elsewhere; every chapter must read and write the same files wherever it runs.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
BUILD_DIR = REPO_ROOT / "_build"
PRESETS = ("smoke", "book", "paper")


def active_preset() -> str:
    """The preset a chapter uses when its ``preset`` parameter is None: ``$REDSHIFT_PRESET`` or book."""
    preset = os.environ.get("REDSHIFT_PRESET", "book") or "book"
    if preset not in PRESETS:
        raise ValueError(f"REDSHIFT_PRESET must be one of {', '.join(PRESETS)}, got {preset!r}")
    return preset


def results_dir(preset: str) -> Path:
    """Where chapters write their results JSON.

    ``$REDSHIFT_RESULTS_DIR`` when set (the ``run`` command sets it), else ``_build/results``
    for the book preset and ``_build/<preset>/results`` for the others.
    """
    override = os.environ.get("REDSHIFT_RESULTS_DIR")
    if override:
        return Path(override).resolve()
    return BUILD_DIR / "results" if preset == "book" else BUILD_DIR / preset / "results"


def cache_dir() -> Path:
    """Where long computations cache their results (``$REDSHIFT_CACHE_DIR`` or ``_build/cache``)."""
    override = os.environ.get("REDSHIFT_CACHE_DIR")
    return Path(override).resolve() if override else BUILD_DIR / "cache"
