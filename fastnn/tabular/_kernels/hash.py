"""Factorizing: open-addressing hash tables of int64 keys and of fixed-width strings.

A table of int64 keys is one flat int64 array of ``2^log_slots`` records of
``stride`` cells each: cell 0 holds the key, cell 1 is non-zero once the slot
is taken (the factorizer keeps the key's code + 1 there, the hash aggregation
of :mod:`~fastnn.tabular._kernels.aggregate` the key's row count, followed by
its running statistics), so finding a key and reaching what it carries is one
memory access, not one into a table of indices and a second into the keys.
The slot of a key is its Fibonacci hash (the key times 2^64/φ, top bits),
probed linearly; the table doubles when half full (:func:`find_or_insert`),
so probe sequences stay short whatever the number of distinct keys, and
memory follows the distinct keys, not the rows. ``order[u]`` is the slot of
the ``u``-th key met: codes come out in first-seen order; sorting them is the
planner's job (:mod:`fastnn.tabular._keys`).
"""

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from fastnn._jit import jit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / φ, odd
EMPTY = -1
FIRST_LOG_SLOTS = 10
QUADRUPLE_BELOW = 18  # log2 of the slots
# Rows looked ahead when prefetching a slot: enough to cover a miss to memory
# (~100 ns) at a few ns a row, few enough that the line is still cached when used.
PREFETCH_AHEAD = 16


@intrinsic
def prefetch(typingctx, array, index):
    """Ask the CPU to bring ``array[index]``'s cache line in (``llvm.prefetch``, for a
    write, kept in every cache level); a hint that never faults, so any index is safe."""
    if not (isinstance(array, types.Array) and isinstance(index, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        address = builder.bitcast(builder.gep(data, [args[1]]), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [address.type, i32, i32, i32])
        function = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        builder.call(function, [address, i32(1), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


@jit(inline=True)
def _slot(key, shift):
    """Fibonacci hash of the int64 ``key``: its top ``64 - shift`` bits of ``key·2^64/φ``."""
    return np.int64((np.uint64(key) * GOLDEN) >> np.uint64(shift))


@jit
def aligned_zeros(n):
    """``n`` int64 zeros starting on a 64-byte boundary, so that a record of 8 cells is
    one cache line, not two (NumPy aligns to 16 bytes)."""
    buffer = np.zeros(n + 8, np.int64)
    skip = ((64 - (buffer.ctypes.data & 63)) & 63) // 8
    return buffer[skip : skip + n]


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
def _rehashed(cells, stride, order, n_used, log_slots):
    """The table of ``2^log_slots`` slots holding the records ``order[:n_used]`` of
    ``cells``, each moved whole; ``order`` is updated to their new slots."""
    out = aligned_zeros(stride << log_slots)
    mask = (1 << log_slots) - 1
    shift = 64 - log_slots
    for u in range(n_used):
        old = order[u] * stride
        s = _slot(cells[old], shift)
        while out[s * stride + 1] != 0:
            s = (s + 1) & mask
        for f in range(stride):
            out[s * stride + f] = cells[old + f]
        order[u] = s
    return out


@jit(inline=True)
def find_or_insert(cells, stride, order, n_used, log_slots, key, mark):
    """Find ``key``'s slot in the table ``cells``, inserting the key if new.

    Returns ``(cells, order, n_used, log_slots, slot, inserted)``: the table and
    its ``order`` (each grown first when the insertion would make the table more
    than half full), the number of keys, the table's size, the key's slot (its
    record starts at ``cells[slot * stride]``) and whether the key was new. A new
    key's record gets the key and ``mark`` (non-zero) in its first two cells; the
    caller fills the rest. ``order[n_used - 1]`` is the new key's slot.
    """
    mask = (1 << log_slots) - 1
    s = _slot(key, 64 - log_slots)
    while cells[s * stride + 1] != 0:
        if cells[s * stride] == key:
            return cells, order, n_used, log_slots, s, False
        s = (s + 1) & mask
    if 2 * (n_used + 1) > (1 << log_slots):  # keep the table at most half full
        # quadrupled while small (half the rehashes: ~5 ms of 10^5 keys' growth), doubled
        # past QUADRUPLE_BELOW slots, where memory matters more
        log_slots += 2 if log_slots < QUADRUPLE_BELOW else 1
        order = grown(order, n_used, 1 << (log_slots - 1))
        cells = _rehashed(cells, stride, order, n_used, log_slots)
        mask = (1 << log_slots) - 1
        s = _slot(key, 64 - log_slots)
        while cells[s * stride + 1] != 0:
            s = (s + 1) & mask
    cells[s * stride] = key
    cells[s * stride + 1] = mark
    order[n_used] = s
    return cells, order, n_used + 1, log_slots, s, True


@jit
def factorize_int64(keys, missing):
    """``(codes, uniques)`` of ``keys`` in first-seen order; ``codes[i] = -1`` where
    ``missing[i]`` (``missing`` may be empty: no key is missing)."""
    n = keys.shape[0]
    has_missing = missing.shape[0] == n
    codes = np.empty(n, np.int64)
    log_slots = np.int64(FIRST_LOG_SLOTS)  # not literals: callees would compile variants
    n_unique = np.int64(0)
    cells = aligned_zeros(2 << log_slots)  # records: key, code + 1
    order = np.empty(1 << (log_slots - 1), np.int64)
    for i in range(n):
        if i + PREFETCH_AHEAD < n:
            prefetch(cells, 2 * _slot(keys[i + PREFETCH_AHEAD], 64 - log_slots))
        if has_missing and missing[i]:
            codes[i] = -1
            continue
        cells, order, n_unique, log_slots, s, _ = find_or_insert(
            cells, 2, order, n_unique, log_slots, keys[i], n_unique + 1
        )
        codes[i] = cells[2 * s + 1] - 1
    uniques = np.empty(n_unique, np.int64)
    for u in range(n_unique):
        uniques[u] = cells[2 * order[u]]
    return codes, uniques


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
