"""The NumPy twins of :mod:`fastnn.image`: same names, same signatures, same results.

They are the oracle of the tests and the baseline of the benchmarks, so they
are the best plain NumPy, not a straw man: ``np.pad`` with the matching mode,
then a weighted sum of shifted slices (one whole-array multiply-add per tap).
``sliding_window_view`` + ``einsum`` was tried and is slower for small kernels.
They validate nothing beyond what NumPy itself rejects.
"""

import numpy as np

from fastnn._checks import float_result_dtype
from fastnn.image._plan import NP_PAD_MODES
from fastnn.image.color import BT709
from fastnn.image.edges import OPERATORS

__all__ = [
    "color_histogram",
    "convolve2d",
    "correlate2d",
    "gradient_magnitude",
    "gradient_orientation",
    "hog",
    "laplace",
    "prewitt",
    "rgb_to_gray",
    "sobel",
]


def _as_float(image):
    """The image in the dtype fastnn computes in (float32 for integers, as fastnn)."""
    image = np.asarray(image)
    return image.astype(float_result_dtype(image.dtype, integer_to=np.float32), copy=False)


def _pad(image, top, bottom, left, right, mode, cval=0.0):
    if mode == "valid":
        return image
    widths = [(0, 0)] * (image.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(image, widths, mode="constant", constant_values=cval)
    return np.pad(image, widths, mode=NP_PAD_MODES[mode])


def correlate2d(image, kernel, *, mode="reflect", cval=0.0):
    """NumPy twin of :func:`fastnn.image.correlate2d`."""
    x = _as_float(image)
    weights = np.asarray(kernel, dtype=np.float64)
    kh, kw = weights.shape
    padded = _pad(x, kh // 2, kh - 1 - kh // 2, kw // 2, kw - 1 - kw // 2, mode, cval)
    return _weighted_slices(padded, weights, x.dtype)


def convolve2d(image, kernel, *, mode="reflect", cval=0.0):
    """NumPy twin of :func:`fastnn.image.convolve2d`: the flipped kernel, its centre moved
    to ``k - 1 - k // 2`` as scipy.ndimage.convolve moves it for even sizes."""
    x = _as_float(image)
    weights = np.asarray(kernel, dtype=np.float64)[::-1, ::-1]
    kh, kw = weights.shape
    padded = _pad(x, kh - 1 - kh // 2, kh // 2, kw - 1 - kw // 2, kw // 2, mode, cval)
    return _weighted_slices(padded, weights, x.dtype)


def _weighted_slices(padded, weights, dtype):
    kh, kw = weights.shape
    ho, wo = padded.shape[-2] - kh + 1, padded.shape[-1] - kw + 1
    out = np.zeros((*padded.shape[:-2], ho, wo), dtype)
    for (a, b), w in np.ndenumerate(weights):
        if w != 0:  # scipy.ndimage leaves zero weights out of the footprint
            out += dtype.type(w) * padded[..., a : a + ho, b : b + wo]
    return out


def _derivative(image, axis, centre, mode):
    """scipy.ndimage.sobel's recipe: [-1, 0, 1] along ``axis`` (0 kept), [1, c, 1] across."""
    x = _as_float(image)
    p = _pad(x, 1, 1, 1, 1, mode)
    zero = x.dtype.type(0)
    c = x.dtype.type(centre)
    if axis in (-1, x.ndim - 1):
        d = (p[..., :, 2:] - p[..., :, :-2]) + zero * p[..., :, 1:-1]
        return d[..., :-2, :] + c * d[..., 1:-1, :] + d[..., 2:, :]
    d = (p[..., 2:, :] - p[..., :-2, :]) + zero * p[..., 1:-1, :]
    return d[..., :, :-2] + c * d[..., :, 1:-1] + d[..., :, 2:]


def sobel(image, axis=-1, *, mode="reflect"):
    """NumPy twin of :func:`fastnn.image.sobel`."""
    return _derivative(image, axis, OPERATORS["sobel"], mode)


def prewitt(image, axis=-1, *, mode="reflect"):
    """NumPy twin of :func:`fastnn.image.prewitt`."""
    return _derivative(image, axis, OPERATORS["prewitt"], mode)


def gradient_magnitude(image, *, operator="sobel", mode="reflect"):
    """NumPy twin of :func:`fastnn.image.gradient_magnitude`."""
    centre = OPERATORS[operator]
    return np.hypot(_derivative(image, -1, centre, mode), _derivative(image, -2, centre, mode))


def gradient_orientation(image, *, operator="sobel", mode="reflect"):
    """NumPy twin of :func:`fastnn.image.gradient_orientation`."""
    centre = OPERATORS[operator]
    return np.arctan2(_derivative(image, -2, centre, mode), _derivative(image, -1, centre, mode))


def laplace(image, *, mode="reflect"):
    """NumPy twin of :func:`fastnn.image.laplace`, summed in scipy.ndimage.laplace's order."""
    p = _pad(_as_float(image), 1, 1, 1, 1, mode)
    centre = p[..., 1:-1, 1:-1]
    twice = centre + centre
    return ((p[..., :-2, 1:-1] + p[..., 2:, 1:-1]) - twice) + (
        (p[..., 1:-1, :-2] + p[..., 1:-1, 2:]) - twice
    )


def rgb_to_gray(image):
    """NumPy twin of :func:`fastnn.image.rgb_to_gray`."""
    image = np.asarray(image)
    dtype = float_result_dtype(image.dtype, integer_to=np.float32)
    return (image.astype(np.float64) @ BT709).astype(dtype)


def hog(image, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3),
        block_norm="L2-Hys", *, transform_sqrt=False, feature_vector=True,
        channel_axis=None, visualize=False):  # fmt: skip
    """NumPy twin of :func:`fastnn.image.hog`: whole-batch slices for the gradient,
    ``np.arctan2`` for the bins, one ``np.bincount`` over image × cell × bin for the
    histograms (float64 sums, where skimage sums each cell in float32) and
    ``sliding_window_view`` for the blocks."""
    x = np.asarray(image)
    if channel_axis is not None:
        x = np.moveaxis(x, channel_axis, -1)
    dtype = np.float32 if x.dtype in (np.float16, np.float32) else np.float64
    x = x.astype(dtype)
    if transform_sqrt:
        x = np.sqrt(x)
    rows, cols = (-3, -2) if channel_axis is not None else (-2, -1)
    gy, gx = np.zeros_like(x), np.zeros_like(x)
    inner = [slice(None)] * x.ndim
    ahead, behind, middle = list(inner), list(inner), list(inner)
    ahead[rows], behind[rows], middle[rows] = slice(2, None), slice(None, -2), slice(1, -1)
    gy[tuple(middle)] = x[tuple(ahead)] - x[tuple(behind)]
    ahead, behind, middle = list(inner), list(inner), list(inner)
    ahead[cols], behind[cols], middle[cols] = slice(2, None), slice(None, -2), slice(1, -1)
    gx[tuple(middle)] = x[tuple(ahead)] - x[tuple(behind)]
    if channel_axis is not None:  # the channel of largest magnitude, the first on a tie
        best = np.argmax(np.hypot(gy, gx), axis=-1)[..., None]
        gy = np.take_along_axis(gy, best, -1)[..., 0]
        gx = np.take_along_axis(gx, best, -1)[..., 0]
    *lead, h, w = gx.shape
    (c_row, c_col), (b_row, b_col), n = pixels_per_cell, cells_per_block, orientations
    n_cr, n_cc = h // c_row, w // c_col
    area = (-1, n_cr * c_row, n_cc * c_col)  # the whole cells; the rest is ignored
    gx = gx[..., : area[1], : area[2]].astype(np.float64).reshape(area)
    gy = gy[..., : area[1], : area[2]].astype(np.float64).reshape(area)
    edges = (180.0 / n) * np.arange(n + 1)
    theta = np.rad2deg(np.arctan2(gy, gx)) % 180
    bins = np.searchsorted(edges, theta, side="right") - 1  # n: 180.0, in no bin
    cell = (np.arange(n_cr * c_row) // c_row)[:, None] * n_cc + np.arange(n_cc * c_col) // c_col
    n_images = gx.shape[0]
    code = (np.arange(n_images)[:, None, None] * (n_cr * n_cc) + cell) * (n + 1) + bins
    sums = np.bincount(code.ravel(), np.hypot(gx, gy).ravel(), n_images * n_cr * n_cc * (n + 1))
    hist = sums.reshape(n_images, n_cr, n_cc, n + 1)[..., :n] / (c_row * c_col)
    windows = np.lib.stride_tricks.sliding_window_view(hist, (b_row, b_col), axis=(1, 2))
    v = np.moveaxis(windows, 3, -1)  # (images, blocks_row, blocks_col, b_row, b_col, n)
    eps, axes = 1e-5, (-3, -2, -1)
    if block_norm in ("L1", "L1-sqrt"):
        v = v / (np.abs(v).sum(axis=axes, keepdims=True) + eps)
        v = np.sqrt(v) if block_norm == "L1-sqrt" else v
    else:
        v = v / np.sqrt((v**2).sum(axis=axes, keepdims=True) + eps**2)
        if block_norm == "L2-Hys":
            v = np.minimum(v, 0.2)
            v = v / np.sqrt((v**2).sum(axis=axes, keepdims=True) + eps**2)
    v = v.astype(dtype)
    features = v.reshape(*lead, -1) if feature_vector else v.reshape(*lead, *v.shape[1:])
    if not visualize:
        return features
    return features, _hog_picture(hist, (h, w), pixels_per_cell, dtype).reshape(*lead, h, w)


def _hog_picture(hist, shape, cell, dtype):
    """skimage's strokes: per bin, the Bresenham line through every cell centre, perpendicular
    to the bin's middle angle, written in closed form (pixel t of the major axis steps the
    minor one ⌊(2·dminor·t + dmajor) / (2·dmajor)⌋ times)."""
    n_images, n_cr, n_cc, n = hist.shape
    radius = min(cell) // 2 - 1
    picture = np.zeros((n_images, *shape), dtype)
    centre_r = (np.arange(n_cr) * cell[0] + cell[0] // 2)[:, None]
    centre_c = (np.arange(n_cc) * cell[1] + cell[1] // 2)[None, :]
    for o in range(n):
        angle = np.pi * (o + 0.5) / n
        dr, dc = radius * np.sin(angle), radius * np.cos(angle)
        # Every cell's line, its ends truncated as skimage truncates them (per centre).
        for i, j in np.ndindex(n_cr, n_cc):
            cr, cc = int(centre_r[i, 0]), int(centre_c[0, j])
            r0, c0, r1, c1 = int(cr - dc), int(cc + dr), int(cr + dc), int(cc - dr)
            steep = abs(r1 - r0) > abs(c1 - c0)
            (a0, a1), (m0, m1) = ((r0, r1), (c0, c1)) if steep else ((c0, c1), (r0, r1))
            major, minor = abs(a1 - a0), abs(m1 - m0)
            t = np.arange(major)
            along = a0 + t * (1 if a1 - a0 > 0 else -1)
            across = m0 + (2 * minor * t + major) // (2 * major) * (1 if m1 - m0 > 0 else -1)
            rr, cc_ = (along, across) if steep else (across, along)
            rr, cc_ = np.append(rr, r1), np.append(cc_, c1)
            picture[:, rr, cc_] += hist[:, i, j, o][:, None]
    return picture


def color_histogram(image, bins=8, *, range=None, joint=False, density=False, channel_axis=-1):
    """NumPy twin of :func:`fastnn.image.color_histogram`: the bin of every pixel as an
    integer code (``np.searchsorted``, through a table of every value for integers of up
    to 16 bits), then one ``np.bincount`` over image × channel × bin."""
    image = np.asarray(image)
    source = image.dtype
    if source == np.bool_:
        image = image.view(np.uint8)  # as np.histogram
    image = image[..., None] if channel_axis is None else np.moveaxis(image, channel_axis, -1)
    *lead, h, w, n_channels = image.shape
    pixels = image.reshape(-1, h * w, n_channels)
    n_images = pixels.shape[0]
    edges = _histogram_edges(bins, _histogram_ranges(range, source, n_channels), joint, image)
    n_bins = [e.size - 1 for e in edges]
    size = int(np.prod(n_bins)) if joint else n_channels * n_bins[0]
    base = np.arange(n_images, dtype=np.intp)[:, None] * size  # where each image's counts start
    counts = np.zeros(n_images * size, np.int64)
    if joint:
        cell, inside = np.zeros((n_images, h * w), np.intp), True
        for c, n in enumerate(n_bins):
            b = _pixel_bins(pixels[..., c], edges[c])
            inside = inside & (b >= 0)
            cell *= n
            cell += b
        cell += base
        counts += np.bincount(cell.ravel() if inside.all() else cell[inside], minlength=counts.size)
    else:
        for c, e in enumerate(edges):
            b = _pixel_bins(pixels[..., c], e)
            inside = b >= 0
            b += base + c * n_bins[0]
            counts += np.bincount(b.ravel() if inside.all() else b[inside], minlength=counts.size)
    counts = counts.reshape(n_images, size)
    if density:
        with np.errstate(invalid="ignore", divide="ignore"):
            counts = _histogram_density(counts, edges, joint)
    if joint:
        return counts.reshape(*lead, *n_bins)
    if channel_axis is None:
        return counts.reshape(*lead, n_bins[0])
    return counts.reshape(*lead, n_channels, n_bins[0])


def _histogram_ranges(range_, source, n_channels):
    if range_ is None:
        if source.kind == "b":
            range_ = (0, 2)
        elif source.kind in "iu":
            range_ = (float(np.iinfo(source).min), float(np.iinfo(source).max) + 1)
        else:
            range_ = (0, 1)
    pairs = np.asarray(range_, dtype=np.float64)
    return [tuple(map(float, p)) for p in np.broadcast_to(pairs, (n_channels, 2))]


def _histogram_edges(bins, pairs, joint, image):
    if not isinstance(bins, list | tuple) and np.ndim(bins) == 0:
        if joint:  # np.histogramdd's edges
            return [np.linspace(low, high, bins + 1) for low, high in pairs]
        return [np.histogram_bin_edges(image[:0].ravel(), bins, range=p) for p in pairs]
    if isinstance(bins, list | tuple) and all(np.ndim(e) == 1 for e in bins):
        return [np.asarray(e) for e in bins]
    return [np.asarray(bins)] * len(pairs)


def _pixel_bins(values, edges):
    """NumPy's bin of each value (edges[b] <= v < edges[b + 1], the last edge inclusive), -1
    outside the edges and for NaN; integers of up to 16 bits through a table of every value."""
    if values.dtype.kind in "iu" and values.dtype.itemsize <= 2:
        info = np.iinfo(values.dtype)
        n = edges.size - 1
        whole = edges[0] == 0 and edges[-1] == info.max + 1 and info.min == 0
        if whole and n & (n - 1) == 0 and np.array_equal(edges, np.linspace(0, edges[-1], n + 1)):
            b = values.astype(np.intp)  # equal bins of a power-of-two width: a shift
            b >>= int(np.log2((info.max + 1) // n))
            return b
        table = _searched(np.arange(info.min, info.max + 1, dtype=values.dtype), edges)
        return table[values] if info.min == 0 else table[values.astype(np.intp) - info.min]
    return _searched(values, edges)


def _searched(values, edges):
    b = np.searchsorted(edges, values, side="right") - 1
    b[values == edges[-1]] = edges.size - 2
    b[~((values >= edges[0]) & (values <= edges[-1]))] = -1
    return b


def _histogram_density(counts, edges, joint):
    if not joint:  # np.histogram's n / db / n.sum()
        per_channel = counts.reshape(counts.shape[0], len(edges), -1)
        widths = np.stack([np.diff(e).astype(float) for e in edges])
        return per_channel / widths / per_channel.sum(axis=-1, keepdims=True)
    n_bins = [e.size - 1 for e in edges]  # np.histogramdd's: axis by axis, then the total
    hist = counts.astype(float).reshape(-1, *n_bins)
    total = hist.reshape(hist.shape[0], -1).sum(axis=1)
    for axis, e in enumerate(edges):
        shape = [1] * (len(edges) + 1)
        shape[axis + 1] = n_bins[axis]
        hist = hist / np.diff(e).reshape(shape)
    return hist / total.reshape(-1, *[1] * len(edges))
