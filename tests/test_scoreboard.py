"""The scoreboard: paper claims first (by-construction rows apart), checks and literature, stability columns."""

from __future__ import annotations

import json

import pytest

from redshift_utils.book import scoreboard
from redshift_utils.book.results import claim


def row(id_, verdict="reproduced", kind="paper", paper_claim=1, by_construction=False, margin=0.01):
    item = claim(
        id_,
        f"claim {id_}",
        "paper",
        "0.1",
        verdict,
        "#s",
        0.05,
        0.15,
        kind=kind,
        paper_claim=paper_claim if kind == "paper" else None,
        rule="low > 0",
        margin=margin,
        by_construction=by_construction,
    )
    return {**item, "notebook": "02_activations", "source_hash": "x"}


def test_tables_split_by_kind_and_sanity_rows_are_not_counted():
    claims = [
        row("a", paper_claim=3),
        row("b", paper_claim=1),
        row("c", by_construction=True, paper_claim=9),
        row("d", kind="check"),
        row("e", kind="literature", verdict="partly"),
    ]
    tables = scoreboard.split_claims(claims)
    assert [c["id"] for c in tables["paper"]] == ["b", "a"]  # ordered by the paper's numbering
    assert [c["id"] for c in tables["sanity"]] == ["c"]
    assert scoreboard.verdict_counts(tables["paper"])["reproduced"] == 2
    covered = scoreboard.coverage(claims)
    assert covered[1] == ["b"] and covered[9] == ["c"] and covered[15] == []


def test_table_shows_rule_margin_and_both_languages():
    html = scoreboard.claims_table_html([row("a", margin=-0.02)], numbered=True)
    assert "low &gt; 0" in html and "-0.02" in html
    assert 'class="i18n-ja"' in html and "再現" in html and "Verdict" in html


def test_seeds_column_counts_the_seeds_that_agree(tmp_path, monkeypatch):
    monkeypatch.setattr(scoreboard, "BUILD_DIR", tmp_path)
    assert scoreboard.load_robustness("smoke") is None
    path = scoreboard.robustness_path("smoke")
    path.parent.mkdir(parents=True)
    table = {"claims": [{"notebook": "02_activations", "id": "a", "verdicts": ["reproduced", "partly", None]}]}
    path.write_text(json.dumps(table))
    robustness = scoreboard.load_robustness("smoke")
    assert scoreboard.seeds_holding(row("a"), robustness) == "1/2"
    assert scoreboard.seeds_holding(row("z"), robustness) == "—"
    assert "<th>" in scoreboard.claims_table_html([row("a")], robustness)
    path.write_text("{")
    with pytest.raises(ValueError, match="table.json"):
        scoreboard.load_robustness("smoke")
