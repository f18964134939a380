"""The slide decks' Japanese text: claims and the paper's side of them come from the claims catalogue.

Unit tests on ``redshift_utils.book.slides`` (no build): a Japanese deck shows the catalogue's
translations of a claim's statement and paper text, and ``translate update``'s claims template
keeps the translated wordings that only other presets produce (see ``claims_template``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from redshift_utils.book import editions, slides
from redshift_utils.book.catalogues import catalogue_path, load, save

CLAIMS = catalogue_path("slides/claims", "ja")
# A chapter 5 statement written only when the run cannot test the claim (never at the smoke preset).
NOT_TESTED = "ReLU lowers complexity relative to GELU"


def translation(msgid: str) -> str:
    message = load(CLAIMS).get(msgid)
    assert message is not None and message.string and not message.fuzzy, f"not translated: {msgid}"
    return message.string


def test_japanese_deck_translates_statement_and_paper_text(tmp_path):
    statement = "Figure 5's magnitude axis scales the weights, not the biases"
    paper = "Figure 6: close correlations of C_Fourier with C_Legendre, C_Chebyshev and C_LZ"
    catalog = load(CLAIMS)
    if statement not in catalog:  # any translated statement of chapter 1 will do
        statement = next(m.id for m in catalog if m.id and m.string and "01_metrics" in m.auto_comments[0])
    claim = {"id": "x", "claim": statement, "paper": paper, "measured": "Spearman 0.9", "verdict": "reproduced",
             "kind": "paper", "paper_claim": 1, "estimate": 0.9, "ci_low": 0.8, "ci_high": 0.95}
    document = {"preset": "smoke", "claims": [claim]}
    ja = slides.make_deck("01_metrics", document, tmp_path / "01_metrics.json", "ja").markdown()
    en = slides.make_deck("01_metrics", document, tmp_path / "01_metrics.json", "en").markdown()
    assert slides.escape(translation(paper)) in ja and slides.escape(paper) not in ja
    assert slides.escape(translation(statement)) in ja
    assert slides.escape(paper) in en and slides.escape(statement) in en
    assert "Spearman 0\\.9" in ja  # the measured line stays as the chapter wrote it


def test_every_paper_text_the_catalogue_lists_is_translated():
    catalog = load(CLAIMS)
    papers = [m for m in catalog if m.id and m.auto_comments and m.auto_comments[0].endswith("(paper)")]
    assert len(papers) >= 50
    assert not [m.id for m in papers if not m.string or m.fuzzy]


def test_chapter_can_emit_a_wording_of_another_preset():
    assert slides.chapter_can_emit("05_transformers", NOT_TESTED)
    # an f-string statement with another value in its {...}
    other = "Random MLP weights kept for a low hinge on the training set generalise"
    assert slides.chapter_can_emit("04_trained_models", other)
    # a study module's wording (chapter 3 imports components_study)
    assert slides.chapter_can_emit("03_components", "Width has no impact on the preferred complexity.")
    assert not slides.chapter_can_emit("05_transformers", "ReLU raises complexity relative to GELU")
    assert not slides.chapter_can_emit("04_trained_models", "Random MLP weights kept")  # a fragment is not a wording


@pytest.fixture
def catalogue_folder(tmp_path, monkeypatch):
    """A claims catalogue with a live wording of another preset, an obsolete one and a stale one."""
    catalog = Catalog(locale="ja")
    comment = ["05_transformers: relu_lower (not tested)"]
    catalog.add(NOT_TESTED, "ReLU は GELU に比べて複雑度を下げる", auto_comments=comment)
    catalog.add("An old wording no chapter writes any more", "古い文", auto_comments=["05_transformers: gone"])
    catalog.add("Depth magnifies the differences across gains", "", auto_comments=["05_transformers: untranslated"])
    stale = Catalog(locale="ja")
    stale.add("Depth magnifies differences between activations", "深さは活性化関数間の差を拡大する")
    catalog.obsolete["Depth magnifies differences between activations"] = stale.get(
        "Depth magnifies differences between activations"
    )
    folder = tmp_path / "locale"
    save(catalog, folder / "ja" / "LC_MESSAGES" / "slides" / "claims.po")
    results = tmp_path / "05_transformers.json"
    claim = {"id": "relu_lower", "claim": "ReLU lowers the complexity of the sequences relative to GELU",
             "paper": "Section 5 / Figure 10: relative to GELU, ReLU gives lower LZ complexity"}
    results.write_text(json.dumps({"claims": [claim]}))
    monkeypatch.setattr(editions, "LOCALE_DIR", folder)
    monkeypatch.setattr(slides, "results_everywhere", lambda: [("05_transformers", results)])
    monkeypatch.setattr("redshift_utils.book.results.read_results", lambda path: json.loads(Path(path).read_text()))
    return tmp_path


def test_claims_template_keeps_translations_of_other_presets(catalogue_folder):
    pot = slides.claims_template(catalogue_folder / "pots")
    ids = {m.id for m in load(pot) if m.id}
    assert "ReLU lowers the complexity of the sequences relative to GELU" in ids  # from the results
    assert "Section 5 / Figure 10: relative to GELU, ReLU gives lower LZ complexity" in ids  # its paper text
    assert NOT_TESTED in ids  # translated, and chapter 5 can still write it
    assert "Depth magnifies differences between activations" in ids  # obsolete, translated, still written: revived
    assert "An old wording no chapter writes any more" not in ids  # stale: left to become obsolete
    assert "Depth magnifies the differences across gains" not in ids  # nothing to keep: untranslated


def test_claims_template_without_results_is_none(tmp_path, monkeypatch):
    monkeypatch.setattr(slides, "results_everywhere", lambda: [])
    assert slides.claims_template(tmp_path) is None


def test_deck_shows_the_saved_figures_up_to_the_limit(tmp_path):
    names = [f"02_activations-f{k}.png" for k in range(slides.MAX_FIGURES + 1)]
    for name in names:
        (tmp_path / name).write_bytes(b"png")
    claims = [{"id": f"c{k}", "claim": f"claim {k}", "paper": "p", "measured": "m", "verdict": "reproduced",
               "kind": "paper", "paper_claim": k} for k in range(12)]
    document = {"preset": "smoke", "claims": claims, "figures": [{"key": n[:-4], "file": n} for n in names]}
    deck = slides.make_deck("02_activations", document, tmp_path / "02_activations.json", "en")
    assert [f.name for f in deck.figures] == names[: slides.MAX_FIGURES]
    assert all(f"]({name})" in deck.markdown() for name in names[: slides.MAX_FIGURES])
    assert slides.MIN_SLIDES <= len(deck.slides) <= slides.MAX_SLIDES


def test_results_everywhere_reads_only_chapters_results(tmp_path, monkeypatch):
    """A results folder also holds the status page's status-costs.json: not a chapter's results
    (reading it as one made `translate update` fail after every book build)."""
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "05_transformers.json").write_text("{}")
    (folder / "status-costs.json").write_text("{}")
    monkeypatch.setattr(slides, "book_results_dir", lambda preset, dtype=None: folder if preset == "book" else tmp_path)
    assert slides.results_everywhere() == [("05_transformers", folder / "05_transformers.json")] * 2
