"""Lempel-Ziv (LZ76) compressibility, DESIGN.md (chapter 1; token sequences in chapter 5)."""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
import torch

from redshift_utils._arrays import as_square_batch, same_kind


def lz76_reference(sequence: Any) -> int:
    """Obviously-correct LZ76 phrase count, quadratic in length: the tests' oracle.

    Each phrase is the shortest block starting at ``p`` that does not occur in the text
    before its last symbol (``s[:q-1]``, overlaps allowed); an unfinished last block counts.
    """
    s = _as_symbol_tuple(sequence)
    count, p, n = 0, 0, len(s)
    while p < n:
        q = p + 1
        while q <= n and _occurs(s[p:q], s[: q - 1]):
            q += 1
        count += 1
        p = q
    return count


def _occurs(needle: tuple, haystack: tuple) -> bool:
    m = len(needle)
    return any(haystack[i : i + m] == needle for i in range(len(haystack) - m + 1))


def _as_symbol_tuple(sequence: Any) -> tuple:
    if isinstance(sequence, str):
        return tuple(sequence)
    return tuple(_as_int_array(sequence).tolist())


@numba.njit(cache=True, nogil=True)
def _lz76_kaspar_schuster(s: np.ndarray) -> int:
    """Kaspar & Schuster (1987) LZ76 phrase count; ``start`` is where the current phrase begins."""
    n = s.shape[0]
    if n == 0:
        return 0
    if n == 1:
        return 1
    c, start, i, k, k_max = 1, 1, 0, 1, 1
    while True:
        if s[i + k - 1] == s[start + k - 1]:
            k += 1
            if start + k > n:
                c += 1
                break
        else:
            if k > k_max:
                k_max = k
            i += 1
            if i == start:
                c += 1
                start += k_max
                if start + 1 > n:
                    break
                i = 0
                k = 1
                k_max = 1
            else:
                k = 1
    return c


@numba.njit(cache=True, nogil=True)
def _lz76_rows(bits: np.ndarray) -> np.ndarray:
    out = np.empty(bits.shape[0], dtype=np.int64)
    for r in range(bits.shape[0]):
        out[r] = _lz76_kaspar_schuster(bits[r])
    return out


def _as_int_array(sequence: Any) -> np.ndarray:
    if isinstance(sequence, torch.Tensor):
        sequence = sequence.detach().cpu().numpy()
    array = np.asarray(sequence)
    if array.ndim != 1:
        raise ValueError(f"sequence must be 1-D (a string, list or 1-D array), got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer) and array.dtype != np.bool_:
        raise ValueError(f"sequence must hold integer symbols (token ids or bits), got dtype {array.dtype}")
    return np.ascontiguousarray(array, dtype=np.int64)


def lz76(sequence: Any) -> int:
    """Raw LZ76 phrase count of a string, list or 1-D integer array (e.g. token ids).

    A constant sequence of length >= 2 has 2 phrases; ``"0001101001000101"`` has 6
    (0.001.10.100.1000.101). Explained in chapter 1; used on tokens in chapter 5.
    """
    if isinstance(sequence, str):
        codes = np.frombuffer(sequence.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        return int(_lz76_kaspar_schuster(codes))
    return int(_lz76_kaspar_schuster(_as_int_array(sequence)))


def binarize(values: Any) -> np.ndarray:
    """Bits ``f > median(f)`` of each function, flattened row-major: (..., n, n) -> (..., n*n)."""
    array, _ = as_square_batch(values)
    flat = array.reshape(*array.shape[:-2], -1)
    median = np.median(flat, axis=-1, keepdims=True)
    return (flat > median).astype(np.uint8)


def lz_complexity(values: Any, *, normalize: bool = True) -> Any:
    """LZ76 phrase count of each function binarised at its median and read row-major.

    ``values`` (..., n, n) -> (...), float64, same kind as the input. ``normalize=True``
    returns ``c log2(L) / L`` (L = n*n), about 1 for random bits and near 0 for simple
    functions. Invariant to offsets, positive scaling and any increasing map of f, and (up
    to ties at the median) to a sign flip, which only swaps the two symbols.
    Explained in chapter 1 (``notebooks/01_metrics.md``).
    """
    _, was_torch = as_square_batch(values)
    bits = binarize(values)
    batch_shape = bits.shape[:-1]
    length = bits.shape[-1]
    counts = _lz76_rows(np.ascontiguousarray(bits.reshape(-1, length))).astype(np.float64)
    counts = counts.reshape(batch_shape)
    if normalize:
        counts = counts * math.log2(length) / length
    return same_kind(counts, was_torch)
