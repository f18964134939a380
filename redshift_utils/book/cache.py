"""Compute-or-load for long computations: keyed by parameters, code and precision; safe to load.

The key of an entry covers (1) the caller's parameters, hashed by value (large arrays by their
bytes, never by a truncated ``repr``), (2) the library's source hash, (3) a fingerprint of the
code that computes it: the function handed to ``cached`` and every notebook function, lambda
and constant it reaches through its globals and closures, (4) the compute dtype and the
versions of torch and numpy. Editing any of them gives a new key, so a page never shows
numbers from old code.

Entries are ``.npz`` files with a JSON tree for the structure and one array per tensor, behind
a SHA-256 checksum. Loading never unpickles (``allow_pickle=False``), so a shared or copied
cache folder cannot run code; a corrupt, truncated or altered entry fails its checksum and is
recomputed with a warning. See the conventions page, book/conventions.md, section "The cache".
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import io
import json
import os
import re
import sys
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch

from redshift_utils.book.atomic import write_bytes_atomic
from redshift_utils.book.paths import cache_dir
from redshift_utils.book.source import source_hash
from redshift_utils.device import device_name
from redshift_utils.precision import dtype_name

T = TypeVar("T")
MAGIC = b"REDSHIFT-CACHE-2\n"
LIBRARY = "redshift_utils"


# ------------------------------------------------------------------------------- keys


def _update(digest: Any, tag: str, payload: bytes = b"") -> None:
    digest.update(tag.encode())
    digest.update(len(payload).to_bytes(8, "little"))
    digest.update(payload)


def _digest_value(value: Any, digest: Any, seen: set[int]) -> None:
    """Feed a value into ``digest`` by content: arrays by bytes, containers recursively."""
    if value is None or isinstance(value, (bool, int, float, complex, str)):
        _update(digest, type(value).__name__, repr(value).encode())
    elif isinstance(value, bytes):
        _update(digest, "bytes", value)
    elif isinstance(value, torch.Tensor):
        _digest_value(value.detach().cpu().numpy(), digest, seen)
    elif isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        _update(digest, f"ndarray{array.dtype.str}{array.shape}", array.tobytes() if array.dtype != object else b"")
        if array.dtype == object:
            _digest_value(array.tolist(), digest, seen)
    elif isinstance(value, np.generic):
        _digest_value(value.item(), digest, seen)
    elif id(value) in seen:
        _update(digest, "cycle")
    elif isinstance(value, dict):
        seen.add(id(value))
        _update(digest, f"dict{len(value)}")
        for key in sorted(value, key=repr):
            _digest_value(key, digest, seen)
            _digest_value(value[key], digest, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        seen.add(id(value))
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        _update(digest, f"{type(value).__name__}{len(value)}")
        for item in items:
            _digest_value(item, digest, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        seen.add(id(value))
        _update(digest, f"dataclass {type(value).__module__}.{type(value).__qualname__}")
        for item in dataclasses.fields(value):
            _digest_value(item.name, digest, seen)
            _digest_value(getattr(value, item.name), digest, seen)
    elif isinstance(value, (types.FunctionType, types.MethodType, type)):
        _digest_code(value, digest, seen)
    elif isinstance(value, types.ModuleType):
        _update(digest, "module", value.__name__.encode())
    else:  # anything else by its type and a repr without memory addresses
        text = re.sub(r"0x[0-9a-fA-F]+", "0x", repr(value))
        _update(digest, f"object {type(value).__module__}.{type(value).__qualname__}", text.encode())


def value_digest(value: Any) -> str:
    """SHA-256 of a value's content (the parameter part of a cache key)."""
    digest = hashlib.sha256()
    _digest_value(value, digest, set())
    return digest.hexdigest()


def _is_library(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module == LIBRARY or module.startswith(LIBRARY + ".")


def _digest_code_object(code: types.CodeType, digest: Any) -> None:
    _update(digest, "code", code.co_code)
    _update(digest, "names", "\0".join(code.co_names).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _digest_code_object(const, digest)
        else:
            _update(digest, "const", repr(const).encode())


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _digest_code(obj: Any, digest: Any, seen: set[int]) -> None:
    """Fingerprint a notebook function, method or class and everything it reaches.

    Library objects count by name only (the source hash covers them); other installed
    packages by name (their versions are part of the key). A notebook function contributes
    its bytecode, constants, defaults, closure values and the globals it names, recursively.
    """
    if id(obj) in seen:
        _update(digest, "seen", getattr(obj, "__qualname__", "").encode())
        return
    seen.add(id(obj))
    name = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', type(obj).__name__)}"
    if _is_library(obj) or getattr(obj, "__module__", None) not in ("__main__", None):
        _update(digest, "named", name.encode())
        return
    if isinstance(obj, types.MethodType):
        _digest_code(obj.__func__, digest, seen)
        _digest_value(obj.__self__, digest, seen)
        return
    if isinstance(obj, type):
        _update(digest, "class", name.encode())
        for attr, member in sorted(vars(obj).items()):
            if not attr.startswith("__") or attr in ("__init__", "__call__", "__post_init__"):
                _digest_value(attr, digest, seen)
                _digest_value(member, digest, seen)
        return
    code = obj.__code__
    _update(digest, "function", name.encode())
    _digest_code_object(code, digest)
    _digest_value(obj.__defaults__, digest, seen)
    _digest_value(obj.__kwdefaults__, digest, seen)
    for cell in obj.__closure__ or ():
        try:
            _digest_value(cell.cell_contents, digest, seen)
        except ValueError:  # an empty cell (a name assigned later)
            _update(digest, "empty-cell")
    scope = obj.__globals__
    for global_name in sorted(_global_names(code)):
        if global_name in scope:
            _digest_value(global_name, digest, seen)
            _digest_value(scope[global_name], digest, seen)


def code_fingerprint(compute: Callable[..., Any]) -> str:
    """SHA-256 of the code behind ``compute`` (see ``_digest_code``)."""
    digest = hashlib.sha256()
    _digest_code(compute, digest, set())
    return digest.hexdigest()


def cache_path(name: str, key: dict[str, Any], compute: Callable[..., Any] | None = None) -> Path:
    """``<cache dir>/<name>-<digest>.npz``: the digest covers key, code, library, dtype, device and versions."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ValueError(f"cache name must use letters, digits, '_', '.' and '-' only, got {name!r}")
    parts = {
        "key": value_digest(key),
        "code": code_fingerprint(compute) if compute is not None else None,
        "source": source_hash(),
        "dtype": dtype_name(),
        "device": device_name(),  # a GPU rounds differently from a CPU
        "versions": [torch.__version__, np.__version__, sys.version_info[:2]],
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]
    return cache_dir() / f"{name}-{digest}.npz"


# ----------------------------------------------------------------- safe serialisation


def _encode(value: Any, arrays: list[np.ndarray]) -> Any:
    """A JSON tree for ``value``; arrays and tensors go to ``arrays`` and are referenced by index."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}  # exact, NaN and infinities included
    if isinstance(value, torch.Tensor):
        arrays.append(value.detach().cpu().numpy().copy())
        return {"tensor": len(arrays) - 1}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise TypeError("cannot cache numpy arrays of Python objects")
        arrays.append(value)
        return {"array": len(arrays) - 1}
    if isinstance(value, np.generic):
        arrays.append(np.asarray(value))
        return {"scalar": len(arrays) - 1}
    if isinstance(value, list):
        return {"list": [_encode(v, arrays) for v in value]}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, arrays) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not (_is_library(value) or cls.__module__ == "__main__"):
            raise TypeError(f"cannot cache dataclass {cls.__module__}.{cls.__qualname__}")
        fields = {f.name: _encode(getattr(value, f.name), arrays) for f in dataclasses.fields(value) if f.init}
        return {"dataclass": [cls.__module__, cls.__qualname__, fields]}
    raise TypeError(f"cannot cache a value of type {type(value).__module__}.{type(value).__qualname__}")


def _dataclass_type(module: str, qualname: str) -> type:
    """Only dataclasses of the library or of the running notebook (``__main__``) are rebuilt."""
    if not (module == LIBRARY or module.startswith(LIBRARY + ".") or module == "__main__"):
        raise ValueError(f"refusing to rebuild {module}.{qualname}")
    obj: Any = importlib.import_module(module) if module != "__main__" else sys.modules["__main__"]
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and dataclasses.is_dataclass(obj)):
        raise ValueError(f"{module}.{qualname} is not a dataclass")
    return obj


def _decode(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    if node is None or isinstance(node, (bool, str)):
        return node
    ((kind, body),) = node.items()
    if kind == "int":
        return int(body)
    if kind == "float":
        return float(body)
    if kind == "tensor":
        return torch.from_numpy(arrays[f"a{body}"].copy())
    if kind == "array":
        return arrays[f"a{body}"]
    if kind == "scalar":
        return arrays[f"a{body}"][()]
    if kind == "list":
        return [_decode(v, arrays) for v in body]
    if kind == "tuple":
        return tuple(_decode(v, arrays) for v in body)
    if kind == "dict":
        return {_decode(k, arrays): _decode(v, arrays) for k, v in body}
    if kind == "dataclass":
        module, qualname, fields = body
        return _dataclass_type(module, qualname)(**{k: _decode(v, arrays) for k, v in fields.items()})
    raise ValueError(f"unknown node {kind!r}")


def dumps(value: Any) -> bytes:
    """Serialise ``value`` to the checksummed npz format (raises TypeError for unsupported types)."""
    arrays: list[np.ndarray] = []
    tree = json.dumps(_encode(value, arrays)).encode()
    buffer = io.BytesIO()
    np.savez(buffer, tree=np.frombuffer(tree, dtype=np.uint8), **{f"a{i}": a for i, a in enumerate(arrays)})
    body = buffer.getvalue()
    return MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def loads(data: bytes) -> Any:
    """Inverse of ``dumps``; raises ValueError when the checksum or the format does not hold."""
    if not data.startswith(MAGIC):
        raise ValueError("not a redshift cache entry (bad header)")
    checksum, body = data[len(MAGIC) : len(MAGIC) + 65], data[len(MAGIC) + 65 :]
    if checksum[-1:] != b"\n" or hashlib.sha256(body).hexdigest().encode() != checksum[:-1]:
        raise ValueError("checksum mismatch (corrupt, truncated or altered entry)")
    with np.load(io.BytesIO(body), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return _decode(json.loads(arrays.pop("tree").tobytes()), arrays)


def cached(name: str, key: dict[str, Any], compute: Callable[[], T]) -> T:
    """Return the cached result for ``(name, key, compute's code)`` or compute and store it atomically.

    ``REDSHIFT_NO_CACHE=1`` bypasses the cache. A bad entry is recomputed with a warning.
    """
    if os.environ.get("REDSHIFT_NO_CACHE") == "1":
        return compute()
    path = cache_path(name, key, compute)
    if path.exists():
        try:
            return loads(path.read_bytes())
        except Exception as error:  # noqa: BLE001 - any bad entry is recomputed, never trusted
            warnings.warn(f"cache entry {path} is unusable ({error}); recomputing", RuntimeWarning, stacklevel=2)
            path.unlink(missing_ok=True)
    result = compute()
    write_bytes_atomic(path, dumps(result))
    return result


def cached_sweep(name: str, configs: list[Any], n_networks: int, **options: Any) -> Any:
    """``run_sweep(configs, n_networks, **options)`` through the cache (chapters 1 to 3).

    The key holds every configuration's fields, the sizes, the seed and the options (a progress
    bar's ``desc`` excluded), so two sweeps share an entry only when they compute the same thing.
    """
    from redshift_utils.sweeps import config_record, run_sweep

    configs = list(configs)
    key = {"configs": [config_record(c) for c in configs], "n_networks": n_networks}
    key |= {k: v for k, v in options.items() if k != "desc"}
    return cached(name, key, lambda: run_sweep(configs, n_networks, **options))
