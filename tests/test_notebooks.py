"""Every chapter executes at the smoke preset, matches its golden, and the book builds offline."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import jupytext
import pytest
from golden_compare import Tolerance, compare_claims, compare_notebooks
from notebook_tools import GOLDEN_DIR, chapter_stems, golden_code_cells, source_code_cells

from redshift_utils.book.parameters import load_spec
from redshift_utils.book.paths import NOTEBOOKS_DIR, REPO_ROOT, build_root
from redshift_utils.book.results import CLAIM_FIELDS, VERDICTS

STEMS = chapter_stems()


def test_every_listed_chapter_is_tested():
    toc = (REPO_ROOT / "_toc.yml").read_text()
    listed = re.findall(r"file: notebooks/(\S+)", toc)
    chapters = ["01_metrics", "02_activations", "03_components", "03b_figure5_search", "04_trained_models",
                "05_transformers", "06_beyond"]
    assert listed == chapters
    for stem in listed:
        text = (NOTEBOOKS_DIR / f"{stem}.md").read_text()
        if "format_name: myst" in text:  # an executable chapter, not a "coming next" page
            assert stem in STEMS, f"{stem} is a notebook without a parameter spec"


def parameters_cell(stem: str) -> dict[str, object]:
    notebook = jupytext.read(NOTEBOOKS_DIR / f"{stem}.md")
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{stem} must have exactly one cell tagged 'parameters'"
    values = {}
    for node in ast.parse(cells[0].source).body:
        assert isinstance(node, ast.Assign), f"{stem}: the parameters cell holds only assignments"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    index = notebook.cells.index(cells[0])
    follower = notebook.cells[index + 1].source
    assert f'ru.resolve_parameters("{stem}", globals())' in follower, f"{stem}: validation must follow parameters"
    return values


@pytest.mark.parametrize("stem", STEMS)
def test_parameters_cell_matches_spec(stem):
    values = parameters_cell(stem)
    spec = load_spec(stem)
    assert list(values) == spec.names(), f"{stem}: parameters cell and spec list different names"
    assert values["preset"] is None
    for param in spec.params:
        expected = None if param.presets else param.default
        assert values[param.name] == expected, f"{stem}.{param.name}: cell {values[param.name]!r} != {expected!r}"


def check_results_document(document: dict, stem: str, preset: str) -> None:
    fields = {"notebook", "preset", "params", "library", "dtype", "device", "records", "claims"}
    assert set(document) - {"figures"} == fields
    assert document["notebook"] == stem and document["preset"] == preset
    assert set(document["library"]) == {"version", "source_hash"}
    assert isinstance(document["records"], list) and document["records"], f"{stem} wrote no records"
    assert all(isinstance(r, dict) for r in document["records"])
    for claim in document["claims"]:
        assert set(claim) == set(CLAIM_FIELDS)
        assert claim["verdict"] in VERDICTS


RUNS = ("float32", "float32-warm", "float64")  # cold cache, the same again from a warm cache, float64
BACKGROUND_WORKERS = 2  # CLI runs at a time: one run keeps about one core busy, so two halve the wait on 2 cores


def background_jobs(items: list[pytest.Item]) -> list[tuple[str, str]]:
    """The CLI runs the selected tests of this module need, longest first: ``(stem, kind)`` pairs, and
    ``("book", "smoke")`` and ``("robustness", "smoke")`` for the two whole-book tests.

    Why ask the selection: with ``-k`` only the runs of the selected tests start, as before.
    """
    jobs: list[tuple[str, str]] = []
    for item in items:
        if item.module is None or item.module.__name__ != __name__:
            continue
        name, params = item.originalname, getattr(item, "callspec", None)
        params = params.params if params else {}
        if name == "test_book_builds_at_smoke_preset_and_is_offline":
            jobs.append(("book", "smoke"))
        elif name == "test_robustness_reruns_every_chapter_per_seed_and_tabulates_verdicts":
            jobs.append(("robustness", "smoke"))
        elif name == "test_chapter_runs_at_smoke_preset_from_the_cli":
            jobs.append((params["stem"], "float32"))
        elif name == "test_the_paper_presets_choices_run_at_smoke_scale":
            jobs += [(params["stem"], "float32"), (params["stem"], "float32-paper-choices")]
        elif name == "test_chapter_matches_its_golden":
            jobs += [(params["stem"], "float32"), (params["stem"], params["kind"])]
    order = ["book", "robustness"]  # the two longest first; a run that reads another's cache after it
    rank = {"float32": 2, "float64": 3, "float32-warm": 4, "float32-paper-choices": 5}
    return sorted(dict.fromkeys(jobs), key=lambda job: (order.index(job[0]) if job[0] in order else rank[job[1]]))


@pytest.fixture(scope="session")
def background(request, tmp_path_factory):
    """Every CLI run of this module's selected tests, started at once on ``BACKGROUND_WORKERS`` threads.

    Why: each run is a separate process that mostly keeps one core busy, and the tests only read
    what the runs leave behind, so on two cores two runs at a time take about half the wall time
    (the suite took 858 s with the runs one after another). The tests then wait for their run.
    A run that needs another's cache (the warm run, the paper's choices) waits for it; jobs start
    in the order submitted, so the one waited for has always started. The book build and the
    robustness run start first, side by side (they share the default cache, written atomically;
    robustness no longer waits to read the build's seed 0, it computes it alongside).
    Smoke runs: each chapter and kind has its own output folder; all share one fresh cache
    folder, so "float32-warm" reads every cached computation that "float32" wrote (and float64
    misses them: the dtype is part of every key).
    """
    root = tmp_path_factory.mktemp("smoke-runs")
    futures: dict[tuple[str, str], Future] = {}

    def execute(stem: str, kind: str) -> tuple[subprocess.CompletedProcess, Path]:
        env = dict(os.environ, TQDM_DISABLE="1")
        out = root / kind / stem  # a folder per run: the CLI refuses a folder another run is writing
        if stem == "book":
            env.pop("TQDM_DISABLE")  # built the way `make book` builds: the builder itself switches bars off
            command = ["book", "--preset", "smoke"]
        elif stem == "robustness":
            command = ["robustness", "--preset", "smoke", "--seeds", "0", "1"]
        else:
            if kind in ("float32-warm", "float32-paper-choices"):
                futures[stem, "float32"].result()  # fill the cache first
            env.update(REDSHIFT_DTYPE=kind.split("-")[0], REDSHIFT_CACHE_DIR=str(root / "cache"))
            command = ["run", f"notebooks/{stem}.md", "--preset", "smoke"]
            if kind == "float32-paper-choices":
                for name, value in paper_choices(stem).items():
                    command += ["-p", name, json.dumps(value)]
            command += ["-o", str(out)]
        result = subprocess.run([sys.executable, "-m", "redshift_utils", *command], cwd=REPO_ROOT, env=env,
                                capture_output=True, text=True, timeout=1800)  # fmt: skip
        return result, out

    pool = ThreadPoolExecutor(max_workers=BACKGROUND_WORKERS, thread_name_prefix="cli-run")
    for job in background_jobs(request.session.items):
        futures[job] = pool.submit(execute, *job)

    def wait(stem: str, kind: str) -> tuple[subprocess.CompletedProcess, Path]:
        if (stem, kind) not in futures:  # a test not in the selection the fixture saw
            if kind in ("float32-warm", "float32-paper-choices") and (stem, "float32") not in futures:
                futures[stem, "float32"] = pool.submit(execute, stem, "float32")  # submitted before its reader
            futures[stem, kind] = pool.submit(execute, stem, kind)
        return futures[stem, kind].result()

    yield wait
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture
def smoke_runs(background):
    """``smoke_runs(stem, kind)``: the chapter's CLI run at the smoke preset, ``(result, output folder)``."""
    return background


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_runs_at_smoke_preset_from_the_cli(stem, smoke_runs):
    result, out = smoke_runs(stem, "float32")
    assert result.returncode == 0, result.stderr[-3000:]
    assert Path(result.stdout.strip().splitlines()[-1]) == out / f"{stem}.json"
    assert (out / f"{stem}.ipynb").exists()
    assert not list(out.glob(".*.input.ipynb")) and not list(out.glob(".staging-*")), "the run left stray files"
    document = json.loads((out / f"{stem}.json").read_text())
    check_results_document(document, stem, "smoke")
    assert document["dtype"] == "float32"


def paper_choices(stem: str) -> dict[str, object]:
    """The chapter's categorical parameters (names of activations, forms, ...) whose paper value
    differs from the book's: choices that only the paper preset makes (every book build runs the
    book's), to run at the smoke scale."""
    return {p.name: p.value_for("paper") for p in load_spec(stem).params
            if p.kind in ("str", "strs", "bool") and p.value_for("paper") != p.value_for("book")}  # fmt: skip


@pytest.mark.parametrize("stem", [stem for stem in STEMS if paper_choices(stem)])
def test_the_paper_presets_choices_run_at_smoke_scale(stem, smoke_runs):
    """A value only the paper preset uses must not fail hours into a paper run: chapter 6 at
    `paper` failed in a figure cell after 40 minutes on 'sigmoid', which no smoke or book run
    used. Here the paper's own categorical choices run at the smoke scale (sharing its cache)."""
    result, out = smoke_runs(stem, "float32-paper-choices")
    assert result.returncode == 0, result.stderr[-3000:]
    document = json.loads((out / f"{stem}.json").read_text())
    assert all(document["params"][name] == value for name, value in paper_choices(stem).items())


@pytest.mark.parametrize("kind", RUNS)
@pytest.mark.parametrize("stem", STEMS)
def test_chapter_matches_its_golden(stem, kind, smoke_runs):
    """Outputs and claims agree with the float32 golden within the tolerance policy (golden_compare).

    float64 differs from float32 about as much as another CPU's float32 does: this is how one
    machine checks that the goldens hold on every machine. The warm run checks that every
    cached value survives the cache's round trip.
    """
    result, out = smoke_runs(stem, kind)
    assert result.returncode == 0, result.stderr[-3000:]
    golden = json.loads((GOLDEN_DIR / f"{stem}.ipynb").read_text())
    actual = json.loads((out / f"{stem}.ipynb").read_text())
    problems = compare_notebooks(golden, actual, Tolerance())
    golden_claims = json.loads((GOLDEN_DIR / f"{stem}.json").read_text())
    document = json.loads((out / f"{stem}.json").read_text())
    assert document["dtype"] == kind.split("-")[0]
    problems += compare_claims(golden_claims, document["claims"], Tolerance())
    assert not problems, f"{stem} ({kind}) differs from tests/golden/{stem}:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("stem", STEMS)
def test_golden_code_matches_notebook(stem):
    golden = GOLDEN_DIR / f"{stem}.ipynb"
    assert golden.exists(), f"missing golden {golden.name}: run `make goldens`"
    assert golden_code_cells(golden) == source_code_cells(stem), (
        f"tests/golden/{stem}.ipynb is stale: its code differs from notebooks/{stem}.md; run `make goldens`"
    )


def test_book_builds_at_smoke_preset_and_is_offline(background):
    result, _ = background("book", "smoke")
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    html = build_root("smoke") / "_build" / "html"
    pages = list(html.rglob("*.html"))
    for stem in STEMS:
        assert (html / "notebooks" / f"{stem}.html").exists()
    external = re.compile(
        r"<(?:script|img)\b[^>]*\bsrc=[\"']https?://|<link\b[^>]*\bhref=[\"']https?://[^\"']*[\"'][^>]*stylesheet"
        r"|<link\b[^>]*stylesheet[^>]*\bhref=[\"']https?://",
        re.IGNORECASE,
    )
    offenders = [str(p.relative_to(html)) for p in pages if external.search(p.read_text(errors="ignore"))]
    assert not offenders, f"pages load external scripts, stylesheets or images: {offenders}"
    progress = re.compile(r"\d+%\|[^|<]*\|\s*\d+/\d+")  # a tqdm bar: " 40%|████      | 4/10"
    with_bars = [str(p.relative_to(html)) for p in pages if progress.search(p.read_text(errors="ignore"))]
    assert not with_bars, f"pages show progress bars: {with_bars}"
    assert (html / "_static" / "mathjax" / "tex-chtml.js").exists(), "MathJax must be bundled (offline)"
    for stem in STEMS:
        page = (html / "notebooks" / f"{stem}.html").read_text()
        images = re.findall(r"<img[^>]*src=\"([^\"]+)\"", page)
        assert images, f"{stem}.html shows no figure"
        for src in images:
            assert (html / "notebooks" / src).resolve().exists(), f"{stem}.html: missing image {src}"
    assert (build_root("smoke") / "results").is_dir()


def test_misspelt_papermill_parameter_fails_in_the_validation_cell(tmp_path):
    """Plain papermill only warns about unknown names; the validation cell must refuse them."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = tmp_path / "in.ipynb"
    jupytext.write(jupytext.read(NOTEBOOKS_DIR / "01_metrics.md"), source, fmt="ipynb")
    with pytest.raises(PapermillExecutionError) as error:
        papermill.execute_notebook(
            str(source),
            str(tmp_path / "out.ipynb"),
            parameters={"preset": "smoke", "n_netwroks": 3},
            kernel_name="python3",
            cwd=str(NOTEBOOKS_DIR),
            progress_bar=False,
        )
    assert error.value.ename == "ValueError"
    assert "unknown parameter 'n_netwroks'" in error.value.evalue and "n_networks" in error.value.evalue
    assert error.value.exec_count <= 3, "the error must come before any computation"


def test_robustness_reruns_every_chapter_per_seed_and_tabulates_verdicts(background):
    """`python -m redshift_utils robustness` at the smoke preset with two base seeds."""
    from redshift_utils.book.scoreboard import load_robustness, robustness_path

    result, _ = background("robustness", "smoke")
    assert result.returncode == 0, result.stderr[-3000:]
    path = robustness_path("smoke")
    assert result.stdout.strip().splitlines()[-1] == str(path)
    table = json.loads(path.read_text())
    assert table["seeds"] == [0, 1] and not table["failures"]
    assert {row["notebook"] for row in table["claims"]} == set(STEMS)
    for row in table["claims"]:
        assert len(row["verdicts"]) == 2 and all(v in VERDICTS for v in row["verdicts"])
    assert load_robustness("smoke")
