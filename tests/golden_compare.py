"""Compare an executed chapter with its golden: exact where results must not move, tolerant on numbers.

Why not nbval's exact comparison: float32 rounding differs between CPUs (instruction sets, BLAS
kernels), so the last printed digit of a number moves from one machine to the next. What must
stay valid everywhere is checked exactly: the cells and their outputs (kinds, streams, MIME
types), every word of text, table shapes, figure descriptions. Numbers are checked with a
tolerance that fits them (``Tolerance``); verdict words are checked through the results JSON,
where a verdict may move to a neighbouring word only when every number recorded for its claim
agrees within the tolerance (the claim then sits within the tolerance of its rule's boundary).

The tolerance policy (measured on one machine by running the chapters in float64 against the
float32 goldens; see ``tests/test_golden_compare.py`` and the closing notes):
* default: |a - b| <= max(rtol * max(|a|, |b|), atol, one unit of the last printed digit)
  (3%, 1e-5 and one unit: a value on a rounding boundary prints one unit apart)
* a cell tagged ``golden-ignore-output`` (a measured time): only its output kinds are checked;
* a cell tagged ``golden-structure`` (values that float rounding decides, e.g. fits at the
  float32 rounding floor): every word and the number of numbers are checked, not their values;
* a cell tagged ``golden-loose`` (chaotic quantities, e.g. deep sine networks at large
  prefactors, or float-noise levels): rtol and atol are multiplied by ``LOOSE_FACTOR``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

# A number stands alone: not inside a word or a version string (0.1.0); a sentence's full stop may follow.
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?!\w|\.\d)")
VERDICT_WORDS = re.compile(r"\b(?:not reproduced|not tested|reproduced|partly|inconclusive)\b")
VERDICT_ORDER = ("reproduced", "partly", "inconclusive", "not reproduced")
SANITIZERS = (
    (re.compile(r"source [0-9a-f]{12}"), "source HASH"),
    (re.compile(r"0x[0-9a-fA-F]+"), "0xADDR"),
    (re.compile(r"/[^\s'\"]*/(?=[\w.-]+\.(?:json|ipynb)\b)"), "/PATH/"),
)
TEXT_MIMES = ("text/plain", "text/markdown", "text/html", "text/latex")
LOOSE_TAG = "golden-loose"
STRUCTURE_TAG = "golden-structure"  # chaotic under rounding: words and the count of numbers checked, not values
IGNORE_TAG = "golden-ignore-output"  # measured times and the like: output kinds checked, text not
LOOSE_FACTOR = 10.0
# Claims summarise the chapter's statistics, some of them rank statistics over a handful of smoke
# networks (observed: 3% between float32 and float64): their numbers get 10%.
CLAIM_RTOL = 0.10


@dataclass(frozen=True)
class Tolerance:
    """How far a printed number may move: relative, absolute, and in units of its last digit."""

    rtol: float = 0.03
    atol: float = 1e-5
    quanta: float = 1.0

    def loosened(self) -> Tolerance:
        return Tolerance(self.rtol * LOOSE_FACTOR, self.atol * LOOSE_FACTOR, self.quanta)

    def accepts(self, golden: str, actual: str) -> bool:
        a, b = float(golden), float(actual)
        if a == b:  # equal numbers always agree (an infinite rtol times 0 would otherwise give NaN)
            return True
        if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
            return golden == actual or (math.isnan(a) and math.isnan(b))
        if "." not in golden + actual and "e" not in (golden + actual).lower():  # integers: counts, sizes
            return abs(a - b) <= self.rtol * max(abs(a), abs(b))
        unit = self.quanta * max(_quantum(golden), _quantum(actual))
        bound = max(self.rtol * max(abs(a), abs(b)), self.atol, unit)
        return abs(a - b) <= bound * (1 + 1e-9)


def _quantum(text: str) -> float:
    """The value of one unit in the last printed digit: 0.01 for '1.23', 1e-7 for '4e-07'."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (-decimals + (int(exponent) if exponent else 0))


def sanitize(text: str) -> str:
    for pattern, replacement in SANITIZERS:
        text = pattern.sub(replacement, text)
    return VERDICT_WORDS.sub("<verdict>", text)


def compare_text(golden: str, actual: str, tolerance: Tolerance) -> str | None:
    """None when the texts agree: same words (whitespace-insensitive), numbers within tolerance."""
    golden, actual = sanitize(golden), sanitize(actual)
    words_g, words_a = NUMBER.split(golden), NUMBER.split(actual)
    numbers_g, numbers_a = NUMBER.findall(golden), NUMBER.findall(actual)
    squash = lambda parts: [" ".join(p.split()) for p in parts]  # noqa: E731
    if squash(words_g) != squash(words_a) or len(numbers_g) != len(numbers_a):
        return f"text differs:\n  golden: {_excerpt(golden)}\n  actual: {_excerpt(actual)}"
    for g, a in zip(numbers_g, numbers_a, strict=True):
        if not tolerance.accepts(g, a):
            return f"number {a} differs from the golden's {g} beyond {tolerance} in: {_excerpt(actual)}"
    return None


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " ..."


def _joined(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _output_texts(output: dict[str, Any]) -> dict[str, str]:
    if output.get("output_type") == "stream":
        return {"stream:" + output.get("name", ""): _joined(output.get("text", ""))}
    if output.get("output_type") == "error":
        return {"error": f"{output.get('ename')}: {output.get('evalue')}"}
    data = output.get("data", {})
    texts = {}
    for mime, value in data.items():
        if mime.startswith("image/"):
            continue
        if mime in TEXT_MIMES or mime.endswith("/text/plain") or mime.endswith("/text/markdown"):
            texts[mime] = _joined(value)
        else:
            texts[mime] = repr(value)
    return texts


def _coalesced(outputs: list[dict[str, str]]) -> list[dict[str, str]]:
    """Join consecutive chunks of one stream: how output is split into chunks depends on timing."""
    merged: list[dict[str, str]] = []
    for output in outputs:
        (kind,) = output if len(output) == 1 else (None,)
        if kind and kind.startswith("stream:") and merged and list(merged[-1]) == [kind]:
            merged[-1] = {kind: merged[-1][kind] + output[kind]}
        else:
            merged.append(dict(output))
    return merged


def _code_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def compare_notebooks(
    golden: dict[str, Any], actual: dict[str, Any], tolerance: Tolerance, *, check_code: bool = True
) -> list[str]:
    """Every difference that matters, one message per cell (empty when the run matches)."""
    problems = []
    cells_g, cells_a = _code_cells(golden), _code_cells(actual)
    if len(cells_g) != len(cells_a):
        return [f"{len(cells_a)} code cells, the golden has {len(cells_g)}"]
    for index, (cell_g, cell_a) in enumerate(zip(cells_g, cells_a, strict=True)):
        where = f"code cell {index} ({cell_g.get('id', '?')})"
        if check_code and _joined(cell_g["source"]).strip() != _joined(cell_a["source"]).strip():
            problems.append(f"{where}: code differs from the golden (run `make goldens`)")
            continue
        tags = cell_g.get("metadata", {}).get("tags", [])
        cell_tolerance = tolerance.loosened() if LOOSE_TAG in tags else tolerance
        if STRUCTURE_TAG in tags:
            cell_tolerance = Tolerance(rtol=math.inf, atol=math.inf)
        outputs_g = _coalesced([_output_texts(o) for o in cell_g.get("outputs", [])])
        outputs_a = _coalesced([_output_texts(o) for o in cell_a.get("outputs", [])])
        kinds_g, kinds_a = [sorted(o) for o in outputs_g], [sorted(o) for o in outputs_a]
        if kinds_g != kinds_a:
            problems.append(f"{where}: outputs {kinds_a} differ from the golden's {kinds_g}")
            continue
        if IGNORE_TAG in tags:
            continue
        for out_g, out_a in zip(outputs_g, outputs_a, strict=True):
            for mime in out_g:
                problem = compare_text(out_g[mime], out_a[mime], cell_tolerance)
                if problem:
                    problems.append(f"{where}, {mime}: {problem}")
                    break
    return problems


def compare_claims(golden: list[dict[str, Any]], actual: list[dict[str, Any]], tolerance: Tolerance) -> list[str]:
    """Claims agree: same ids, numbers within tolerance, verdicts equal or a justified neighbour.

    A verdict may differ from the golden's only by one step (reproduced / partly / inconclusive /
    not reproduced) and only when every number of the claim (its interval, the numbers in its
    ``measured`` text) agrees within the tolerance: then the claim sits within the tolerance of
    its rule's boundary, and which side a machine's rounding puts it on is not a regression.
    """
    problems = []
    tolerance = Tolerance(rtol=max(tolerance.rtol, CLAIM_RTOL), atol=tolerance.atol, quanta=tolerance.quanta)
    by_id = {c["id"]: c for c in actual}
    if [c["id"] for c in golden] != [c["id"] for c in actual]:
        return [f"claim ids {[c['id'] for c in actual]} differ from the golden's {[c['id'] for c in golden]}"]
    for claim_g in golden:
        claim_a = by_id[claim_g["id"]]
        numbers_ok = True
        for field in ("ci_low", "ci_high"):
            g, a = claim_g.get(field), claim_a.get(field)
            if (g is None) != (a is None) or (g is not None and not tolerance.accepts(repr(g), repr(a))):
                problems.append(f"claim {claim_g['id']}: {field} {a!r} differs from the golden's {g!r}")
                numbers_ok = False
        problem = compare_text(str(claim_g.get("measured", "")), str(claim_a.get("measured", "")), tolerance)
        if problem:
            problems.append(f"claim {claim_g['id']}, measured: {problem}")
            numbers_ok = False
        verdict_g, verdict_a = claim_g["verdict"], claim_a["verdict"]
        if verdict_g != verdict_a:
            step = _verdict_step(verdict_g, verdict_a)
            if step != 1 or not numbers_ok:
                problems.append(f"claim {claim_g['id']}: verdict {verdict_a!r}, the golden says {verdict_g!r}")
    return problems


def _verdict_step(a: str, b: str) -> int | None:
    if a in VERDICT_ORDER and b in VERDICT_ORDER:
        return abs(VERDICT_ORDER.index(a) - VERDICT_ORDER.index(b))
    return None
