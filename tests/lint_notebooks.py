"""Lint the code of every MyST notebook (chapters and executed book pages) with ruff.

Each notebook is converted to a py:percent script with jupytext in a temporary folder and ruff
checks it with the project's settings; reported paths and line numbers point at the script,
whose ``# %%`` markers follow the notebook's cells. Run by ``make lint`` and ``make test``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext

REPO_ROOT = Path(__file__).resolve().parents[1]
# Notebook code legitimately imports in a later cell and ends cells with a bare expression.
IGNORED = "E402,B018"


def notebooks() -> list[Path]:
    pages = sorted((REPO_ROOT / "notebooks").glob("*.md")) + sorted((REPO_ROOT / "book").glob("*.md"))
    return [p for p in pages if "format_name: myst" in p.read_text(encoding="utf-8")]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for path in notebooks():
            script = Path(tmp) / f"{path.parent.name}__{path.stem}.py"
            jupytext.write(jupytext.read(path), script, fmt="py:percent")
        command = [sys.executable, "-m", "ruff", "check", "--config", str(REPO_ROOT / "pyproject.toml")]
        result = subprocess.run([*command, "--extend-ignore", IGNORED, tmp], text=True, capture_output=True)
        report = result.stdout.replace(tmp + "/", "")
        print(report.replace("notebooks__", "notebooks/").replace("book__", "book/"), end="")
        print(result.stderr, end="", file=sys.stderr)
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
