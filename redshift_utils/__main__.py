"""``python -m redshift_utils run|params|book``: rerun a chapter with new parameters, build the book."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from redshift_utils.paths import PRESETS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m redshift_utils", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute a chapter with papermill; writes DIR/<stem>.ipynb and .json")
    run.add_argument("notebook", help="e.g. notebooks/02_activations.md or 02_activations")
    run.add_argument("--preset", choices=PRESETS, default=None, help="smoke, book or paper")
    run.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    run.add_argument("-o", "--output", type=Path, default=None, help="output folder (default _build/runs/<stem>)")
    params = sub.add_parser("params", help="list a chapter's parameters, defaults and meaning")
    params.add_argument("notebook")
    book = sub.add_parser("book", help="build the HTML book at a preset (-W -n --keep-going)")
    book.add_argument("--preset", choices=PRESETS, default="book")
    args = parser.parse_args(argv)

    from redshift_utils import runner

    try:
        if args.command == "params":
            print(runner.describe_parameters(runner.notebook_stem(args.notebook)))
            return 0
        if args.command == "book":
            return runner.build_book(args.preset)
        stem = runner.notebook_stem(args.notebook)
        explicit = runner.parse_overrides(stem, [tuple(p) for p in args.param], args.preset)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    from papermill.exceptions import PapermillExecutionError

    try:
        path = runner.run_notebook(stem, explicit, args.output)
    except PapermillExecutionError as error:
        print(f"error: {stem} failed in cell {error.exec_count}: {error.ename}: {error.evalue}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
