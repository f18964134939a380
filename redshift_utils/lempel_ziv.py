"""Lempel-Ziv (LZ76) compressibility (chapter 1; token sequences in chapter 5).

See the conventions page, book/conventions.md, section "Lempel-Ziv".
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
import torch

from redshift_utils._arrays import as_square_batch, check_flag, same_kind

# Kaspar-Schuster is quadratic in the worst case, the suffix-array count O(n log n) with a
# larger constant: measured crossover about 256 symbols on random sequences. Longer
# sequences first get a Kaspar-Schuster try of this many steps per symbol (a few percent of
# the suffix-array cost), which finishes smooth functions' bit strings in microseconds.
KS_MAX_LENGTH = 256
KS_STEPS_PER_SYMBOL = 32


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
def _lz76_kaspar_schuster(s: np.ndarray, max_steps: int = -1) -> int:
    """Kaspar & Schuster (1987) LZ76 phrase count; ``start`` is where the current phrase begins.

    Quadratic in the worst case (about ``phrases x length`` steps: 2 minutes for a random
    1024 x 1024 grid), instant on simple sequences. With ``max_steps > 0`` it gives up
    after that many steps and returns -1.
    """
    n = s.shape[0]
    if n == 0:
        return 0
    if n == 1:
        return 1
    c, start, i, k, k_max = 1, 1, 0, 1, 1
    steps = 0
    while True:
        steps += 1
        if steps == max_steps:
            return -1
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
def _suffix_array(s):
    """Suffix array of ``s`` (any integer symbols) by prefix doubling with radix sorts, O(n log n)."""
    n = s.shape[0]
    sa = np.argsort(s, kind="mergesort").astype(np.int64)
    rank = np.empty(n, dtype=np.int64)
    if n == 0:
        return sa
    r = 0
    rank[sa[0]] = 0
    for k in range(1, n):
        if s[sa[k]] != s[sa[k - 1]]:
            r += 1
        rank[sa[k]] = r
    if r == n - 1:
        return sa
    second = np.empty(n, dtype=np.int64)
    new_rank = np.empty(n, dtype=np.int64)
    count = np.empty(n + 1, dtype=np.int64)
    h = 1
    while True:
        # Suffixes ordered by their second key rank[i + h] (missing = smallest).
        j = 0
        for i in range(n - h, n):
            second[j] = i
            j += 1
        for k in range(n):
            if sa[k] >= h:
                second[j] = sa[k] - h
                j += 1
        # Stable counting sort by the first key rank[i].
        count[: r + 2] = 0
        for i in range(n):
            count[rank[i] + 1] += 1
        for v in range(1, r + 2):
            count[v] += count[v - 1]
        for k in range(n):
            i = second[k]
            sa[count[rank[i]]] = i
            count[rank[i]] += 1
        r = 0
        new_rank[sa[0]] = 0
        for k in range(1, n):
            a = sa[k - 1]
            b = sa[k]
            ra = rank[a + h] if a + h < n else -1
            rb = rank[b + h] if b + h < n else -1
            if rank[a] != rank[b] or ra != rb:
                r += 1
            new_rank[b] = r
        rank, new_rank = new_rank, rank
        if r == n - 1:
            return sa
        h *= 2


@numba.njit(cache=True, nogil=True)
def _lcp_kasai(s, sa):
    """``lcp[k]`` = longest common prefix of suffixes ``sa[k-1]`` and ``sa[k]`` (``lcp[0] = 0``)."""
    n = s.shape[0]
    rank = np.empty(n, dtype=np.int64)
    for k in range(n):
        rank[sa[k]] = k
    lcp = np.zeros(n, dtype=np.int64)
    h = 0
    for i in range(n):
        k = rank[i]
        if k > 0:
            j = sa[k - 1]
            while i + h < n and j + h < n and s[i + h] == s[j + h]:
                h += 1
            lcp[k] = h
            if h > 0:
                h -= 1
        else:
            h = 0
    return lcp


@numba.njit(cache=True, nogil=True)
def _longest_previous_factor(s):
    """``lpf[p]`` = longest prefix of ``s[p:]`` that also starts at some ``j < p`` (overlap allowed)."""
    n = s.shape[0]
    sa = _suffix_array(s)
    lcp = _lcp_kasai(s, sa)
    lpf = np.zeros(n, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    height = np.empty(n, dtype=np.int64)  # height[t]: min lcp between stack[t] and the current suffix
    # Nearest lexicographically smaller suffix with a smaller text position.
    sp = 0
    for k in range(n):
        cur = lcp[k]
        while sp > 0 and sa[stack[sp - 1]] > sa[k]:
            sp -= 1
            if sp > 0 and height[sp - 1] < cur:
                cur = height[sp - 1]
        if sp > 0:
            lpf[sa[k]] = cur
            height[sp - 1] = cur
        stack[sp] = k
        sp += 1
    # Nearest lexicographically larger one.
    sp = 0
    for k in range(n - 1, -1, -1):
        cur = lcp[k + 1] if k + 1 < n else 0
        while sp > 0 and sa[stack[sp - 1]] > sa[k]:
            sp -= 1
            if sp > 0 and height[sp - 1] < cur:
                cur = height[sp - 1]
        if sp > 0:
            if cur > lpf[sa[k]]:
                lpf[sa[k]] = cur
            height[sp - 1] = cur
        stack[sp] = k
        sp += 1
    return lpf


@numba.njit(cache=True, nogil=True)
def _lz76_suffix_array(s: np.ndarray) -> int:
    """LZ76 phrase count from the longest-previous-factor array: O(n log n) in every case.

    The phrase starting at ``p`` is the longest prefix of ``s[p:]`` that starts earlier
    (``lpf[p]`` symbols, overlap allowed) plus one symbol, exactly the reference's phrase.
    """
    n = s.shape[0]
    if n == 0:
        return 0
    lpf = _longest_previous_factor(s)
    count, p = 0, 0
    while p < n:
        p += lpf[p] + 1
        count += 1
    return count


@numba.njit(cache=True, nogil=True)
def _lz76_count(s: np.ndarray) -> int:
    """Exact LZ76 phrase count, fast on every input.

    Short sequences and simple long ones (few phrases) take Kaspar-Schuster, which is fastest
    there; a long sequence that is still unfinished after ``KS_STEPS_PER_SYMBOL`` steps per
    symbol goes to the suffix-array count (a 2048 x 2048 random grid: seconds, not hours).
    """
    n = s.shape[0]
    if n <= KS_MAX_LENGTH:
        return _lz76_kaspar_schuster(s, -1)
    c = _lz76_kaspar_schuster(s, KS_STEPS_PER_SYMBOL * n)
    if c >= 0:
        return c
    return _lz76_suffix_array(s)


@numba.njit(cache=True, nogil=True)
def _lz76_rows(bits: np.ndarray) -> np.ndarray:
    out = np.empty(bits.shape[0], dtype=np.int64)
    for r in range(bits.shape[0]):
        out[r] = _lz76_count(bits[r])
    return out


# Rows per task when the counts are shared among threads: small enough to balance the load
# (a complex function's row costs many times a simple one's), large enough to pay for a task.
ROWS_PER_TASK = 32


def lz76_rows(bits: np.ndarray, threads: int | None = None) -> np.ndarray:
    """LZ76 phrase counts of each row of a 2-D integer array, the rows shared among ``threads``.

    Why threads: under ``REDSHIFT_DEVICE=cuda`` and on a CPU between torch's passes, counting
    phrases on one core was most of a sweep point's measures (0.82 s of 0.92 s for 1,000 TanH
    functions on the 64 x 64 grid). The count releases the GIL, so blocks of rows run at once.
    ``threads`` defaults to ``sampler.draw_threads()`` (``$REDSHIFT_DRAW_THREADS``, else every
    core); each row is counted alone, so the result never depends on it.
    """
    from redshift_utils.sampler import _pool, draw_threads

    threads = draw_threads() if threads is None else threads
    rows = bits.shape[0]
    if threads <= 1 or rows <= ROWS_PER_TASK:
        return _lz76_rows(bits)
    out = np.empty(rows, dtype=np.int64)

    def count(start: int) -> None:
        out[start : start + ROWS_PER_TASK] = _lz76_rows(bits[start : start + ROWS_PER_TASK])

    list(_pool(threads).map(count, range(0, rows, ROWS_PER_TASK)))
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
        return int(_lz76_count(codes))
    return int(_lz76_count(_as_int_array(sequence)))


def binarize(values: Any) -> np.ndarray:
    """Bits ``f > median(f)`` of each function, flattened row-major: (..., n, n) -> (..., n*n)."""
    array, _ = as_square_batch(values)
    return _median_bits(array)


def _median_bits(array: np.ndarray) -> np.ndarray:
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
    normalize = check_flag("normalize", normalize)
    array, was_torch = as_square_batch(values)
    bits = _median_bits(array)
    batch_shape = bits.shape[:-1]
    length = bits.shape[-1]
    counts = lz76_rows(np.ascontiguousarray(bits.reshape(-1, length))).astype(np.float64)
    counts = counts.reshape(batch_shape)
    if normalize:
        counts = counts * math.log2(length) / length
    return same_kind(counts, was_torch)
