"""Sphinx extension: the English and Japanese editions of the book, side by side.

- **Language switcher.** Every page's header links to the same page in the other edition
  (English pages live in ``html/``, Japanese ones in ``html/ja/``; see
  ``redshift_utils/book/editions.py``). The link is plain HTML from a local template: no script,
  nothing loaded from outside.
- **Decks.** ``{deck}`01_metrics``` (or ``{deck}`label <01_metrics>```) links to a chapter's
  slide deck in the page's own language, ``html/slides/<lang>/<stem>.html``, wherever the page is.
- **Glue in translations.** Sphinx parses each translated message (a ``.po`` msgstr) as a
  document of its own, without the page's glue data, so ``{glue:md}`key``` there would fail
  with "No key ... found in glue data". Before the translation transform runs, the page's
  notebook renderer is kept aside, and a glue role that finds no data in its own document
  reads it from there. ``{glue:text}`` is written ``{glue:text}`<file>.md::key``` in the
  catalogues (myst-nb's cross-document form, which needs nothing of this); see
  ``redshift_utils/book/catalogues.py``.
- **Toctree captions** of the Japanese edition come from the root page's catalogue.
- **Verdict words.** In the Japanese edition a glued verdict (``**reproduced**`` or
  ``not reproduced``, glued by the chapters as Markdown) is shown in Japanese, with the scoreboard's words
  (``redshift_utils.book.scoreboard.VERDICT_JA``).
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from docutils.transforms import Transform

TEMPLATES = Path(__file__).parent / "templates"
LABELS = {"en": "English", "ja": "日本語"}
TITLES = {"en": "Read this page in English", "ja": "このページを日本語で読む"}
_renderers: dict[str, object] = {}  # docname -> the page's notebook renderer, while it is read


def language_of(config) -> str:
    return (config.language or "en").split("_")[0]


def other_edition(language: str) -> str:
    return "ja" if language == "en" else "en"


def edition_url(pagename: str, language: str, target: str) -> str:
    """Relative URL from ``pagename`` of the ``language`` edition to the same page in ``target``."""
    up = "../" * pagename.count("/")
    if language == "en":
        return f"{up}{target}/{pagename}.html"
    if target == "en":
        return f"../{up}{pagename}.html"
    return f"../{up}{target}/{pagename}.html"


def site_root(docname: str, language: str) -> str:
    """Relative URL from a page to the root of the whole site (the English edition's folder)."""
    return "../" * (docname.count("/") + (0 if language == "en" else 1))


def add_templates(app, config) -> None:
    config.templates_path = [*config.templates_path, str(TEMPLATES)]
    options = dict(config.html_theme_options or {})
    end = list(options.get("article_header_end") or ["article-header-buttons.html"])
    if "language-switch.html" not in end:
        end.insert(0, "language-switch.html")
    options["article_header_end"] = end
    config.html_theme_options = options


def switcher_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html":
        return
    language = language_of(app.config)
    target = other_edition(language)
    context["redshift_edition"] = {
        "url": edition_url(pagename, language, target),
        "label": LABELS[target],
        "title": TITLES[target],
        "lang": target,
    }


def deck_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{deck}`01_metrics``` or ``{deck}`label <01_metrics>```: the chapter's deck in this language."""
    match = re.fullmatch(r"\s*(?:(?P<label>.+?)\s*<(?P<stem>[^<>]+)>|(?P<bare>\S+))\s*", text)
    if not match:
        message = inliner.reporter.error(f"deck role: expected `stem` or `label <stem>`, got {text!r}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    stem = match.group("stem") or match.group("bare")
    label = match.group("label") or stem
    env = inliner.document.settings.env
    language = language_of(env.config)
    uri = f"{site_root(env.docname, language)}slides/{language}/{stem}.html"
    node = nodes.reference(rawtext, label, refuri=uri, classes=["redshift-deck"])
    return [node], []


class KeepNotebookRenderer(Transform):
    """Keep the page's notebook renderer for the glue roles of its translated messages."""

    default_priority = 19  # just before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs) -> None:
        env = getattr(self.document.settings, "env", None)
        if env is not None and "nb_renderer" in self.document:
            _renderers[env.docname] = self.document["nb_renderer"]


class _WithRenderer:
    """A stand-in document that has the kept renderer (glue data lookups only read this key)."""

    def __init__(self, renderer) -> None:
        self.renderer = renderer

    def __contains__(self, key: str) -> bool:
        return key == "nb_renderer"

    def __getitem__(self, key: str):
        if key != "nb_renderer":
            raise KeyError(key)
        return self.renderer


def patch_glue_lookup() -> None:
    """Glue roles inside translated messages read the page's data; Japanese verdict words."""
    from myst_nb.core.variables import RetrievalError
    from myst_nb.ext.glue import directives, roles, utils

    original = utils.retrieve_glue_data
    if getattr(roles.retrieve_glue_data, "redshift_patched", False):
        return

    def retrieve_glue_data(document, key):
        env = getattr(document.settings, "env", None)
        kept = _renderers.get(env.docname) if env is not None else None
        if "nb_renderer" not in document and kept is not None:
            result = original(_WithRenderer(kept), key)
        else:
            renderer = document.get("nb_renderer") if hasattr(document, "get") else None
            if env is not None and renderer is not None and renderer.renderer.nb_client.glue_data:
                # myst-nb drops the page's renderer from the document when parsing ends (before
                # the translation transform runs): keep it from the page's own glue roles.
                _renderers.setdefault(env.docname, renderer)
                kept = _renderers[env.docname]
            try:
                result = original(document, key)
            except RetrievalError:
                # A translated message of a notebook page is parsed by myst-nb into a document
                # with a renderer of its own and no glue data: read the page's kept renderer.
                if kept is None or document.get("nb_renderer") is kept:
                    raise
                result = original(_WithRenderer(kept), key)
        if env is not None and language_of(env.config) == "ja":
            result = japanese_verdict(result)
        return result

    retrieve_glue_data.redshift_patched = True
    roles.retrieve_glue_data = retrieve_glue_data
    directives.retrieve_glue_data = retrieve_glue_data


def japanese_verdict(result):
    """A glued ``**verdict**`` (Markdown) with the verdict word in Japanese."""
    from redshift_utils.book.scoreboard import VERDICT_JA

    markdown = result.data.get("text/markdown")
    if isinstance(markdown, list):
        markdown = "".join(markdown)
    if not isinstance(markdown, str):
        return result
    match = re.fullmatch(r"\s*(?:\*\*(?P<bold>[a-z ]+)\*\*|(?P<plain>[a-z ]+))\s*", markdown)
    word = match and (match.group("bold") or match.group("plain"))
    if word not in VERDICT_JA:
        return result
    data = dict(result.data)
    data["text/markdown"] = f"**{VERDICT_JA[word]}**" if match.group("bold") else VERDICT_JA[word]
    data["text/plain"] = VERDICT_JA[word]
    return type(result)(data=data, metadata=result.metadata, nb_renderer=result.nb_renderer, vtype=result.vtype)


def forget_renderers(app, doctree) -> None:
    _renderers.clear()


def translate_toctree_captions(app, doctree) -> None:
    """Toctree captions ("About this book") from the page's catalogue.

    sphinx-external-toc inserts the toctrees of the root page after Sphinx's translation
    transform has run, so their captions, although in the page's catalogue, stay English.
    """
    if language_of(app.config) == "en":
        return
    from sphinx import addnodes
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    toctrees = [node for node in doctree.findall(addnodes.toctree) if node.get("caption")]
    if not toctrees:
        return
    domain = docname_to_domain(app.env.docname, app.config.gettext_compact)
    folders = [str(Path(app.srcdir, folder)) for folder in app.config.locale_dirs]
    catalog, found = init_locale(folders, app.config.language, domain)
    if not found:
        return
    for node in toctrees:
        node["caption"] = catalog.gettext(node["caption"])


def setup(app):
    app.connect("config-inited", add_templates)
    app.connect("html-page-context", switcher_context)
    app.connect("doctree-read", forget_renderers)
    app.connect("doctree-read", translate_toctree_captions)
    app.add_role("deck", deck_role)
    app.add_transform(KeepNotebookRenderer)
    patch_glue_lookup()
    return {"parallel_read_safe": False, "parallel_write_safe": True}
