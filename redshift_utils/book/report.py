"""What a chapter reports: each claim stated once, its numbers glued into the prose, one results file.

A chapter makes one ``Report`` and calls ``report.claim(...)`` once per claim, right after the
few lines that compute the verdict (the rule stays in the chapter, visible). The call records
the claim for the results file and the scoreboard, and glues its verdict and numbers for the
prose (``{glue:md}`id_verdict```, ``{glue:text}`id_low:.3f```), so a verdict is written once,
not three times. ``report.value`` glues any other number; ``print_table`` prints a table;
``report.figure`` saves a figure next to the results file (the slide decks show it);
``report.write()`` writes the results file. Explained in the book's conventions page.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np

from redshift_utils.book.results import CLAIM_KINDS, claim, write_results


def interval_verdict(
    low: float,
    high: float,
    boundary: float,
    *,
    above: bool = True,
    yes: str = "reproduced",
    no: str = "not reproduced",
) -> tuple[str, float]:
    """Decide "the quantity lies above (or below) ``boundary``" from its interval; (verdict, margin).

    ``yes`` when the whole interval lies on the claimed side, ``no`` when it lies wholly on the
    other, ``"inconclusive"`` when it straddles the boundary. The margin is the distance from
    the boundary to the interval's near end, positive when the interval lies wholly on the
    verdict's side, negative (how far it reaches across) when inconclusive.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return "inconclusive", math.nan
    low_side, high_side = low - boundary, high - boundary
    if not above:
        low_side, high_side = -high_side, -low_side
    if low_side > 0:
        return yes, low_side
    if high_side < 0:
        return no, -high_side
    return "inconclusive", -min(high_side, -low_side)


def format_cell(value: Any) -> str:
    """How a table shows a value: floats with 3 decimals, intervals as ``[a, b]``, the rest as text."""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, float) for v in value):
        return f"[{value[0]:.3f}, {value[1]:.3f}]"
    return str(value)


def print_table(header: list[str], rows: list[list[Any]]) -> None:
    """A fixed-width text table (floats with 3 decimals): the one table printer of every chapter."""
    cells = [[format_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _glue(key: str, value: Any, markdown: bool = False) -> None:
    from IPython.display import Markdown
    from myst_nb import glue

    glue(key, Markdown(str(value)) if markdown else value, display=False)


class Report:
    """The claims, records and glued values of one chapter run."""

    def __init__(self, notebook: str, params: dict[str, Any]) -> None:
        self.notebook = notebook
        self.params = params
        self.claims: list[dict[str, Any]] = []
        self.records: list[dict[str, Any]] = []
        self.figures: list[dict[str, str]] = []
        self._folder: Path | None = None

    def folder(self) -> Path:
        """Where this run's results file goes (fixed at first use, so figures and file stay together)."""
        if self._folder is None:
            from redshift_utils.book.paths import results_dir

            self._folder = results_dir(str(self.params.get("preset")), self.notebook)
        return self._folder

    def figure(self, key: str, fig: Any) -> Path:
        """Save a matplotlib figure as ``<stem>-<key>.png`` next to the results file; returns its path.

        White background, 100 dpi, cropped to what is drawn as the notebook shows it (a title wider
        than the axes is kept whole); the results file lists it under ``figures`` (``key``,
        ``file``), and the chapter's slide deck shows it. Saving the same key twice replaces it.
        """
        import re

        if not re.fullmatch(r"[A-Za-z0-9_-]+", key or ""):
            raise ValueError(f"figure key must be letters, digits, '-' or '_', got {key!r}")
        from redshift_utils.book.atomic import write_bytes_atomic

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, facecolor="white", transparent=False, bbox_inches="tight")
        name = f"{self.notebook}-{key}.png"
        path = self.folder() / name
        write_bytes_atomic(path, buffer.getvalue())
        self.figures = [f for f in self.figures if f["key"] != key] + [{"key": key, "file": name}]
        return path

    def value(self, key: str, value: Any) -> Any:
        """Glue a number (or a short piece of Markdown text) for the prose; returns it."""
        if isinstance(value, np.generic):  # np.float64 glues as "np.float64(0.1)", which {glue:text} cannot format
            value = value.item()
        _glue(key, value, markdown=isinstance(value, str))
        return value

    def record(self, **fields: Any) -> None:
        """One tidy row of the results file (a configuration and what was measured on it)."""
        self.records.append(fields)

    def claim(
        self,
        id: str,  # noqa: A002 - the schema's field name
        *,
        statement: str,
        paper: str,
        measured: str,
        verdict: str,
        rule: str,
        section: str,
        kind: str = "paper",
        paper_claim: int | None = None,
        estimate: float | None = None,
        low: float | None = None,
        high: float | None = None,
        margin: float | None = None,
        by_construction: bool = False,
    ) -> str:
        """Record one claim and glue ``<id>_verdict`` (bold) and its numbers; returns the verdict.

        ``rule`` is the verdict rule in one readable line; ``margin`` the distance from the rule's
        boundary to the near end of the interval (see ``interval_verdict``), or None without
        one. ``kind`` is ``"paper"`` (then ``paper_claim`` numbers the paper's claim, see
        ``redshift_utils.paper.CLAIMS``), ``"check"`` (the book's own robustness check) or
        ``"literature"``. ``by_construction`` marks a sanity check that cannot fail by design.
        """
        if any(c["id"] == id for c in self.claims):
            raise ValueError(f"claim {id!r} is reported twice in {self.notebook}")
        item = claim(
            id,
            statement,
            paper,
            measured,
            verdict,
            section,
            low,
            high,
            kind=kind,
            paper_claim=paper_claim,
            rule=rule,
            margin=margin,
            by_construction=by_construction,
            estimate=estimate,
        )
        self.claims.append(item)
        _glue(f"{id}_verdict", f"**{verdict}**", markdown=True)
        for name, number in (("estimate", estimate), ("low", low), ("high", high), ("margin", margin)):
            if number is not None:
                _glue(f"{id}_{name}", float(number))
        return verdict

    def write(self) -> Path:
        """Write the chapter's results file; prints where it went and what it holds."""
        path = write_results(
            self.notebook, self.params, self.records, self.claims, figures=self.figures, folder=self.folder()
        )
        kinds = {k: sum(c["kind"] == k for c in self.claims) for k in CLAIM_KINDS}
        print(f"{path.name} | {len(self.records)} records, {len(self.claims)} claims " + str(kinds))
        return path
