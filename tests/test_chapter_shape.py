"""The chapters stay readable: prose first, short cells, no helper written twice.

The limits (issue 12, for every chapter including later ones): code at most half of a chapter's
characters, no code cell over 60 non-blank lines (hidden cells and cell options count like any
other line), and no function defined in two chapters (it belongs in the library). Measured the
way the project's review measured them: on the MyST source, front matter excluded.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.md"))
MAX_CODE_SHARE = 0.50
MAX_CELL_LINES = 60
CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)```", flags=re.S)


def chapter_shape(text: str) -> tuple[float, int, set[str]]:
    """(code share of characters, longest code cell in non-blank lines, functions defined)."""
    body = re.sub(r"^---\n.*?\n---\n", "", text, count=1, flags=re.S)
    cells = CELL.findall(body)
    share = sum(len(c) for c in cells) / max(1, len(body))
    longest = max((sum(1 for line in c.splitlines() if line.strip()) for c in cells), default=0)
    defined = {name for cell in cells for name in re.findall(r"^def (\w+)", cell, flags=re.M)}
    return share, longest, defined


def test_the_shape_measure_counts_what_it_says():
    text = (
        "---\nfront: matter\n---\n# Title\n\nProse.\n\n"
        "```{code-cell} ipython3\n:tags: [x]\n\ndef f():\n    pass\n```\n"
    )
    share, longest, defined = chapter_shape(text)
    assert longest == 3 and defined == {"f"}
    assert 0.3 < share < 0.8


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_is_mostly_prose_with_short_cells(path):
    share, longest, _ = chapter_shape(path.read_text(encoding="utf-8"))
    assert share <= MAX_CODE_SHARE, f"{path.stem}: code is {share:.1%} of the characters (at most 50%)"
    assert longest <= MAX_CELL_LINES, f"{path.stem}: a code cell has {longest} lines (at most {MAX_CELL_LINES})"


def test_no_function_is_defined_in_two_chapters():
    where = defaultdict(set)
    for path in NOTEBOOKS:
        for name in chapter_shape(path.read_text(encoding="utf-8"))[2]:
            where[name].add(path.stem)
    twice = {name: sorted(stems) for name, stems in where.items() if len(stems) > 1}
    assert not twice, f"functions defined in more than one chapter (move them to the library): {twice}"
