"""`python -m redshift_utils run`: runs the file it is given; an output folder never mixes runs.

These tests use a tiny chapter-shaped notebook (it validates as chapter 1 and writes a results
file) so that each run takes seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from redshift_utils.book import output_folder
from redshift_utils.book.paths import REPO_ROOT

TINY = """---
jupytext:
  text_representation: {{extension: .md, format_name: myst, format_version: 0.13}}
kernelspec: {{display_name: Python 3, language: python, name: python3}}
---

```{{code-cell}} ipython3
:tags: [parameters]
preset = None
```

```{{code-cell}} ipython3
import time
import redshift_utils as ru
params = ru.resolve_parameters("01_metrics", globals())
```

```{{code-cell}} ipython3
print("{marker}")
time.sleep({sleep})
{body}
ru.write_results("01_metrics", params, [{{"marker": "{marker}"}}], [])
```
"""


def tiny_notebook(folder: Path, marker: str, body: str = "", sleep: float = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "01_metrics.md"
    path.write_text(TINY.format(marker=marker, body=body, sleep=sleep))
    return path


def cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    environment = dict(os.environ, TQDM_DISABLE="1", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "redshift_utils", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        **kwargs,
    )


def marker_of(folder: Path) -> tuple[str, str]:
    """The marker printed in the notebook and the one recorded in the JSON of a folder's pair."""
    notebook = (folder / "01_metrics.ipynb").read_text()
    records = json.loads((folder / "01_metrics.json").read_text())["records"]
    printed = "GOOD-1" if "GOOD-1" in notebook else "GOOD-2" if "GOOD-2" in notebook else "?"
    return printed, records[0]["marker"]


def no_strays(folder: Path) -> bool:
    names = [p.name for p in folder.iterdir()]
    return not [n for n in names if n.startswith(".staging-") or n.endswith(".input.ipynb") or n.endswith(".commit")]


def test_run_executes_the_file_it_is_given(tmp_path):
    source = tiny_notebook(tmp_path / "copy", "EDITED-COPY")
    result = cli("run", str(source), "--preset", "smoke", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "EDITED-COPY" in (tmp_path / "out" / "01_metrics.ipynb").read_text()
    assert Path(result.stdout.strip().splitlines()[-1]) == tmp_path / "out" / "01_metrics.json"
    assert no_strays(tmp_path / "out")


def test_failed_run_keeps_the_previous_pair_and_says_where_its_notebook_is(tmp_path):
    out = tmp_path / "out"
    good = cli("run", str(tiny_notebook(tmp_path / "a", "GOOD-1")), "--preset", "smoke", "-o", str(out))
    assert good.returncode == 0, good.stderr[-2000:]
    bad = tiny_notebook(tmp_path / "b", "BAD", body="raise RuntimeError('boom')")
    result = cli("run", str(bad), "--preset", "smoke", "-o", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "boom" in result.stderr and "01_metrics.failed.ipynb" in result.stderr
    assert marker_of(out) == ("GOOD-1", "GOOD-1")
    assert "BAD" in (out / "01_metrics.failed.ipynb").read_text()
    assert no_strays(out)
    again = cli("run", str(tiny_notebook(tmp_path / "c", "GOOD-2")), "--preset", "smoke", "-o", str(out))
    assert again.returncode == 0 and marker_of(out) == ("GOOD-2", "GOOD-2")
    assert not (out / "01_metrics.failed.ipynb").exists(), "a stale failure must not outlive a good run"


def test_a_folder_being_written_is_refused(tmp_path):
    out = output_folder.prepare(tmp_path / "out")
    with output_folder.locked(out):
        result = cli("run", str(tiny_notebook(tmp_path / "a", "GOOD-1")), "--preset", "smoke", "-o", str(out))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: another run is writing into {out}; "
                                                  "wait for it or choose another folder with -o"]


def test_terminated_run_leaves_the_previous_pair_and_no_stray_files(tmp_path):
    out = tmp_path / "out"
    assert cli("run", str(tiny_notebook(tmp_path / "a", "GOOD-1")), "--preset", "smoke", "-o", str(out)).returncode == 0
    slow = tiny_notebook(tmp_path / "b", "GOOD-2", sleep=60)
    process = subprocess.Popen(
        [sys.executable, "-m", "redshift_utils", "run", str(slow), "--preset", "smoke", "-o", str(out)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, TQDM_DISABLE="1"),
    )
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.glob(".staging-*/01_metrics.ipynb")):
        time.sleep(0.2)  # wait until the kernel is executing
    time.sleep(2)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert marker_of(out) == ("GOOD-1", "GOOD-1")
    assert no_strays(out)


def test_a_move_interrupted_between_the_two_files_is_completed_by_the_next_run(tmp_path):
    folder = output_folder.prepare(tmp_path / "out")
    for name, text in (("01_metrics.json", "old json"), ("01_metrics.ipynb", "old notebook")):
        (folder / name).write_text(text)
    staging = output_folder.new_staging(folder, "01_metrics")
    (staging / "01_metrics.ipynb").write_text("new notebook")
    (folder / "01_metrics.json").write_text("new json")  # the first rename happened, then the kill
    (folder / ".01_metrics.commit").write_text(staging.name)
    with output_folder.locked(folder):
        output_folder.recover(folder)
    assert (folder / "01_metrics.ipynb").read_text() == "new notebook"
    assert (folder / "01_metrics.json").read_text() == "new json"
    assert no_strays(folder)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["run", "01_metrics", "-o", "FILE"], {}, "is a file"),
        (["run", "01_metrics"], {"REDSHIFT_DTYPE": "float16"}, "REDSHIFT_DTYPE must be one of float32, float64"),
        (["run", "01_metrics"], {"REDSHIFT_CACHE_DIR": "FILE"}, "is a file"),
        (["run", "notebooks/nope.md"], {}, "no notebook file"),
        (["params", "no_such_chapter"], {}, "no notebook file"),
    ],
)
def test_user_mistakes_get_one_clear_line(tmp_path, args, env, message):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    args = [str(a_file) if a == "FILE" else a for a in args]
    env = {k: str(a_file) if v == "FILE" else v for k, v in env.items()}
    result = cli(*args, env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr[-2000:]


def test_params_into_a_closed_pipe_is_not_a_traceback():
    command = f"{sys.executable} -m redshift_utils params 02_activations | head -n 1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.stdout.startswith("Parameters of 02_activations")
    assert "Traceback" not in result.stderr


def execute_with_papermill(source: Path, out: Path, env: dict[str, str]) -> dict:
    """Run a notebook the way a reader would without our CLI: jupytext + papermill."""
    import jupytext
    import nbformat
    import papermill

    notebook_path = out.parent / "input.ipynb"
    jupytext.write(jupytext.read(source), notebook_path, fmt="ipynb")
    saved = dict(os.environ)
    os.environ.update(env)
    for name in ("REDSHIFT_RESULTS_DIR", "REDSHIFT_BOOK_BUILD"):
        os.environ.pop(name, None)
    try:
        papermill.execute_notebook(str(notebook_path), str(out), kernel_name="python3", progress_bar=False)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nbformat.read(out, as_version=4)


def test_a_run_outside_the_cli_never_writes_the_books_results(tmp_path):
    from redshift_utils.book.paths import BUILD_DIR

    book_results = BUILD_DIR / "results" / "01_metrics.json"
    before = book_results.stat().st_mtime_ns if book_results.exists() else None
    source = tiny_notebook(tmp_path / "a", "PLAIN-PAPERMILL")
    notebook = execute_with_papermill(source, tmp_path / "out.ipynb", {"REDSHIFT_PRESET": "smoke"})
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    line = next(x for x in printed.splitlines() if x.startswith("results written to "))
    written = Path(line.split()[3])
    assert written.is_relative_to(BUILD_DIR / "runs" / "01_metrics") and written.exists()
    assert (book_results.stat().st_mtime_ns if book_results.exists() else None) == before
    written.unlink()
    written.parent.rmdir()


def test_a_misspelt_assignment_in_the_parameters_cell_is_refused(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    source = tiny_notebook(tmp_path / "a", "X")
    source.write_text(source.read_text().replace("preset = None\n", "preset = None\nsede = 3\n"))
    with pytest.raises(PapermillExecutionError) as error:
        execute_with_papermill(source, tmp_path / "out.ipynb", {"REDSHIFT_PRESET": "smoke"})
    assert "unknown parameter 'sede'" in error.value.evalue and "'seed'" in error.value.evalue
