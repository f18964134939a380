"""Shared pytest setup: import the library from the repository root, whatever the cwd."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture
def rng() -> np.random.Generator:
    """A fixed numpy generator, so every test's random inputs are reproducible."""
    return np.random.default_rng(20240305)


@pytest.fixture
def float32(monkeypatch):
    """Pin the default precision for a test that checks float32 itself (REDSHIFT_DTYPE may say float64)."""
    monkeypatch.setenv("REDSHIFT_DTYPE", "float32")
