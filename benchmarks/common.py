"""What every benchmark prints beside its ratios: the machine's load, so a reader can judge the timing."""

from __future__ import annotations

import os


def load_average() -> str:
    """``load average 1m 5m 15m``, or ``unknown`` where the platform has none."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # not available on this platform
        return "load average unknown"
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"
