"""Numba kernels for 2-D filtering. Plain arrays in, ``out`` written; no validation.

The boundary mode reaches a kernel only as two index maps built in Python
(:func:`fastnn.image._plan.extend_index`): ``rmap[r]`` is the source row
of extended row ``r`` and ``cmap[e]`` the source column of extended column
``e``, ``-1`` meaning "the constant ``cval``". Output pixel ``(i, j)`` reads
extended rows ``i .. i + kh - 1`` and columns ``j .. j + kw - 1``; extended
column ``lo + c`` is source column ``c``.

Two shapes of kernel:

- 3×3 stencils (Sobel, Prewitt, Laplace, dense 3×3 weights) read the source
  rows in place: one loop per output row computes each pixel from its nine
  neighbours. The operator is a small integer code; each loop is compiled
  for one literal code (the helpers are inlined, so the other operators'
  branches fold away) and LLVM vectorises it. Only border pixels and rows of
  ``cval`` go through the index maps, one pixel at a time. A first version
  that staged rows in buffers and made one pass per 1-D filter was 3× slower
  on 2048² float32 (5.8 ms against 1.8 ms, one thread).
- Any other kernel reads *extended rows*: each source row converted to the
  compute dtype with its border filled in, kept in a ring of ``kh`` buffers,
  so it is converted once per task. Taps are added four at a time into the
  output row through contiguous slices (indexing ``row[b + j]`` and one tap
  per sweep did not vectorise: 30 ms against 5.5 ms for the 5×5 benchmark on
  one thread; sweeps of 5, 6 or 8 taps measured 6.0-6.5 ms).

Work is split into tasks of ``row_chunk`` output rows of one image; ``prange``
runs over the tasks, each with its own buffers, so the parallel and serial
twins compute every output element with the same operations in the same order.
"""

import math

import numpy as np
from numba import prange

from fastnn._jit import as_exact, jit


@jit
def _extend_row(image, r, cmap, lo, cval, dst):
    """Fill ``dst`` with extended row ``r`` (``-1``: a row of ``cval``)."""
    if r < 0:
        for e in range(dst.shape[0]):
            dst[e] = cval
        return
    src = image[r]
    w = src.shape[0]
    for e in range(lo):
        c = cmap[e]
        dst[e] = src[c] if c >= 0 else cval
    middle = dst[lo : lo + w]  # a slice, so the copy loop has no wraparound checks
    for j in range(w):
        middle[j] = src[j]
    for e in range(lo + w, dst.shape[0]):
        c = cmap[e]
        dst[e] = src[c] if c >= 0 else cval


@jit
def _advance_ring(image, i, i0, kh, rmap, cmap, lo, cval, ring):
    """Make the ring hold extended rows ``i .. i + kh - 1`` (slot ``r % kh``)."""
    first = i if i == i0 else i + kh - 1
    for r in range(first, i + kh):
        _extend_row(image, rmap[r], cmap, lo, cval, ring[r % kh])


@jit
def _task_rows(task, chunks, row_chunk, ho):
    k = task // chunks
    i0 = (task % chunks) * row_chunk
    return k, i0, min(i0 + row_chunk, ho)


@jit
def _accumulate(acc, rows, slots, offsets, weights):
    """acc[j] += Σ_t weights[t] · rows[slots[t], offsets[t] + j], four taps per sweep."""
    n = acc.shape[0]
    m = weights.shape[0]
    t = 0
    while t + 4 <= m:
        v0 = rows[slots[t], offsets[t] : offsets[t] + n]
        v1 = rows[slots[t + 1], offsets[t + 1] : offsets[t + 1] + n]
        v2 = rows[slots[t + 2], offsets[t + 2] : offsets[t + 2] + n]
        v3 = rows[slots[t + 3], offsets[t + 3] : offsets[t + 3] + n]
        w0, w1, w2, w3 = weights[t], weights[t + 1], weights[t + 2], weights[t + 3]
        for j in range(n):
            acc[j] += (w0 * v0[j] + w1 * v1[j]) + (w2 * v2[j] + w3 * v3[j])
        t += 4
    while t < m:
        v0 = rows[slots[t], offsets[t] : offsets[t] + n]
        w0 = weights[t]
        for j in range(n):
            acc[j] += w0 * v0[j]
        t += 1


@jit(parallel=True)
def correlate_taps(
    images, tap_rows, tap_cols, tap_weights, kh, rmap, cmap, lo, cval, row_chunk, out
):
    """Correlate with any kernel given as its non-zero taps ``(row, col, weight)``.

    Zero weights are left out, as scipy.ndimage leaves them out of its
    footprint, so a NaN under a zero weight does not spread.
    """
    n, ho, _ = out.shape
    ew = cmap.shape[0]
    chunks = (ho + row_chunk - 1) // row_chunk
    for task in prange(n * chunks):
        k, i0, i1 = _task_rows(task, chunks, row_chunk, ho)
        ring = np.empty((kh, ew), out.dtype)
        slots = np.empty_like(tap_rows)
        for i in range(i0, i1):
            _advance_ring(images[k], i, i0, kh, rmap, cmap, lo, cval, ring)
            for t in range(tap_rows.shape[0]):
                slots[t] = (i + tap_rows[t]) % kh
            acc = out[k, i]  # contiguous: the taps add straight into the output row
            acc[:] = 0
            _accumulate(acc, ring, slots, tap_cols, tap_weights)


@jit(parallel=True)
def correlate_separable(
    images, col_rows, col_weights, row_cols, row_weights, kh, rmap, cmap, lo, cval, row_chunk, out
):
    """Correlate with a rank-1 kernel ``outer(col, row)`` as two fused 1-D passes.

    Only the non-zero entries of each factor are passed, so the footprint is
    the kernel's non-zero set, as in :func:`correlate_taps`.
    """
    n, ho, _ = out.shape
    ew = cmap.shape[0]
    chunks = (ho + row_chunk - 1) // row_chunk
    for task in prange(n * chunks):
        k, i0, i1 = _task_rows(task, chunks, row_chunk, ho)
        ring = np.empty((kh, ew), out.dtype)
        smoothed = np.empty((1, ew), out.dtype)
        slots = np.empty_like(col_rows)
        no_slots = np.zeros_like(row_cols)
        no_offsets = np.zeros_like(col_rows)
        for i in range(i0, i1):
            _advance_ring(images[k], i, i0, kh, rmap, cmap, lo, cval, ring)
            for t in range(col_rows.shape[0]):
                slots[t] = (i + col_rows[t]) % kh
            smoothed[:] = 0
            _accumulate(smoothed[0], ring, slots, no_offsets, col_weights)
            acc = out[k, i]
            acc[:] = 0
            _accumulate(acc, smoothed, no_slots, row_cols, row_weights)


# Operator codes of stencil_3x3: small integers rather than strings or
# callables, which would cost a dispatch per call inside Numba.
CORRELATE, GRADIENT_X, GRADIENT_Y, MAGNITUDE, ORIENTATION, LAPLACE = range(6)
_MAGNITUDE_HYPOT = 6


@jit(inline=True)
def _pixel3(op, w, c, zero, x00, x01, x02, x10, x11, x12, x20, x21, x22):
    """One output pixel of a 3×3 operator from its neighbourhood ``x[row][col]``.

    Sobel (c = 2) and Prewitt (c = 1): gx = [-1, 0, 1] along the row smoothed
    by [1, c, 1] down the column, gy its transpose. scipy.ndimage.sobel keeps
    the kernel's zero taps in its sums (its 1-D derivative [-1, 0, 1]
    multiplies the centre by 0), so NaN spreads over the whole 3×3 footprint;
    the ``zero · x`` terms keep that, but only where needed: gx and gy
    together already read all but the centre, so the magnitude adds
    ``zero · x11`` alone (inf, inf − inf and NaN pixels of the magnitude are
    redone with the full sums, see ``stencil_3x3``). The
    Laplacian is summed in scipy.ndimage.laplace's order: the second
    difference down the column, plus the one along the row.
    """
    if op == LAPLACE:
        twice = x11 + x11  # exact, where 2 * x would promote float32 to float64
        return ((x01 + x21) - twice) + ((x10 + x12) - twice)
    if op == CORRELATE:
        return (
            w[0, 0] * x00 + w[0, 1] * x01 + w[0, 2] * x02
            + w[1, 0] * x10 + w[1, 1] * x11 + w[1, 2] * x12
            + w[2, 0] * x20 + w[2, 1] * x21 + w[2, 2] * x22
        )  # fmt: skip
    gx, gy = _gradients(c, x00, x01, x02, x10, x12, x20, x21, x22)
    if op == GRADIENT_X:
        return gx + zero * (x01 + x11 + x21)
    if op == GRADIENT_Y:
        return gy + zero * (x10 + x11 + x12)
    if op == MAGNITUDE:
        return math.sqrt(gx * gx + gy * gy) + zero * x11
    if op == _MAGNITUDE_HYPOT:
        return math.hypot(gx + zero * (x01 + x11 + x21), gy + zero * (x10 + x11 + x12))
    return math.atan2(gy + zero * (x10 + x11 + x12), gx + zero * (x01 + x11 + x21))


@jit(inline=True)
def _gradients(c, x00, x01, x02, x10, x12, x20, x21, x22):
    """gx and gy of a 3×3 neighbourhood, without the zero taps (centre row and column)."""
    gx = (x02 - x00) + c * (x12 - x10) + (x22 - x20)
    gy = (x20 - x00) + c * (x21 - x01) + (x22 - x02)
    return gx, gy


@jit(inline=True)
def _interior_row(op, w, c, zero, r0, r1, r2, o):
    """``o[s] = _pixel3`` of rows ``r0..r2`` at columns ``s .. s + 2``, for every ``s`` of ``o``.

    Every index is a plain ``range`` counter plus a constant, so Numba emits
    no negative-index wraparound and LLVM vectorises the loop (a loop from
    ``j0 = min(lo, wo)`` with ``s = j - lo`` did not: 11 ms against 2.8 ms).
    """
    for s in range(o.shape[0]):
        o[s] = _pixel3(
            op, w, c, zero,
            as_exact(r0[s]), as_exact(r0[s + 1]), as_exact(r0[s + 2]),
            as_exact(r1[s]), as_exact(r1[s + 1]), as_exact(r1[s + 2]),
            as_exact(r2[s]), as_exact(r2[s + 1]), as_exact(r2[s + 2]),
        )  # fmt: skip


@jit
def _magnitude_row(c, zero, tiny, r0, r1, r2, o):
    """``_interior_row`` for MAGNITUDE; returns whether any pixel needs ``math.hypot``.

    sqrt(gx² + gy²) vectorises where hypot does not, but its squares
    overflow for |g| past ~1e19 (float32) or ~1e154 (float64) and go
    subnormal, then to 0, for |g| below ``tiny`` = √(smallest normal); and
    hypot(nan, inf) is inf where the sqrt gives NaN. Such pixels are flagged
    here, in the loop itself (a separate sweep over the row cost a third of
    the kernel), and redone by the caller; a zero gradient is not flagged.
    """
    odd = False
    for s in range(o.shape[0]):
        x01, x11, x21 = as_exact(r0[s + 1]), as_exact(r1[s + 1]), as_exact(r2[s + 1])
        gx, gy = _gradients(
            c,
            as_exact(r0[s]), x01, as_exact(r0[s + 2]),
            as_exact(r1[s]), as_exact(r1[s + 2]),
            as_exact(r2[s]), x21, as_exact(r2[s + 2]),
        )  # fmt: skip
        h = math.sqrt(gx * gx + gy * gy) + zero * x11
        o[s] = h
        odd |= (not (tiny <= h < math.inf)) & ((gx != 0) | (gy != 0))
    return odd


@jit
def _extended(image, r, c, cval):
    return as_exact(image[r, c]) if r >= 0 and c >= 0 else cval


@jit
def _mapped_pixel(op, w, c, zero, image, ra, rb, rc, cmap, j, cval):
    """``_pixel3`` at output column ``j`` of rows ``ra, rb, rc``, through the index maps."""
    ca, cb, cc = cmap[j], cmap[j + 1], cmap[j + 2]
    x = image
    return _pixel3(
        op, w, c, zero,
        _extended(x, ra, ca, cval), _extended(x, ra, cb, cval), _extended(x, ra, cc, cval),
        _extended(x, rb, ca, cval), _extended(x, rb, cb, cval), _extended(x, rb, cc, cval),
        _extended(x, rc, ca, cval), _extended(x, rc, cb, cval), _extended(x, rc, cc, cval),
    )  # fmt: skip


@jit(parallel=True)
def stencil_3x3(images, op, w, c, zero, tiny, rmap, cmap, lo, cval, row_chunk, out):
    """Apply the 3×3 operator ``op`` (weights ``w`` for CORRELATE, centre ``c`` for gradients).

    For MAGNITUDE, the pixels ``_magnitude_row`` flags, and the few border
    pixels, are computed with hypot.
    """
    n, ho, wo = out.shape
    width = images.shape[2]
    # Output columns [j0, j1) read source columns j - lo .. j - lo + 2, all in range.
    j0 = min(lo, wo)
    j1 = max(j0, min(wo, width + lo - 2))
    exact = _MAGNITUDE_HYPOT if op == MAGNITUDE else op
    chunks = (ho + row_chunk - 1) // row_chunk
    for task in prange(n * chunks):
        k, i0, i1 = _task_rows(task, chunks, row_chunk, ho)
        image = images[k]
        for i in range(i0, i1):
            ra, rb, rc = rmap[i], rmap[i + 1], rmap[i + 2]
            o = out[k, i]
            if ra >= 0 and rb >= 0 and rc >= 0:
                r0, r1, r2 = image[ra], image[rb], image[rc]
                inner = o[j0:j1]
                # One call per operator with the code as a literal: inlined,
                # each loop holds only its own arithmetic, and vectorises.
                odd = False
                if op == MAGNITUDE:
                    odd = _magnitude_row(c, zero, tiny, r0, r1, r2, inner)
                elif op == CORRELATE:
                    _interior_row(CORRELATE, w, c, zero, r0, r1, r2, inner)
                elif op == GRADIENT_X:
                    _interior_row(GRADIENT_X, w, c, zero, r0, r1, r2, inner)
                elif op == GRADIENT_Y:
                    _interior_row(GRADIENT_Y, w, c, zero, r0, r1, r2, inner)
                elif op == ORIENTATION:
                    _interior_row(ORIENTATION, w, c, zero, r0, r1, r2, inner)
                else:
                    _interior_row(LAPLACE, w, c, zero, r0, r1, r2, inner)
                for j in range(j0):
                    o[j] = _mapped_pixel(exact, w, c, zero, image, ra, rb, rc, cmap, j, cval)
                for j in range(j1, wo):
                    o[j] = _mapped_pixel(exact, w, c, zero, image, ra, rb, rc, cmap, j, cval)
                if odd:
                    for j in range(j0, j1):
                        if not (tiny <= o[j] < math.inf):
                            o[j] = _mapped_pixel(
                                exact, w, c, zero, image, ra, rb, rc, cmap, j, cval
                            )
            else:  # a row of cval: every pixel through the maps
                for j in range(wo):
                    o[j] = _mapped_pixel(exact, w, c, zero, image, ra, rb, rc, cmap, j, cval)


@jit(parallel=True)
def weighted_channel_sum(pixels, weights, out):
    """out[p] = Σ_c weights[c] · pixels[p, c], accumulated in float64."""
    for p in prange(pixels.shape[0]):
        total = 0.0
        for c in range(pixels.shape[1]):
            total += weights[c] * pixels[p, c]
        out[p] = total
