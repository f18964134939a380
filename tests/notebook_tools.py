"""Helpers shared by the notebook tests and the golden generator (not part of the library)."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat

from redshift_utils.book.parameters import all_notebooks
from redshift_utils.book.paths import NOTEBOOKS_DIR, REPO_ROOT

GOLDEN_DIR = REPO_ROOT / "tests" / "golden"


def chapter_stems() -> list[str]:
    """Chapters that are executable notebooks (have a parameter spec and a notebook file)."""
    return [stem for stem in all_notebooks() if (NOTEBOOKS_DIR / f"{stem}.md").exists()]


def source_code_cells(stem: str) -> list[str]:
    notebook = jupytext.read(NOTEBOOKS_DIR / f"{stem}.md")
    return [cell.source.strip() for cell in notebook.cells if cell.cell_type == "code"]


def golden_code_cells(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    return [
        cell.source.strip()
        for cell in notebook.cells
        if cell.cell_type == "code" and "injected-parameters" not in cell.metadata.get("tags", [])
    ]


def golden_claims(document: dict) -> list[dict]:
    """What a golden keeps of a results document: each claim's id, measurement, interval, verdict."""
    keep = ("id", "measured", "ci_low", "ci_high", "verdict")
    return [{k: claim.get(k) for k in keep} for claim in document["claims"]]


def strip_images(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep text outputs only: images are never compared, and they bloat the repository."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if data:
                for mime in [m for m in data if m.startswith("image/")]:
                    del data[mime]
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("papermill", None)
    return notebook
