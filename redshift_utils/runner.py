"""Run a chapter with parameters, or build the book: the engine of ``python -m redshift_utils``.

Bad parameter names, types and ranges are rejected here, before a kernel even starts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from redshift_utils.parameters import all_notebooks, load_spec, parse_cli_value, resolve_values
from redshift_utils.paths import BUILD_DIR, NOTEBOOKS_DIR, PRESETS, REPO_ROOT


def notebook_stem(notebook: str) -> str:
    """Accept ``01_metrics``, ``01_metrics.md`` or ``notebooks/01_metrics.md``."""
    stem = Path(notebook).name
    for suffix in (".md", ".ipynb"):
        stem = stem.removesuffix(suffix)
    if not (NOTEBOOKS_DIR / f"{stem}.md").exists():
        raise ValueError(f"no notebook {notebook!r}; choose one of: {', '.join(all_notebooks())}")
    return stem


def parse_overrides(stem: str, pairs: list[tuple[str, str]], preset: str | None) -> dict[str, Any]:
    """``-p NAME VALUE`` pairs -> validated explicit values (raises ValueError naming the problem)."""
    spec = load_spec(stem)
    explicit: dict[str, Any] = {}
    for name, text in pairs:
        if name == "preset":
            explicit["preset"] = text
            continue
        explicit[name] = parse_cli_value(spec.param(name), text)
    if preset is not None:
        explicit["preset"] = preset
    resolve_values(spec, explicit)  # validation only; the notebook resolves again itself
    return {k: v for k, v in explicit.items() if v is not None}


def run_notebook(stem: str, explicit: dict[str, Any], out_dir: Path | None = None) -> Path:
    """Execute ``notebooks/<stem>.md`` with papermill; write ``<out>/<stem>.ipynb`` and ``.json``."""
    import jupytext
    import papermill

    out_dir = (out_dir or BUILD_DIR / "runs" / stem).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    notebook = jupytext.read(NOTEBOOKS_DIR / f"{stem}.md")
    source = out_dir / f".{stem}.input.ipynb"
    jupytext.write(notebook, source, fmt="ipynb")
    os.environ["REDSHIFT_RESULTS_DIR"] = str(out_dir)
    try:
        papermill.execute_notebook(
            str(source),
            str(out_dir / f"{stem}.ipynb"),
            parameters=explicit,
            kernel_name="python3",
            cwd=str(NOTEBOOKS_DIR),
            progress_bar=False,
        )
    finally:
        source.unlink(missing_ok=True)
        del os.environ["REDSHIFT_RESULTS_DIR"]
    return out_dir / f"{stem}.json"


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


def build_book(preset: str) -> int:
    """Build the HTML book at a preset with ``-W -n --keep-going``; returns the exit code.

    The book preset uses the execution cache and writes ``_build/html``. Other presets force
    execution (jupyter-cache keys on code only, not on the preset) into ``_build/<preset>/``.
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {preset!r}")
    env = dict(os.environ, REDSHIFT_PRESET=preset)
    env.pop("REDSHIFT_RESULTS_DIR", None)
    jb = [str(Path(sys.executable).parent / "jupyter-book"), "build", "-W", "-n", "--keep-going"]
    if preset == "book":
        command = [*jb, str(REPO_ROOT)]
    else:
        out = BUILD_DIR / preset
        out.mkdir(parents=True, exist_ok=True)
        config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())
        config.setdefault("execute", {})["execute_notebooks"] = "force"
        # Paths in _config.yml are relative to the config file: anchor them at the repository.
        extensions = config.get("sphinx", {}).get("local_extensions", {})
        for name, path in extensions.items():
            extensions[name] = str(REPO_ROOT / path)
        config_path = out / "_config.yml"
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        html = out / "_build" / "html"
        if html.exists():
            shutil.rmtree(html)
        command = [*jb, str(REPO_ROOT), "--config", str(config_path), "--path-output", str(out)]
    return subprocess.call(command, env=env, cwd=REPO_ROOT)
