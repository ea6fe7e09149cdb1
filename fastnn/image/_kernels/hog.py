"""Numba kernels of the histogram of oriented gradients (HOG). Plain arrays in, ``out`` written.

One task per image (``prange`` over the batch), each with its own buffers, so
the serial and parallel twins do the same operations in the same order.

Per row of the cell area the gradient is formed as scikit-image forms it
(central differences ``x[i + 1] - x[i - 1]`` in the image's float dtype, 0 on
the first and last row or column), then each pixel's unsigned orientation
bin is found without ``arctan2``: the gradient is folded into the upper half
plane and bin ``b`` is the number of boundaries ``φ_k = k·180°/n`` (k ≥ 1)
it lies at or past, ``cos φ_k · gy − sin φ_k · gx ≥ 0``, a vectorised count.
A pixel whose cross product with a boundary is within ``tol · (|gx| + |gy|)``
of 0 (an angle within ~1e-11 rad of a boundary, or of 180°) is *ambiguous*:
there skimage's own rounding of ``rad2deg(arctan2(gy, gx)) % 180`` decides.
Gradients along an axis or a diagonal take the bin NumPy gave for them
(``special``, computed once per call); any other ambiguous pixel takes the
bin listed for it in ``resolved`` (NumPy's, from an earlier round), or, when
none is listed yet, is reported in ``pending`` and binned with libm's
``atan2`` for now, so the caller can resolve it with NumPy and rerun.

The cell totals are float32 sums in row-major order, each term the float64
magnitude, as skimage's ``cell_hog`` sums them, divided in float32 by the
cell's pixel count.
"""

import math

import numpy as np
from numba import prange

from fastnn._jit import jit

# Block norms, in the order of fastnn.image.hog.BLOCK_NORMS.
L1, L1_SQRT, L2, L2_HYS = range(4)
EPS = 1e-5  # skimage's
HYS_CLIP = 0.2
RAD_TO_DEG = 180.0 / math.pi  # NumPy's rad2deg constant
# Below this the squares of a gradient lose precision; past the next they overflow.
_SMALL_SUM = 2.0**-960
_PENDING_CAP = 32
_AMBIGUOUS = 1 << 40


@jit(inline=True)
def _libm_bin(gx, gy, thresholds):
    """skimage's bin of ``(gx, gy)`` with libm's atan2 (-1: past the last threshold)."""
    ori = (math.atan2(gy, gx) * RAD_TO_DEG) % 180.0  # Python's float %, NumPy's remainder
    n = thresholds.shape[0] - 1
    for i in range(n):
        if thresholds[i] <= ori < thresholds[i + 1]:
            return i
    return -1


@jit(inline=True)
def _special_bin(gx, gy, special):
    """NumPy's bin for a gradient along an axis or a diagonal, -2 for any other."""
    if gy == 0.0:
        return special[0]
    if gx == 0.0:
        return special[1] if gy > 0.0 else special[2]
    if abs(gx) == abs(gy):
        return special[3 + (gx < 0.0) + 2 * (gy < 0.0)]
    return -2


@jit(inline=True)
def _row_bins(gx, gy, mag, bins, fold, cos_k, sin_k, tol):
    """Magnitude and candidate bin of each pixel of a row; a negative bin marks ambiguity."""
    w = gx.shape[0]
    n = cos_k.shape[0]
    fx = fold[0]
    fy = fold[1]
    slack = fold[2]
    for j in range(w):
        x = gx[j]
        y = gy[j]
        s = x * x + y * y
        mag[j] = math.sqrt(s)
        flip = y < 0.0 or (y == 0.0 and x < 0.0)
        fx[j] = -x if flip else x
        fy[j] = -y if flip else y
        slack[j] = tol * (abs(x) + abs(y))
        bins[j] = 0
    for k in range(1, n):
        c = cos_k[k]
        s = sin_k[k]
        for j in range(w):
            cross = c * fy[j] - s * fx[j]
            bins[j] += cross >= 0.0
            # Near a boundary: a large negative mark that the count cannot climb back from.
            bins[j] -= _AMBIGUOUS * (abs(cross) < slack[j])
    for j in range(w):
        # Near 180°: fy tiny, fx < 0; rounding may send it to bin 0, n - 1 or past the last.
        if fx[j] < 0.0 and fy[j] < slack[j]:
            bins[j] = -_AMBIGUOUS
        s = gx[j] * gx[j] + gy[j] * gy[j]
        if not (_SMALL_SUM < s < math.inf) and s != 0.0:
            mag[j] = math.hypot(gx[j], gy[j])


@jit(inline=True)
def _resolve_row(gx, gy, mag, bins, row_base, special, thresholds, resolved, cursor, pend):
    """Give each ambiguous pixel of a row skimage's bin; return the advanced cursor."""
    res_pixels, res_bins, res_end = resolved
    count, pend_pixels, pend_g = pend
    for j in range(gx.shape[0]):
        if bins[j] >= 0 or mag[j] == 0.0:
            continue
        b = _special_bin(gx[j], gy[j], special)
        if b == -2:
            pixel = row_base + j
            while cursor < res_end and res_pixels[cursor] < pixel:
                cursor += 1
            if cursor < res_end and res_pixels[cursor] == pixel:
                b = res_bins[cursor]
            else:
                b = _libm_bin(gx[j], gy[j], thresholds)
                if count[0] < pend_pixels.shape[0]:
                    pend_pixels[count[0]] = pixel
                    pend_g[count[0], 0] = gx[j]
                    pend_g[count[0], 1] = gy[j]
                count[0] += 1
        bins[j] = b
    return cursor


@jit(inline=True)
def _add_row(totals, mag, bins, c_col):
    """Add each pixel's magnitude to its cell's bin, a float32 running sum (skimage's)."""
    for cj in range(totals.shape[0]):
        cell = totals[cj]
        for j in range(cj * c_col, (cj + 1) * c_col):
            b = bins[j]
            if b >= 0 and mag[j] != 0.0:
                cell[b] = np.float32(np.float64(cell[b]) + mag[j])


@jit
def _gray_gradients(image, i, one, gx, gy):
    """skimage's gradient of row ``i``: x[i+1] − x[i−1] in the image's float dtype, 0 on borders."""
    h, w = image.shape
    wc = gx.shape[0]
    if i == 0 or i == h - 1:
        gy[:] = 0.0
    else:
        up = image[i - 1]
        down = image[i + 1]
        for j in range(wc):
            gy[j] = one * down[j] - one * up[j]
    row = image[i]
    gx[0] = 0.0
    for j in range(1, min(wc, w - 1)):
        gx[j] = one * row[j + 1] - one * row[j - 1]
    if wc == w:
        gx[w - 1] = 0.0


@jit
def _color_gradients(image, i, one, gx, gy, best, rounded):
    """Per pixel the gradient of the channel of largest magnitude (the first on a tie)."""
    h, w, n_channels = image.shape
    for j in range(gx.shape[0]):
        best[j] = -1.0
        for ch in range(n_channels):
            y = 0.0 * one
            if 0 < i < h - 1:
                y = one * image[i + 1, j, ch] - one * image[i - 1, j, ch]
            x = 0.0 * one
            if 0 < j < w - 1:
                x = one * image[i, j + 1, ch] - one * image[i, j - 1, ch]
            # skimage compares np.hypot in the image's float dtype: round to it.
            rounded[0] = math.sqrt(np.float64(x) * np.float64(x) + np.float64(y) * np.float64(y))
            m = np.float64(rounded[0])
            if m > best[j]:
                best[j] = m
                gx[j] = x
                gy[j] = y


@jit
def _image_histogram(image, ones, c_row, c_col, cos_k, sin_k, tol, special, thresholds,
                     resolved, pend, hist):  # fmt: skip
    """The cell histograms ``hist (n_cells_row, n_cells_col, n)`` of one image."""
    n_cells_row, n_cells_col, n = hist.shape
    wc = n_cells_col * c_col
    w = image.shape[1]
    gx = np.empty(wc)
    gy = np.empty(wc)
    mag = np.empty(wc)
    best = np.empty(wc)
    rounded = np.empty_like(ones)
    one = ones[0]
    fold = np.empty((3, wc))
    bins = np.empty(wc, np.int64)
    totals = np.empty((n_cells_col, n), np.float32)
    pixels_per_cell = np.float32(c_row * c_col)
    cursor = 0
    for ci in range(n_cells_row):
        totals[:] = 0
        for i in range(ci * c_row, (ci + 1) * c_row):
            if image.ndim == 2:
                _gray_gradients(image, i, one, gx, gy)
            else:
                _color_gradients(image, i, one, gx, gy, best, rounded)
            _row_bins(gx, gy, mag, bins, fold, cos_k, sin_k, tol)
            cursor = _resolve_row(
                gx, gy, mag, bins, i * w, special, thresholds, resolved, cursor, pend
            )
            _add_row(totals, mag, bins, c_col)
        for cj in range(n_cells_col):
            for b in range(n):
                hist[ci, cj, b] = totals[cj, b] / pixels_per_cell


@jit(inline=True)
def _normalize_blocks(hist, block_norm, buffer, out):
    """skimage's block normalisation of one image: ``out (nbr, nbc, b_row, b_col, n)``."""
    nbr, nbc, b_row, b_col, n = out.shape
    eps2 = EPS * EPS
    for r in range(nbr):
        for c in range(nbc):
            total = 0.0
            for a in range(b_row):
                for b in range(b_col):
                    for o in range(n):
                        v = hist[r + a, c + b, o]
                        total += abs(v) if block_norm <= L1_SQRT else v * v
            norm = total + EPS if block_norm <= L1_SQRT else math.sqrt(total + eps2)
            block = out[r, c]
            if block_norm == L2_HYS:
                total = 0.0
                t = 0
                for a in range(b_row):
                    for b in range(b_col):
                        for o in range(n):
                            v = min(hist[r + a, c + b, o] / norm, HYS_CLIP)
                            buffer[t] = v
                            total += v * v
                            t += 1
                norm = math.sqrt(total + eps2)
                t = 0
                for a in range(b_row):
                    for b in range(b_col):
                        for o in range(n):
                            block[a, b, o] = buffer[t] / norm
                            t += 1
            else:
                for a in range(b_row):
                    for b in range(b_col):
                        for o in range(n):
                            v = hist[r + a, c + b, o] / norm
                            block[a, b, o] = math.sqrt(v) if block_norm == L1_SQRT else v
    return out


@jit(parallel=True)
def hog_batch(images, ones, c_row, c_col, cos_k, sin_k, tol, special, thresholds, block_norm,
              selected, res_offsets, res_pixels, res_bins,
              pend_count, pend_pixels, pend_g, hist, out):  # fmt: skip
    """HOG of the images ``images[selected]``: cell histograms into ``hist``, blocks into ``out``.

    ``images`` is ``(n, H, W)`` (gray) or ``(n, H, W, C)`` (the channel of
    largest gradient per pixel); ``ones`` is ``[1]`` in the dtype the gradient
    is formed in. ``res_*`` lists, per selected image (CSR, pixels ascending),
    the bins already resolved with NumPy; ``pend_*`` receive, per selected
    image, the ambiguous pixels that had none.
    """
    b_row, b_col, n = out.shape[3:]
    for t in prange(selected.shape[0]):
        k = selected[t]
        lo = res_offsets[t]
        hi = res_offsets[t + 1]
        resolved = (res_pixels[lo:hi], res_bins[lo:hi], hi - lo)
        pend_count[t] = 0
        pend = (pend_count[t : t + 1], pend_pixels[t], pend_g[t])
        _image_histogram(
            images[k], ones, c_row, c_col, cos_k, sin_k, tol, special, thresholds,
            resolved, pend, hist[k],
        )  # fmt: skip
        buffer = np.empty(b_row * b_col * n)
        _normalize_blocks(hist[k], block_norm, buffer, out[k])


PENDING_CAP = _PENDING_CAP
