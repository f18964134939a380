"""The golden comparison tolerates rounding and nothing else: a real regression still fails."""

from __future__ import annotations

import copy
import json

import pytest
from golden_compare import (
    LOOSE_TAG,
    NUMBER,
    STRUCTURE_TAG,
    Tolerance,
    compare_claims,
    compare_notebooks,
    compare_text,
)
from notebook_tools import GOLDEN_DIR, chapter_stems

TOL = Tolerance()


@pytest.mark.parametrize(
    ("golden", "actual"),
    [
        ("score 1.2264 at p = 3", "score 1.2269 at p = 3"),  # the examples another CPU printed
        ("ratio 0.628", "ratio 0.633"),
        ("0.0884", "0.0895"),
        ("largest difference 4e-07", "largest difference 3e-07"),
        ("gap +0.000", "gap -0.000"),
        ("a  | 0.50 |", "a | 0.51 |"),  # table padding moves with the width of a number
        ("verdict: reproduced", "verdict: partly"),  # verdicts are checked through the claims
    ],
)
def test_rounding_differences_pass(golden, actual):
    assert compare_text(golden, actual, TOL) is None


@pytest.mark.parametrize(
    ("golden", "actual"),
    [
        ("score 0.628", "score 0.700"),  # 11% off
        ("12 of 40 networks", "13 of 40 networks"),  # counts are exact below 1 / rtol
        ("ReLU rises", "ReLU falls"),  # words are exact
        ("values 0.1 0.2", "values 0.1 0.2 0.3"),  # table shapes are exact
        ("<Figure size 640x480 with 2 Axes>", "<Figure size 640x480 with 3 Axes>"),
    ],
)
def test_real_changes_fail(golden, actual):
    assert compare_text(golden, actual, TOL) is not None


def notebook(*outputs: dict, tags: list[str] | None = None) -> dict:
    cell = {"cell_type": "code", "source": "x", "metadata": {"tags": tags or []}, "outputs": list(outputs)}
    return {"cells": [cell]}


def stdout(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def test_cell_tags_widen_the_tolerance_only_where_set():
    golden, actual = notebook(stdout("rho -0.096\n")), notebook(stdout("rho -0.112\n"))
    assert compare_notebooks(golden, actual, TOL)
    assert not compare_notebooks(notebook(stdout("rho -0.096\n"), tags=[LOOSE_TAG]), actual, TOL)
    chaotic = notebook(stdout("degree 32: 0.557\n"), tags=[STRUCTURE_TAG])
    assert not compare_notebooks(chaotic, notebook(stdout("degree 32: 0.074\n")), TOL)
    assert compare_notebooks(chaotic, notebook(stdout("degree 32: 0.074 0.1\n")), TOL), "structure still counts"


def test_stream_chunks_are_joined_and_output_kinds_are_exact():
    golden = notebook(stdout("a 1\nb 2\n"))
    assert not compare_notebooks(golden, notebook(stdout("a 1\n"), stdout("b 2\n")), TOL)
    error = {"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": []}
    assert compare_notebooks(golden, notebook(stdout("a 1\nb 2\n"), error), TOL)


def claim(verdict: str, low: float, high: float, measured: str = "0.10 [0.08, 0.12]") -> dict:
    return {"id": "c", "measured": measured, "ci_low": low, "ci_high": high, "verdict": verdict}


def test_a_verdict_may_move_one_step_only_when_its_numbers_agree():
    golden = [claim("reproduced", 0.080, 0.120)]
    assert not compare_claims(golden, [claim("partly", 0.0801, 0.1201)], TOL)  # on the boundary
    assert compare_claims(golden, [claim("not reproduced", 0.0801, 0.1201)], TOL)  # two steps
    assert compare_claims(golden, [claim("partly", 0.05, 0.09, "0.07 [0.05, 0.09]")], TOL)  # moved


@pytest.mark.parametrize("stem", chapter_stems())
def test_a_golden_matches_itself_and_fails_when_one_number_moves(stem):
    """The real goldens: identical passes; one number pushed beyond its tolerance fails."""
    golden = json.loads((GOLDEN_DIR / f"{stem}.ipynb").read_text())
    assert compare_notebooks(golden, copy.deepcopy(golden), TOL) == []
    altered = copy.deepcopy(golden)
    for cell in altered["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or set(tags) & {STRUCTURE_TAG, "golden-ignore-output"}:
            continue
        for output in cell.get("outputs", []):
            text = output.get("text")
            if isinstance(text, list):
                text = "".join(text)
            found = [m for m in NUMBER.finditer(text or "") if "." in m.group() and abs(float(m.group())) > 0.01]
            if output.get("output_type") == "stream" and found:
                number = found[0]
                decimals = len(number.group().partition(".")[2])
                moved = f"{float(number.group()) * 1.5 + 1:.{decimals}f}"  # far beyond any tolerance
                output["text"] = text[: number.start()] + moved + text[number.end() :]
                break
        else:
            continue
        break
    else:
        pytest.skip(f"{stem} prints no decimal number to alter")
    problems = compare_notebooks(golden, altered, TOL)
    assert problems and "differs from the golden" in problems[0]
    claims = json.loads((GOLDEN_DIR / f"{stem}.json").read_text())
    assert compare_claims(claims, copy.deepcopy(claims), TOL) == []
