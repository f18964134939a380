"""Chapter 4's grid of modulo settings at `paper`, pooled from slices: ``book/paper_results/04_modulo_grid.json``.

Why pooled: the whole grid (3 train fractions x 3 widths x 2 depths, 10 seeds per cell) is about
9 hours of one CPU core, so it is run in slices (``-p study_train_fractions [0.7] -p study_depths
[3] ...``), each recorded in ``book/paper_runs.json``. Every slice writes one ``study_cell``
record per cell it trained to its results file; this module puts the cells of all slices
together, keeps for each cell the run with the most seeds, and decides the two region claims
over the pooled grid with the chapter's own rule (``modulo_study.region``). Chapter 4 shows the
file beside the slice it computes. Nothing in it is typed by hand:

    python -m redshift_utils.book.paper_grid [--add] SLICE_DIR [SLICE_DIR ...]

reads ``04_trained_models.json`` (and, for slices run before the chapter recorded its cells, its
executed notebook) from each folder, matches each to its record in ``book/paper_runs.json`` and
writes the summary atomically; ``--add`` pools them with the cells already kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from redshift_utils.book.atomic import write_bytes_atomic
from redshift_utils.book.paper_runs import load_runs
from redshift_utils.book.parameters import load_spec
from redshift_utils.book.paths import REPO_ROOT

NOTEBOOK = "04_trained_models"
CLAIMS = {"modulo_tuned_solve_all": "tuned_solve", "modulo_relu_fits_but_fails": "relu_fits_but_fails"}
PER_M = ("tuned_weakest_test", "relu_train", "relu_test", "relu_fit_share")
CELL_FIELDS = ("train_fraction", "width", "depth", "default", "seeds", "moduli", *PER_M, *CLAIMS.values())
CELL_VERDICTS = ("reproduced", "not reproduced", "inconclusive")  # a cell is decided; "partly" is the grid's
SUMMARY_FIELDS = ("notebook", "preset", "about", "cells", "region", "slices")
ABOUT = (
    "Chapter 4's grid of modulo settings at the paper preset, pooled from slices run apart (each in "
    "book/paper_runs.json). Per cell, the run with the most seeds; 'read_back' marks cells of slices run "
    "before the chapter recorded its cells, read back from the table the slice printed (2 decimals). "
    "Written by python -m redshift_utils.book.paper_grid SLICE_DIR ..."
)


def summary_path() -> Path:
    return REPO_ROOT / "book" / "paper_results" / "04_modulo_grid.json"


def _table_numbers(text: str) -> list[float]:
    return [float(x) for x in text.split(" / ")]


def cells_from_printed_table(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    """The grid's cells as an executed chapter 4 printed them (slices run before ``study_cell`` records).

    The table's columns are separated by two or more spaces; its last line names the moduli. Each
    cell gets the fields of a ``study_cell`` record (numbers rounded as printed) and ``read_back``.
    A notebook without the table is an error: a slice's cells are never guessed.
    """
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            if output.get("output_type") != "stream" or not text.startswith("fraction / width / depth"):
                continue
            lines = text.strip().splitlines()
            moduli = [int(m) for m in re.findall(r"\d+", lines[-1].split("|")[0])]
            cells = []
            for line in lines[1:-1]:
                label, tuned, solve, train, test, share, relu, _gauss = re.split(r"\s{2,}", line.strip())
                fraction, width, depth = label.rstrip(" *").split(" / ")
                cells.append({
                    "train_fraction": float(fraction), "width": int(width), "depth": int(depth),
                    "default": label.endswith("*"), "seeds": None, "moduli": moduli,
                    "tuned_weakest_test": _table_numbers(tuned), "tuned_solve": solve,
                    "relu_train": _table_numbers(train), "relu_test": _table_numbers(test),
                    "relu_fit_share": _table_numbers(share), "relu_fits_but_fails": relu, "read_back": True,
                })  # fmt: skip
            return cells
    raise ValueError("the executed notebook has no printed table of the grid's cells")


def preset_seeds() -> int:
    """Seeds per cell at the ``paper`` preset: what a cell of the full grid has."""
    return load_spec(NOTEBOOK).param("study_seeds").value_for("paper")


def matching_run(results: dict[str, Any], runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The latest record of ``book/paper_runs.json`` that ran chapter 4's grid as ``results`` did.

    A record keeps only the parameters given on the command line; the others were the ``paper``
    preset's. So a record matches when its parameters agree with the results file's and, for
    every parameter of the grid (``study_*``) it does not name, the preset's value does: a record
    of all three widths must not match a slice of width 64 alone.
    """
    params = results["params"]
    grid = {p.name: p.value_for("paper") for p in load_spec(NOTEBOOK).params if p.name.startswith("study_")}

    def ran_as(run: dict[str, Any]) -> bool:
        if run["notebook"] != NOTEBOOK or not run["params"]:
            return False
        return all(params.get(name) == value for name, value in (grid | run["params"]).items())

    found = [run for run in runs if ran_as(run)]
    if not found:
        raise ValueError(f"no slice of {NOTEBOOK} in book/paper_runs.json has the parameters of this results file")
    return found[-1]


def slice_cells(folder: Path, runs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One slice's cells (from its ``study_cell`` records, else its printed table) and its run record."""
    results = json.loads((folder / f"{NOTEBOOK}.json").read_text(encoding="utf-8"))
    if results.get("notebook") != NOTEBOOK or results.get("preset") != "paper":
        raise ValueError(f"{folder}: not a paper-preset results file of {NOTEBOOK}")
    run = matching_run(results, runs)
    cells = [{name: row[name] for name in CELL_FIELDS} | {"read_back": False}
             for row in results["records"] if row.get("experiment") == "study_cell"]  # fmt: skip
    if not cells:
        notebook = json.loads((folder / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
        cells = cells_from_printed_table(notebook)
        for cell in cells:  # the printed table does not give the seeds: the run's parameters do
            cell["seeds"] = results["params"]["modulo_seeds" if cell["default"] else "study_seeds"]
    source = {name: run[name] for name in ("params", "commit", "date", "cpu_seconds", "device")}
    return [cell | {"source": source} for cell in cells], source


def pool(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per cell: the run with the most seeds (ties: the one listed last), and every seed count tried.

    Why the most seeds: a cell's verdicts are intervals over its seeds, so the run with more seeds
    decides it more firmly; the counts of the others stay visible (``seeds_tried``).
    """
    by_cell: dict[tuple, list[dict[str, Any]]] = {}
    for cell in cells:
        by_cell.setdefault((cell["train_fraction"], cell["width"], cell["depth"], cell["default"]), []).append(cell)
    pooled = []
    for key in sorted(by_cell, key=lambda k: (k[3], k[:3])):
        runs = by_cell[key]
        best = max(enumerate(runs), key=lambda item: (item[1]["seeds"], item[0]))[1]
        tried = {seeds for cell in runs for seeds in (cell["seeds"], *cell.get("seeds_tried", ()))}
        pooled.append(best | {"seeds_tried": sorted(tried)})
    return pooled


def decide(pooled: list[dict[str, Any]]) -> dict[str, Any]:
    """Each claim over the pooled grid by the chapter's rule: the verdict and the cells where it holds.

    No margin: slices recorded before margins were kept give none, and the weakest cell's margin
    would then be over part of the grid only.
    """
    from redshift_utils.experiments import modulo_study

    region = {}
    for claim, field in CLAIMS.items():
        verdict, _, holds = modulo_study.region([(cell[field], float("nan")) for cell in pooled])
        counts = {v: sum(cell[field] == v for cell in pooled) for v in CELL_VERDICTS}
        region[claim] = {"verdict": verdict, "holds": holds, "cells": len(pooled), "counts": counts,
                         "holds_in": [cell_label(cell) for cell in pooled if cell[field] == "reproduced"]}  # fmt: skip
    return region


def cell_label(cell: dict[str, Any]) -> str:
    return f"{cell['train_fraction']:g} / {cell['width']} / {cell['depth']}"


def summarise(folders: list[Path], kept: dict[str, Any] | None = None) -> dict[str, Any]:
    """The pooled grid of the slices in ``folders``, and of the ``kept`` summary's cells and slices if given.

    Why ``kept``: a slice's output folder lives outside the repository, so adding one slice must
    not need the folders of all the slices pooled before; their cells are in the kept file.
    """
    runs = load_runs()
    cells = list((kept or {}).get("cells", []))  # each with the seed counts tried before (seeds_tried)
    slices = list((kept or {}).get("slices", []))
    for folder in folders:
        found, source = slice_cells(folder, runs)
        cells += found
        if source not in slices:
            slices.append(source)
    if not cells:
        raise ValueError("the slices hold no cells of the grid")
    pooled = pool(cells)
    return {"notebook": NOTEBOOK, "preset": "paper", "about": ABOUT, "cells": pooled, "region": decide(pooled),
            "slices": slices}  # fmt: skip


def load() -> dict[str, Any]:
    """The kept pooled grid, checked; a clear error if it is missing or damaged."""
    path = summary_path()
    if not path.exists():
        raise ValueError(f"{path} is missing: run chapter 4's grid in slices at --preset paper --record, then "
                         "pool them with python -m redshift_utils.book.paper_grid SLICE_DIR ...")  # fmt: skip
    summary = json.loads(path.read_text(encoding="utf-8"))
    missing = [name for name in SUMMARY_FIELDS if name not in summary]
    if missing or summary["notebook"] != NOTEBOOK or summary["preset"] != "paper" or not summary["cells"]:
        raise ValueError(f"{path} is not a pooled grid of {NOTEBOOK} (missing {missing or 'nothing'})")
    for cell in summary["cells"]:
        absent = [name for name in (*CELL_FIELDS, "read_back", "source", "seeds_tried") if name not in cell]
        if absent or any(len(cell[name]) != len(cell["moduli"]) for name in PER_M):
            raise ValueError(f"{path}: a cell lacks {absent} or has per-M lists of the wrong length: {cell!r}")
        if cell["tuned_solve"] not in CELL_VERDICTS or cell["relu_fits_but_fails"] not in CELL_VERDICTS:
            raise ValueError(f"{path}: a cell's verdicts must be among {', '.join(CELL_VERDICTS)}: {cell!r}")
    if set(summary["region"]) != set(CLAIMS):
        raise ValueError(f"{path}: the region must decide exactly {', '.join(CLAIMS)}")
    return summary


def main(argv: list[str]) -> int:
    add = argv[:1] == ["--add"]
    folders = argv[1:] if add else argv
    if not folders:
        print("usage: python -m redshift_utils.book.paper_grid [--add] SLICE_DIR [SLICE_DIR ...]\n"
              "  --add: pool the slices with the cells already kept in book/paper_results/",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        summary = summarise([Path(folder) for folder in folders], load() if add else None)
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    path = summary_path()
    write_bytes_atomic(path, (json.dumps(summary, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    held = ", ".join(f"{claim} {r['verdict']} ({r['holds']} of {r['cells']})" for claim, r in summary["region"].items())
    print(f"wrote {path}: {len(summary['cells'])} cells from {len(summary['slices'])} slices; {held}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
