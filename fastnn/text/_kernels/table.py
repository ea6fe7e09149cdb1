"""Helpers of the text kernels' open-addressing hash tables (linear probing, load <= 1/2)."""

import numpy as np

from fastnn._jit import jit

EMPTY = -1


# Inlined: called rarely, and a helper of its own would cost a compilation
# (and a cache file) per dtype at a first call.
@jit(inline=True)
def resized(values, size):
    """Return ``values`` copied into an array of ``size`` >= its own (the rest uninitialised)."""
    out = np.empty(size, values.dtype)
    # A loop, not out[: values.size] = values: the slice assignment's shape
    # check compiles Numba's error-message formatting (~2 s at a first call).
    for i in range(values.size):
        out[i] = values[i]
    return out


@jit(inline=True)
def grown(values):
    """Return ``values`` copied into an array twice as long (the rest uninitialised)."""
    return resized(values, 2 * values.size)


@jit
def rehashed(hashes, n, n_slots):
    """Return a slot array of size ``n_slots`` (a power of 2) holding keys ``0..n-1`` by hash."""
    slots = np.full(n_slots, EMPTY, np.int32)
    mask = n_slots - 1
    for t in range(n):
        slot = np.int64(hashes[t] & np.uint64(mask))
        while slots[slot] != EMPTY:
            slot = (slot + 1) & mask
        slots[slot] = t
    return slots
