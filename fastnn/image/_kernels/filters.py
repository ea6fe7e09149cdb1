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


# A sum whose bound Σ|w|·max|x| reaches 2**LIMIT_EXP could overflow in some order
# of its terms; the careful paths scale the pixels down by a power of two first.
LIMIT_EXP = 1020


@jit(inline=True)
def _finite(v):
    return abs(v) < math.inf  # False for ±inf and NaN; True for every integer


@jit
def _down_exp(m, weight_exp):
    """The power of two to scale pixels of largest finite magnitude ``m`` down by (0: none)."""
    if m == 0.0:
        return 0
    return max(0, math.frexp(m)[1] + weight_exp - LIMIT_EXP)


@jit
def _careful_sum(image, r0, c0, rmap, cmap, cval, tap_rows, tap_cols, weights, weight_exp):
    """Σ_t weights[t] · x[rmap[r0 + row_t], cmap[c0 + col_t]], in float64, never overflowing
    where the exact sum is finite: the pixels are scaled by 2**-e (exact) when
    ``2**weight_exp`` (≥ Σ|w|) times their largest finite magnitude could reach the
    float64 limit, and the sum by 2**e at the end. Non-finite pixels give the
    NaN or ±inf that exact arithmetic with infinities gives."""
    m = 0.0
    for t in range(tap_rows.shape[0]):
        v = abs(_extended_at(image, rmap[r0 + tap_rows[t]], cmap[c0 + tap_cols[t]], cval))
        if v < math.inf:
            m = max(m, v)
    e = _down_exp(m, weight_exp)
    total = 0.0
    for t in range(tap_rows.shape[0]):
        v = _extended_at(image, rmap[r0 + tap_rows[t]], cmap[c0 + tap_cols[t]], cval)
        total += weights[t] * math.ldexp(v, -e)
    return math.ldexp(total, e)


@jit
def _extended_at(image, r, c, cval):
    return np.float64(image[r, c]) if r >= 0 and c >= 0 else np.float64(cval)


@jit
def _repair_row(acc, image, i, rmap, cmap, cval, taps):
    """Redo the non-finite outputs of row ``i`` with :func:`_careful_sum`.

    Overflow always ends non-finite (inf, or NaN from inf − inf or 0 · inf),
    so this catches every pixel whose fast sum overflowed in a partial sum or
    in the separable pass's intermediate row, which the exact sum need not do.
    """
    tap_rows, tap_cols, weights, weight_exp = taps
    bad = False
    for j in range(acc.shape[0]):
        bad |= not _finite(acc[j])
    if bad:
        for j in range(acc.shape[0]):
            if not _finite(acc[j]):
                acc[j] = _careful_sum(
                    image, i, j, rmap, cmap, cval, tap_rows, tap_cols, weights, weight_exp
                )


@jit(parallel=True)
def correlate_taps(
    images, tap_rows, tap_cols, tap_weights, kh, rmap, cmap, lo, cval, row_chunk, taps, out
):
    """Correlate with any kernel given as its non-zero taps ``(row, col, weight)``.

    Zero weights are left out, as scipy.ndimage leaves them out of its
    footprint, so a NaN under a zero weight does not spread. ``taps`` is
    ``(tap_rows, tap_cols, float64 weights, weight_exp)`` for :func:`_repair_row`.
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
            _repair_row(acc, images[k], i, rmap, cmap, cval, taps)


@jit(parallel=True)
def correlate_separable(
    images, col_rows, col_weights, row_cols, row_weights, kh, rmap, cmap, lo, cval, row_chunk,
    taps, out,
):  # fmt: skip
    """Correlate with a rank-1 kernel ``outer(col, row)`` as two fused 1-D passes.

    Only the non-zero entries of each factor are passed, so the footprint is
    the kernel's non-zero set, as in :func:`correlate_taps`; ``taps`` are the
    kernel's own, for :func:`_repair_row`.
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
            _repair_row(acc, images[k], i, rmap, cmap, cval, taps)


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
    """``o[s] = _pixel3`` of rows ``r0..r2`` at columns ``s .. s + 2``, for every ``s`` of ``o``;
    return whether any is non-finite (an overflow, perhaps: see ``stencil_3x3``).

    Every index is a plain ``range`` counter plus a constant, so Numba emits
    no negative-index wraparound and LLVM vectorises the loop (a loop from
    ``j0 = min(lo, wo)`` with ``s = j - lo`` did not: 11 ms against 2.8 ms).
    """
    odd = False
    for s in range(o.shape[0]):
        v = _pixel3(
            op, w, c, zero,
            as_exact(r0[s]), as_exact(r0[s + 1]), as_exact(r0[s + 2]),
            as_exact(r1[s]), as_exact(r1[s + 1]), as_exact(r1[s + 2]),
            as_exact(r2[s]), as_exact(r2[s + 1]), as_exact(r2[s + 2]),
        )  # fmt: skip
        o[s] = v
        odd |= not _finite(v)
    return odd


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
def _orientation_row(c, zero, r0, r1, r2, o):
    """``_interior_row`` for ORIENTATION; NaN (and True returned) where gx or gy is not finite.

    atan2 of an overflowed gx or gy is a wrong but finite angle (atan2(inf, x)
    = π/2), so the caller redoes those pixels from the NaN left here.
    """
    odd = False
    for s in range(o.shape[0]):
        x01, x11, x21 = as_exact(r0[s + 1]), as_exact(r1[s + 1]), as_exact(r2[s + 1])
        x10, x12 = as_exact(r1[s]), as_exact(r1[s + 2])
        gx, gy = _gradients(
            c, as_exact(r0[s]), x01, as_exact(r0[s + 2]), x10, x12, as_exact(r2[s]), x21,
            as_exact(r2[s + 2]),
        )  # fmt: skip
        gx = gx + zero * (x01 + x11 + x21)
        gy = gy + zero * (x10 + x11 + x12)
        if _finite(gx) and _finite(gy):
            o[s] = math.atan2(gy, gx)
        else:
            o[s] = math.nan
            odd = True
    return odd


@jit
def _careful_pixel3(op, w64, c, weight_exp, image, ra, rb, rc, cmap, j, cval):
    """``_pixel3`` at output column ``j`` in float64, never overflowing where the exact
    result is finite: the nine pixels are scaled by 2**-e as in :func:`_careful_sum`
    (``2**weight_exp`` bounds the sum of |weights|) and the result by 2**e."""
    ca, cb, cc = cmap[j], cmap[j + 1], cmap[j + 2]
    x = image
    x00, x01, x02 = (
        _extended_at(x, ra, ca, cval),
        _extended_at(x, ra, cb, cval),
        _extended_at(x, ra, cc, cval),
    )
    x10, x11, x12 = (
        _extended_at(x, rb, ca, cval),
        _extended_at(x, rb, cb, cval),
        _extended_at(x, rb, cc, cval),
    )
    x20, x21, x22 = (
        _extended_at(x, rc, ca, cval),
        _extended_at(x, rc, cb, cval),
        _extended_at(x, rc, cc, cval),
    )
    m = 0.0
    for v in (x00, x01, x02, x10, x11, x12, x20, x21, x22):
        if abs(v) < math.inf:
            m = max(m, abs(v))
    e = _down_exp(m, weight_exp)
    f = math.ldexp(1.0, -e)  # a power of two ≥ 2**-1021: exact products
    exact = _MAGNITUDE_HYPOT if op == MAGNITUDE else op
    v = _pixel3(
        exact, w64, np.float64(c), 0.0,
        x00 * f, x01 * f, x02 * f, x10 * f, x11 * f, x12 * f, x20 * f, x21 * f, x22 * f,
    )  # fmt: skip
    return v if op == ORIENTATION else math.ldexp(v, e)


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


@jit
def _edge_pixel(op, w, c, zero, w64, weight_exp, image, ra, rb, rc, cmap, j, cval):
    """A pixel the row loop does not compute, or flagged: through the index maps, and
    :func:`_careful_pixel3` where the fast result is not finite (always for ORIENTATION,
    whose overflowed gradients give a finite angle)."""
    if op != ORIENTATION:
        exact = _MAGNITUDE_HYPOT if op == MAGNITUDE else op
        v = _mapped_pixel(exact, w, c, zero, image, ra, rb, rc, cmap, j, cval)
        if _finite(v):
            return v
    return _careful_pixel3(op, w64, c, weight_exp, image, ra, rb, rc, cmap, j, cval)


@jit(parallel=True)
def stencil_3x3(
    images, op, w, c, zero, tiny, rmap, cmap, lo, cval, row_chunk, w64, weight_exp, out
):
    """Apply the 3×3 operator ``op`` (weights ``w`` for CORRELATE, centre ``c`` for gradients).

    Pixels the row loops flag (non-finite, or for MAGNITUDE below ``tiny``)
    and the few border pixels are redone by :func:`_edge_pixel`: hypot for
    MAGNITUDE, then, where still not finite, the float64 careful path with
    the float64 weights ``w64``, which no finite-valued overflow survives.
    """
    n, ho, wo = out.shape
    width = images.shape[2]
    # Output columns [j0, j1) read source columns j - lo .. j - lo + 2, all in range.
    j0 = min(lo, wo)
    j1 = max(j0, min(wo, width + lo - 2))
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
                if op == MAGNITUDE:
                    odd = _magnitude_row(c, zero, tiny, r0, r1, r2, inner)
                elif op == CORRELATE:
                    odd = _interior_row(CORRELATE, w, c, zero, r0, r1, r2, inner)
                elif op == GRADIENT_X:
                    odd = _interior_row(GRADIENT_X, w, c, zero, r0, r1, r2, inner)
                elif op == GRADIENT_Y:
                    odd = _interior_row(GRADIENT_Y, w, c, zero, r0, r1, r2, inner)
                elif op == ORIENTATION:
                    odd = _orientation_row(c, zero, r0, r1, r2, inner)
                else:
                    odd = _interior_row(LAPLACE, w, c, zero, r0, r1, r2, inner)
                if odd:
                    for j in range(j0, j1):
                        if not (tiny <= o[j] < math.inf) if op == MAGNITUDE else not _finite(o[j]):
                            o[j] = _edge_pixel(
                                op, w, c, zero, w64, weight_exp, image, ra, rb, rc, cmap, j, cval
                            )
                edges = (range(j0), range(j1, wo))
            else:  # a row of cval: every pixel through the maps
                edges = (range(wo), range(0))
            for columns in edges:
                for j in columns:
                    o[j] = _edge_pixel(
                        op, w, c, zero, w64, weight_exp, image, ra, rb, rc, cmap, j, cval
                    )


@jit(parallel=True)
def weighted_channel_sum(pixels, weights, out):
    """out[p] = Σ_c weights[c] · pixels[p, c], accumulated in float64."""
    for p in prange(pixels.shape[0]):
        total = 0.0
        for c in range(pixels.shape[1]):
            total += weights[c] * pixels[p, c]
        out[p] = total
