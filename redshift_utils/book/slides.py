"""Slide decks to present a chapter from, in English and Japanese, generated from the executed book.

Each chapter gets a short reveal.js deck (8-15 slides): its title and question, the paper's
claims, one slide per checked claim (the paper's evidence, our number and the verdict), the
figures the chapter saved with ``Report.figure`` (no figure slide when it saved none), the
tally of verdicts, one discussion question from the reading-group plan, and where to read on.

Sources: the results files of the build (``book_results_dir(preset)/<stem>.json`` and the
figures next to them), the chapter's title (``notebooks/<stem>.md``), its question in the
intro's table and the first discussion question of its block in ``book/reading_group.md``.
The Japanese deck takes the translations of those texts from the Japanese catalogues
(``locale/ja/LC_MESSAGES/...``); claim statements, which the chapters write in code, from
``locale/ja/LC_MESSAGES/slides/claims.po`` when it translates them (English otherwise), and so
is each claim's "paper" line (what the paper says: a fixed text of the chapter). The
"measured" line stays as the chapter wrote it: numbers with a few English labels, built at run
time, which no catalogue can list. Fixed words are in this module, verdicts in the scoreboard's
words.

The decks are built with sphinx-revealjs (``-W``) into ``<html>/slides/<lang>/<stem>.html``,
with reveal.js's ``white`` theme (its fonts are bundled; several other themes and the math
plugin load from the web) and no plugin: nothing is loaded from outside.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redshift_utils.book.paths import REPO_ROOT, book_results_dir

MAX_SLIDES = 15
MIN_SLIDES = 8
MAX_FIGURES = 3
WORDS = {
    "en": {
        "book": "Neural Redshift, reproduced",
        "chapter": "Chapter {n}",
        "preset": "numbers of the {preset} build",
        "question": "The question",
        "section": "Paper: section {section}",
        "claims": "What the paper claims",
        "claim": "Claim {k} of {n}",
        "paper": "Paper",
        "measured": "We measured",
        "estimate": "Estimate",
        "interval": "95% interval",
        "verdict": "Verdict",
        "rule": "Rule",
        "figure": "Our figure",
        "tally": "Verdicts in this chapter",
        "discuss": "Discuss",
        "more": "Read on",
        "chapter_page": "The chapter, with code and every number",
        "scoreboard": "The scoreboard: every claim of the book",
        "other_claims": "{n} more claims on the chapter page",
    },
    "ja": {
        "book": "Neural Redshift を再現する",
        "chapter": "第{n}章",
        "preset": "{preset} ビルドの数値",
        "question": "問い",
        "section": "論文: {section}",
        "claims": "論文の主張",
        "claim": "主張 {k} / {n}",
        "paper": "論文",
        "measured": "本書の測定",
        "estimate": "推定値",
        "interval": "95% 区間",
        "verdict": "判定",
        "rule": "判定規則",
        "figure": "本書の図",
        "tally": "この章の判定",
        "discuss": "議論",
        "more": "続きを読む",
        "chapter_page": "章のページ(コードとすべての数値)",
        "scoreboard": "スコアボード(本書のすべての主張)",
        "other_claims": "ほか {n} 件の主張は章のページに",
    },
}
PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|$~^&:=\"'])")
ROLE = re.compile(r"\{[a-z:-]+\}`(?:([^`<]*?)\s*<[^`>]+>|([^`]+))`")


def escape(text: str) -> str:
    """Plain text as MyST Markdown: every ASCII punctuation character backslash-escaped."""
    return PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def plain(markdown: str) -> str:
    """Markdown of the book (roles, emphasis) as plain text for a slide."""
    text = ROLE.sub(lambda m: (m.group(1) or m.group(2)).split("/")[-1], markdown)
    text = re.sub(r"\*\*?([^*]+)\*\*?", r"\1", text)
    text = text.replace("`", "")
    return " ".join(text.split())


def chapter_title(stem: str) -> str:
    for line in (REPO_ROOT / "notebooks" / f"{stem}.md").read_text().splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return stem


def intro_row(stem: str) -> tuple[str, str] | None:
    """(paper section, question) of a chapter in the intro's table."""
    for line in (REPO_ROOT / "book" / "intro.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and f"notebooks/{stem}`" in cells[0]:
            return cells[1], cells[2]
    return None


def discussion_question(stem: str) -> str | None:
    """The first discussion question of the reading-group block that shows this chapter."""
    text = (REPO_ROOT / "book" / "reading_group.md").read_text()
    for block in re.split(r"\n(?=## )", text):
        show = re.search(r"\*\*Show:\*\*(.*?)(?:\n\n)", block, re.DOTALL)
        if not show or f"notebooks/{stem}`" not in show.group(1):
            continue
        discuss = re.search(r"\*\*Discuss:\*\*\s*\n((?:- .*\n(?:  .*\n)*)+)", block + "\n")
        if discuss:
            first = re.split(r"\n(?=- )", discuss.group(1).strip())[0]
            return " ".join(first[2:].split())
    return None


class Translations:
    """Look-ups in the catalogues of one language (English: the text itself)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._catalogs: dict[str, Any] = {}

    def get(self, docname: str, msgid: str) -> str:
        if self.language == "en" or not msgid:
            return msgid  # the empty msgid is the catalogue's header
        if docname not in self._catalogs:
            from redshift_utils.book.catalogues import catalogue_path, load

            path = catalogue_path(docname, self.language)
            self._catalogs[docname] = load(path) if path.exists() else None
        catalog = self._catalogs[docname]
        message = catalog.get(msgid) if catalog is not None else None
        if message is None or message.fuzzy or not message.string:
            return msgid
        return message.string


@dataclass
class Deck:
    stem: str
    language: str
    slides: list[str] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)

    def add(self, title: str, *body: str) -> None:
        self.slides.append("\n\n".join([f"# {title}", *[b for b in body if b]]))

    def markdown(self) -> str:
        return "\n\n".join(self.slides) + "\n"


def verdict_words(language: str) -> dict[str, str]:
    from redshift_utils.book.results import VERDICTS
    from redshift_utils.book.scoreboard import VERDICT_JA

    # Words only: the scoreboard's icons are emoji, drawn as empty boxes where no emoji font is installed.
    return dict(VERDICT_JA) if language == "ja" else {v: v for v in VERDICTS}


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def make_deck(stem: str, document: dict[str, Any], results: Path, language: str) -> Deck:
    """The slides of one chapter in one language, as MyST Markdown (one ``#`` section per slide)."""
    words = WORDS[language]
    verdicts = verdict_words(language)
    book = Translations(language)
    deck = Deck(stem, language)
    chapter = stem.split("_")[0].lstrip("0") or "0"  # "01" -> "1", "03b" (a page after chapter 3) -> "3b"
    title = book.get(f"notebooks/{stem}", chapter_title(stem))
    deck.add(
        escape(title),
        f"**{escape(words['book'])}** · {escape(words['chapter'].format(n=chapter))}",
        escape(words["preset"].format(preset=document.get("preset"))),
    )
    row = intro_row(stem)
    if row:
        section, question = row
        deck.add(
            escape(words["question"]),
            f"**{escape(plain(book.get('book/intro', question)))}**",
            escape(words["section"].format(section=plain(book.get("book/intro", section)))),
        )
    claims_text = Translations(language)
    claims = [c for c in document.get("claims", []) if not c.get("by_construction")]
    claims.sort(key=lambda c: (c.get("kind") != "paper", c.get("paper_claim") or 99))
    figures = [results.parent / f["file"] for f in document.get("figures", []) if (results.parent / f["file"]).exists()]
    figures = figures[:MAX_FIGURES]
    fixed = 5 + (1 if row else 0) + len(figures)  # title, claims list, tally, discussion, read on
    shown = claims[: max(0, MAX_SLIDES - fixed)]
    paper_claims = [c for c in claims if c.get("kind") == "paper"] or claims
    items = "\n".join(f"- {escape(claims_text.get('slides/claims', c['claim']))}" for c in paper_claims[:4])
    deck.add(escape(words["claims"]), items)
    for k, item in enumerate(shown, 1):
        interval = ""
        if item.get("ci_low") is not None and item.get("ci_high") is not None:
            interval = f"{words['interval']} {number(item['ci_low'])} – {number(item['ci_high'])}"
        estimate = f"{words['estimate']} {number(item['estimate'])}" if item.get("estimate") is not None else ""
        numbers = " · ".join(x for x in (estimate, interval) if x)
        deck.add(
            escape(words["claim"].format(k=k, n=len(claims))),
            f"**{escape(claims_text.get('slides/claims', item['claim']))}**",
            f"{escape(words['paper'])}: {escape(claims_text.get('slides/claims', item.get('paper', '')))}",
            f"{escape(words['measured'])}: {escape(item.get('measured', ''))}",
            escape(numbers) if numbers else "",
            f"{escape(words['verdict'])}: **{escape(verdicts[item['verdict']])}**",
        )
    for index, figure in enumerate(figures, 1):
        deck.figures.append(figure)
        deck.add(
            escape(words["figure"]) + (f" {index}" if len(figures) > 1 else ""),
            f"![{escape(figure.stem)}]({figure.name})",
        )
    from collections import Counter

    tally = Counter(c["verdict"] for c in claims)
    lines = [f"- {escape(verdicts[v])}: {n}" for v, n in tally.items() if n]
    if len(claims) > len(shown):
        lines.append(f"- {escape(words['other_claims'].format(n=len(claims) - len(shown)))}")
    deck.add(escape(words["tally"]), "\n".join(lines))
    question = discussion_question(stem)
    if question:
        deck.add(escape(words["discuss"]), f"**{escape(plain(book.get('book/reading_group', question)))}**")
    edition = "" if language == "en" else f"{language}/"
    chapter_url = f"../../{edition}notebooks/{stem}.html"
    scoreboard_url = f"../../{edition}book/scoreboard.html"
    deck.add(
        escape(words["more"]),
        f'- <a href="{chapter_url}">{escape(words["chapter_page"])}</a>\n'
        f'- <a href="{scoreboard_url}">{escape(words["scoreboard"])}</a>',
    )
    return deck


CONF = """# Generated by redshift_utils/book/slides.py: the configuration of one language's decks.
project = {project!r}
language = {language!r}
extensions = ["myst_parser", "sphinx_revealjs"]
myst_enable_extensions = []
exclude_patterns = ["_build"]
revealjs_style_theme = "white"  # its fonts are bundled; themes such as "simple" import web fonts
revealjs_script_plugins = []  # no plugin: the math plugin loads MathJax from a CDN by default
revealjs_script_conf = {{"hash": True, "controls": True, "progress": True, "slideNumber": "c/t",
                        "transition": "none", "center": True}}
revealjs_css_files = ["deck.css"]
revealjs_static_path = ["_static"]
html_show_sourcelink = False
"""
CSS = """/* The book's decks: room for a claim, its numbers and its verdict on one slide. */
.reveal { font-size: 30px; }
.reveal h1 { font-size: 1.5em; text-transform: none; }
.reveal .slides section { text-align: left; }
.reveal .slides section h1 { text-align: center; }
.reveal p, .reveal li { line-height: 1.35; font-size: 0.8em; }
.reveal p:first-of-type strong:only-child { font-size: 1.15em; }
.reveal img { max-height: 70vh; background: #fff; }
"""


def chapters_with_results(preset: str) -> list[tuple[str, Path]]:
    from redshift_utils.book.parameters import all_notebooks

    folder = book_results_dir(preset)
    return [(stem, folder / f"{stem}.json") for stem in all_notebooks() if (folder / f"{stem}.json").exists()]


def write_sources(preset: str, language: str, source: Path) -> list[Deck]:
    """The deck sources of one language (conf.py, one Markdown file per chapter, its figures)."""
    from redshift_utils.book.results import read_results

    if source.exists():
        shutil.rmtree(source)
    (source / "_static").mkdir(parents=True)
    (source / "_static" / "deck.css").write_text(CSS)
    (source / "conf.py").write_text(CONF.format(project=WORDS[language]["book"], language=language))
    decks = []
    for stem, path in chapters_with_results(preset):
        deck = make_deck(stem, read_results(path), path, language)
        (source / f"{stem}.md").write_text(deck.markdown())
        for figure in deck.figures:
            shutil.copy2(figure, source / figure.name)
        decks.append(deck)
    links = "\n".join(f'- <a href="{d.stem}.html">{escape(d.stem)}</a>' for d in decks)
    toctree = "\n".join(["```{toctree}", ":hidden:", *[d.stem for d in decks], "```"])
    (source / "index.md").write_text(f"# {escape(WORDS[language]['book'])}\n\n{links}\n\n{toctree}\n")
    return decks


def build_decks(preset: str, languages: tuple[str, ...] = ("en", "ja")) -> int:
    """Build every chapter's deck in each language into ``<html>/slides/<lang>/``; the exit code."""
    import time

    started = time.monotonic()
    code = 0
    from redshift_utils.book.editions import html_dir

    html = html_dir(preset)
    for language in languages:
        source = html.parent / "slides-src" / language
        decks = write_sources(preset, language, source)
        for deck in decks:
            if not MIN_SLIDES <= len(deck.slides) <= MAX_SLIDES:
                print(f"error: the {language} deck of {deck.stem} has {len(deck.slides)} slides", file=sys.stderr)
                code = 1
        out = html / "slides" / language
        if out.exists():
            shutil.rmtree(out)
        command = [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "revealjs",
            "-W",
            "--keep-going",
            "-q",
            "-E",
            str(source),
            str(out),
            "-d",
            str(source / "_doctrees"),
        ]
        code = max(code, subprocess.call(command, cwd=REPO_ROOT))
    print(f"decks: {html / 'slides'} ({time.monotonic() - started:.0f} s)")
    return code


def results_everywhere() -> list[tuple[str, Path]]:
    """(stem, results file) of every build that has results: each preset, float32 and float64.

    Only the chapters' results: a results folder also holds other files (the status page's
    ``status-costs.json``), which are not results documents.
    """
    from redshift_utils.book.paths import NOTEBOOKS_DIR, PRESETS

    chapters = {path.stem for path in NOTEBOOKS_DIR.glob("*.md")}
    found = []
    for preset in ("book", *[p for p in PRESETS if p != "book"]):
        for dtype in (None, "float64"):
            folder = book_results_dir(preset, dtype)
            files = sorted(folder.glob("*.json")) if folder.is_dir() else []
            found += [(p.stem, p) for p in files if p.stem in chapters]
    return found


def _pattern(node: Any) -> tuple[str, int]:
    """(regex, number of literal characters) of the strings a Python expression can evaluate to.

    Literal text is matched as written (whitespace runs as one space), anything computed
    (an f-string's ``{...}``, a ``join``, a variable) as ``.*?``.
    """
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = re.sub(r"\s+", " ", node.value)
        return re.escape(text), len(text.strip())
    if isinstance(node, ast.JoinedStr):
        parts = [_pattern(v) if isinstance(v, ast.Constant) else (".*?", 0) for v in node.values]
        return "".join(p for p, _ in parts), sum(n for _, n in parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        (left, a), (right, b) = _pattern(node.left), _pattern(node.right)
        return left + right, a + b
    return ".*?", 0


def _string_patterns(source: str) -> list[tuple[re.Pattern[str], int]]:
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp)):
            regex, literal = _pattern(node)
            if literal >= 12:
                found.append((re.compile(regex, re.DOTALL), literal))
    return found


def chapter_wordings(stem: str) -> list[tuple[re.Pattern[str], int]]:
    """Every string expression of ``notebooks/<stem>.md`` and its study modules, as (pattern, literal length).

    A claim's statement or paper text is one of them, whatever the preset filled in its
    ``{...}``. The chapter's ``from redshift_utils import X`` modules count too (a study module
    may word a chapter's claims). Expressions with fewer than 12 literal characters are left out
    (they match anything).
    """
    import jupytext

    path = REPO_ROOT / "notebooks" / f"{stem}.md"
    if not path.exists():
        return []
    code = "\n".join(c.source for c in jupytext.read(path).cells if c.cell_type == "code")
    sources = [code]
    for line in code.splitlines():
        match = re.match(r"\s*from redshift_utils(\.[\w.]+)? import (\w+)", line)
        if match:
            module = "redshift_utils" + (match.group(1) or "")
            for candidate in (f"{module}.{match.group(2)}", module):
                file = REPO_ROOT / (candidate.replace(".", "/") + ".py")
                if file.exists():
                    sources.append(file.read_text())
                    break
    patterns = []
    for cell in [c.source for c in jupytext.read(path).cells if c.cell_type == "code"] + sources[1:]:
        patterns += _string_patterns(cell)
    return patterns


def chapters_in_book() -> list[tuple[str, Path]]:
    return [(p.stem, p) for p in sorted((REPO_ROOT / "notebooks").glob("0*.md"))]


def chapter_can_emit(stem: str, text: str, _cache: dict[str, Any] = {}) -> bool:  # noqa: B006 - a memo
    """Whether the chapter's code can still produce ``text`` (at some preset or parameter).

    True when a string expression of the chapter matches the whole text and its literal part
    is at least half of it (so a bare ``f"{x}"`` does not vouch for anything).
    """
    if stem not in _cache:
        _cache[stem] = chapter_wordings(stem)
    text = " ".join(text.split())
    return any(p.fullmatch(text) and 2 * literal >= len(text) for p, literal in _cache[stem])


def claims_template(folder: Path) -> Path | None:
    """``<folder>/slides/claims.pot``: every claim statement and "paper" text the decks can show.

    The decks show each claim's statement and the paper's side of it, which the chapters write
    in code; the Japanese decks take their translations from
    ``locale/ja/LC_MESSAGES/slides/claims.po`` (``translate update`` merges this template into
    it with sphinx-intl, which turns every entry missing from the template into an obsolete
    ``#~`` entry that the decks no longer read). A chapter's wording can depend on the preset
    (chapter 5 words a claim it cannot test at the smoke preset differently, and states the
    "shoulders" claim only when the gain grid is fine enough), so the results of one build
    never hold all of them. The template therefore takes:

    * the statements and paper texts of every results file of every build present (each preset,
      float32 and float64), and
    * every translated entry of the catalogues, obsolete ones included, whose text the chapter
      named in its comment can still produce (``chapter_can_emit``: a string expression of the
      chapter's code matches it), so a translation made for another preset's wording stays live
      until the chapter's code no longer writes it.

    None when no build has results yet (the catalogue is then left as it is).
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from redshift_utils.book.editions import LOCALE_DIR
    from redshift_utils.book.results import read_results

    found = results_everywhere()
    if not found:
        return None
    catalog = Catalog(project="Neural Redshift, reproduced: slide decks")
    for stem, path in found:
        for item in read_results(path).get("claims", []):
            for text, note in ((item["claim"], ""), (item.get("paper") or "", " (paper)")):
                if text and text not in catalog:
                    catalog.add(text, context=None, auto_comments=[f"{stem}: {item['id']}{note}"])
    from redshift_utils.book.catalogues import load

    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/slides/claims.po")):
        old = load(po)
        for message in [*old, *old.obsolete.values()]:
            if not message.id or not message.string or message.fuzzy or message.id in catalog:
                continue
            comment = message.auto_comments[0] if message.auto_comments else ""
            stems = [comment.split(":")[0]] if ":" in comment else [s for s, _ in chapters_in_book()]
            if any(chapter_can_emit(stem, message.id) for stem in stems):
                catalog.add(message.id, context=None, auto_comments=message.auto_comments or [comment])
    target = folder / "slides" / "claims.pot"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        write_po(handle, catalog, width=76)
    return target
