"""The results contract: every chapter writes one JSON file in the same schema (DESIGN.md)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from redshift_utils.atomic import write_bytes_atomic
from redshift_utils.paths import BOOK_BUILD_ENV, results_dir
from redshift_utils.precision import dtype_name
from redshift_utils.source import source_hash

VERDICTS = ("reproduced", "partly", "not reproduced", "not tested")


def claim(
    id: str,  # noqa: A002 - the schema's field name
    claim: str,
    paper: str,
    measured: str,
    verdict: str,
    section: str,
    ci_low: float | None = None,
    ci_high: float | None = None,
) -> dict[str, Any]:
    """One checked claim: what the paper says, what we measured (with a CI), and the verdict."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    return {
        "id": id,
        "claim": claim,
        "paper": paper,
        "measured": measured,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "verdict": verdict,
        "section": section,
    }


def to_jsonable(value: Any) -> Any:
    """numpy / torch scalars and arrays to plain Python; NaN and infinities to None."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, torch.Tensor):
        return to_jsonable(value.detach().cpu().numpy())
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_results(
    notebook: str,
    params: dict[str, Any],
    records: list[dict[str, Any]],
    claims: list[dict[str, Any]],
) -> Path:
    """Write ``<results_dir>/<notebook>.json`` atomically and return its path."""
    from redshift_utils import __version__

    for item in claims:
        missing = {"id", "claim", "paper", "measured", "ci_low", "ci_high", "verdict", "section"} - set(item)
        if missing:
            raise ValueError(f"claim {item.get('id')!r} lacks fields {sorted(missing)}; build it with ru.claim")
        if item["verdict"] not in VERDICTS:
            raise ValueError(f"claim {item['id']!r}: verdict must be one of {VERDICTS}, got {item['verdict']!r}")
    document = {
        "notebook": notebook,
        "preset": params.get("preset"),
        "params": to_jsonable(params),
        "library": {"version": __version__, "source_hash": source_hash()},
        "dtype": dtype_name(),
        "records": to_jsonable(records),
        "claims": to_jsonable(claims),
    }
    folder = results_dir(str(params.get("preset")), notebook)
    path = folder / f"{notebook}.json"
    write_bytes_atomic(path, (json.dumps(document, indent=1, allow_nan=False) + "\n").encode())
    if not os.environ.get("REDSHIFT_RESULTS_DIR") and os.environ.get(BOOK_BUILD_ENV) != "1":
        print(f"results written to {path} (a folder of this run's own; the book build writes its own)")
    return path


def read_results(path: Path) -> dict[str, Any]:
    """A results document; a truncated or corrupt file raises a ValueError naming it."""
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"results file {path} cannot be read ({error}); rerun its chapter") from None
    if not isinstance(document, dict) or "claims" not in document or "library" not in document:
        raise ValueError(f"results file {path} is not a chapter's results document; rerun its chapter")
    return document
