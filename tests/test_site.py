"""The built site works in a real browser: every page of the smoke build, in headless Chromium.

Fails on a missing figure, unrendered math, a JavaScript error (or any error the browser
logs, such as a file that fails to load), or a broken internal link; saves screenshots of
the intro, a chapter and the explorer, in light and dark mode, under ``_build/screenshots/``.
The smoke build is reused when it is newer than every source (tests/test_notebooks.py builds
it just before this file runs); otherwise it is built here.
"""

from __future__ import annotations

import re
import subprocess
import sys
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
SOURCES = ["_toc.yml", "_config.yml", "book", "notebooks", "_static"]
CHAPTER = "notebooks/01_metrics.html"
SHOTS = {"intro": "book/intro.html", "chapter": CHAPTER, "explorer": "book/explorer.html"}

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
            [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        )
        times += [p.stat().st_mtime for p in files]
    return max(times)


def built_pages() -> list[Path]:
    """Every HTML page of the build (theme templates under _static are not pages)."""
    return sorted(p for p in HTML.rglob("*.html") if not p.relative_to(HTML).parts[0].startswith("_"))


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
    assert (site / "book" / "explorer.html").exists()


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


def test_every_page_renders_in_chromium(site, browser):
    tab = browser.page()
    problems = []
    pages = [p for p in built_pages() if 'http-equiv="Refresh"' not in p.read_text(errors="replace")[:300]]
    assert len(pages) >= 8
    for page in pages:
        name = str(page.relative_to(site))
        tab.goto(page.as_uri())
        report = tab.evaluate(CHECK_PAGE, timeout=120)
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
