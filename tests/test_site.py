"""The built site works in a real browser: every page of the smoke build, in headless Chromium.

Both editions (English in ``html/``, Japanese in ``html/ja/``) and every slide deck
(``html/slides/<lang>/``). Fails on a missing figure, unrendered math, a JavaScript error (or
any error the browser logs, such as a file that fails to load), a request that leaves the
machine, Japanese text drawn as empty boxes (no font), a broken internal link, a page without
its twin in the other edition, or a glued number of an English page missing from its
Japanese page; saves screenshots of the intro, a chapter and the explorer, in light and dark
mode, and of the Japanese intro and a deck, under ``_build/screenshots/``.
The smoke build is reused when it is newer than every source (tests/test_notebooks.py builds
it just before this file runs); otherwise it is built here.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import matplotlib.image
import numpy as np
import pytest
from browser import Browser, require_browser

from redshift_utils.book.paths import BUILD_DIR, REPO_ROOT, build_root

HTML = build_root("smoke") / "_build" / "html"  # float64 test runs build into _build/float64/smoke
SCREENSHOTS = BUILD_DIR / "screenshots"
SOURCES = ["_toc.yml", "_config.yml", "book", "notebooks", "_static", "locale"]
CHAPTER = "notebooks/01_metrics.html"
SHOTS = {"intro": "book/intro.html", "chapter": CHAPTER, "explorer": "book/explorer.html"}
LANGUAGES = ("en", "ja")

# Japanese glyphs drawn in the page's own font: with no Japanese font every character becomes
# the same empty box ("tofu"), so distinct characters giving identical bitmaps means no font.
TOFU_CHECK = r"""
(() => {
  const element = document.querySelector("main h1") || document.querySelector("h1") || document.body;
  const text = element.textContent + " " + document.body.innerText.slice(0, 2000);
  const characters = Array.from(new Set(text.match(/[\u3040-\u30ff\u3400-\u9fff]/g) || [])).slice(0, 8);
  const canvas = document.createElement("canvas");
  canvas.width = 48; canvas.height = 48;
  const context = canvas.getContext("2d");
  context.font = `32px ${getComputedStyle(element).fontFamily}`;
  const shapes = characters.map((character) => {
    context.clearRect(0, 0, 48, 48);
    context.fillText(character, 4, 38);
    return Array.from(context.getImageData(0, 0, 48, 48).data.filter((_, i) => i % 4 === 3)).join(",");
  });
  return {characters: characters.join(""), distinct: new Set(shapes).size,
          inked: shapes.filter((shape) => /[1-9]/.test(shape)).length};
})()
"""

# Runs in each page once it has loaded: waits for images and MathJax, then reports problems.
CHECK_PAGE = r"""
(async () => {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const images = Array.from(document.images);
  for (const img of images) img.loading = "eager";
  await Promise.all(images.map((img) => img.complete ? null : new Promise((resolve) => {
    img.addEventListener("load", resolve); img.addEventListener("error", resolve); setTimeout(resolve, 10000);
  })));
  const math = Array.from(document.querySelectorAll(".math"));
  if (math.length) {
    for (let t = 0; t < 400 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); t++) await sleep(25);
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  }
  const main = document.querySelector("main") || document.body;
  const skip = "pre, code, script, style, textarea, .highlight, mjx-container, kbd, .math";
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => node.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const raw = [];
  while (walker.nextNode()) {
    const text = walker.currentNode.nodeValue;
    // Delimiters MathJax would have consumed, or $...$ that the MyST parser left as text.
    const unparsed = /\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\\frac\{|\$[^$\s]([^$\n]*[^$\s\\])?\$/;
    if (unparsed.test(text)) raw.push(text.trim().slice(0, 100));
  }
  return {
    missingImages: images.filter((img) => img.naturalWidth === 0).map((img) => img.getAttribute("src")),
    images: images.length,
    math: math.length,
    unrenderedMath: math.filter((node) => !node.querySelector("mjx-container")).map((n) => n.textContent.slice(0, 100)),
    rawMath: raw,
    theme: document.documentElement.dataset.theme || "",
    visibleSearchFields: Array.from(document.querySelectorAll(".search-button-field"))
      .filter((el) => el.offsetParent !== null).length,
    background: getComputedStyle(document.body).backgroundColor,
  };
})()
"""


def newest_source() -> float:
    times = []
    for name in SOURCES:
        path = REPO_ROOT / name
        files = (
            [path]
            if path.is_file()
            else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".mo"]
        )
        times += [p.stat().st_mtime for p in files]
    return max(times)


def built_pages() -> list[Path]:
    """Every HTML page of both editions (not theme templates under _static, not the decks)."""
    pages = []
    for page in HTML.rglob("*.html"):
        parts = page.relative_to(HTML).parts
        if parts[0] != "slides" and not any(part.startswith("_") for part in parts[:-1]):
            pages.append(page)
    return sorted(pages)


def decks() -> list[Path]:
    """Every chapter's slide deck, in every language."""
    return sorted(p for language in LANGUAGES for p in (HTML / "slides" / language).glob("0*.html"))


def edition(page: Path) -> str:
    return "ja" if page.relative_to(HTML).parts[0] == "ja" else "en"


def tofu_problem(tab, name: str) -> str | None:
    """A message when the page's Japanese text shows no real glyphs."""
    report = tab.evaluate(TOFU_CHECK)
    if len(report["characters"]) < 2:
        return f"{name}: no Japanese text found to check the font with"
    if report["distinct"] < 2 or report["inked"] < len(report["characters"]):
        return f"{name}: Japanese text {report['characters']!r} drawn as boxes (no Japanese font?) {report}"
    return None


@pytest.fixture(scope="module")
def site() -> Path:
    pages = built_pages() if HTML.is_dir() else []
    if not pages or min(p.stat().st_mtime for p in pages) < newest_source():
        result = subprocess.run(
            [sys.executable, "-m", "redshift_utils", "book", "--preset", "smoke"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        output = result.stdout + result.stderr
        problems = [line for line in output.splitlines() if re.search(r"WARNING|ERROR|Error", line)]
        problems = [line for line in problems if "Kernel is running over TCP" not in line]
        assert result.returncode == 0, "the smoke build failed:\n" + "\n".join(problems[-30:]) + output[-2000:]
    return HTML


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium or Chrome; skipped with a how-to when there is none (failed under CI=true, see browser.py)."""
    executable = require_browser()
    with Browser(executable, width=1280, height=900) as chromium:
        yield chromium


class LinkCollector(HTMLParser):
    """Local references (href/src) and element ids of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        for attr in ("href", "src"):
            if values.get(attr) and tag in ("a", "link", "img", "script", "iframe", "source", "video"):
                self.references.append(values[attr])
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            match = re.search(r"url=(\S+)", values.get("content") or "", re.IGNORECASE)
            if match:
                self.references.append(match.group(1).strip("'\""))


def parse(page: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(page.read_text(errors="replace"))
    return collector


def test_every_toc_entry_is_a_built_page(site):
    toc = (REPO_ROOT / "_toc.yml").read_text()
    for entry in re.findall(r"(?:file|root): (\S+)", toc):
        assert (site / f"{entry}.html").exists(), f"{entry} is in _toc.yml but was not built"
        assert (site / "ja" / f"{entry}.html").exists(), f"{entry} has no page in the Japanese edition"
        if entry.startswith("notebooks/"):
            stem = entry.split("/")[1]
            for language in LANGUAGES:
                assert (site / "slides" / language / f"{stem}.html").exists(), f"no {language} deck for {stem}"
    assert (site / "book" / "explorer.html").exists()
    assert 'lang="ja"' in (site / "ja" / "book" / "intro.html").read_text()[:500]


def test_japanese_edition_reads_the_english_builds_execution(site):
    """No chapter is executed twice: the ja build takes every chapter from the English build's cache."""
    from redshift_utils.book.editions import executed_chapters

    log = site.parent / "ja" / "build.log"
    text = log.read_text()
    read = set(re.findall(r"reading sources\.\.\..*?(notebooks/\w+)", text))
    cached = set(re.findall(r"(notebooks/\w+)\.md: Using cached notebook", text))
    assert read <= cached, f"chapters read without the cache: {sorted(read - cached)} (see {log})"
    assert not executed_chapters(log), f"the Japanese build executed chapters again (see {log})"


def test_every_page_links_to_the_same_page_in_the_other_edition(site):
    problems = []
    for page in built_pages():
        html = page.read_text(errors="replace")
        if 'http-equiv="Refresh"' in html[:300]:
            continue
        match = re.search(r'<a href="([^"]+)" class="btn btn-sm redshift-edition-switch" hreflang="(\w+)"', html)
        name = str(page.relative_to(site))
        if not match:
            problems.append(f"{name}: no language switcher")
            continue
        target = (page.parent / match.group(1)).resolve()
        twin = site / name[3:] if edition(page) == "ja" else site / "ja" / name
        if target != twin.resolve() or not target.exists():
            problems.append(f"{name}: switcher points to {match.group(1)}, not to {twin.relative_to(site)}")
        if match.group(2) == edition(page):
            problems.append(f"{name}: switcher points to its own language {match.group(2)}")
    assert not problems, "\n".join(problems)


def glued_values(page: Path) -> list[str]:
    """The text of every value glued into a page's prose (myst-nb's pasted nodes), in order."""
    html = page.read_text(errors="replace")
    body = html.split("<main", 1)[-1]
    values = re.findall(r'<span class="pasted-text">(.*?)</span>', body)
    # Sphinx makes quotes typographic in English and leaves them straight in Japanese.
    straight = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "--", "—": "---"})
    return [html_unescape(re.sub(r"<[^>]+>", "", value)).translate(straight).strip() for value in values]


def test_every_glued_value_of_an_english_page_is_on_its_japanese_page(site):
    """Numbers glued into English sentences must survive translation (a glue role dropped or broken loses them)."""
    from collections import Counter

    problems = []
    checked = 0
    for page in built_pages():
        if edition(page) != "en":
            continue
        name = str(page.relative_to(site))
        english = Counter(glued_values(page))
        if not english:
            continue
        twin = site / "ja" / name
        japanese = Counter(glued_values(twin)) if twin.exists() else Counter()
        lost = english - japanese
        checked += sum(english.values())
        if lost:
            problems.append(
                f"{name}: {sum(lost.values())} of {sum(english.values())} glued values missing in ja: "
                + ", ".join(f"{v!r} x{n}" for v, n in list(lost.items())[:10])
            )
    assert checked > 100, f"only {checked} glued values found: is the smoke build complete?"
    assert not problems, "\n".join(problems)


def test_internal_links_resolve(site):
    parsed = {page: parse(page) for page in built_pages()}
    ids = {page.resolve(): collector.ids for page, collector in parsed.items()}
    broken = []
    for page, collector in parsed.items():
        for reference in collector.references:
            parts = urlsplit(reference)
            if parts.scheme or reference.startswith("//") or not (parts.path or parts.fragment):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            where = f"{page.relative_to(site)} -> {reference}"
            if not target.exists():
                broken.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html" and target in ids:
                if unquote(parts.fragment) not in ids[target]:
                    broken.append(f"{where} (no id {parts.fragment!r} there)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


def toc_pages() -> list[str]:
    import yaml

    toc = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]


@pytest.mark.parametrize("page", toc_pages())
def test_glued_values_are_numbers_not_english_words(site, page):
    """A glued English phrase would stay English in the Japanese sentence: glue numbers, keep words in the prose."""
    import json

    from redshift_utils.book.catalogues import worded_glue

    path = site.parent / "jupyter_execute" / f"{page}.glue.json"
    if not path.exists():
        return
    worded = worded_glue(json.loads(path.read_text()))
    assert not worded, f"{page}: {len(worded)} glued values with English words:\n" + "\n".join(
        f"  {key}: {value[:90]!r}" for key, value in worded.items()
    )


def test_every_page_renders_in_chromium(site, browser):
    """Every page of both editions: figures, math, no errors, no request leaving the machine, Japanese glyphs."""
    tab = browser.page()
    problems = []
    pages = [p for p in built_pages() if 'http-equiv="Refresh"' not in p.read_text(errors="replace")[:300]]
    assert len(pages) >= 16 and any(edition(p) == "ja" for p in pages)
    for page in pages:
        name = str(page.relative_to(site))
        tab.goto(page.as_uri())
        report = tab.evaluate(CHECK_PAGE, timeout=120)
        problems += [f"{name}: request leaving the machine: {url}" for url in tab.external_requests()]
        if edition(page) == "ja" and page.stem not in ("genindex", "search"):
            problems += [p for p in [tofu_problem(tab, name)] if p]
        problems += [f"{name}: missing figure {src}" for src in report["missingImages"]]
        problems += [f"{name}: unrendered math {text!r}" for text in report["unrenderedMath"]]
        problems += [f"{name}: raw LaTeX in the text {text!r}" for text in report["rawMath"]]
        problems += [f"{name}: {error}" for error in tab.errors()]
        if report["visibleSearchFields"] != 1:  # the theme's top bar repeats the sidebar's (_static/header_fix.css)
            problems.append(f"{name}: {report['visibleSearchFields']} visible search fields, expected 1")
    tab.close()
    assert not problems, "\n".join(problems)


def test_figures_have_opaque_white_borders_for_dark_mode(site):
    """A transparent or dark-edged figure turns illegible on the dark theme."""
    bad = []
    figures = sorted((site / "_images").glob("*.png"))
    for figure in figures:
        image = matplotlib.image.imread(figure)
        border = np.concatenate(
            [
                image[:2].reshape(-1, image.shape[-1]),
                image[-2:].reshape(-1, image.shape[-1]),
                image[:, :2].reshape(-1, image.shape[-1]),
                image[:, -2:].reshape(-1, image.shape[-1]),
            ]
        )
        opaque = image.shape[-1] < 4 or border[:, 3].min() >= 0.99
        light = border[:, :3].mean() >= 0.9
        if not (opaque and light):
            bad.append(f"{figure.name}: opaque border {opaque}, mean border level {border[:, :3].mean():.2f}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_intro_chapter_and_explorer(site, browser, mode):
    tab = browser.page(dark=mode == "dark")
    saved = []
    for label, relative in SHOTS.items():
        tab.goto((site / relative).as_uri())
        report = tab.evaluate(CHECK_PAGE, timeout=120)
        assert not tab.errors(), (relative, mode, tab.errors())
        assert report["theme"] == mode, f"{relative}: theme {report['theme']!r}, expected {mode}"
        level = [int(v) for v in re.findall(r"\d+", report["background"])[:3]]
        assert (sum(level) / 3 < 80) if mode == "dark" else (sum(level) / 3 > 200), (relative, report["background"])
        saved.append(tab.screenshot(SCREENSHOTS / f"{label}_{mode}.png"))
        if label == "chapter":
            tab.evaluate("document.querySelector('.cell_output img').scrollIntoView({block: 'center'}), true")
            saved.append(tab.screenshot(SCREENSHOTS / f"{label}_figure_{mode}.png"))
        if label == "explorer":
            rendered = tab.evaluate("window.redshiftExplorer.lastRender()")
            assert rendered and 0 < rendered["fourier"] < 2, rendered
            assert tab.evaluate("document.querySelectorAll('#redshift-explorer canvas').length") == 2
            tab.evaluate("document.getElementById('redshift-explorer').scrollIntoView(), true")
            saved.append(tab.screenshot(SCREENSHOTS / f"{label}_widget_{mode}.png"))
    tab.close()
    for path in saved:
        assert path.stat().st_size > 10_000, f"{path.name} looks empty"


def test_japanese_intro_screenshot(site, browser):
    tab = browser.page()
    tab.goto((site / "ja" / "book" / "intro.html").as_uri())
    tab.evaluate(CHECK_PAGE, timeout=120)
    assert not tab.errors(), tab.errors()
    assert tofu_problem(tab, "ja/book/intro.html") is None
    path = tab.screenshot(SCREENSHOTS / "intro_ja.png")
    tab.close()
    assert path.stat().st_size > 10_000


DECK_STATE = (
    "({h: Reveal.getIndices().h, v: Reveal.getIndices().v, total: Reveal.getTotalSlides(), "
    "ready: Reveal.isReady(), lang: document.documentElement.lang, images: Array.from(document.images)"
    ".filter((img) => img.naturalWidth === 0).map((img) => img.getAttribute('src'))})"
)


def test_every_deck_renders_and_arrow_keys_move_between_slides(site, browser):
    """Each chapter's deck in each language: 8-15 slides, arrows move, no errors, nothing from outside."""
    found = decks()
    stems = sorted({p.stem for p in (site / "notebooks").glob("0*.html")})
    assert len(found) == len(LANGUAGES) * len(stems), f"decks {found} for chapters {stems}"
    tab = browser.page()
    problems = []
    for deck in found:
        name = str(deck.relative_to(site))
        tab.goto(deck.as_uri())
        for _ in range(200):
            if tab.evaluate("typeof Reveal !== 'undefined' && Reveal.isReady()"):
                break
            time.sleep(0.05)
        state = tab.evaluate(DECK_STATE)
        if not state["ready"]:
            problems.append(f"{name}: reveal.js did not start")
            continue
        if not 8 <= state["total"] <= 15:
            problems.append(f"{name}: {state['total']} slides, expected 8 to 15")
        if state["lang"] != deck.parent.name:
            problems.append(f"{name}: lang {state['lang']!r}")
        problems += [f"{name}: missing image {src}" for src in state["images"]]
        tab.press("ArrowRight", 39)
        tab.press("ArrowRight", 39)
        moved = tab.evaluate(DECK_STATE)
        tab.press("ArrowLeft", 37)
        back = tab.evaluate(DECK_STATE)
        if (state["h"], moved["h"], back["h"]) != (0, 2, 1):
            problems.append(f"{name}: arrow keys went to slides {state['h']} -> {moved['h']} -> {back['h']}")
        if deck.parent.name == "ja":
            problems += [p for p in [tofu_problem(tab, name)] if p]
        problems += [f"{name}: {error}" for error in tab.errors()]
        problems += [f"{name}: request leaving the machine: {url}" for url in tab.external_requests()]
        if deck.stem == "01_metrics":
            tab.screenshot(SCREENSHOTS / f"deck_{deck.parent.name}.png")
    tab.close()
    assert not problems, "\n".join(problems)


def test_every_deck_shows_its_chapters_figures(site):
    """Each deck shows the 1-3 figures its chapter saved with ``report.figure`` (the "our figure" slides)."""
    from redshift_utils.book.slides import MAX_FIGURES

    problems = []
    for deck in decks():
        images = [src for src in re.findall(r"<img[^>]*src=\"([^\"]+)\"", deck.read_text()) if ".png" in src]
        if not 1 <= len(images) <= MAX_FIGURES:
            problems.append(f"{deck.relative_to(site)}: {len(images)} figures")
        problems += [f"{deck.relative_to(site)}: missing {src}" for src in images if not (deck.parent / src).exists()]
    assert not problems, "\n".join(problems)


def test_reading_group_pages_link_every_deck_in_their_language(site):
    for language in LANGUAGES:
        page = site / ("" if language == "en" else "ja") / "book" / "reading_group.html"
        links = re.findall(r'href="([^"]*slides/[^"]+\.html)"', page.read_text())
        stems = sorted({p.stem for p in (site / "notebooks").glob("0*.html")})
        targets = sorted({(page.parent / link).resolve() for link in links})
        assert targets == [(site / "slides" / language / f"{stem}.html").resolve() for stem in stems], links


def test_citation_file_cites_the_book_and_the_paper():
    import yaml

    citation = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "type", "version"} <= set(citation)
    import redshift_utils

    assert citation["version"] == redshift_utils.__version__
    paper = citation["references"][0]
    assert paper["title"] in (REPO_ROOT / "book" / "references.bib").read_text()
    assert [a["family-names"] for a in paper["authors"]] == ["Teney", "Nicolicioiu", "Hartmann", "Abbasnejad"]
