"""Seeds for the named random draws of a chapter, derived from its one ``seed`` parameter.

Why: a chapter makes many independent draws (noise, permutations, data splits). Deriving each
from ``(seed, name, index)`` through numpy's SeedSequence keeps them reproducible and
independent of one another and of the order in which cells run.
"""

from __future__ import annotations

import zlib

import numpy as np


def _entropy(seed: int, labels: tuple[int | str, ...]) -> list[int]:
    return [seed, *(zlib.crc32(x.encode()) if isinstance(x, str) else int(x) for x in labels)]


def rng(seed: int, *labels: int | str) -> np.random.Generator:
    """A numpy generator for one named draw: ``rng(seed, "noise", 3)``."""
    return np.random.default_rng(_entropy(seed, labels))


def derived_seed(seed: int, *labels: int | str) -> int:
    """An integer seed in [0, 2^31) for one named draw (e.g. for ``torch.Generator``)."""
    state = np.random.SeedSequence(_entropy(seed, labels)).generate_state(1)[0]
    return int(state % 2**31)
