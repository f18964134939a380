"""The results contract: every chapter writes one JSON file in the same schema.

A document holds ``notebook``, ``preset``, ``params``, ``library`` {version, source_hash},
``dtype``, tidy ``records`` and ``claims``. A claim holds what the paper says and what we
measured, the interval, the verdict, its ``rule`` and ``margin``, its ``kind`` (``paper``,
``check`` or ``literature``), the number of the paper's claim it tests (``paper_claim``) and
whether it holds ``by_construction``. See the conventions page, book/conventions.md, sections
"The results file" and "Verdicts, rules and margins".
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from redshift_utils.book.atomic import write_bytes_atomic
from redshift_utils.book.paths import BOOK_BUILD_ENV, results_dir
from redshift_utils.book.source import source_hash
from redshift_utils.device import device_name
from redshift_utils.precision import dtype_name

VERDICTS = ("reproduced", "partly", "inconclusive", "not reproduced", "not tested")
CLAIM_KINDS = ("paper", "check", "literature")
CLAIM_FIELDS = (
    "id",
    "claim",
    "paper",
    "measured",
    "estimate",
    "ci_low",
    "ci_high",
    "verdict",
    "rule",
    "margin",
    "kind",
    "paper_claim",
    "by_construction",
    "section",
)


def claim(
    id: str,  # noqa: A002 - the schema's field name
    claim: str,
    paper: str,
    measured: str,
    verdict: str,
    section: str,
    ci_low: float | None = None,
    ci_high: float | None = None,
    *,
    kind: str = "paper",
    paper_claim: int | None = None,
    rule: str = "",
    margin: float | None = None,
    by_construction: bool = False,
    estimate: float | None = None,
) -> dict[str, Any]:
    """One checked claim: what the paper says, what we measured (with a CI), the verdict and its rule."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    if kind not in CLAIM_KINDS:
        raise ValueError(f"kind must be one of {', '.join(CLAIM_KINDS)}, got {kind!r}")
    if paper_claim is not None:
        from redshift_utils.paper import paper_claim as lookup

        lookup(paper_claim)  # a clear error for a number the paper does not have
    return {
        "id": id,
        "claim": claim,
        "paper": paper,
        "measured": measured,
        "estimate": estimate,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "verdict": verdict,
        "rule": rule,
        "margin": margin,
        "kind": kind,
        "paper_claim": paper_claim,
        "by_construction": bool(by_construction),
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
    *,
    figures: list[dict[str, str]] | None = None,
    folder: Path | None = None,
) -> Path:
    """Write ``<results_dir>/<notebook>.json`` atomically and return its path.

    ``figures`` (``Report.figure``: ``key`` and ``file``, a PNG in the same folder) is added
    as a ``figures`` list when there is any; ``folder`` overrides ``results_dir``.
    """
    from redshift_utils import __version__

    for item in claims:
        missing = set(CLAIM_FIELDS) - set(item)
        if missing:
            raise ValueError(f"claim {item.get('id')!r} lacks fields {sorted(missing)}; report it with Report.claim")
        if item["verdict"] not in VERDICTS:
            raise ValueError(f"claim {item['id']!r}: verdict must be one of {VERDICTS}, got {item['verdict']!r}")
    document = {
        "notebook": notebook,
        "preset": params.get("preset"),
        "params": to_jsonable(params),
        "library": {"version": __version__, "source_hash": source_hash()},
        "dtype": dtype_name(),
        "device": device_name(),
        "records": to_jsonable(records),
        "claims": to_jsonable(claims),
    }
    if figures:
        document["figures"] = [{"key": f["key"], "file": f["file"]} for f in figures]
    folder = folder or results_dir(str(params.get("preset")), notebook)
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
