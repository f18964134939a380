"""Regenerate tests/golden/<stem>.ipynb: every chapter executed at the smoke preset (`make goldens`)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["TQDM_DISABLE"] = "1"

from notebook_tools import GOLDEN_DIR, chapter_stems, strip_images  # noqa: E402

from redshift_utils.runner import run_notebook  # noqa: E402


def main(stems: list[str]) -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for stem in stems or chapter_stems():
        with tempfile.TemporaryDirectory() as tmp:
            run_notebook(stem, {"preset": "smoke"}, Path(tmp))
            notebook = strip_images(nbformat.read(Path(tmp) / f"{stem}.ipynb", as_version=4))
        for index, cell in enumerate(notebook.cells):  # stable ids: a regenerated golden diffs only where outputs moved
            cell["id"] = f"{stem}-{index:03d}"
        nbformat.write(notebook, GOLDEN_DIR / f"{stem}.ipynb")
        print(f"wrote tests/golden/{stem}.ipynb")


if __name__ == "__main__":
    main(sys.argv[1:])
