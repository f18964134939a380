"""Chapter parameters: one spec per notebook, presets, and validation (every chapter).

Each notebook has a ``parameters`` cell (papermill) and, right after it, a validation cell::

    params = ru.resolve_parameters("02_activations", globals())
    globals().update(params)

A parameter whose value differs between presets is ``None`` in the cell, meaning "take the
preset's value"; so an explicit value (papermill ``-p``) always wins over the preset, which
wins over the cell's default. Unknown names, wrong types and out-of-range values raise a
``ValueError`` naming the parameter before any long computation.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any

from redshift_utils.paths import PRESETS, active_preset

KINDS = ("int", "float", "str", "bool", "ints", "floats", "strs")


@dataclass(frozen=True)
class Param:
    """One notebook parameter: its kind, default, per-preset values, allowed range and meaning."""

    name: str
    kind: str
    default: Any
    help: str
    presets: dict[str, Any] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None

    def value_for(self, preset: str) -> Any:
        return self.presets.get(preset, self.default)

    def describe_allowed(self) -> str:
        if self.choices is not None:
            items = ", ".join(repr(c) for c in self.choices)
            return f"one of {items}" if self.kind in ("str", "int", "float") else f"a list of {items}"
        noun = {
            "int": "an integer",
            "float": "a number",
            "str": "a string",
            "bool": "True or False",
            "ints": "a non-empty list of integers",
            "floats": "a non-empty list of numbers",
            "strs": "a non-empty list of strings",
        }[self.kind]
        bounds = []
        if self.minimum is not None:
            bounds.append(f">= {self.minimum}")
        if self.maximum is not None:
            bounds.append(f"<= {self.maximum}")
        return noun + (f" ({' and '.join(bounds)})" if bounds else "")


@dataclass(frozen=True)
class ChapterSpec:
    """All parameters of one notebook (``notebook`` is its stem, e.g. ``"01_metrics"``)."""

    notebook: str
    params: tuple[Param, ...]

    def names(self) -> list[str]:
        return ["preset"] + [p.name for p in self.params]

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise unknown_parameter(self, name)


def unknown_parameter(spec: ChapterSpec, name: str) -> ValueError:
    close = difflib.get_close_matches(name, spec.names(), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ValueError(
        f"unknown parameter {name!r} for notebook {spec.notebook}.{hint} Allowed parameters: {', '.join(spec.names())}"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_scalar(param: Param, kind: str, value: Any) -> Any:
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        ok = _is_number(value)
        value = float(value) if ok else value
    elif kind == "str":
        ok = isinstance(value, str)
    else:
        ok = isinstance(value, bool)
    if ok and param.choices is not None:
        ok = value in param.choices
    if ok and kind in ("int", "float"):
        ok = (param.minimum is None or value >= param.minimum) and (param.maximum is None or value <= param.maximum)
    if not ok:
        raise ValueError(f"bad value for parameter {param.name!r}")
    return value


def check_value(notebook: str, param: Param, value: Any) -> Any:
    """Return ``value`` normalised (ints accepted as floats, tuples as lists) or raise ValueError."""
    try:
        if param.kind in ("ints", "floats", "strs"):
            if not isinstance(value, (list, tuple)) or not value:
                raise ValueError
            return [_check_scalar(param, param.kind[:-1], item) for item in value]
        return _check_scalar(param, param.kind, value)
    except ValueError:
        raise ValueError(
            f"parameter {param.name!r} of notebook {notebook} must be {param.describe_allowed()}, got {value!r}"
        ) from None


def load_spec(notebook: str) -> ChapterSpec:
    """The spec of a notebook stem (``"01_metrics"``), from ``redshift_utils.specs``."""
    from redshift_utils import specs

    for module in pkgutil.iter_modules(specs.__path__):
        spec = getattr(importlib.import_module(f"redshift_utils.specs.{module.name}"), "SPEC", None)
        if spec is not None and spec.notebook == notebook:
            return spec
    known = ", ".join(all_notebooks())
    raise ValueError(f"no parameter spec for notebook {notebook!r}; known notebooks: {known}")


def all_notebooks() -> list[str]:
    from redshift_utils import specs

    stems = []
    for module in pkgutil.iter_modules(specs.__path__):
        spec = getattr(importlib.import_module(f"redshift_utils.specs.{module.name}"), "SPEC", None)
        if spec is not None:
            stems.append(spec.notebook)
    return sorted(stems)


def resolve_values(spec: ChapterSpec, given: dict[str, Any]) -> dict[str, Any]:
    """Explicit values (not None) > preset > default, each validated. Pure: no IPython needed."""
    for name in given:
        if name not in spec.names():
            raise unknown_parameter(spec, name)
    preset = given.get("preset")
    if preset is None:
        preset = active_preset()
    if preset not in PRESETS:
        raise ValueError(
            f"parameter 'preset' of notebook {spec.notebook} must be one of "
            f"{', '.join(repr(p) for p in PRESETS)} or None, got {preset!r}"
        )
    resolved: dict[str, Any] = {"preset": preset}
    for param in spec.params:
        value = given.get(param.name)
        if value is None:
            value = param.value_for(preset)
        resolved[param.name] = check_value(spec.notebook, param, value)
    return resolved


def injected_parameter_names() -> list[str]:
    """Names assigned in papermill's injected ``# Parameters`` cell, read from IPython's history.

    Why: papermill only warns about unknown names; reading what it injected lets the
    validation cell reject a misspelt ``-p`` before any computation.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython always ships with the kernel
        return []
    shell = get_ipython()
    if shell is None:
        return []
    names: list[str] = []
    for source in shell.user_ns.get("In", []):
        if source.lstrip().startswith("# Parameters"):
            for node in ast.parse(source).body:
                if isinstance(node, ast.Assign):
                    names.extend(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def resolve_parameters(notebook: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Validate a chapter's parameters and return their final values (see module docstring).

    Prints the library version, the source hash and the parameters: every chapter's first
    output, so a reader can tell which code produced the page.
    """
    from redshift_utils import __version__
    from redshift_utils.source import source_hash

    spec = load_spec(notebook)
    for name in injected_parameter_names():
        if name not in spec.names():
            raise unknown_parameter(spec, name)
    given = {name: namespace.get(name) for name in spec.names()}
    resolved = resolve_values(spec, given)
    print(f"redshift_utils {__version__} (source {source_hash()}) | {notebook} | preset {resolved['preset']}")
    print("parameters: " + ", ".join(f"{k}={v!r}" for k, v in resolved.items() if k != "preset"))
    return resolved


def parse_cli_value(param: Param, text: str) -> Any:
    """Turn a command-line string into the parameter's kind (lists: JSON or comma-separated)."""
    if text.strip().lower() == "none":
        return None
    scalar = param.kind.rstrip("s") if param.kind in ("ints", "floats", "strs") else param.kind
    if param.kind in ("ints", "floats", "strs"):
        body = text.strip()
        if body.startswith("[") and body.endswith("]"):
            body = body[1:-1]
        items = [item.strip().strip("'\"") for item in body.split(",") if item.strip()]
        return [_parse_scalar(scalar, item) for item in items]
    return _parse_scalar(scalar, text)


def _parse_scalar(kind: str, text: str) -> Any:
    if kind == "str":
        return text
    if kind == "bool":
        lowered = text.strip().lower()
        return {"true": True, "false": False}.get(lowered, text)
    try:
        number = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return text
    if kind == "float" and _is_number(number):
        return float(number)
    return number
