"""The scoreboard: every claim checked anywhere in the book, read from the results JSON files.

Used by ``book/scoreboard.md``; never typed by hand, so it cannot drift from the chapters.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from redshift_utils.book.paths import book_results_dir
from redshift_utils.book.results import VERDICTS, read_results

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
        path = book_results_dir(preset) / f"{stem}.json"
        if not path.exists():
            missing.append(stem)
            continue
        document = read_results(path)
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


def precision_rows(preset: str, chapters: list[str]) -> list[dict[str, Any]] | None:
    """Each claim's verdict in float32 and in float64 at ``preset``; None without a float64 build.

    A claim whose verdict differs between the two precisions is "fragile": its measurement sits
    so close to its rule's boundary that float rounding (which also differs between CPUs)
    decides it. ``make precision`` builds the float64 results this reads.
    """
    from redshift_utils.book.paths import book_results_dir

    if not any((book_results_dir(preset, "float64") / f"{stem}.json").exists() for stem in chapters):
        return None
    rows = []
    for stem in chapters:
        documents = {}
        for dtype in ("float32", "float64"):
            path = book_results_dir(preset, dtype) / f"{stem}.json"
            documents[dtype] = read_results(path) if path.exists() else None
        by_dtype = {dtype: {c["id"]: c for c in doc["claims"]} if doc else {} for dtype, doc in documents.items()}
        hashes = {d: doc["library"]["source_hash"] if doc else None for d, doc in documents.items()}
        for claim_id in dict.fromkeys([*by_dtype["float32"], *by_dtype["float64"]]):
            v32 = by_dtype["float32"].get(claim_id, {}).get("verdict")
            v64 = by_dtype["float64"].get(claim_id, {}).get("verdict")
            rows.append(
                {
                    "notebook": stem,
                    "id": claim_id,
                    "float32": v32,
                    "float64": v64,
                    "fragile": v32 is not None and v64 is not None and v32 != v64,
                    "same_code": hashes["float32"] == hashes["float64"],
                }
            )
    return rows


def precision_table_html(rows: list[dict[str, Any]]) -> str:
    """The float32-vs-float64 table: one row per claim, fragile ones flagged."""
    head = "".join(f"<th>{h}</th>" for h in ("Chapter", "Claim", "float32", "float64", "Stable?"))
    body = []
    for row in rows:
        if row["float32"] is None or row["float64"] is None:
            status = "missing in one build"
        elif row["fragile"]:
            status = "⚠️ fragile"
        else:
            status = "stable" if row["same_code"] else "stable (builds from different library versions)"
        cells = (row["notebook"], row["id"], row["float32"] or "—", row["float64"] or "—", status)
        body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return f'<table class="table precision"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
