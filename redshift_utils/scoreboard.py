"""The scoreboard: every claim checked anywhere in the book, read from the results JSON files.

Used by ``book/scoreboard.md``; never typed by hand, so it cannot drift from the chapters.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from typing import Any

from redshift_utils.paths import results_dir
from redshift_utils.results import VERDICTS

VERDICT_BADGES = {
    "reproduced": "✅ reproduced",
    "partly": "🟡 partly",
    "not reproduced": "❌ not reproduced",
    "not tested": "⚪ not tested",
}


def load_claims(preset: str, chapters: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """All claims of the chapters' results files for ``preset``, plus the chapters lacking a file."""
    claims, missing = [], []
    for stem in chapters:
        path = results_dir(preset) / f"{stem}.json"
        if not path.exists():
            missing.append(stem)
            continue
        document = json.loads(path.read_text())
        for item in document.get("claims", []):
            claims.append({**item, "notebook": stem, "source_hash": document["library"]["source_hash"]})
    return claims, missing


def format_measured(item: dict[str, Any]) -> str:
    text = str(item.get("measured", ""))
    low, high = item.get("ci_low"), item.get("ci_high")
    if low is not None and high is not None:
        text += f" (95% CI {low:.3g} to {high:.3g})"
    return text


def section_link(item: dict[str, Any]) -> str:
    """Relative link from ``book/scoreboard.html`` to the claim's chapter section."""
    section = str(item.get("section") or "")
    anchor = section.split("#", 1)[1] if "#" in section else ""
    target = f"../notebooks/{item['notebook']}.html" + (f"#{anchor}" if anchor else "")
    label = html.escape(item["notebook"] + (f" § {anchor}" if anchor else ""))
    return f'<a href="{html.escape(target)}">{label}</a>'


def verdict_counts(claims: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(item["verdict"] for item in claims)
    return {verdict: counts.get(verdict, 0) for verdict in VERDICTS}


def claims_table_html(claims: list[dict[str, Any]]) -> str:
    """One HTML table row per claim: claim, paper's evidence, our measurement, verdict, link."""
    head = "".join(f"<th>{h}</th>" for h in ("Claim", "Paper's evidence", "This book measured", "Verdict", "Where"))
    rows = []
    for item in claims:
        cells = (
            html.escape(str(item["claim"])),
            html.escape(str(item["paper"])),
            html.escape(format_measured(item)),
            html.escape(VERDICT_BADGES.get(item["verdict"], item["verdict"])),
            section_link(item),
        )
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return f'<table class="table scoreboard"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
