"""The book's two editions (English and Japanese) and its slide decks: how each is built.

One execution feeds both editions. The English build executes the chapters (the book preset
through jupyter-cache, ``_build/.jupyter_cache``; other presets and float64 with execution
forced, as before) and myst-nb writes every executed notebook to ``<html>/../jupyter_execute``.
The Japanese build reads exactly those notebooks: they are put in a jupyter-cache of its own
(``<html>/../ja/.jupyter_cache``, refilled before each build), which it runs with
``execute_notebooks: cache``, so nothing is executed twice and both editions show the same
outputs and glued numbers. It only parses, translates and writes HTML. Its output lands in
``<html>/ja`` (``_build/html/ja`` for the book preset), built next to the English HTML in
``<html>/../ja`` and copied, so that its own ``jupyter_execute`` folder stays out of the
English site.

Translations are Sphinx gettext catalogues, one ``.po`` file per page:
``locale/ja/LC_MESSAGES/<docname>.po``. ``python -m redshift_utils translate update``
regenerates the templates with execution off (so every preset gives the same messages) and
merges them into the catalogues with sphinx-intl (see ``redshift_utils.book.catalogues``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from redshift_utils.book.paths import BOOK_BUILD_ENV, BUILD_DIR, PRESETS, REPO_ROOT, build_root

LANGUAGES = ("en", "ja")
TRANSLATED = ("ja",)
LOCALE_DIR = REPO_ROOT / "locale"
TOC = REPO_ROOT / "_toc.yml"
# Sphinx settings of the catalogues: one catalogue per page, no line numbers (an edit of the
# English text then changes only the messages it touches), no uuids.
GETTEXT_SETTINGS = {"gettext_compact": False, "gettext_location": False, "gettext_uuid": False}
JA_TITLE = "Neural Redshift を再現する"


def html_dir(preset: str, language: str = "en") -> Path:
    """Where an edition's HTML lands: ``_build/html`` for the book preset (jupyter-book's own
    output folder), ``<build_root>/_build/html`` for the others; the Japanese one in ``ja/``."""
    root = build_root(preset)
    html = BUILD_DIR / "html" if root == BUILD_DIR else root / "_build" / "html"
    return html if language == "en" else html / language


def executed_notebooks(preset: str) -> Path:
    """Where myst-nb wrote the English build's executed notebooks (``<html>/../jupyter_execute``)."""
    return html_dir(preset).parent / "jupyter_execute"


def fill_cache(cache_path: Path, notebooks: Path) -> int:
    """A fresh jupyter-cache at ``cache_path`` holding every executed notebook under ``notebooks``.

    jupyter-cache matches a notebook by its code (and kernel), so the Japanese build finds each
    page's outputs here without executing it. Returns the number of notebooks cached.
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    if cache_path.exists():
        shutil.rmtree(cache_path)
    cache = get_cache(str(cache_path))
    found = sorted(notebooks.rglob("*.ipynb")) if notebooks.is_dir() else []
    for path in found:
        notebook = nbformat.read(path, as_version=4)
        # myst-nb moves glued outputs out of the notebook into <name>.glue.json: put them back
        # (in the last code cell: the glue roles look them up by key, wherever they are).
        glue = path.with_name(path.stem + ".glue.json")
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        if glue.exists() and code:
            for output in json.loads(glue.read_text()).values():
                prefix = output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
                output["data"] = {prefix + mime: value for mime, value in output.get("data", {}).items()}
                code[-1].outputs.append(nbformat.from_dict(output))
        cache.cache_notebook_bundle(CacheBundleIn(notebook, str(path)), check_validity=False, overwrite=True)
    return len(found)


def book_config(execute: dict[str, Any] | None = None, **sphinx_config: Any) -> dict[str, Any]:
    """``_config.yml`` with paths anchored at the repository, ``execute`` and Sphinx settings merged in."""
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())
    extensions = config.setdefault("sphinx", {}).setdefault("local_extensions", {})
    for name, path in extensions.items():
        extensions[name] = str(REPO_ROOT / path)
    config.setdefault("execute", {}).update(execute or {})
    if config["execute"].get("cache"):
        config["execute"]["cache"] = str(REPO_ROOT / config["execute"]["cache"])
    config["sphinx"].setdefault("config", {}).update(sphinx_config)
    return config


def write_config(config: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return path


def sphinx_build(
    config_path: Path,
    outdir: Path,
    doctreedir: Path,
    *,
    builder: str = "html",
    overrides: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    strict: bool = True,
    log: Path | None = None,
) -> int:
    """Run jupyter-book's Sphinx build (its config and table of contents) in a child process.

    Jupyter Book's command line fixes the output folder to ``<path>/_build/<builder>``; its
    ``build_sphinx`` takes any folder, which the Japanese edition needs. ``strict`` is ``-W -n
    --keep-going``. The output goes to ``log`` as well as to the terminal when given.
    """
    arguments = {
        "config": str(config_path),
        "outdir": str(outdir),
        "doctreedir": str(doctreedir),
        "builder": builder,
        "overrides": {"external_toc_path": str(TOC), **(overrides or {})},
        "strict": strict,
    }
    command = [sys.executable, "-m", "redshift_utils.book.editions", json.dumps(arguments)]
    if log is None:
        return subprocess.call(command, env=env, cwd=REPO_ROOT)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as handle:
        process = subprocess.Popen(
            command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:
            handle.write(line)
            sys.stdout.write(line)
        return process.wait()


def _child_build(arguments: dict[str, Any]) -> int:
    from jupyter_book.sphinx import build_sphinx

    overrides = dict(arguments["overrides"])
    overrides.setdefault("latex_individualpages", False)  # what jupyter-book's command line passes
    if arguments["strict"]:
        overrides["nitpicky"] = True
    result = build_sphinx(
        REPO_ROOT,
        arguments["outdir"],
        noconfig=True,
        path_config=arguments["config"],
        confoverrides=overrides,
        doctreedir=arguments["doctreedir"],
        builder=arguments["builder"],
        warningiserror=arguments["strict"],
        keep_going=arguments["strict"],
    )
    if isinstance(result, Exception):
        print(f"error: {result}", file=sys.stderr)
        return 1
    return int(result or 0)


def build_environment(preset: str) -> dict[str, str]:
    """What the book's kernels are told (see ``runner.build_book``)."""
    from redshift_utils.precision import dtype_name

    env = dict(os.environ, REDSHIFT_PRESET=preset, REDSHIFT_DTYPE=dtype_name(), TQDM_DISABLE="1")
    env[BOOK_BUILD_ENV] = "1"
    env.pop("REDSHIFT_RESULTS_DIR", None)
    return env


def build_translation(preset: str, language: str = "ja") -> int:
    """Build the ``language`` edition from the English build's executed notebooks (no execution).

    Run right after the English build of the same preset. Pages marked ``execution_mode:
    force`` (the scoreboard and status, which read the results files) run again: they take
    seconds and read the same files.
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {preset!r}")
    root = html_dir(preset).parent / language  # _build/ja for the book preset, <build_root>/_build/ja otherwise
    cache = root / ".jupyter_cache"
    if fill_cache(cache, executed_notebooks(preset)) == 0:
        print(f"warning: no executed notebooks in {executed_notebooks(preset)}: build the English edition first")
    config = book_config(
        {"execute_notebooks": "cache", "cache": str(cache)},
        language=language,
        locale_dirs=[str(LOCALE_DIR)],
        html_title=JA_TITLE if language == "ja" else None,
        **GETTEXT_SETTINGS,
    )
    config["sphinx"]["config"] = {k: v for k, v in config["sphinx"]["config"].items() if v is not None}
    config_path = write_config(config, root / "_config.yml")
    staging = root / "html"
    started = time.monotonic()
    code = sphinx_build(config_path, staging, root / ".doctrees", env=build_environment(preset), log=root / "build.log")
    target = html_dir(preset, language)
    if target.exists():
        shutil.rmtree(target)
    if staging.is_dir():
        shutil.copytree(staging, target, ignore=shutil.ignore_patterns(".buildinfo"))
    seconds = time.monotonic() - started
    print(f"{language} edition: {target} ({seconds:.0f} s, log {root / 'build.log'})")
    executed = executed_chapters(root / "build.log")
    if executed:
        print(
            f"warning: the {language} edition executed {', '.join(executed)} again: the English build's executed "
            f"notebooks ({executed_notebooks(preset)}) did not hold them; build the English edition first",
            file=sys.stderr,
        )
    return code


def executed_chapters(log: Path) -> list[str]:
    """The chapters a build's log says it executed (not read from the cache); pages that force execution excluded."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return sorted(set(re.findall(r"notebooks/([\w-]+)\.md: Executing notebook", text)))


def build_templates(root: Path) -> int:
    """The gettext templates (``.pot``, one per page) of the English sources into ``root/gettext``.

    Execution is off for every notebook (even the pages that force it), so the messages do
    not depend on the preset or on results files: smoke and book builds give the same. The
    build's output goes to ``root/gettext.log``.
    """
    root = Path(root)
    config = book_config({"execute_notebooks": "off", "exclude_patterns": ["*.md", "*.ipynb"]}, **GETTEXT_SETTINGS)
    config_path = write_config(config, root / "_config.yml")
    env = dict(os.environ, TQDM_DISABLE="1")
    env.pop(BOOK_BUILD_ENV, None)
    arguments = {
        "config": str(config_path),
        "outdir": str(root / "gettext"),
        "doctreedir": str(root / ".doctrees"),
        "builder": "gettext",
        "overrides": {"external_toc_path": str(TOC)},
        "strict": False,
    }
    result = subprocess.run(
        [sys.executable, "-m", "redshift_utils.book.editions", json.dumps(arguments)],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    (root / "gettext.log").write_text(result.stdout + result.stderr)
    return result.returncode


def templates_dir() -> Path:
    """Where ``translate update`` builds the templates: ``_build/gettext/gettext/<docname>.pot``."""
    return BUILD_DIR / "gettext"


if __name__ == "__main__":
    raise SystemExit(_child_build(json.loads(sys.argv[1])))
