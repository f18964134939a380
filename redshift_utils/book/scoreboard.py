"""The scoreboard: every claim checked anywhere in the book, read from the results JSON files.

Used by ``book/scoreboard.md``; never typed by hand, so it cannot drift from the chapters. The
paper's claims come first (counted per verdict; sanity checks that hold by construction are
shown but not counted), then the book's own checks and the claims of other papers. Each row
shows its rule and margin, and, where those runs exist, how many seeds it holds in
(``python -m redshift_utils robustness``) and whether float rounding decides it
(``make precision``). Fixed words are emitted in English and Japanese; the page's language
shows one of them (see ``_static/i18n.css``), so both editions share one executed notebook.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

from redshift_utils.book.paths import BUILD_DIR, book_results_dir
from redshift_utils.book.results import VERDICTS, read_results

VERDICT_ICONS = {"reproduced": "✅", "partly": "🟡", "inconclusive": "❔", "not reproduced": "❌", "not tested": "⚪"}
VERDICT_JA = {
    "reproduced": "再現",
    "partly": "部分的に再現",
    "inconclusive": "判定保留",
    "not reproduced": "再現せず",
    "not tested": "未検証",
}
HEADERS = {
    "number": ("#", "#"),
    "claim": ("Claim", "主張"),
    "paper": ("Paper's evidence", "論文の根拠"),
    "measured": ("This book measured", "本書の測定"),
    "rule": ("Rule", "判定規則"),
    "margin": ("Margin", "余裕"),
    "verdict": ("Verdict", "判定"),
    "seeds": ("Seeds", "シード"),
    "float64": ("float64", "float64"),
    "where": ("Where", "場所"),
}
CLAIM_DEFAULTS = {"kind": "paper", "paper_claim": None, "rule": "", "margin": None, "by_construction": False}


def bilingual(english: str, japanese: str) -> str:
    """HTML showing ``english`` in the English edition and ``japanese`` in the Japanese one."""
    if english == japanese:
        return html.escape(english)
    return (
        f'<span class="i18n-en">{html.escape(english)}</span>'
        f'<span class="i18n-ja" lang="ja">{html.escape(japanese)}</span>'
    )


def verdict_badge(verdict: str) -> str:
    icon = VERDICT_ICONS.get(verdict, "")
    return f"{icon} " + bilingual(verdict, VERDICT_JA.get(verdict, verdict))


def load_claims(preset: str, chapters: list[str], dtype: str | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """All claims of the chapters' results files for ``preset``, plus the chapters lacking a file."""
    claims, missing = [], []
    for stem in chapters:
        path = book_results_dir(preset, dtype) / f"{stem}.json"
        if not path.exists():
            missing.append(stem)
            continue
        document = read_results(path)
        for item in document.get("claims", []):
            claims.append(
                {**CLAIM_DEFAULTS, **item, "notebook": stem, "source_hash": document["library"]["source_hash"]}
            )
    return claims, missing


def split_claims(claims: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The scoreboard's tables: the paper's claims, sanity checks, the book's checks, literature."""
    tables: dict[str, list[dict[str, Any]]] = {"paper": [], "sanity": [], "check": [], "literature": []}
    for item in claims:
        if item["kind"] == "paper":
            tables["sanity" if item["by_construction"] else "paper"].append(item)
        else:
            tables[item["kind"]].append(item)
    tables["paper"].sort(key=lambda c: (c["paper_claim"] or 99, c["notebook"]))
    return tables


def verdict_counts(claims: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(item["verdict"] for item in claims)
    return {verdict: counts.get(verdict, 0) for verdict in VERDICTS}


def coverage(claims: list[dict[str, Any]]) -> dict[int, list[str]]:
    """For each of the paper's numbered claims, the ids of the rows that test it (may be empty)."""
    from redshift_utils.paper import CLAIMS

    rows: dict[int, list[str]] = {c.number: [] for c in CLAIMS}
    for item in claims:
        if item["kind"] == "paper" and item["paper_claim"] in rows:
            rows[item["paper_claim"]].append(item["id"])
    return rows


def robustness_path(preset: str) -> Path:
    return BUILD_DIR / "robustness" / preset / "table.json"


def load_robustness(preset: str) -> dict[tuple[str, str], dict[str, Any]] | None:
    """The robustness table of ``preset`` by (notebook, claim id); None when it was not run."""
    path = robustness_path(preset)
    if not path.exists():
        return None
    try:
        table = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"robustness table {path} cannot be read ({error}); rerun `make robustness`") from None
    return {(row["notebook"], row["id"]): row for row in table["claims"]}


def seeds_holding(item: dict[str, Any], robustness: dict[tuple[str, str], dict[str, Any]] | None) -> str:
    """``k/K``: in how many of the robustness seeds the claim gets the verdict shown."""
    if robustness is None:
        return ""
    row = robustness.get((item["notebook"], item["id"]))
    if row is None:
        return "—"
    verdicts = [v for v in row["verdicts"] if v is not None]
    return f"{sum(v == item['verdict'] for v in verdicts)}/{len(verdicts)}"


def format_measured(item: dict[str, Any]) -> str:
    text = str(item.get("measured", ""))
    low, high = item.get("ci_low"), item.get("ci_high")
    if low is not None and high is not None:
        text += f" (95% CI {low:.3g} to {high:.3g})"
    return text


def format_margin(margin: float | None) -> str:
    return "—" if margin is None else f"{margin:+.3g}"


def section_link(item: dict[str, Any]) -> str:
    """Relative link from ``book/scoreboard.html`` to the claim's chapter section."""
    section = str(item.get("section") or "")
    anchor = section.split("#", 1)[1] if "#" in section else ""
    target = f"../notebooks/{item['notebook']}.html" + (f"#{anchor}" if anchor else "")
    label = html.escape(item["notebook"] + (f" § {anchor}" if anchor else ""))
    return f'<a href="{html.escape(target)}">{label}</a>'


def claims_table_html(
    claims: list[dict[str, Any]],
    robustness: dict[tuple[str, str], dict[str, Any]] | None = None,
    fragile: dict[tuple[str, str], str] | None = None,
    numbered: bool = False,
) -> str:
    """One HTML row per claim: claim, evidence, measurement, rule, margin, verdict, stability, link."""
    columns = ["claim", "paper", "measured", "rule", "margin", "verdict"]
    if numbered:
        columns.insert(0, "number")
    if robustness is not None:
        columns.append("seeds")
    if fragile is not None:
        columns.append("float64")
    columns.append("where")
    head = "".join(f"<th>{bilingual(*HEADERS[c])}</th>" for c in columns)
    rows = []
    for item in claims:
        key = (item["notebook"], item["id"])
        cells = {
            "number": html.escape(str(item.get("paper_claim") or "")),
            "claim": html.escape(str(item["claim"])),
            "paper": html.escape(str(item["paper"])),
            "measured": html.escape(format_measured(item)),
            "rule": html.escape(str(item.get("rule") or "")),
            "margin": html.escape(format_margin(item.get("margin"))),
            "verdict": verdict_badge(item["verdict"]),
            "seeds": html.escape(seeds_holding(item, robustness)),
            "float64": fragile.get(key, "") if fragile is not None else "",
            "where": section_link(item),
        }
        rows.append("<tr>" + "".join(f"<td>{cells[c]}</td>" for c in columns) + "</tr>")
    body = "".join(rows)
    return f'<table class="table scoreboard"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def precision_rows(preset: str, chapters: list[str]) -> list[dict[str, Any]] | None:
    """Each claim's verdict in float32 and in float64 at ``preset``; None without a float64 build.

    A claim whose verdict differs between the two precisions is "fragile": its measurement sits
    so close to its rule's boundary that float rounding (which also differs between CPUs)
    decides it. ``make precision`` builds the float64 results this reads.
    """
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


def fragility_marks(rows: list[dict[str, Any]] | None) -> dict[tuple[str, str], str] | None:
    """(notebook, id) -> the float64 column's cell: the float64 verdict, flagged when it differs."""
    if rows is None:
        return None
    marks = {}
    for row in rows:
        if row["float64"] is None:
            marks[row["notebook"], row["id"]] = "—"
        elif row["fragile"]:
            marks[row["notebook"], row["id"]] = (
                "⚠️ " + bilingual("fragile", "不安定") + ": " + verdict_badge(row["float64"])
            )
        else:
            marks[row["notebook"], row["id"]] = bilingual("stable", "安定")
    return marks


def precision_table_html(rows: list[dict[str, Any]]) -> str:
    """The float32-vs-float64 table: one row per claim, fragile ones flagged."""
    head = "".join(
        f"<th>{bilingual(*h)}</th>"
        for h in (
            ("Chapter", "章"),
            ("Claim", "主張"),
            ("float32", "float32"),
            ("float64", "float64"),
            ("Stable?", "安定?"),
        )
    )
    body = []
    for row in rows:
        if row["float32"] is None or row["float64"] is None:
            status = bilingual("missing in one build", "一方のビルドに無し")
        elif row["fragile"]:
            status = "⚠️ " + bilingual("fragile", "不安定")
        elif row["same_code"]:
            status = bilingual("stable", "安定")
        else:
            status = bilingual("stable (builds from different library versions)", "安定(ライブラリの版が異なる)")
        cells = (
            html.escape(row["notebook"]),
            html.escape(row["id"]),
            verdict_badge(row["float32"]) if row["float32"] else "—",
            verdict_badge(row["float64"]) if row["float64"] else "—",
            status,
        )
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f'<table class="table precision"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
