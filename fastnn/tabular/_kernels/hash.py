"""Factorizing: open-addressing hash tables of int64 keys and of fixed-width strings.

A table has a power-of-two number of slots, each holding the index of a
distinct key (``-1`` empty); the slot of a key is its Fibonacci hash (the key
times 2^64/φ, top bits), probed linearly. The table doubles when half full, so
a probe sequence stays short whatever the number of distinct keys, and memory
follows the distinct keys, not the rows. Codes come out in first-seen order;
sorting them is the planner's job (:mod:`fastnn.tabular._keys`).
"""

import numpy as np

from fastnn._jit import jit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / φ, odd
EMPTY = -1


@jit(inline=True)
def _slot(key, shift):
    """Fibonacci hash of the int64 ``key``: its top ``64 - shift`` bits of ``key·2^64/φ``."""
    return np.int64((np.uint64(key) * GOLDEN) >> np.uint64(shift))


@jit
def grown(a, n, size):
    """A fresh array of ``size`` elements (zeros) starting with ``a[:n]``.

    A loop, not ``out[:n] = a[:n]``: Numba's slice assignment compiles its shape
    check's error message (string formatting), about 2 s of a first call."""
    out = np.zeros(size, a.dtype)
    for i in range(n):
        out[i] = a[i]
    return out


@jit
def _rehash(uniques, n_unique, log_slots):
    """A table of ``2^log_slots`` slots holding the first ``n_unique`` keys of ``uniques``."""
    table = np.full(1 << log_slots, EMPTY, np.int64)
    mask = (1 << log_slots) - 1
    shift = 64 - log_slots
    for u in range(n_unique):
        s = _slot(uniques[u], shift)
        while table[s] != EMPTY:
            s = (s + 1) & mask
        table[s] = u
    return table


@jit
def factorize_int64(keys, missing):
    """``(codes, uniques)`` of ``keys`` in first-seen order; ``codes[i] = -1`` where
    ``missing[i]`` (``missing`` may be empty: no key is missing)."""
    n = keys.shape[0]
    has_missing = missing.shape[0] == n
    codes = np.empty(n, np.int64)
    log_slots = 10
    table = np.full(1 << log_slots, EMPTY, np.int64)
    uniques = np.empty(1 << (log_slots - 1), np.int64)
    n_unique = np.int64(0)  # not a literal 0: callees would compile a variant for it
    mask = (1 << log_slots) - 1
    shift = 64 - log_slots
    for i in range(n):
        if has_missing and missing[i]:
            codes[i] = -1
            continue
        key = keys[i]
        s = _slot(key, shift)
        while True:
            u = table[s]
            if u == EMPTY:
                if 2 * (n_unique + 1) > (1 << log_slots):  # keep the table at most half full
                    log_slots += 1
                    uniques = grown(uniques, n_unique, 1 << (log_slots - 1))
                    table = _rehash(uniques, n_unique, log_slots)
                    mask = (1 << log_slots) - 1
                    shift = 64 - log_slots
                    s = _slot(key, shift)
                    continue
                table[s] = n_unique
                uniques[n_unique] = key
                u = n_unique
                n_unique += 1
                break
            if uniques[u] == key:
                break
            s = (s + 1) & mask
        codes[i] = u
    return codes, uniques[:n_unique].copy()


@jit
def factorize_dense(ids, n_ids):
    """``(codes, uniques)`` in first-seen order of ``ids`` already in ``0 .. n_ids - 1``
    (``-1``: missing), by a lookup array instead of a hash table."""
    n = ids.shape[0]
    lookup = np.full(n_ids, EMPTY, np.int64)
    uniques = np.empty(n_ids, np.int64)
    codes = np.empty(n, np.int64)
    n_unique = np.int64(0)  # not a literal 0: callees would compile a variant for it
    for i in range(n):
        v = ids[i]
        if v < 0:
            codes[i] = -1
            continue
        u = lookup[v]
        if u == EMPTY:
            u = n_unique
            lookup[v] = u
            uniques[u] = v
            n_unique += 1
        codes[i] = u
    return codes, uniques[:n_unique].copy()


@jit(inline=True)
def _row_hash(chars, i):
    """FNV-1a-like hash of row ``i`` of the code-point matrix, mixed by the golden ratio."""
    h = np.uint64(0xCBF29CE484222325)
    for j in range(chars.shape[1]):
        h = (h ^ np.uint64(chars[i, j])) * np.uint64(0x100000001B3)
    return h * GOLDEN


@jit(inline=True)
def _same_row(chars, i, r):
    for j in range(chars.shape[1]):  # noqa: SIM110 - a loop Numba compiles without a generator
        if chars[i, j] != chars[r, j]:
            return False
    return True


@jit
def factorize_text(chars, missing):
    """``(codes, first_rows)`` of the strings whose UCS-4 code points are the rows of
    ``chars`` (NumPy ``str`` arrays, zero padded), in first-seen order;
    ``first_rows[u]`` is the first row holding string ``u``."""
    n = chars.shape[0]
    has_missing = missing.shape[0] == n
    codes = np.empty(n, np.int64)
    log_slots = 10
    table = np.full(1 << log_slots, EMPTY, np.int64)
    first = np.empty(1 << (log_slots - 1), np.int64)
    hashes = np.empty(1 << (log_slots - 1), np.uint64)
    n_unique = np.int64(0)  # not a literal 0: callees would compile a variant for it
    for i in range(n):
        if has_missing and missing[i]:
            codes[i] = -1
            continue
        h = _row_hash(chars, i)
        mask = (1 << log_slots) - 1
        s = np.int64(h >> np.uint64(64 - log_slots))
        while True:
            u = table[s]
            if u == EMPTY:
                if 2 * (n_unique + 1) > (1 << log_slots):
                    log_slots += 1
                    size = 1 << (log_slots - 1)
                    first = grown(first, n_unique, size)
                    hashes = grown(hashes, n_unique, size)
                    table = np.full(1 << log_slots, EMPTY, np.int64)
                    mask = (1 << log_slots) - 1
                    for v in range(n_unique):
                        t = np.int64(hashes[v] >> np.uint64(64 - log_slots))
                        while table[t] != EMPTY:
                            t = (t + 1) & mask
                        table[t] = v
                    s = np.int64(h >> np.uint64(64 - log_slots))
                    continue
                table[s] = n_unique
                first[n_unique] = i
                hashes[n_unique] = h
                u = n_unique
                n_unique += 1
                break
            if hashes[u] == h and _same_row(chars, i, first[u]):
                break
            s = (s + 1) & mask
        codes[i] = u
    return codes, first[:n_unique].copy()


@jit
def renumber(codes, rank):
    """``rank[codes]``, keeping ``-1`` (a missing key) as ``-1``."""
    out = np.empty_like(codes)
    for i in range(codes.shape[0]):
        c = codes[i]
        out[i] = rank[c] if c >= 0 else -1
    return out
