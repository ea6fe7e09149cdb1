"""Hashing kernels: MurmurHash3 (x86, 32-bit) of byte strings, and row normalisation of CSR.

The hash is Austin Appleby's MurmurHash3_x86_32, the one scikit-learn's
``murmurhash3_32`` wraps, computed in uint32 arithmetic and read as a signed
int32, so hashed columns and signs equal ``HashingVectorizer``'s.
"""

import numpy as np

from fastnn._jit import jit

# Numba widens uint32 arithmetic to 64 bits, so every step is masked back to 32.
_MASK = np.uint64(0xFFFFFFFF)
_C1 = np.uint64(0xCC9E2D51)
_C2 = np.uint64(0x1B873593)


@jit(inline=True)
def _rotl(x, r):
    return ((x << np.uint64(r)) | (x >> np.uint64(32 - r))) & _MASK


@jit(inline=True)
def _mix(k):
    k = (k * _C1) & _MASK
    k = _rotl(k, 15)
    return (k * _C2) & _MASK


@jit
def murmur3_32(buf, starts, lengths, seed):
    """Return the signed 32-bit MurmurHash3 of each byte string ``buf[starts[i]:+lengths[i]]``."""
    out = np.empty(starts.size, np.int32)
    for s in range(starts.size):
        start = starts[s]
        n = lengths[s]
        h = np.uint64(seed) & _MASK
        n_blocks = n // 4
        for b in range(n_blocks):
            i = start + 4 * b
            k = (
                np.uint64(buf[i])
                | (np.uint64(buf[i + 1]) << np.uint64(8))
                | (np.uint64(buf[i + 2]) << np.uint64(16))
                | (np.uint64(buf[i + 3]) << np.uint64(24))
            )
            h ^= _mix(k)
            h = _rotl(h, 13)
            h = (h * np.uint64(5) + np.uint64(0xE6546B64)) & _MASK
        tail = start + 4 * n_blocks
        k = np.uint64(0)
        rest = n & 3
        if rest == 3:
            k ^= np.uint64(buf[tail + 2]) << np.uint64(16)
        if rest >= 2:
            k ^= np.uint64(buf[tail + 1]) << np.uint64(8)
        if rest >= 1:
            k ^= np.uint64(buf[tail])
            h ^= _mix(k)
        h ^= np.uint64(n) & _MASK
        h ^= h >> np.uint64(16)
        h = (h * np.uint64(0x85EBCA6B)) & _MASK
        h ^= h >> np.uint64(13)
        h = (h * np.uint64(0xC2B2AE35)) & _MASK
        h ^= h >> np.uint64(16)
        signed = np.int64(h)
        out[s] = signed - 4294967296 if signed >= 2147483648 else signed
    return out


@jit
def normalize_rows(indptr, data, out, norm):
    """Write ``data`` divided by each row's norm into ``out`` (``norm`` 1: l1, 2: l2).

    The sums run in float64 over each row in stored order, and an all-zero
    row is left as it is, as scikit-learn's ``inplace_csr_row_normalize_*`` do.
    """
    for r in range(indptr.size - 1):
        total = 0.0
        for k in range(indptr[r], indptr[r + 1]):
            x = np.float64(data[k])
            total += abs(x) if norm == 1 else x * x
        if total != 0.0 and norm == 2:
            total = np.sqrt(total)
        for k in range(indptr[r], indptr[r + 1]):
            x = np.float64(data[k])
            out[k] = x / total if total != 0.0 else x
