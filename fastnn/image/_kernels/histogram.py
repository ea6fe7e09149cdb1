"""Numba kernels for histograms of pixel values. Plain arrays in, ``partial`` out; no checks.

Pixels arrive as ``(N, C)`` rows (every image of a batch one after the
other); task ``t`` counts pixels ``task_starts[t]:task_starts[t + 1]`` into
row ``t`` of ``partial``, so tasks never share a counter and the result is
the same for any number of threads. A histogram row is laid out as the
public function returns it: per channel ``c * n_bins + b``, joint
``Σ_c b_c · strides[c]`` (C order over the channel axes).

Each kind of call has a kernel of its own, so that a first call compiles
only the loop it runs (per channel or joint, RGB bytes or any pixels):

- :func:`count_rgb` and :func:`count_rgb_joint`, uint8 RGB pixels (the
  common case) read as a flat run of bytes: per channel ``v >> shift``,
  jointly the sum of a table of each channel's part of the cell index.
- :func:`count_small` and :func:`count_small_joint`, integers of at most 16
  bits: ``v >> shift`` when the bins split ``[0, 2**bits)`` into powers of
  two, otherwise a look-up table of the bin of every possible value (``-1``
  outside the range), built in Python by NumPy's rule. No division.
- :func:`count_values` and :func:`count_values_joint`, floats and wider
  integers: NumPy's rule against the edges, ``edges[b] <= v < edges[b + 1]``
  with the last edge inclusive. Equal bins start from the guess
  ``(v - low) · scale`` and step to the edge it is next to (the guess is off
  by at most one; the edges, not the formula, decide, as in
  ``np.histogram``); explicit edges are searched by bisection. NaN fails
  ``edges[0] <= v`` and is never counted.

The increments are bit-exact memory updates that do not vectorise: a run of
equal pixels (a flat sky) makes each increment wait for the previous one.
Each task therefore spreads consecutive pixels over ``copies`` sub-histograms
(``local[k]``, a power of two) and adds them up at the end. Indices are
unsigned where Numba would otherwise add a negative-index fix-up to every
load (a compare and a select: 25 % of the RGB loop).
"""

import numpy as np
from numba import prange

from fastnn._jit import jit

# The RGB kernels' sub-histograms: pixel p of a task counts into copy p % 4.
RGB_COPIES = 4


@jit(inline=True)
def _small_bin(v, c, shift, lut, offset):
    if shift >= 0:
        return np.int64(v) >> shift
    return np.int64(lut[c, np.int64(v) - offset])


@jit(inline=True)
def _value_bin(v, edges, n, low, scale, uniform):
    # `not (a and b)` rather than `a or b` on the negations: NaN fails both.
    if not (v >= edges[0] and v <= edges[n]):
        return -1
    if uniform:
        b = np.int64((v - low) * scale)
        b = min(max(b, 0), n - 1)
        while b > 0 and v < edges[b]:
            b -= 1
        while b < n - 1 and v >= edges[b + 1]:
            b += 1
        return b
    lo, hi = 0, n  # edges[lo] <= v, and the bin is below hi
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if v >= edges[mid]:
            lo = mid
        else:
            hi = mid
    return lo


@jit(inline=True)
def _merge(local, row):
    """``row`` = the sum of the sub-histograms ``local (copies, size)``, as int64."""
    for j in range(row.shape[0]):
        total = np.int64(0)
        for k in range(local.shape[0]):
            total += local[k, j]
        row[j] = total


@jit(inline=True)
def _rgb_bytes(values, v0, v1, shift, n_bins, local):
    """Count bytes ``values[v0:v1]`` (R G B R G B …) into ``local``, flat ``(4, 3, n_bins)``.

    Byte ``k`` of each run of 12 (four pixels) counts into sub-histogram
    ``k``, i.e. copy ``k // 3``, channel ``k % 3``: no channel or copy is
    computed, only a constant offset. ``shift == 0`` (256 bins) is its own
    loop, since a shift by a variable and a variable offset cost ~10 % there.
    """
    v = v0
    if shift == 0:
        while v + 12 <= v1:
            for k in range(12):
                local[k * 256 + np.uint64(values[np.uint64(v + k)])] += 1
            v += 12
    else:
        s = np.uint64(shift)
        while v + 12 <= v1:
            for k in range(12):
                local[k * n_bins + (np.uint64(values[np.uint64(v + k)]) >> s)] += 1
            v += 12
    for q in range(v, v1):  # the last pixels, fewer than four, into copy 0
        local[(q - v0) % 3 * n_bins + (np.int64(values[q]) >> shift)] += 1


@jit(parallel=True)
def count_rgb(values, task_starts, shift, partial):
    """partial[t] = per-channel counts ``v >> shift`` of the uint8 RGB pixels of task t.

    ``values`` is the pixels' bytes, flat; ``partial`` is ``(n_tasks, 3 · n_bins)``.
    """
    n_bins = partial.shape[1] // 3
    for t in prange(task_starts.size - 1):
        local = np.zeros((RGB_COPIES, 3 * n_bins), np.uint32)
        v0 = np.int64(task_starts[t]) * 3
        v1 = np.int64(task_starts[t + 1]) * 3
        _rgb_bytes(values, v0, v1, shift, n_bins, local.reshape(-1))
        _merge(local, partial[t])


@jit(parallel=True)
def count_rgb_joint(values, task_starts, codes, partial):
    """partial[t] = joint counts of the uint8 RGB pixels of task t.

    ``codes (3, 256)`` holds each channel's part of the cell index,
    ``bin_c(v) · strides[c]``, for every value (all of them in a bin): a
    pixel's cell is the sum of three look-ups, no shift or multiply.
    """
    size = partial.shape[1]
    red, green, blue = codes[0], codes[1], codes[2]
    for t in prange(task_starts.size - 1):
        local = np.zeros((RGB_COPIES, size), np.uint32)
        flat = local.reshape(-1)
        v = np.int64(task_starts[t]) * 3
        v1 = np.int64(task_starts[t + 1]) * 3
        while v + 12 <= v1:
            for u in range(RGB_COPIES):
                p = np.uint64(v + 3 * u)
                cell = (
                    red[np.uint64(values[p])]
                    + green[np.uint64(values[p + np.uint64(1)])]
                    + blue[np.uint64(values[p + np.uint64(2)])]
                )
                flat[np.uint64(u * size + cell)] += 1
            v += 12
        for q in range(v, v1, 3):
            flat[red[values[q]] + green[values[q + 1]] + blue[values[q + 2]]] += 1
        _merge(local, partial[t])


@jit(parallel=True)
def count_small(pixels, task_starts, shift, lut, offset, strides, copies, partial):
    """partial[t] = per-channel counts of pixels[task_starts[t]:task_starts[t+1]] (≤ 16 bits)."""
    n_channels = pixels.shape[1]
    mask = copies - 1
    for t in prange(task_starts.size - 1):
        # uint32 counters: the planner keeps a task under 2**32 pixels.
        local = np.zeros((copies, partial.shape[1]), np.uint32)
        for p in range(task_starts[t], task_starts[t + 1]):
            k = p & mask
            for c in range(n_channels):
                b = _small_bin(pixels[p, c], c, shift, lut, offset)
                if b >= 0:
                    local[k, np.uint64(strides[c] + b)] += 1
        _merge(local, partial[t])


@jit(parallel=True)
def count_small_joint(pixels, task_starts, shift, lut, offset, strides, copies, partial):
    """partial[t] = joint counts of pixels[task_starts[t]:task_starts[t+1]] (≤ 16 bits)."""
    n_channels = pixels.shape[1]
    mask = copies - 1
    for t in prange(task_starts.size - 1):
        local = np.zeros((copies, partial.shape[1]), np.uint32)
        for p in range(task_starts[t], task_starts[t + 1]):
            code = np.int64(0)
            for c in range(n_channels):
                b = _small_bin(pixels[p, c], c, shift, lut, offset)
                if b < 0:
                    code = -1
                    break
                code += b * strides[c]
            if code >= 0:
                local[p & mask, np.uint64(code)] += 1
        _merge(local, partial[t])


@jit(parallel=True)
def count_values(pixels, task_starts, edges, n_bins, lows, scales, uniform, strides, copies,
                 partial):  # fmt: skip
    """partial[t] = per-channel counts of pixels[task_starts[t]:task_starts[t+1]] by ``edges``."""
    n_channels = pixels.shape[1]
    mask = copies - 1
    for t in prange(task_starts.size - 1):
        local = np.zeros((copies, partial.shape[1]), np.uint32)
        for p in range(task_starts[t], task_starts[t + 1]):
            k = p & mask
            for c in range(n_channels):
                b = _value_bin(pixels[p, c], edges[c], n_bins[c], lows[c], scales[c], uniform[c])
                if b >= 0:
                    local[k, np.uint64(strides[c] + b)] += 1
        _merge(local, partial[t])


@jit(parallel=True)
def count_values_joint(pixels, task_starts, edges, n_bins, lows, scales, uniform, strides,
                       copies, partial):  # fmt: skip
    """partial[t] = joint counts of pixels[task_starts[t]:task_starts[t+1]] by ``edges``."""
    n_channels = pixels.shape[1]
    mask = copies - 1
    for t in prange(task_starts.size - 1):
        local = np.zeros((copies, partial.shape[1]), np.uint32)
        for p in range(task_starts[t], task_starts[t + 1]):
            code = np.int64(0)
            for c in range(n_channels):
                b = _value_bin(pixels[p, c], edges[c], n_bins[c], lows[c], scales[c], uniform[c])
                if b < 0:
                    code = -1
                    break
                code += b * strides[c]
            if code >= 0:
                local[p & mask, np.uint64(code)] += 1
        _merge(local, partial[t])
