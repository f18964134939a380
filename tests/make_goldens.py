"""Regenerate tests/golden/<stem>.ipynb and .json: every chapter at the smoke preset (`make goldens`).

The notebook keeps text outputs only (images are not compared); the JSON keeps the chapter's
claims (id, measured, interval, verdict), against which the tests check verdicts.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["TQDM_DISABLE"] = "1"
os.environ["REDSHIFT_DTYPE"] = "float32"  # goldens are float32; the tests also check float64 against them

from notebook_tools import GOLDEN_DIR, chapter_stems, golden_claims, strip_images  # noqa: E402

from redshift_utils.book.runner import run_notebook  # noqa: E402


def main(stems: list[str]) -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for stem in stems or chapter_stems():
        with tempfile.TemporaryDirectory() as tmp:
            run_notebook(stem, {"preset": "smoke"}, Path(tmp))
            notebook = strip_images(nbformat.read(Path(tmp) / f"{stem}.ipynb", as_version=4))
            claims = golden_claims(json.loads((Path(tmp) / f"{stem}.json").read_text()))
        for index, cell in enumerate(notebook.cells):  # stable ids: a regenerated golden diffs only where outputs moved
            cell["id"] = f"{stem}-{index:03d}"
        nbformat.write(notebook, GOLDEN_DIR / f"{stem}.ipynb")
        (GOLDEN_DIR / f"{stem}.json").write_text(json.dumps(claims, indent=1) + "\n")
        print(f"wrote tests/golden/{stem}.ipynb and .json")


if __name__ == "__main__":
    main(sys.argv[1:])
