"""Argument checks shared by the configs, the sampler, the trainer and the Transformer.

Each check raises a ValueError that names the owner and the argument and says what is allowed
(``MLPConfig.width must be <= 65536, got ...``), before any memory is allocated.
"""

from __future__ import annotations

import math

import numpy as np


def fail(cls: str, name: str, value: object, allowed: str) -> None:
    """Raise the standard message: ``{cls}.{name} must be {allowed}, got {value!r}``."""
    raise ValueError(f"{cls}.{name} must be {allowed}, got {value!r}")


def _plain_int(value: object) -> int | None:
    """``value`` as a Python int if it is an integer (numpy integers included, bools not), else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    return None


def check_int(cls: str, name: str, value: object, minimum: int, maximum: int | None = None) -> None:
    """Refuse anything but a Python int in ``[minimum, maximum]`` (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        fail(cls, name, value, f"an integer >= {minimum}" + ("" if maximum is None else f" and <= {maximum}"))
    if maximum is not None and value > maximum:
        fail(cls, name, value, f"<= {maximum}")


def check_float(cls: str, name: str, value: object, *, minimum: float, strict: bool) -> None:
    """Refuse anything but a finite Python int or float above ``minimum`` (bools refused)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = value > minimum if strict else value >= minimum
    if not ok:
        fail(cls, name, value, f"a finite number {'>' if strict else '>='} {minimum}")


def check_bool(cls: str, name: str, value: object) -> None:
    if not isinstance(value, bool):
        fail(cls, name, value, "True or False")


def check_choice(cls: str, name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        fail(cls, name, value, f"one of {', '.join(choices)}")


def as_int(cls: str, name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """``check_int`` that also accepts numpy integers (``np.int64(3)``) and returns a Python int."""
    plain = _plain_int(value)
    check_int(cls, name, value if plain is None else plain, minimum, maximum)
    return plain


def as_float(cls: str, name: str, value: object, *, minimum: float, strict: bool) -> int | float:
    """``check_float`` that also accepts numpy numbers (``np.float32(2.0)``), returned as Python numbers.

    Python ints and floats are returned as they are (``alpha=3`` stays 3), so records and
    cache keys of configurations built from plain numbers do not change.
    """
    plain = _plain_int(value)
    if plain is None and isinstance(value, (float, np.floating)) and type(value) is not float:
        plain = float(value)  # np.float32, np.float64 (a float subclass with a numpy repr)
    if plain is not None:
        value = plain
    check_float(cls, name, value, minimum=minimum, strict=strict)
    return value


def as_bool(cls: str, name: str, value: object) -> bool:
    """``check_bool`` that also accepts ``np.bool_`` and returns a Python bool."""
    if isinstance(value, np.bool_):
        value = bool(value)
    check_bool(cls, name, value)
    return value


def set_field(config: object, name: str, value: object) -> None:
    """Store a normalised value on a frozen dataclass (from ``__post_init__``)."""
    if getattr(config, name) is not value:
        object.__setattr__(config, name, value)
