"""Sphinx extension: build the summary pages (scoreboard, status) last and on every build.

Why: these pages read the results JSON that the chapters write while they execute. Sphinx
reads documents in name order ("book/..." before "notebooks/..."), and an unchanged page is
not re-read, so without this the scoreboard could show the previous build's numbers.
"""

from __future__ import annotations

SUMMARY_PAGES = ("book/scoreboard", "book/status")


def read_summaries_every_time(app, env, added, changed, removed):
    return [name for name in SUMMARY_PAGES if name in env.found_docs and name not in added | changed]


def read_summaries_last(app, env, docnames):
    summaries = [name for name in docnames if name in SUMMARY_PAGES]
    docnames[:] = [name for name in docnames if name not in SUMMARY_PAGES] + summaries


def setup(app):
    app.connect("env-get-outdated", read_summaries_every_time)
    app.connect("env-before-read-docs", read_summaries_last)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
