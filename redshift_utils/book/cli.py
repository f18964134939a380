"""The command line, ``python -m redshift_utils run|params|book``: rerun a chapter, build the book.

A user's mistake (a bad parameter, a bad folder, a bad environment variable) ends in one line
starting with ``error:`` and a non-zero exit, never in a traceback, and before any long work.
See the conventions page, book/conventions.md, section "Rerunning a chapter: the output folder".
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from redshift_utils.book.paths import PRESETS


def check_environment() -> None:
    """Refuse bad REDSHIFT_* variables before a kernel starts (each names the allowed values)."""
    from redshift_utils.book.paths import active_preset, cache_dir
    from redshift_utils.device import device_name
    from redshift_utils.precision import dtype_name

    dtype_name()
    device_name()
    active_preset()
    cache_dir()


_MAIN_PID = os.getpid()


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM runs the cleanup of a run (staging folder, kernel), as Ctrl-C does.

    Only in the CLI's own process: forked workers (sphinx-intl's pool) inherit the handler,
    and their pool ends them with SIGTERM, which must stay a silent exit there.
    """
    if os.getpid() != _MAIN_PID:
        os._exit(0)
    raise KeyboardInterrupt


def translate_command(action: str, pages: list[str]) -> int:
    """``translate update`` (templates -> catalogues), ``stats`` (coverage per page), ``seed PAGE...``."""
    from redshift_utils.book import catalogues

    if action == "update":
        for line in catalogues.update():
            print(line)
        return 0
    if action == "stats":
        low = 0
        for item in catalogues.all_coverage(catalogues.regenerate_templates()):
            print(item.line())
            low += item.coverage < catalogues.THRESHOLD
        print(f"{low} pages below {catalogues.THRESHOLD:.0%}")
        return 0
    if not pages:
        raise ValueError("translate seed: name the pages to seed, e.g. notebooks/01_metrics")
    for page in pages:
        if not catalogues.catalogue_path(page).exists():
            raise ValueError(f"no catalogue for page {page!r}; run `translate update` first")
        print(f"{page}: {catalogues.seed(page)} messages seeded (fuzzy)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m redshift_utils", description="Rerun a chapter with new parameters, or build the book."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute a chapter with papermill; writes DIR/<stem>.ipynb and .json")
    run.add_argument("notebook", help="a chapter name (02_activations) or a notebook file to execute")
    run.add_argument("--preset", choices=PRESETS, default=None, help="smoke, book or paper")
    run.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    run.add_argument("-o", "--output", type=Path, default=None, help="output folder (default _build/runs/<stem>)")
    run.add_argument(
        "--record", metavar="NOTE", default=None,
        help="paper preset only: run from an empty cache, then add the measured time and the estimate to "
        "book/paper_runs.json (the status page's table) with NOTE",
    )  # fmt: skip
    params = sub.add_parser("params", help="list a chapter's parameters, defaults and meaning")
    params.add_argument("notebook")
    book = sub.add_parser(
        "book", help="build the HTML book at a preset (-W -n --keep-going): both editions and the slide decks"
    )
    book.add_argument("--preset", choices=PRESETS, default="book")
    book.add_argument("--english-only", action="store_true", help="only the English edition (no Japanese, no decks)")
    translate = sub.add_parser("translate", help="translation catalogues: update them, show coverage, seed a page")
    translate.add_argument("action", choices=("update", "stats", "seed"))
    translate.add_argument("pages", nargs="*", help="seed: the pages (docnames, e.g. notebooks/01_metrics)")
    robust = sub.add_parser("robustness", help="rerun every chapter with several base seeds; table of verdicts")
    robust.add_argument("--preset", choices=PRESETS, default="book")
    robust.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], metavar="SEED")
    args = parser.parse_args(argv)

    from redshift_utils.book import output_folder, runner

    signal.signal(signal.SIGTERM, _terminate)
    try:
        check_environment()
        if args.command == "params":
            stem, _ = runner.resolve_notebook(args.notebook)
            print(runner.describe_parameters(stem))
            return 0
        if args.command == "book":
            if args.english_only:
                return runner.build_book(args.preset, editions=("en",), decks=False)
            return runner.build_book(args.preset)
        if args.command == "translate":
            return translate_command(args.action, args.pages)
        if args.command == "robustness":
            print(runner.run_robustness(args.preset, args.seeds))
            return 0
        stem, source = runner.resolve_notebook(args.notebook)
        explicit = runner.parse_overrides(stem, [tuple(p) for p in args.param], args.preset)
        if args.record is not None:
            from redshift_utils.book import paper_runs
            from redshift_utils.book.paths import NOTEBOOKS_DIR

            if source.resolve() != (NOTEBOOKS_DIR / f"{stem}.md").resolve():
                raise ValueError("--record measures the book's own chapters: name one (e.g. 03b_figure5_search)")

            run = paper_runs.record_run(stem, explicit, args.record, args.output)
            print(f"recorded in {paper_runs.record_path()}: {run['wall_seconds']:,.0f} s wall, "
                  f"{run['cpu_seconds']:,.0f} s CPU (estimated {run['estimated_cpu_seconds']:,.0f} s)")
            return 0
        path = runner.run_notebook(stem, explicit, args.output, source)
    except (ValueError, output_folder.FolderBusy, runner.RunFailed) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2 if isinstance(error, ValueError) else 1
    except BrokenPipeError:  # e.g. `params ... | head`: the reader left; say so once, quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print("error: output pipe closed before everything was written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; earlier results in the output folder are left as they were", file=sys.stderr)
        sys.stderr.flush()
        # The kernel client's abandoned asyncio tasks report "Kernel died" while Python shuts down:
        # the user has had the one line that matters.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
        return 130
    print(path)
    return 0
