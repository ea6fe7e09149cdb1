"""Colour histograms: how many pixels of each image fall in each bin, per channel or jointly."""

import functools
import math

import numpy as np

from fastnn import _checks, _jit
from fastnn.image._kernels import histogram as _kernels

__all__ = ["color_histogram"]

# A task counts into uint32 sub-histograms: it must hold fewer than 2**32 pixels.
_MAX_TASK_PIXELS = 1 << 30
# Below this many pixels a task costs more to start and merge than it saves.
_MIN_TASK_PIXELS = 1 << 14
# Four sub-histograms per task while they fit in the L1 cache (4 × 4096 × 4 bytes).
_COPIES, _MAX_COPIED_BINS = 4, 1 << 12
# Tasks split an image only while their partial histograms stay small.
_MAX_SPLIT_BINS = 1 << 16


def default_range(dtype):
    """Return the ``(low, high)`` that ``color_histogram`` bins over when ``range`` is None.

    Integers: the whole dtype, one past its largest value, so that each value
    has a bin (0–256 for uint8, 0–65536 for uint16, 0–2 for bool). Floats:
    (0, 1), the range of a float image in scikit-image.
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return 0.0, 2.0
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return float(info.min), float(info.max) + 1.0
    return 0.0, 1.0


def color_histogram(image, bins=8, *, range=None, joint=False, density=False, channel_axis=-1):
    """Return the histogram of each image's pixel values, per channel or joint over the channels.

    A colour feature of an RGB image (an H × W × 3 tensor): how many pixels
    fall in each bin of each channel, ``h_c[b] = #{pixels with e_b ≤ x_c < e_{b+1}}``,
    or, jointly, in each cell of the colour cube,
    ``h[b_R, b_G, b_B] = #{pixels with x_c in bin b_c for every channel c}``.

    Parameters
    ----------
    image : array_like, shape (..., H, W, C)
        Channels on ``channel_axis`` (last by default); leading axes are a
        batch. uint8, uint16, other integers, bool, float16, float32 or
        float64.
    bins : int or sequence
        The number of equal bins over ``range`` (at least 1), or the bin
        edges, strictly increasing, shared by every channel, or a list of
        one edge sequence per channel.
    range : (float, float) or sequence of them, optional
        The lower and upper edge of the equal bins (low < high), or one pair
        per channel. Default: the dtype's range for integers (0–256 for
        uint8, 0–65536 for uint16, 0–2 for bool, ``[min, max + 1]`` in
        general), (0, 1) for floats. Ignored when ``bins`` gives edges (as in
        NumPy).
    joint : bool
        Count each pixel once, in the cell of all its channels' bins
        (``np.histogramdd``), instead of once per channel (``np.histogram``).
    density : bool
        Return NumPy's density, the counts divided by the bin widths (the
        cell volumes, when joint) and by the number of pixels counted, so
        that it integrates to 1 over the range. NaN for an image none of
        whose pixels is in the range.
    channel_axis : int or None
        The axis of the channels; None for grayscale images ``(..., H, W)``.

    Returns
    -------
    ndarray
        int64 counts (float64 with ``density=True``): ``(..., C, n_bins)``
        per channel, ``(..., n_bins_0, …, n_bins_C-1)`` joint, and
        ``(..., n_bins)`` for grayscale.

    Raises
    ------
    ValueError
        If ``image`` is not ``(..., H, W, C)`` (or ``(..., H, W)`` with
        ``channel_axis=None``) or is empty, ``bins`` is below 1 or its edges
        do not increase, or ``range`` has low ≥ high or a non-finite end.
    TypeError
        If ``image`` does not hold real numbers, or ``bins`` is not an int
        or edges.

    Notes
    -----
    The bins are NumPy's: bin ``b`` holds ``e_b ≤ x < e_{b+1}`` and the last
    bin also its upper edge; values outside ``[e_0, e_n]`` and NaN are not
    counted. Equal bins have the edges ``np.histogram`` makes (for float32
    pixels they are float32 per channel and float64 joint, as in
    ``np.histogram`` and ``np.histogramdd``), and the edges, not a formula,
    decide the bin of a value on or next to one. The result equals
    ``np.histogram(image[..., c], bins, range)`` for each channel and
    ``np.histogramdd(pixels, bins, range)`` joint. uint8 and uint16 pixels
    with a power-of-two number of bins over their whole range are binned by
    a shift, other integers of up to 16 bits through a table of every value's
    bin; nothing divides. Unlike NumPy, equal consecutive edges are refused.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import color_histogram
    >>> rgb = np.array([[[255, 0, 0], [250, 10, 0]], [[0, 0, 255], [0, 128, 128]]], np.uint8)
    >>> color_histogram(rgb, bins=4)
    array([[2, 0, 0, 2],
           [3, 0, 1, 0],
           [2, 0, 1, 1]])
    >>> color_histogram(rgb, bins=2, joint=True)[1, 0, 0]  # much red, little green or blue
    np.int64(2)
    """
    joint = _checks.check_bool(joint, "joint")
    density = _checks.check_bool(density, "density")
    pixels, lead, source_dtype = _as_pixels(image, channel_axis)
    n_channels = pixels.shape[-1]
    ranges = _ranges(range, source_dtype, n_channels)
    # float16 pixels are computed as float32, but binned against NumPy's float16 edges.
    half = source_dtype.kind == "f" and source_dtype.itemsize == 2
    edge_dtype = np.dtype(np.float16) if half else pixels.dtype
    edges, n_bins, uniform = _edges(bins, ranges, edge_dtype, n_channels, joint)
    counts = _count(pixels, edges, n_bins, ranges, uniform, source_dtype, joint)
    if density:
        counts = _density(counts, edges, joint)
    if joint:
        return counts.reshape(lead + tuple(n_bins))
    if channel_axis is None:
        return counts.reshape((*lead, n_bins[0]))
    return counts.reshape((*lead, n_channels, n_bins[0]))


def _as_pixels(image, channel_axis):
    """Validate ``image``; return its pixels ``(n_images, H·W, C)``, the batch shape, the dtype."""
    if channel_axis is None:
        array = _checks.check_array(image, "image", min_ndim=2)
        array = array[..., None]
    else:
        array = _checks.check_array(image, "image")
        if isinstance(channel_axis, bool) or not isinstance(channel_axis, int | np.integer):
            raise TypeError(
                f"channel_axis must be an integer or None, got {type(channel_axis).__name__}"
            )
        if array.ndim < 3:
            raise ValueError(
                f"image must be (..., H, W, C) with its channels on axis {channel_axis} "
                f"(channel_axis={channel_axis}), got shape {array.shape}; pass "
                f"channel_axis=None for grayscale images (..., H, W)"
            )
        axis = _checks.check_axis(channel_axis, array.ndim, "channel_axis")
        array = np.ascontiguousarray(np.moveaxis(array, axis, -1))
    # check_array views bool as uint8 and widens float16; the range and edges stay theirs.
    source_dtype = image.dtype if isinstance(image, np.ndarray) else np.asarray(image).dtype
    *lead, h, w, c = array.shape
    return array.reshape(-1, h * w, c), tuple(lead), source_dtype


def _ranges(range_, source_dtype, n_channels):
    """``range`` as a list of one (low, high) pair of floats per channel."""
    if range_ is None:
        return [default_range(source_dtype)] * n_channels
    try:
        pairs = np.asarray(range_, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"range must be a (low, high) pair of numbers, got {range_!r}") from None
    if pairs.shape == (2,):
        pairs = np.broadcast_to(pairs, (n_channels, 2))
    elif pairs.shape != (n_channels, 2):
        raise ValueError(
            f"range must be a (low, high) pair or one pair per channel ({n_channels}), "
            f"got shape {pairs.shape}"
        )
    for low, high in pairs:
        if not (np.isfinite(low) and np.isfinite(high)):
            raise ValueError(f"range must be finite, got ({low}, {high})")
        if not low < high:
            raise ValueError(f"range must have low < high, got ({low}, {high})")
    return [(float(low), float(high)) for low, high in pairs]


def _edges(bins, ranges, dtype, n_channels, joint):
    """Return the bin edges of each channel (NumPy's), the number of bins of each, and
    whether they are equal bins over ``ranges``."""
    uniform = not isinstance(bins, list | tuple) and np.ndim(bins) == 0
    if uniform:
        n = _checks.check_int(bins, "bins", low=1)
        made = {}  # channels with the same range share their edges
        for pair in ranges:
            if pair not in made:
                made[pair] = _equal_edges(n, pair, np.dtype(dtype).str, joint)
        edges = [made[pair] for pair in ranges]
    else:
        edges = [_check_edges(e, "bins") for e in _edge_lists(bins, n_channels)]
    n_bins = [e.size - 1 for e in edges]
    if not joint and len(set(n_bins)) > 1:
        raise ValueError(
            f"bins must give every channel the same number of bins unless joint=True, got {n_bins}"
        )
    return edges, n_bins, uniform


@functools.lru_cache(maxsize=64)
def _equal_edges(n, pair, dtype, joint):
    """NumPy's edges of ``n`` equal bins over ``pair`` (read-only: cached, since
    ``np.histogram_bin_edges`` takes ~0.1 ms, 5 % of a 64-image call)."""
    if joint:  # np.histogramdd: float64 edges
        edges = np.linspace(*pair, n + 1)
    else:  # np.histogram: edges in the pixels' float type
        edges = np.histogram_bin_edges(np.empty(0, dtype), n, range=pair)
    edges.flags.writeable = False
    return edges


def _edge_lists(bins, n_channels):
    """The edge sequence of each channel: one shared, or one per channel."""
    if isinstance(bins, list | tuple) and len(bins) > 0 and all(np.ndim(e) == 1 for e in bins):
        if len(bins) != n_channels:
            raise ValueError(
                f"bins must give one edge sequence per channel ({n_channels}), got {len(bins)}"
            )
        return list(bins)
    return [bins] * n_channels


def _check_edges(value, name):
    try:
        edges = np.asarray(value)
    except ValueError:  # ragged
        edges = np.asarray(value, dtype=object)
    if edges.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be an int or a sequence of bin edges (numbers), got {edges.dtype} values"
        )
    if edges.ndim != 1 or edges.size < 2:
        raise ValueError(
            f"{name} must be an int or a 1-D sequence of at least 2 edges, got shape {edges.shape}"
        )
    if np.isnan(edges).any():
        raise ValueError(f"{name} edges must not be NaN")
    if not (edges[1:] > edges[:-1]).all():
        raise ValueError(f"{name} edges must increase strictly, got {edges.tolist()}")
    return edges


def _bins_of(values, edges):
    """The bin of each value by NumPy's rule (``-1`` outside the edges or NaN)."""
    b = np.searchsorted(edges, values, side="right") - 1
    b[values == edges[-1]] = edges.size - 2
    b[~((values >= edges[0]) & (values <= edges[-1]))] = -1
    return b


def _shift(dtype, source_dtype, edges, n_bins, ranges):
    """The right shift that bins unsigned pixels, or -1 where a shift cannot."""
    if dtype.kind != "u" or any(e.dtype.kind != "f" for e in edges):
        return -1
    bits = 1 if source_dtype.kind == "b" else 8 * dtype.itemsize
    n = n_bins[0]
    whole = all(pair == (0.0, float(1 << bits)) for pair in ranges)
    if not whole or any(m != n for m in n_bins) or n > 1 << bits or n & (n - 1):
        return -1
    return bits - (n.bit_length() - 1)


def _count(pixels, edges, n_bins, ranges, uniform, source_dtype, joint):
    """The counts ``(n_images, n_cells)`` from the kernel that fits the dtype."""
    n_images, n_pixels, n_channels = pixels.shape
    if joint:
        size = math.prod(n_bins)
        strides = np.array([math.prod(n_bins[c + 1 :]) for c in range(n_channels)], np.int64)
    else:
        size = n_channels * n_bins[0]
        strides = np.arange(n_channels, dtype=np.int64) * n_bins[0]
    starts, chunks = _tasks(n_images, n_pixels, n_channels, size)
    copies = _COPIES if size <= _MAX_COPIED_BINS else 1
    partial = np.empty((starts.size - 1, size), np.int64)
    flat = pixels.reshape(-1, n_channels)
    dtype = pixels.dtype
    work = flat.size
    if dtype.kind in "iu" and dtype.itemsize <= 2:
        shift = _shift(dtype, source_dtype, edges, n_bins, ranges) if uniform else -1
        lut, offset = (np.zeros((1, 1), np.int32), 0) if shift >= 0 else _bin_table(dtype, edges)
        rgb = dtype == np.uint8 and source_dtype.kind != "b" and n_channels == 3
        if rgb and not joint and shift >= 0 and copies == _kernels.RGB_COPIES:
            _kernels.count_rgb(flat.reshape(-1), starts, shift, partial, work=work)
        elif rgb and joint and copies == _kernels.RGB_COPIES and (shift >= 0 or lut.min() >= 0):
            # Every value has a bin: each channel's part of the cell index, per value.
            bins = np.arange(256)[None, :] >> shift if shift >= 0 else lut
            codes = np.ascontiguousarray(bins * strides[:, None], dtype=np.int64)
            _kernels.count_rgb_joint(flat.reshape(-1), starts, codes, partial, work=work)
        else:
            kernel = _kernels.count_small_joint if joint else _kernels.count_small
            kernel(flat, starts, shift, lut, offset, strides, copies, partial, work=work)
    else:
        kind = np.result_type(*edges)
        kind = np.float32 if kind == np.float16 else kind  # Numba has no float16 (exact in float32)
        table = np.empty((n_channels, max(n_bins) + 1), kind)
        for c, e in enumerate(edges):
            table[c, : e.size] = e
            table[c, e.size :] = e[-1]
        lows = np.array([low for low, _ in ranges])
        scales = np.array([n / (high - low) for n, (low, high) in zip(n_bins, ranges, strict=True)])
        flags = np.full(n_channels, uniform)
        args = (flat, starts, table, np.array(n_bins, np.int64), lows, scales, flags)
        kernel = _kernels.count_values_joint if joint else _kernels.count_values
        kernel(*args, strides, copies, partial, work=work)
    if chunks == 1:
        return partial
    return partial.reshape(n_images, chunks, size).sum(axis=1)


def _bin_table(dtype, edges):
    """NumPy's bin of every value of a ≤16-bit integer dtype, per channel (``-1``: none),
    and the dtype's lowest value (the table's first column)."""
    info = np.iinfo(dtype)
    values = np.arange(info.min, info.max + 1, dtype=dtype)
    return np.stack([_bins_of(values, e) for e in edges]).astype(np.int32), int(info.min)


def _tasks(n_images, n_pixels, n_channels, size):
    """Task boundaries (pixel offsets into the batch) and the number of tasks per image.

    Whole images while the batch alone feeds every thread (or the call runs
    serially); otherwise each image is cut into equal runs of pixels, whose
    partial histograms are added up afterwards.
    """
    chunks = 1
    threads = _jit.get_num_threads()
    parallel = threads > 1 and n_images * n_pixels * n_channels >= _jit.PARALLEL_MIN_WORK
    if parallel and n_images < 4 * threads and size <= _MAX_SPLIT_BINS:
        chunks = min(math.ceil(4 * threads / n_images), max(1, n_pixels // _MIN_TASK_PIXELS))
    chunks = max(chunks, math.ceil(n_pixels / _MAX_TASK_PIXELS))
    bounds = np.arange(chunks, dtype=np.int64) * n_pixels // chunks
    starts = np.arange(n_images, dtype=np.int64)[:, None] * n_pixels + bounds
    return np.append(starts.ravel(), np.int64(n_images) * n_pixels), chunks


def _density(counts, edges, joint):
    """NumPy's density, with its operations in its order (so equal to the last bit)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if not joint:  # np.histogram: n / db / n.sum()
            per_channel = counts.reshape(counts.shape[0], len(edges), -1)
            widths = np.stack([np.diff(e).astype(float) for e in edges])
            return per_channel / widths / per_channel.sum(axis=-1, keepdims=True)
        # np.histogramdd: float counts divided by each axis's widths in turn, then by the sum.
        n_bins = [e.size - 1 for e in edges]
        hist = counts.astype(float).reshape(-1, *n_bins)
        total = hist.reshape(hist.shape[0], -1).sum(axis=1)
        for axis, e in enumerate(edges):
            shape = [1] * (len(edges) + 1)
            shape[axis + 1] = n_bins[axis]
            hist = hist / np.diff(e).reshape(shape)
        hist /= total.reshape((-1,) + (1,) * len(edges))
        return hist.reshape(counts.shape)
