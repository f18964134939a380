"""Sphinx extension: pages free of JavaScript errors (tests/test_site.py fails on any).

Two fixes, both for bugs of the pinned toolchain, not of the book:

- sphinx-thebe registers its configuration as an inline script (``const THEBE_JS_URL = ...``)
  after the HTML builder starts, and Sphinx 7.4 then adds it a second time (with
  ``filename=""`` instead of ``None``); the copy throws "Identifier 'THEBE_JS_URL' has already
  been declared" on every page. Each inline script is written once.
- Without ``default_mode`` (an ``html_context`` value) the theme reads an empty mode on a reader's first visit and logs
  "Got invalid theme mode"; ``auto`` (follow the system's light or dark preference) is what
  it falls back to anyway.
"""

from __future__ import annotations


def default_to_auto_mode(app, config):
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "auto")  # a template variable of pydata-sphinx-theme
    config.html_context = context


def drop_repeated_inline_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    kept = []
    for script in scripts:
        filename = getattr(script, "filename", script)
        body = getattr(script, "attributes", {}).get("body")
        if not filename and body is not None:
            if body in seen:
                continue
            seen.add(body)
        kept.append(script)
    scripts[:] = kept


def setup(app):
    app.connect("config-inited", default_to_auto_mode)
    app.connect("html-page-context", drop_repeated_inline_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
