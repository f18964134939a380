"""Answers of chapters run in full at the `paper` preset, kept in the book: ``book/paper_results/<chapter>.json``.

Why: some chapters' `paper` preset takes hours on two cores (chapter 3b's whole Figure 5 search,
about 7.5 hours of one core), so no build runs it, yet a reader deserves its answer next to the
slice the page computes. When such a run is made (recorded in ``book/paper_runs.json``), its
results file is summarised here: its claims as they came out, the best reading of every line,
the parameters, and the run's record (machine, device, time, commit). Chapters show the file
beside their own results and say where the two differ. Nothing in it is typed by hand:

    python -m redshift_utils.book.paper_results RESULTS_JSON

summarises a chapter's results file from a whole `paper` run (it must match the latest whole run
of that chapter in ``book/paper_runs.json``) and writes the summary atomically.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from redshift_utils.book.atomic import write_bytes_atomic
from redshift_utils.book.paper_runs import load_runs
from redshift_utils.book.paths import REPO_ROOT

SUMMARISED = ("03b_figure5_search",)  # chapters whose paper results the book keeps
FIELDS = ("notebook", "preset", "params", "library", "dtype", "device", "run", "claims", "lines")
CLAIM_FIELDS = ("id", "verdict", "measured", "margin", "kind")


def results_path(notebook: str) -> Path:
    return REPO_ROOT / "book" / "paper_results" / f"{notebook}.json"


def summarise(results: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """The summary of one whole `paper` run of chapter 3b: claims, best reading per line, provenance.

    The best reading of a line is chosen by the chapter's own rule (``figure5_search.best``: worst
    distance, then mean, ties to the form listed first) among the readings in the results' records.
    """
    from redshift_utils import figure5_search as study

    notebook = results.get("notebook")
    if notebook not in SUMMARISED:
        raise ValueError(f"paper results are kept for {', '.join(SUMMARISED)}; got a results file of {notebook!r}")
    if results.get("preset") != "paper":
        raise ValueError(f"a paper result must come from the paper preset; this file is {results.get('preset')!r}")
    if run.get("notebook") != notebook or run.get("params") != {}:
        raise ValueError(f"the run record must be a whole paper run of {notebook} (params {{}}); got {run!r}")
    lines: dict[tuple[str, str], list[study.Fit]] = {}
    for row in results["records"]:
        reading = study.Reading(row["depth"], row["width"], row["grid_n"], row["magnitude"], row["form"])
        fit = study.Fit(reading, row["mean_distance"], row["worst_distance"], row["excess"], row["points"])
        lines.setdefault((row["component"], row["activation"]), []).append(fit)
    best_rows = []
    for (component, activation), fits in lines.items():
        top = study.best(fits)
        best_rows.append({"component": component, "activation": activation, **top.reading._asdict(),
                          "mean_distance": top.mean, "worst_distance": top.worst, "excess": top.excess,
                          "fits": top.fits, "points": top.points, "readings": len(fits)})  # fmt: skip
    return {
        "notebook": notebook, "preset": "paper", "params": results["params"], "library": results["library"],
        "dtype": results["dtype"], "device": results["device"], "run": run,
        "claims": [{name: claim[name] for name in CLAIM_FIELDS} for claim in results["claims"]],
        "lines": best_rows,
    }  # fmt: skip


def load(notebook: str) -> dict[str, Any]:
    """The kept summary of ``notebook``'s whole `paper` run, checked; a clear error if it is missing or damaged."""
    path = results_path(notebook)
    if not path.exists():
        raise ValueError(f"{path} is missing: run the chapter at --preset paper --record, then summarise it "
                         "with python -m redshift_utils.book.paper_results RESULTS_JSON")  # fmt: skip
    summary = json.loads(path.read_text(encoding="utf-8"))
    missing = [name for name in FIELDS if name not in summary]
    if missing or summary["notebook"] != notebook or summary["preset"] != "paper":
        raise ValueError(f"{path} is not a paper-results summary of {notebook} (missing {missing or 'nothing'})")
    for claim in summary["claims"]:
        if set(claim) != set(CLAIM_FIELDS):
            raise ValueError(f"{path}: every claim needs exactly {', '.join(CLAIM_FIELDS)}; got {sorted(claim)}")
    return summary


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m redshift_utils.book.paper_results RESULTS_JSON", file=sys.stderr)
        return 2
    try:
        results = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
        whole = [r for r in load_runs() if r["notebook"] == results.get("notebook") and r["params"] == {}]
        if not whole:
            raise ValueError(f"book/paper_runs.json has no whole paper run of {results.get('notebook')!r}")
        summary = summarise(results, whole[-1])
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    path = results_path(summary["notebook"])
    write_bytes_atomic(path, (json.dumps(summary, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"wrote {path.relative_to(REPO_ROOT)}: {len(summary['claims'])} claims, {len(summary['lines'])} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
