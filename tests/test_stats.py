"""Bootstrap and rank-correlation intervals."""

from __future__ import annotations

import numpy as np
import pytest

import redshift_utils as ru


def test_bootstrap_intervals_cover_the_estimate():
    values = np.random.default_rng(0).normal(1.0, 0.1, size=200)
    estimate, low, high = ru.bootstrap_ci(values)
    assert low < estimate < high and abs(estimate - 1.0) < 0.03
    diff, low, high = ru.difference_ci(values, values + 0.5)
    assert low < diff < high and abs(diff - 0.5) < 1e-9
    rho, low, high = ru.spearman_ci(values, values**3)
    assert rho == pytest.approx(1.0) and high >= low
