"""Translation catalogues: update them from the English sources, convert glue roles, count coverage.

``locale/<lang>/LC_MESSAGES/<docname>.po`` holds one page's messages (the English Markdown
of each paragraph, heading, table cell, admonition...) and their translations. The workflow:

1. ``python -m redshift_utils translate update``: regenerate the templates (``.pot``) from the
   English sources with execution off, merge them into the catalogues (sphinx-intl: new
   messages are added empty or, when close to an old one, marked fuzzy with the old
   translation), drop the catalogues of pages that left the book, and put every glue role
   of the translations into the form that works in a translation (below).
2. Translate: fill each empty ``msgstr`` and remove the ``fuzzy`` flag once an entry is right.
3. ``python -m redshift_utils translate stats`` shows each page's coverage; the tests require
   95% of every page's messages translated (fuzzy and missing ones count as untranslated).

Glue roles in translations. A translated message is parsed on its own, without the page's
glue data, so ``{glue:text}`key``` inside a ``msgstr`` fails ("No key ... found in glue data"
and the number is dropped). The cross-document form ``{glue:text}`01_metrics.md::key:.3f```
(the page's own file, relative to the page) reads the glue cache instead and works, given a
format (``:s`` when the English role has none, as the role splits the format off at the last
colon); ``to_translation_form`` rewrites roles into it, and ``update`` applies it to every msgstr.
``{glue}`` (any type) gets the same form. ``{glue:md}`` has no cross-document form in
myst-nb: it is kept as written and the book's ``editions`` extension gives translated
messages the page's glue data (and translates verdict words in the Japanese edition).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from redshift_utils.book.editions import LOCALE_DIR, TRANSLATED, build_templates, templates_dir
from redshift_utils.book.paths import REPO_ROOT

THRESHOLD = 0.95  # the share of every page's messages that must be translated
LINE_WIDTH = 76
# {glue:text}`key`, {glue:text}`key:fmt`, {glue}`key`, {glue:any}`key` (not yet cross-document).
# Not after a backtick: `{glue:text}` in inline code shows the syntax, it is not a role.
GLUE_ROLE = re.compile(r"(?<!`)\{glue(?P<kind>:text|:any|)\}`(?P<body>[^`]+)`")


def source_file(docname: str) -> Path:
    """The English source of a page (``notebooks/01_metrics`` -> ``notebooks/01_metrics.md``)."""
    for suffix in (".md", ".ipynb", ".rst"):
        path = REPO_ROOT / f"{docname}{suffix}"
        if path.exists():
            return path
    raise ValueError(f"no source file for page {docname!r}")


def to_translation_form(text: str, docname: str) -> str:
    """Glue roles of ``text`` rewritten to ``<file>::key`` form (see the module docstring).

    ``{glue:text}`` also gets an explicit format (``:s`` when it had none): the role splits its
    format off at the last colon, so ``<file>::key`` alone would read as key ``<file>:``.
    """

    def rewrite(match: re.Match[str]) -> str:
        kind, body = match.group("kind"), match.group("body")
        # The page's file only when a role lacks one: catalogues without a page (the decks'
        # claims) have no source file and no short roles.
        document, key = body.split("::", 1) if "::" in body else (source_file(docname).name, body)
        if kind == ":text" and ":" not in key:
            key += ":s"
        return f"{{glue{kind}}}`{document}::{key}`"

    return GLUE_ROLE.sub(rewrite, text)


def plain_glue_roles(text: str) -> list[str]:
    """Glue roles of a translation that will fail: no ``<file>::``, or ``{glue:text}`` without a format."""
    broken = []
    for match in GLUE_ROLE.finditer(text):
        body = match.group("body")
        if "::" not in body or (match.group("kind") == ":text" and ":" not in body.split("::", 1)[1]):
            broken.append(match.group(0))
    return broken


def catalogue_path(docname: str, language: str = "ja") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{docname}.po"


def load(path: Path) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle)


def save(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=LINE_WIDTH, omit_header=False)


def templates(folder: Path) -> dict[str, Path]:
    """docname -> ``.pot`` file of a templates folder."""
    return {p.relative_to(folder).with_suffix("").as_posix(): p for p in sorted(folder.rglob("*.pot"))}


def regenerate_templates(folder: Path | None = None) -> Path:
    """Build the ``.pot`` templates (execution off) under ``folder`` (default ``_build/gettext``).

    Returns the folder of the templates, ``<folder>/gettext``.
    """
    work = Path(folder) if folder is not None else templates_dir()
    code = build_templates(work)
    pots = work / "gettext"
    if code != 0 or not any(pots.rglob("*.pot")):
        log = (work / "gettext.log").read_text()[-3000:] if (work / "gettext.log").exists() else ""
        raise RuntimeError(f"the gettext build failed (exit {code}):\n{log}")
    return pots


@dataclass
class PageCoverage:
    docname: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    missing: int  # in the English source, absent from the catalogue
    plain_glue: list[str]

    @property
    def coverage(self) -> float:
        return self.translated / self.total if self.total else 1.0

    def line(self) -> str:
        return (
            f"{self.docname}: {self.coverage:6.1%} translated ({self.translated}/{self.total}; "
            f"{self.fuzzy} fuzzy, {self.untranslated} untranslated, {self.missing} missing from the catalogue)"
        )


def coverage(pot: Path, po: Path | None, docname: str) -> PageCoverage:
    """How much of a page's template ``pot`` the catalogue ``po`` translates (fuzzy counts as not)."""
    template = load(pot)
    ids = [m.id for m in template if m.id]
    catalog = load(po) if po is not None and po.exists() else None
    translated = fuzzy = untranslated = missing = 0
    plain: list[str] = []
    for msgid in ids:
        message = catalog.get(msgid) if catalog is not None else None
        if message is None:
            missing += 1
        elif message.fuzzy:
            fuzzy += 1
        elif not message.string:
            untranslated += 1
        else:
            translated += 1
            plain += plain_glue_roles(message.string)
    return PageCoverage(docname, len(ids), translated, fuzzy, untranslated, missing, plain)


def all_coverage(pot_folder: Path, language: str = "ja") -> list[PageCoverage]:
    return [coverage(pot, catalogue_path(doc, language), doc) for doc, pot in templates(pot_folder).items()]


def convert_catalogue(path: Path, docname: str) -> int:
    """Rewrite the glue roles of every msgstr of a catalogue into translation form; returns the count."""
    catalog = load(path)
    changed = 0
    for message in catalog:
        if message.id and isinstance(message.string, str) and message.string:
            fixed = to_translation_form(message.string, docname)
            if fixed != message.string:
                message.string = fixed
                changed += 1
    if changed:
        save(catalog, path)
    return changed


def update(languages: tuple[str, ...] = TRANSLATED, pot_folder: Path | None = None) -> list[str]:
    """Regenerate the templates and merge them into the catalogues; returns what changed, line by line."""
    from sphinx_intl.basic import update as intl_update

    pots = pot_folder or regenerate_templates()
    if pot_folder is None:
        from redshift_utils.book.slides import claims_template

        claims_template(pots)  # the decks' claims and paper texts: every build's results, translations kept (see there)
    report = []
    intl_update(str(LOCALE_DIR), str(pots), languages, line_width=LINE_WIDTH, jobs=1)
    pages = templates(pots)
    for language in languages:
        folder = LOCALE_DIR / language / "LC_MESSAGES"
        for po in sorted(folder.rglob("*.po")):
            docname = po.relative_to(folder).with_suffix("").as_posix()
            if docname not in pages and docname != "slides/claims":
                po.unlink()
                po.with_suffix(".mo").unlink(missing_ok=True)
                report.append(f"removed {po.relative_to(REPO_ROOT)} (the page left the book)")
                continue
            changed = convert_catalogue(po, docname)
            if changed:
                report.append(f"{po.relative_to(REPO_ROOT)}: {changed} glue roles put in <file>::key form")
        for item in all_coverage(pots, language):
            report.append(item.line())
    return report


def seed(docname: str, language: str = "ja") -> int:
    """Fill the empty msgstrs of a page with the English text in translation form, marked fuzzy.

    A start for a translator: the roles, references and math are already right, and Sphinx
    ignores fuzzy entries until the translator removes the flag. Returns the number seeded.
    """
    path = catalogue_path(docname, language)
    catalog = load(path)
    seeded = 0
    for message in catalog:
        if message.id and not message.string:
            message.string = to_translation_form(message.id, docname)
            message.flags.add("fuzzy")
            seeded += 1
    save(catalog, path)
    return seeded


# Names that may stand in a glued value in any language (activations, presets, models).
NAMES = {
    "relu",
    "tanh",
    "gelu",
    "swish",
    "selu",
    "sin",
    "sine",
    "gaussian",
    "smoke",
    "book",
    "paper",
    "gpt",
    "lz",
    "nan",
}


def worded_glue(glue: dict) -> dict[str, str]:
    """Glued values (a page's ``.glue.json``) that carry English words, which a translation cannot change.

    Verdicts (``**reproduced**``) are exempt: the Japanese edition translates them itself.
    """
    from redshift_utils.book.results import VERDICTS

    found = {}
    for key, output in glue.items():
        data = output.get("data", {})
        text = data.get("text/markdown", data.get("text/plain", ""))
        text = "".join(text) if isinstance(text, list) else str(text)
        text = text.strip().strip("'\"")
        if text.strip("* ") in VERDICTS:
            continue
        words = [w for w in re.findall(r"\b[A-Za-z]{2,}\b", text) if w.lower() not in NAMES]
        if any(w.islower() for w in words):
            found[key] = text
    return found
