"""Run a chapter with parameters, or build the book: the engine of ``python -m redshift_utils``.

Bad parameter names, types and ranges are rejected here, before a kernel even starts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from redshift_utils.book import output_folder
from redshift_utils.book.parameters import all_notebooks, load_spec, parse_cli_value, resolve_values
from redshift_utils.book.paths import BUILD_DIR, NOTEBOOKS_DIR, PRESETS, REPO_ROOT, build_root


def resolve_notebook(notebook: str) -> tuple[str, Path]:
    """The chapter name and the file to execute for ``notebook``.

    A bare chapter name (``01_metrics``) runs ``notebooks/01_metrics.md``. Anything that names a
    file (``notebooks/01_metrics.md``, ``~/copy/01_metrics.md``, an ``.ipynb``) runs *that* file,
    so an edited copy is never silently replaced by the repository's chapter. The chapter whose
    parameters validate the run is the one the file's validation cell names.
    """
    known = all_notebooks()
    if notebook in known and not Path(notebook).exists():
        return notebook, NOTEBOOKS_DIR / f"{notebook}.md"
    path = Path(notebook).expanduser()
    if not path.is_file():
        raise ValueError(f"no notebook file {notebook!r}; give a .md or .ipynb file or one of: {', '.join(known)}")
    if path.suffix not in (".md", ".ipynb"):
        raise ValueError(f"notebook {notebook!r} must be a MyST .md or an .ipynb file")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read notebook {notebook!r}: {error}") from None
    named = re.search(r"resolve_parameters\(\s*\\?[\"']([A-Za-z0-9_]+)\\?[\"']", text)
    stem = named.group(1) if named else path.stem
    if stem not in known:
        raise ValueError(
            f"{notebook!r} is not a chapter of this book (its validation cell names none of: {', '.join(known)})"
        )
    return stem, path.resolve()


def parse_overrides(stem: str, pairs: list[tuple[str, str]], preset: str | None) -> dict[str, Any]:
    """``-p NAME VALUE`` pairs -> validated explicit values (raises ValueError naming the problem)."""
    spec = load_spec(stem)
    explicit: dict[str, Any] = {}
    for name, text in pairs:
        if name == "preset":
            explicit["preset"] = parse_cli_value(spec.param("preset"), text)
            continue
        explicit[name] = parse_cli_value(spec.param(name), text)
    if preset is not None:
        explicit["preset"] = preset
    resolve_values(spec, explicit)  # validation only; the notebook resolves again itself
    return {k: v for k, v in explicit.items() if v is not None}


@contextmanager
def _stderr_into(path: Path) -> Iterator[None]:
    """Send file descriptor 2 (ours, and the kernel's that inherits it) to ``path`` for the block.

    Why: a kernel stopped by Ctrl-C or SIGTERM prints internal tracebacks as it goes down; the
    user gets one line from the CLI instead. The log stays in the staging folder of the run.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "wb") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


class RunFailed(RuntimeError):
    """A chapter raised or its kernel died; the message says where its notebook was kept."""


def run_notebook(stem: str, explicit: dict[str, Any], out_dir: Path | None = None, source: Path | None = None) -> Path:
    """Execute a chapter with papermill; ``<out>/<stem>.ipynb`` and ``.json`` appear together or not at all.

    ``source`` is the file to execute (default ``notebooks/<stem>.md``). The run happens in a
    staging folder inside ``out`` (default ``_build/runs/<stem>``) and only a finished run
    replaces the previous pair (see ``output_folder``). A failed run leaves the previous pair
    intact, keeps its notebook as ``<stem>.failed.ipynb`` and raises RunFailed.
    """
    import jupytext
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    folder = output_folder.prepare(out_dir or BUILD_DIR / "runs" / stem)
    with output_folder.locked(folder):
        output_folder.recover(folder)
        staging = output_folder.new_staging(folder, stem)
        previous = os.environ.get("REDSHIFT_RESULTS_DIR")
        try:
            notebook = jupytext.read(source or NOTEBOOKS_DIR / f"{stem}.md")
            input_path = staging / f"{stem}.input.ipynb"
            jupytext.write(notebook, input_path, fmt="ipynb")
            os.environ["REDSHIFT_RESULTS_DIR"] = str(staging)
            try:
                with _stderr_into(staging / "kernel.log"):  # the kernel's own chatter, e.g. when stopped
                    papermill.execute_notebook(
                        str(input_path),
                        str(staging / f"{stem}.ipynb"),
                        parameters=explicit,
                        kernel_name="python3",
                        cwd=str(NOTEBOOKS_DIR),
                        progress_bar=False,
                    )
            except PapermillExecutionError as error:
                kept = output_folder.keep_failed(staging, folder, stem)
                raise RunFailed(
                    f"{stem} failed in cell {error.exec_count}: {error.ename}: {error.evalue}"
                    + (f" (its notebook: {kept})" if kept else "")
                ) from None
            except DeadKernelError:
                kept = output_folder.keep_failed(staging, folder, stem)
                raise RunFailed(
                    f"the kernel running {stem} died (out of memory?); lower the sizes with -p"
                    + (f" (its notebook so far: {kept})" if kept else "")
                ) from None
            output_folder.commit(staging, folder, stem)
        finally:
            if previous is None:
                os.environ.pop("REDSHIFT_RESULTS_DIR", None)
            else:
                os.environ["REDSHIFT_RESULTS_DIR"] = previous
            shutil.rmtree(staging, ignore_errors=True)
    return folder / f"{stem}.json"


def describe_parameters(stem: str) -> str:
    """A table of a chapter's parameters: name, kind, default, preset values, allowed, meaning."""
    spec = load_spec(stem)
    lines = [f"Parameters of {stem} (explicit -p > preset > default):", ""]
    lines.append(f"  preset  str  default None -> $REDSHIFT_PRESET or 'book'; one of {', '.join(PRESETS)}")
    for param in spec.params:
        presets = ", ".join(f"{k}={v!r}" for k, v in param.presets.items())
        lines.append(f"  {param.name}  {param.kind}  default {param.default!r}" + (f"  [{presets}]" if presets else ""))
        lines.append(f"      {param.help} Allowed: {param.describe_allowed()}.")
    return "\n".join(lines)


def build_book(preset: str, *, editions: tuple[str, ...] = ("en", "ja"), decks: bool = True) -> int:
    """Build the HTML book at a preset with ``-W -n --keep-going``, both editions and the decks.

    The English edition executes the chapters; the book preset in float32 writes
    ``_build/html`` and uses the execution cache (``_build/.jupyter_cache``). Other presets and
    float64 (``REDSHIFT_DTYPE``) or a GPU (``REDSHIFT_DEVICE``) force execution (jupyter-cache
    keys on code only, not on the preset, the precision or the device) into their own folder,
    ``build_root(preset)``. The Japanese
    edition (``<html>/ja``) is then built from the English build's executed notebooks, with no
    execution, and the slide decks (``<html>/slides/<lang>/``) from the results files;
    see ``redshift_utils.book.editions`` and ``redshift_utils.book.slides``. The kernels are told
    that they run for the book (``REDSHIFT_BOOK_BUILD=1``: only then do they write the book's
    results) and to show no progress bars (``TQDM_DISABLE=1``). Returns the exit code.
    """
    import time

    from redshift_utils.book import editions as book_editions

    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {preset!r}")
    env = book_editions.build_environment(preset)
    # jupyter-book through this interpreter, not the venv's script: a copied or moved venv keeps
    # its scripts' old "#!" line, which would build with another checkout's library.
    jb = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", "-W", "-n", "--keep-going"]
    out = build_root(preset)
    if out == BUILD_DIR:
        command = [*jb, str(REPO_ROOT)]
    else:
        out.mkdir(parents=True, exist_ok=True)
        config = book_editions.book_config({"execute_notebooks": "force"})
        config_path = book_editions.write_config(config, out / "_config.yml")
        html = out / "_build" / "html"
        if html.exists():
            shutil.rmtree(html)
        command = [*jb, str(REPO_ROOT), "--config", str(config_path), "--path-output", str(out)]
    started = time.monotonic()
    code = subprocess.call(command, env=env, cwd=REPO_ROOT) if "en" in editions else 0
    print(f"en edition: {book_editions.html_dir(preset)} ({time.monotonic() - started:.0f} s)")
    if code != 0:
        return code
    for language in editions:
        if language != "en":
            code = max(code, book_editions.build_translation(preset, language))
    if decks:
        from redshift_utils.book import slides

        code = max(code, slides.build_decks(preset))
    return code


def run_robustness(preset: str, seeds: list[int]) -> Path:
    """Rerun every chapter at ``preset`` with each base seed; write and return the verdict table.

    Runs go to ``_build/robustness/<preset>/seed-<s>/`` (each an output folder of ``run``);
    the table, ``_build/robustness/<preset>/table.json``, lists every claim's verdict and
    margin per seed (None where a chapter failed), and the scoreboard reads it.
    """
    import json

    from redshift_utils.book.atomic import write_bytes_atomic
    from redshift_utils.book.results import read_results

    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {preset!r}")
    if not seeds or len(set(seeds)) != len(seeds) or any(s < 0 for s in seeds):
        raise ValueError(f"seeds must be distinct integers >= 0, got {seeds!r}")
    root = BUILD_DIR / "robustness" / preset
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    failures = []
    for position, seed in enumerate(seeds):
        for stem in all_notebooks():
            spec = load_spec(stem)
            if "seed" not in spec.names():
                continue
            try:
                path = run_notebook(stem, {"preset": preset, "seed": seed}, root / f"seed-{seed}")
                claims = read_results(path)["claims"]
            except RunFailed as error:
                failures.append(f"seed {seed}: {error}")
                claims = []
            print(f"robustness: seed {seed}, {stem}: {len(claims)} claims", file=sys.stderr)
            for claim in claims:
                row = rows.setdefault(
                    (stem, claim["id"]),
                    {
                        "notebook": stem,
                        "id": claim["id"],
                        "claim": claim["claim"],
                        "verdicts": [None] * len(seeds),
                        "margins": [None] * len(seeds),
                    },
                )
                row["verdicts"][position] = claim["verdict"]
                row["margins"][position] = claim.get("margin")
    for row in rows.values():
        verdicts = [v for v in row["verdicts"] if v is not None]
        row["stable"] = len(set(verdicts)) == 1 and len(verdicts) == len(seeds)
    table = {"preset": preset, "seeds": seeds, "failures": failures, "claims": list(rows.values())}
    path = root / "table.json"
    write_bytes_atomic(path, (json.dumps(table, indent=1) + "\n").encode())
    if failures:
        raise RunFailed(f"{len(failures)} chapter runs failed (table written to {path}): " + "; ".join(failures))
    return path
