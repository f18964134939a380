"""Chapters run at the `paper` preset, measured and recorded in ``book/paper_runs.json``.

Why a record: a chapter at the paper's scale takes hours, so no build repeats it; the status page
shows what was measured beside its estimates. A chapter too long to finish in a few hours is
measured on a slice of its paper preset (fewer seeds, part of a grid, given with ``-p``); the
record then keeps the estimate of that slice and of the whole preset, both measured on the
machine that ran the slice, and the page extrapolates: whole preset x measured / estimated.

``python -m redshift_utils run CHAPTER --preset paper [-p NAME VALUE ...] --record NOTE`` runs the
chapter from an empty cache (so that it measures the work, not the cache), then appends the
record. A hand-written or damaged record is an error on the page, never a blank.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from redshift_utils.book import costs
from redshift_utils.book.atomic import write_bytes_atomic
from redshift_utils.book.paths import BUILD_DIR, REPO_ROOT
from redshift_utils.device import DEVICES, device_name

FIELDS: dict[str, type | tuple[type, ...]] = {
    "notebook": str, "preset": str, "params": dict, "wall_seconds": (int, float), "cpu_seconds": (int, float),
    "estimated_cpu_seconds": (int, float), "paper_estimate_cpu_seconds": (int, float),
    "machine": str, "device": str, "commit": str, "date": str, "note": str,
}  # fmt: skip
ABOUT = (
    "Chapters run at the paper preset, as measured (shown on the status page). Written by "
    "`python -m redshift_utils run CHAPTER --preset paper [-p NAME VALUE ...] --record NOTE`: params are the "
    "values that slice the preset ({} for the whole preset); wall and CPU seconds (all processes); the "
    "estimates of that setting and of the whole paper preset, measured on the same machine at the same time."
)


def record_path() -> Path:
    return REPO_ROOT / "book" / "paper_runs.json"


def load_runs() -> list[dict]:
    """Every recorded run, each checked: all fields present and typed, a known chapter, paper preset."""
    path = record_path()
    runs = json.loads(path.read_text(encoding="utf-8"))["runs"]
    for run in runs:
        for name, kind in FIELDS.items():
            if not isinstance(run.get(name), kind):
                raise ValueError(f"{path}: every run needs {name!r} ({kind}); got {run!r}")
        if run["device"] not in DEVICES:
            raise ValueError(f"{path}: a run's device must be one of {', '.join(DEVICES)}; got {run['device']!r}")
        if run["notebook"] not in costs.CHAPTER_UNITS:
            raise ValueError(f"{path}: unknown notebook {run['notebook']!r}; allowed: {', '.join(costs.CHAPTER_UNITS)}")
        if run["preset"] != "paper" or run["estimated_cpu_seconds"] <= 0 or run["paper_estimate_cpu_seconds"] <= 0:
            raise ValueError(f"{path}: a run needs preset 'paper' and positive estimates; got {run!r}")
    return runs


def paper_cpu_seconds(run: dict) -> float:
    """The whole paper preset's CPU seconds: measured for a whole run, extrapolated for a slice
    (the whole preset's estimate x measured / estimated, all on the machine of the run)."""
    if not run["params"]:
        return float(run["cpu_seconds"])
    return run["paper_estimate_cpu_seconds"] * run["cpu_seconds"] / run["estimated_cpu_seconds"]


def chapter_cpu_seconds(runs: list[dict]) -> float:
    """A chapter's whole paper preset from its runs: the latest whole run if there is one; else
    its slices pooled, the latest whole estimate x (all slices' measured / all slices' estimated),
    so that each slice weighs by its size and no one slice decides."""
    whole = [run for run in runs if not run["params"]]
    if whole:
        return float(whole[-1]["cpu_seconds"])
    ratio = sum(run["cpu_seconds"] for run in runs) / sum(run["estimated_cpu_seconds"] for run in runs)
    return runs[-1]["paper_estimate_cpu_seconds"] * ratio


def describe_setting(run: dict) -> str:
    """``whole preset`` or ``slice: name=value, ...`` (the ``-p`` values that sliced it)."""
    if not run["params"]:
        return "whole preset"
    return "slice: " + ", ".join(f"{name}={value}" for name, value in run["params"].items())


def table_rows(runs: list[dict]) -> list[list[str]]:
    """The status page's table: chapter, device, what ran, wall and CPU hours, estimate, ratio, paper CPU hours."""
    return [[run["notebook"], run["device"], describe_setting(run), f"{run['wall_seconds'] / 3600:.2f}",
             f"{run['cpu_seconds'] / 3600:.2f}", f"{run['estimated_cpu_seconds'] / 3600:.2f}",
             f"{run['cpu_seconds'] / run['estimated_cpu_seconds']:.2f}",
             f"{paper_cpu_seconds(run) / 3600:.2f}" + (" (extrapolated)" if run["params"] else "")]
            for run in runs]  # fmt: skip


def paper_hours(runs: list[dict], estimates: dict[str, float]) -> tuple[float, float, int]:
    """Whole paper preset in CPU hours: ``(recorded chapters, all chapters, how many recorded)``.

    Each recorded chapter counts ``chapter_cpu_seconds`` of its CPU runs; the others count
    ``estimates`` (stem -> CPU seconds, this machine's estimates of the whole preset). GPU runs are
    left out: the total answers how long the preset takes on CPU cores.
    """
    by_chapter: dict[str, list[dict]] = {}
    for run in runs:
        if run["device"] == "cpu":
            by_chapter.setdefault(run["notebook"], []).append(run)
    per_chapter = {stem: chapter_cpu_seconds(chapter_runs) for stem, chapter_runs in by_chapter.items()}
    recorded = sum(per_chapter.values()) / 3600
    rest = sum(seconds for stem, seconds in estimates.items() if stem not in per_chapter) / 3600
    return recorded, recorded + rest, len(per_chapter)


def append_run(run: dict) -> None:
    """Add ``run`` to the record (written atomically; the record is checked before and after)."""
    runs = [*load_runs(), run]
    write_bytes_atomic(record_path(), (json.dumps({"about": ABOUT, "runs": runs}, indent=1) + "\n").encode())
    load_runs()


def machine_description() -> str:
    """Cores, CPU model and torch build, e.g. ``2-core x86_64 (AMD EPYC 9R14), torch 2.13.0+cpu``;
    under ``REDSHIFT_DEVICE=cuda`` the GPU's name too."""
    import torch

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = f", GPU {torch.cuda.get_device_name(0)}" if device_name() == "cuda" else ""
    return f"{os.cpu_count()}-core {platform.machine()} ({model}), torch {torch.__version__}{gpu}"


def git_commit() -> str:
    """The checkout's commit, with ``+changes`` when tracked files other than the record differ from it
    ('unknown' outside git)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!book/paper_runs.json")
        return commit + ("+changes" if changed else "")  # the record itself grows with each run
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu_seconds_so_far() -> float:
    """User + system seconds of this process and of its finished children (the chapter's kernel)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def record_run(stem: str, explicit: dict[str, Any], note: str, out_dir: Path | None) -> dict:
    """Run ``stem`` at the paper preset (``explicit``: its validated ``-p`` values) from an empty
    cache, measure wall and CPU time, estimate the same setting and the whole preset here, append.

    The slice is counted before the run, so a setting that cannot be estimated stops at once.
    """
    from redshift_utils.book import runner

    if stem not in costs.CHAPTER_UNITS:
        raise ValueError(f"--record measures a chapter: one of {', '.join(costs.CHAPTER_UNITS)}")
    if explicit.get("preset") != "paper":
        raise ValueError("--record measures the paper preset: add --preset paper")
    if not note.strip():
        raise ValueError("--record needs a note (what ran, and anything that shared the machine)")
    params = {name: value for name, value in explicit.items() if name != "preset"}
    with costs.overridden(stem, params):
        costs.CHAPTER_UNITS[stem]("paper")  # a bad slice fails here, before hours of work
    previous = os.environ.get("REDSHIFT_CACHE_DIR")
    BUILD_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=BUILD_DIR, prefix="record-cache-") as cache:
        os.environ["REDSHIFT_CACHE_DIR"] = cache
        try:
            wall, cpu = time.perf_counter(), _cpu_seconds_so_far()
            runner.run_notebook(stem, explicit, out_dir)
            wall, cpu = time.perf_counter() - wall, _cpu_seconds_so_far() - cpu
        finally:
            if previous is None:
                os.environ.pop("REDSHIFT_CACHE_DIR", None)
            else:
                os.environ["REDSHIFT_CACHE_DIR"] = previous
    seconds = costs.unit_costs(costs.paper_mlp_cost(), costs.paper_block_cost())
    run = {
        "notebook": stem, "preset": "paper", "params": json.loads(json.dumps(params)),
        "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
        "estimated_cpu_seconds": round(costs.setting_seconds(stem, "paper", params, seconds), 1),
        "paper_estimate_cpu_seconds": round(costs.setting_seconds(stem, "paper", {}, seconds), 1),
        "machine": machine_description(), "device": device_name(), "commit": git_commit(),
        "date": time.strftime("%Y-%m-%d"), "note": note,
    }  # fmt: skip
    append_run(run)
    return run
