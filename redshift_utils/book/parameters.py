"""Chapter parameters: one spec per notebook, presets, and validation (every chapter).

Each notebook has a ``parameters`` cell (papermill) and, right after it, a validation cell::

    params = ru.resolve_parameters("02_activations", globals())
    globals().update(params)

A parameter whose value differs between presets is ``None`` in the cell, meaning "take the
preset's value"; so an explicit value (papermill ``-p``) always wins over the preset, which
wins over the cell's default. Unknown names, wrong types, out-of-range values, over-long
lists and combinations a spec's ``rules`` refuse raise a ``ValueError`` naming the parameters
before any long computation; ``python -m redshift_utils run`` runs the same checks before it
starts a kernel.

Every number has a maximum and every list a ``max_length``, so no ``-p`` value can make one
run allocate absurd memory; ``size_rule`` bounds the products of parameters (networks x grid
points, models x width, ...) that a chapter allocates at once. See the conventions page,
book/conventions.md, section "Parameters and presets".
"""

from __future__ import annotations

import ast
import difflib
import importlib
import math
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redshift_utils.book.paths import PRESETS, active_preset

KINDS = ("int", "float", "str", "bool", "ints", "floats", "strs")
LIST_KINDS = ("ints", "floats", "strs")

# A rule looks at the resolved values of a chapter (every parameter, "preset" included) and
# returns None when they fit together, else a message naming the parameters and what is allowed.
Rule = Callable[[dict[str, Any]], "str | None"]

# The most numbers one array that the parameters size may hold: 2**29 values, 2 GiB of float32.
MAX_VALUES = 2**29
# The largest seed: every seed feeds numpy's SeedSequence, which takes any size; this keeps it
# to an unsigned 32-bit integer, which every other random-number API accepts too.
MAX_SEED = 2**32 - 1


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
    max_length: int | None = None  # list kinds: the most items a value may hold

    def value_for(self, preset: str) -> Any:
        return self.presets.get(preset, self.default)

    def describe_allowed(self) -> str:
        at_most = f"at most {self.max_length} " if self.max_length is not None else ""
        if self.choices is not None:
            items = ", ".join(repr(c) for c in self.choices)
            if self.kind in LIST_KINDS:
                return f"a list of {at_most}of {items}" if at_most else f"a list of {items}"
            return f"one of {items}"
        noun = {
            "int": "an integer",
            "float": "a number",
            "str": "a string",
            "bool": "True or False",
            "ints": f"a non-empty list of {at_most}integers",
            "floats": f"a non-empty list of {at_most}numbers",
            "strs": f"a non-empty list of {at_most}strings",
        }[self.kind]
        bounds = []
        if self.minimum is not None:
            bounds.append(f">= {self.minimum}")
        if self.maximum is not None:
            bounds.append(f"<= {self.maximum}")
        return noun + (f" ({' and '.join(bounds)})" if bounds else "")


PRESET_PARAM = Param(
    "preset",
    "str",
    None,
    "Preset of every chapter; None: $REDSHIFT_PRESET, else 'book'.",
    choices=PRESETS,
)  # what ``ChapterSpec.param("preset")`` returns, so ``-p preset None`` parses like any parameter


@dataclass(frozen=True)
class ChapterSpec:
    """All parameters of one notebook (``notebook`` is its stem, e.g. ``"01_metrics"``)."""

    notebook: str
    params: tuple[Param, ...]
    rules: tuple[Rule, ...] = ()  # cross-parameter checks, run by resolve_values after every value

    def names(self) -> list[str]:
        return ["preset"] + [p.name for p in self.params]

    def param(self, name: str) -> Param:
        if name == "preset":
            return PRESET_PARAM
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


def _short_repr(value: Any, limit: int = 200) -> str:
    """``repr(value)``, cut to ``limit`` characters (a refused list may hold a million items)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text):,} characters)"


def check_value(notebook: str, param: Param, value: Any) -> Any:
    """Return ``value`` normalised (ints accepted as floats, tuples as lists) or raise ValueError."""
    try:
        if param.kind in LIST_KINDS:
            if not isinstance(value, (list, tuple)) or not value:
                raise ValueError
            if param.max_length is not None and len(value) > param.max_length:
                raise ValueError
            return [_check_scalar(param, param.kind[:-1], item) for item in value]
        return _check_scalar(param, param.kind, value)
    except ValueError:
        got = _short_repr(value)
        if param.kind in LIST_KINDS and isinstance(value, (list, tuple)) and param.max_length is not None:
            got += f" ({len(value)} items)" if len(value) > param.max_length else ""
        raise ValueError(
            f"parameter {param.name!r} of notebook {notebook} must be {param.describe_allowed()}, got {got}"
        ) from None


def check_rules(spec: ChapterSpec, resolved: dict[str, Any]) -> None:
    """Raise ValueError with the message of the first rule of ``spec`` that ``resolved`` breaks."""
    for rule in spec.rules:
        message = rule(resolved)
        if message:
            raise ValueError(f"parameters of notebook {spec.notebook} do not fit together: {message}")


def size_rule(what: str, formula: str, size: Callable[[dict[str, Any]], int], limit: int = MAX_VALUES) -> Rule:
    """A rule refusing values whose ``size(values)`` (numbers held at once by one array) exceeds ``limit``.

    ``formula`` names the parameters, e.g. ``"line_networks x grid_n^2"``; the message gives
    it with the numbers, so the reader knows which parameters to lower.
    """

    def rule(values: dict[str, Any]) -> str | None:
        count = size(values)
        if count <= limit:
            return None
        names = dict.fromkeys(w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", formula) if w in values)
        given = ", ".join(f"{name}={_short_repr(values[name], 60)}" for name in names)
        return (
            f"{what} would hold {formula} = {count:,} numbers at once ({given}), more than the limit of "
            f"{limit:,} (2 GiB of float32); lower one of those parameters"
        )

    rule.size, rule.limit = size, limit  # type: ignore[attr-defined]  # for tests and reports
    rule.__name__ = rule.__qualname__ = f"size_rule[{formula}]"
    rule.__doc__ = f"{what}: {formula} <= {limit:,}."
    return rule


def distinct_rule(name: str, count: int = 2, noun: str = "values") -> Rule:
    """A rule refusing a list parameter with fewer than ``count`` distinct values (``noun``: what they are)."""
    words = {2: "two", 3: "three"}

    def rule(values: dict[str, Any]) -> str | None:
        if len(set(values[name])) < count:
            return f"parameter {name!r} needs at least {words.get(count, count)} distinct {noun}, got {values[name]!r}"
        return None

    rule.__name__ = rule.__qualname__ = f"distinct_rule[{name}]"
    rule.__doc__ = f"{name} holds at least {count} distinct {noun}."
    return rule


def load_spec(notebook: str) -> ChapterSpec:
    """The spec of a notebook stem (``"01_metrics"``), from ``redshift_utils.book.specs``."""
    from redshift_utils.book import specs

    for module in pkgutil.iter_modules(specs.__path__):
        spec = getattr(importlib.import_module(f"redshift_utils.book.specs.{module.name}"), "SPEC", None)
        if spec is not None and spec.notebook == notebook:
            return spec
    known = ", ".join(all_notebooks())
    raise ValueError(f"no parameter spec for notebook {notebook!r}; known notebooks: {known}")


def all_notebooks() -> list[str]:
    from redshift_utils.book import specs

    stems = []
    for module in pkgutil.iter_modules(specs.__path__):
        spec = getattr(importlib.import_module(f"redshift_utils.book.specs.{module.name}"), "SPEC", None)
        if spec is not None:
            stems.append(spec.notebook)
    return sorted(stems)


def resolve_values(spec: ChapterSpec, given: dict[str, Any]) -> dict[str, Any]:
    """Explicit values (not None) > preset > default, each validated, then the spec's rules.

    Pure: no IPython needed.
    """
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
    check_rules(spec, resolved)
    return resolved


def _assigned_names(source: str) -> list[str] | None:
    """Names a cell assigns, when it holds nothing but simple assignments (else None)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    if not body or not all(isinstance(n, ast.Assign) and all(isinstance(t, ast.Name) for t in n.targets) for n in body):
        return None
    return [t.id for node in body for t in node.targets]


def injected_parameter_names() -> list[str]:
    """Names assigned in the parameters cell and in papermill's injected cell, from IPython's history.

    Why: papermill only warns about unknown names, and a misspelt assignment typed into the
    parameters cell (``sede = 3``) would otherwise be ignored in silence; reading what those
    cells assigned lets the validation cell reject both before any computation. The parameters
    cell is the last executed cell made only of assignments that starts with ``preset = ...``.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython always ships with the kernel
        return []
    shell = get_ipython()
    if shell is None:
        return []
    names: list[str] = []
    parameters_cell: list[str] = []
    for source in shell.user_ns.get("In", []):
        assigned = _assigned_names(source)
        if assigned is None:
            continue
        if source.lstrip().startswith("# Parameters"):
            names.extend(assigned)
        elif assigned[0] == "preset":
            parameters_cell = assigned
    return names + parameters_cell


def resolve_parameters(notebook: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Validate a chapter's parameters and return their final values (see module docstring).

    Prints the library version, the source hash and the parameters: every chapter's first
    output, so a reader can tell which code produced the page.
    """
    from redshift_utils import __version__
    from redshift_utils.book.source import source_hash

    spec = load_spec(notebook)
    for name in injected_parameter_names():
        if name not in spec.names():
            raise unknown_parameter(spec, name)
    given = {name: namespace.get(name) for name in spec.names()}
    resolved = resolve_values(spec, given)
    print(f"redshift_utils {__version__} (source {source_hash()}) | {notebook} | preset {resolved['preset']}")
    print("parameters: " + ", ".join(f"{k}={v!r}" for k, v in resolved.items() if k != "preset"))
    return resolved


_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_FORMS = {
    "int": "a plain decimal integer such as 12 or -3",
    "float": "a decimal number such as 0.5, 20 or 1e-3",
    "bool": "True or False",
    "str": "a string",
}


def parse_cli_value(param: Param, text: str) -> Any:
    """Turn a command-line string into the parameter's kind (lists: JSON or comma-separated).

    ``None`` (any case) is None: take the preset's value. Numbers must be plain decimals (floats
    may use scientific notation): ``0x10``, ``0o17``, ``0b11`` and ``1_000`` are refused, and so
    is a list with an empty item (``1,,3``). Raises ValueError naming the parameter and the form.
    """
    if text.strip().lower() == "none":
        return None
    if param.kind not in LIST_KINDS:
        return _parse_scalar(param, param.kind, text.strip(), text)
    body = text.strip()
    if body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    if not body.strip():
        return []  # check_value refuses it: "must be a non-empty list ..."
    items = [item.strip() for item in body.split(",")]
    if any(not item for item in items):
        raise ValueError(f"parameter {param.name!r} got an empty item in {text!r}; expected {_list_form(param)}")
    return [_parse_scalar(param, param.kind[:-1], _unquote(item), text) for item in items]


def _unquote(item: str) -> str:
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
        return item[1:-1]
    return item


def _list_form(param: Param) -> str:
    return {
        "ints": "a comma-separated list of plain decimal integers such as 1,2,3 (or [1, 2, 3])",
        "floats": "a comma-separated list of decimal numbers such as 0.5,1,1e-3 (or [0.5, 1, 1e-3])",
        "strs": "a comma-separated list of names such as relu,tanh (or [relu, tanh])",
    }[param.kind]


def _parse_scalar(param: Param, kind: str, text: str, whole: str) -> Any:
    if kind == "str":
        return text
    if kind == "bool":
        value = {"true": True, "false": False}.get(text.lower())
        ok = value is not None
    elif kind == "int":
        ok = _INT.fullmatch(text) is not None
        value = int(text) if ok else None
    else:
        ok = _FLOAT.fullmatch(text) is not None
        value = float(text) if ok else None
        ok = ok and math.isfinite(value)
    if not ok:
        form = _list_form(param) if param.kind in LIST_KINDS else _FORMS[kind]
        where = f" (item {text!r})" if param.kind in LIST_KINDS else ""
        raise ValueError(
            f"parameter {param.name!r} expects {form}, got {whole!r}{where} (allowed: {param.describe_allowed()})"
        )
    return value
