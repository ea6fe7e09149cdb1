"""Shape features: the histogram of oriented gradients (HOG), as scikit-image computes it."""

import functools

import numpy as np

from fastnn import _checks
from fastnn.image._kernels import hog as _kernels

__all__ = ["hog"]

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")  # the kernel codes L1, L1_SQRT, L2, L2_HYS
# A pixel is binned by NumPy's arctan2 when its angle is this close (in radians,
# roughly) to a bin boundary; the rounding of skimage's angle is ~1e-15.
_TIE_TOLERANCE = 1e-11


def hog(
    image,
    orientations=9,
    pixels_per_cell=(8, 8),
    cells_per_block=(3, 3),
    block_norm="L2-Hys",
    *,
    transform_sqrt=False,
    feature_vector=True,
    channel_axis=None,
    visualize=False,
):
    """Return the histogram of oriented gradients (HOG) of each image, as ``skimage.feature.hog``.

    The lecture's shape feature vector from the edges: the image's gradient,
    a histogram of its orientations per cell weighted by its magnitude, and
    the histograms of each block of cells normalised together.

    1. Gradient (scikit-image's, not the Sobel kernels of
       :func:`gradient_magnitude`): central differences without smoothing,
       :math:`g_x[i, j] = x[i, j+1] - x[i, j-1]` and
       :math:`g_y[i, j] = x[i+1, j] - x[i-1, j]` in the image's float dtype,
       and 0 on the first and last column (:math:`g_x`) or row (:math:`g_y`);
       no reflection at the border. With ``channel_axis``, each pixel takes the
       gradient of its channel of largest magnitude (the first on a tie).
    2. Cells of ``pixels_per_cell`` pixels tile the image from its top-left
       corner; rows and columns past the last whole cell are ignored. Each
       pixel votes its magnitude :math:`\\lVert g \\rVert = \\sqrt{g_x^2 + g_y^2}`
       into one bin of its unsigned orientation
       :math:`\\theta = \\operatorname{atan2}(g_y, g_x) \\bmod 180°`:
       bin :math:`b` holds :math:`b \\cdot 180°/n \\le \\theta < (b + 1) \\cdot 180°/n`
       (no interpolation between bins or cells). The cell's histogram is the
       sum divided by its pixel count.
    3. Blocks of ``cells_per_block`` cells slide over the cells with a stride
       of one cell; the histograms of each block (``v``, all its cells) are
       normalised together (:math:`\\epsilon = 10^{-5}`): ``L1``
       :math:`v / (\\lVert v \\rVert_1 + \\epsilon)`, ``L1-sqrt`` its square root,
       ``L2`` :math:`v / \\sqrt{\\lVert v \\rVert_2^2 + \\epsilon^2}`, ``L2-Hys``
       the ``L2`` result clipped at 0.2 and normalised by ``L2`` again.

    Parameters
    ----------
    image : array_like, shape (..., H, W), or (..., H, W, C) with ``channel_axis``
        Images; leading axes are a batch. Not NaN nor inf.
    orientations : int
        Number of orientation bins over 0–180°, at least 1.
    pixels_per_cell : (int, int)
        Cell height and width in pixels.
    cells_per_block : (int, int)
        Block height and width in cells.
    block_norm : {"L1", "L1-sqrt", "L2", "L2-Hys"}
    transform_sqrt : bool
        Take the square root of the image first (gamma compression); the
        pixels must then be non-negative.
    feature_vector : bool
        Flatten each image's blocks into one feature row.
    channel_axis : int or None
        The axis of colour channels (moved last; the two axes before it are
        then H and W), or None for grayscale images.
    visualize : bool
        Also return skimage's HOG picture of each image: per cell and bin a
        line through the cell's centre, perpendicular to the bin's middle
        orientation, ``min(pixels_per_cell) // 2 - 1`` pixels to each side,
        whose pixels add the bin's value. Needs cells of at least 2×2 pixels.

    Returns
    -------
    features : ndarray
        ``(..., n_features)`` with ``feature_vector``, else ``(..., n_blocks_row,
        n_blocks_col, cells_per_block[0], cells_per_block[1], orientations)``
        (skimage's block array per image), ``n_blocks = H // cell - block + 1``
        along each axis. float32 for float32 (and float16) images, float64
        for all others.
    picture : ndarray, shape (..., H, W)
        Only with ``visualize=True``; the dtype of ``features``.

    Raises
    ------
    ValueError
        If the image holds fewer cells than one block (the message gives the
        image, cell and block sizes), ``block_norm`` is unknown,
        ``orientations`` < 1, the image holds NaN or inf, or
        ``transform_sqrt`` meets a negative pixel.

    Notes
    -----
    Results equal skimage's to rounding (about 1e-15 in float64, 1e-7 in
    float32, which skimage also rounds to): the cell sums are float32 running
    sums in row-major order, divided in float32, exactly as skimage's
    ``cell_hog`` forms them; only the magnitude (:math:`\\sqrt{g_x^2 + g_y^2}`
    where skimage calls ``hypot``, equal for integer images) and the order of
    the block sums differ. The bin is found without ``arctan2``, from the
    signs of the cross products of the gradient with the boundary directions;
    a gradient within ~1e-11 rad of a boundary (or of 180°, which skimage's
    ``% 180`` may round to 180.0 and then counts in no bin at all) is binned
    with NumPy's ``arctan2`` as skimage bins it, so ties land where
    skimage puts them.

    uint8 images (and bool ones) take a shortcut with the same result: their
    gradients are integer pairs in [-255, 255], and a table of NumPy's bins
    for all 511² of them (built once per ``orientations``) replaces the test.

    The gradient is not :func:`gradient_magnitude`'s: those kernels are the
    3×3 Sobel and Prewitt stencils (smoothed across the derivative, with
    scipy.ndimage's border modes), while skimage's HOG takes the bare
    ``[-1, 0, 1]`` difference and zeros at the border, so their kernels are
    not reused here.

    OpenCV's ``cv2.HOGDescriptor`` computes a different feature from the same
    idea: the same unsmoothed ``[-1, 0, 1]`` gradient (unsigned by default),
    but read across the border from reflected pixels where skimage puts 0;
    each vote split between the two nearest bins and the four nearest cells
    (trilinear interpolation) where skimage gives it whole to one bin of one
    cell; the pixels of each block weighted by a Gaussian (σ = (block width
    + block height) / 8 by default); L2-Hys blocks only; and its own order of
    blocks and cells in the vector. Its vectors are not comparable to these
    element by element.

    References
    ----------
    N. Dalal and B. Triggs, "Histograms of oriented gradients for human
    detection", CVPR 2005, :doi:`10.1109/CVPR.2005.177`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import hog
    >>> image = np.zeros((16, 16), np.uint8)
    >>> image[:, 8:] = 255  # a vertical edge: horizontal gradients, bin 0
    >>> features = hog(image, orientations=4, pixels_per_cell=(8, 8), cells_per_block=(1, 1))
    >>> features.shape
    (16,)
    >>> features.reshape(4, 4).round(3)
    array([[1., 0., 0., 0.],
           [1., 0., 0., 0.],
           [1., 0., 0., 0.],
           [1., 0., 0., 0.]])
    """
    params = _check_params(orientations, pixels_per_cell, cells_per_block, block_norm)
    flags = [
        _checks.check_bool(value, name)
        for value, name in (
            (transform_sqrt, "transform_sqrt"),
            (feature_vector, "feature_vector"),
            (visualize, "visualize"),
        )
    ]
    transform_sqrt, feature_vector, visualize = flags
    batch, lead, dtype = _as_batch(image, channel_axis, transform_sqrt)
    c_row, c_col = params[1]
    h, w = batch.shape[1:3]
    grid = _block_grid(h, w, params)
    hist, blocks = _histograms_and_blocks(batch, dtype, params, grid, keep_cells=visualize)
    per_image = (int(np.prod(blocks.shape[1:])),) if feature_vector else blocks.shape[1:]
    features = blocks.reshape(lead + per_image)
    if not visualize:
        return features
    if min(c_row, c_col) < 2:
        raise ValueError(
            f"visualize=True needs cells of at least 2×2 pixels (skimage's strokes have a "
            f"radius of min(pixels_per_cell) // 2 - 1), got pixels_per_cell={(c_row, c_col)}"
        )
    return features, draw_hog_picture(hist, (h, w), (c_row, c_col), dtype).reshape((*lead, h, w))


def _check_params(orientations, pixels_per_cell, cells_per_block, block_norm):
    orientations = _checks.check_int(orientations, "orientations", low=1)
    cell = _pair(pixels_per_cell, "pixels_per_cell")
    block = _pair(cells_per_block, "cells_per_block")
    _checks.check_choice(block_norm, "block_norm", BLOCK_NORMS)
    return orientations, cell, block, BLOCK_NORMS.index(block_norm)


def _pair(value, name):
    if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{name} must be a pair of integers (rows, columns), got {value!r}")
    return tuple(_checks.check_int(v, name, low=1) for v in value)


def _as_batch(image, channel_axis, transform_sqrt):
    """The image as ``(n, H, W)`` or ``(n, H, W, C)``, its leading axes and the result dtype."""
    _checks.check_array(image, "image", allow_empty=True)  # the type checks, before moving axes
    array = np.asarray(image)
    if channel_axis is None:
        spatial = 2
    else:
        axis = _checks.check_axis(channel_axis, max(array.ndim, 1), "channel_axis")
        array = np.moveaxis(array, axis, -1)
        spatial = 3
    if array.ndim < spatial:
        expected = "(..., H, W)" if channel_axis is None else "(..., H, W, C) with channel_axis"
        raise ValueError(f"image must be {expected}, got shape {np.shape(image)}")
    array = _checks.check_array(array, "image", allow_empty=True, finite=True)
    dtype = np.dtype(np.float32) if array.dtype == np.float32 else np.dtype(np.float64)
    lead = array.shape[: array.ndim - spatial]
    batch = array.reshape((-1, *array.shape[array.ndim - spatial :]))
    if batch.dtype.kind in "iu" and batch.dtype != np.uint8:
        # skimage's first step, exact below 2**53; the kernel then compiles for
        # three pixel types only (uint8, which bool views too, float32, float64).
        batch = batch.astype(np.float64)
    if batch.ndim == 4 and batch.shape[-1] == 1:
        batch = batch[..., 0]  # one channel: its own gradient, the grayscale path
    if transform_sqrt:
        if batch.size and batch.min() < 0:
            raise ValueError(
                f"transform_sqrt=True needs non-negative pixels, got a minimum of {batch.min()}"
            )
        batch = np.sqrt(batch.astype(dtype))
    if not batch.flags.writeable:
        batch = batch.copy()  # Numba compiles read-only arrays apart: one kernel, not two
    return batch, lead, dtype


def _block_grid(h, w, params):
    """``(n_cells_row, n_cells_col, n_blocks_row, n_blocks_col)``, or raise if no block fits."""
    _, (c_row, c_col), (b_row, b_col), _ = params
    n_cells = (h // c_row, w // c_col)
    if n_cells[0] < b_row or n_cells[1] < b_col:
        raise ValueError(
            f"image of {h}×{w} pixels is smaller than one block: with "
            f"pixels_per_cell={(c_row, c_col)} it holds {n_cells[0]}×{n_cells[1]} whole cells, "
            f"and cells_per_block={(b_row, b_col)} needs at least {b_row}×{b_col} cells, "
            f"an image of {b_row * c_row}×{b_col * c_col} pixels or more"
        )
    return (*n_cells, n_cells[0] - b_row + 1, n_cells[1] - b_col + 1)


def skimage_bins(gx, gy, thresholds):
    """The bins scikit-image gives gradients ``(gx, gy)``: -1 for the angle 180.0 (no bin)."""
    orientation = np.rad2deg(np.arctan2(gy, gx)) % 180
    bins = np.searchsorted(thresholds, orientation, side="right") - 1
    return np.where(bins < thresholds.size - 1, bins, -1)


def _histograms_and_blocks(batch, dtype, params, grid, keep_cells=True):
    """The cell histograms (None unless ``keep_cells`` for gray uint8 images) and blocks."""
    n, (c_row, c_col), (b_row, b_col), norm_code = params
    n_cells_row, n_cells_col, n_blocks_row, n_blocks_col = grid
    n_images = batch.shape[0]
    blocks = np.empty((n_images, n_blocks_row, n_blocks_col, b_row, b_col, n), dtype)
    table = _uint8_table(n) if batch.dtype == np.uint8 and n < 128 else None
    work = n_images * n_cells_row * c_row * n_cells_col * c_col * n
    if table is not None and batch.ndim == 3:
        # Every gradient's bin is in the table: one pass, no pixel left to NumPy.
        hist = np.empty((n_images if keep_cells else 0, n_cells_row, n_cells_col, n))
        _kernels.hog_gray_table(batch, table, c_row, c_col, norm_code, hist, blocks, work=work)
        return (hist if keep_cells else None), blocks
    hist = np.empty((n_images, n_cells_row, n_cells_col, n))
    thresholds, cos_k, sin_k, special = _bin_constants(n)
    ones = np.ones(1, np.float32 if batch.dtype == np.float32 else np.float64)
    constants = (ones, c_row, c_col, cos_k, sin_k, _TIE_TOLERANCE, special,
                 thresholds, table, norm_code)  # fmt: skip
    selected = np.arange(n_images)
    resolved = {}  # image -> (pixels, bins) that NumPy binned
    cap = _kernels.PENDING_CAP
    while selected.size:
        offsets, pixels, bins = _resolved_lists(selected, resolved)
        count = np.zeros(selected.size, np.int64)
        pending = np.empty((selected.size, cap), np.int64)
        pending_g = np.empty((selected.size, cap, 2))
        work = selected.size * n_cells_row * c_row * n_cells_col * c_col * n
        _kernels.hog_batch(batch, *constants, selected, offsets, pixels, bins,
                           count, pending, pending_g, hist, blocks, work=work)  # fmt: skip
        redo = np.flatnonzero(count)
        for t in redo:
            m = min(count[t], cap)
            new = skimage_bins(pending_g[t, :m, 0], pending_g[t, :m, 1], thresholds)
            old = resolved.get(selected[t], (np.empty(0, np.int64), np.empty(0, np.int64)))
            merged_pixels = np.concatenate([old[0], pending[t, :m]])
            order = np.argsort(merged_pixels, kind="stable")
            resolved[selected[t]] = (merged_pixels[order], np.concatenate([old[1], new])[order])
        selected = selected[redo]
    return hist, blocks


@functools.lru_cache(maxsize=16)
def _bin_constants(n):
    """skimage's bin edges in degrees (rounded as it rounds them), the boundaries'
    cosines and sines, and NumPy's bins of the gradients along the axes and diagonals,
    which tie with the boundaries at 0°, 45°, 90° and 135°: gy = 0; gx = 0 (gy > 0,
    < 0); ±1, ±1. Read-only: cached per ``orientations``."""
    thresholds = (180.0 / n) * np.arange(n + 1)
    angles = np.pi * np.arange(n) / n
    special = skimage_bins(
        np.array([1.0, 0.0, 0.0, 1.0, -1.0, 1.0, -1.0]),
        np.array([0.0, 1.0, -1.0, 1.0, 1.0, -1.0, -1.0]),
        thresholds,
    )
    constants = thresholds, np.cos(angles), np.sin(angles), special
    for array in constants:
        array.flags.writeable = False
    return constants


@functools.lru_cache(maxsize=16)
def _uint8_table(n):
    """NumPy's (skimage's) bin of every gradient of a uint8 image, ``[gy + 255, gx + 255]``
    flattened: 511² arctan2s once per bin count, then no tie is ever in doubt."""
    steps = np.arange(-255.0, 256.0)
    thresholds = (180.0 / n) * np.arange(n + 1)
    table = skimage_bins(steps[None, :], steps[:, None], thresholds).astype(np.int8).ravel()
    table.flags.writeable = False
    return table


def _resolved_lists(selected, resolved):
    """The NumPy-binned pixels of each selected image, as CSR ``(offsets, pixels, bins)``."""
    if not resolved:  # the first round: nothing resolved yet, for any image
        none = np.empty(0, np.int64)
        return np.zeros(selected.size + 1, np.int64), none, none
    lists = [resolved.get(k, (np.empty(0, np.int64),) * 2) for k in selected]
    offsets = np.zeros(len(lists) + 1, np.int64)
    offsets[1:] = np.cumsum([p.size for p, _ in lists])
    if not lists or offsets[-1] == 0:
        return offsets, np.empty(0, np.int64), np.empty(0, np.int64)
    pixels = np.concatenate([p for p, _ in lists]).astype(np.int64)
    bins = np.concatenate([b for _, b in lists]).astype(np.int64)
    return offsets, pixels, bins


def line_pixels(r0, c0, r1, c1):
    """The pixels of skimage.draw.line from ``(r0, c0)`` to ``(r1, c1)`` (Bresenham)."""
    steep = abs(r1 - r0) > abs(c1 - c0)
    sr = 1 if r1 - r0 > 0 else -1
    sc = 1 if c1 - c0 > 0 else -1
    r, c, dr, dc = r0, c0, abs(r1 - r0), abs(c1 - c0)
    if steep:
        r, c, dr, dc, sr, sc = c, r, dc, dr, sc, sr
    d = 2 * dr - dc
    pixels = []
    for _ in range(dc):
        pixels.append((c, r) if steep else (r, c))
        while d >= 0:
            r += sr
            d -= 2 * dc
        c += sc
        d += 2 * dr
    pixels.append((r1, c1))
    return pixels


def draw_hog_picture(hist, shape, cell, dtype):
    """skimage's HOG picture of cell histograms ``(n, n_cells_row, n_cells_col, bins)``.

    Per bin ``o`` the stroke through each cell centre is the same Bresenham
    line shifted, so one fancy-indexed add per stroke pixel draws it in every
    cell of every image; the adds run bin by bin, in skimage's order.
    """
    n_images, n_cells_row, n_cells_col, n = hist.shape
    c_row, c_col = cell
    radius = min(c_row, c_col) // 2 - 1
    middle = np.pi * (np.arange(n) + 0.5) / n
    rows = (np.arange(n_cells_row) * c_row + c_row // 2)[:, None]
    cols = (np.arange(n_cells_col) * c_col + c_col // 2)[None, :]
    picture = np.zeros((n_images, *shape), dtype)
    for o in range(n):
        dr, dc = radius * np.sin(middle[o]), radius * np.cos(middle[o])
        # skimage's ends int(centre ∓ dc), int(centre ± dr) are offsets from the centre
        # that depend on it only through rounding (2 - 6e-17 is 2.0): grouped by offsets.
        row_ends = np.trunc(rows - dc).astype(int) - rows, np.trunc(rows + dc).astype(int) - rows
        col_ends = np.trunc(cols + dr).astype(int) - cols, np.trunc(cols - dr).astype(int) - cols
        for (r0, r1), row_mask in _groups(np.stack(row_ends, -1)[:, 0]):
            for (c0, c1), col_mask in _groups(np.stack(col_ends, -1)[0]):
                for r, c in line_pixels(r0, c0, r1, c1):
                    cells = np.ix_(row_mask, col_mask)
                    spots = rows[row_mask] + r, cols[:, col_mask] + c
                    picture[:, spots[0], spots[1]] += hist[:, cells[0], cells[1], o]
    return picture


def _groups(ends):
    """The distinct rows of ``ends`` (k, 2) with the mask of where each occurs."""
    for pair in np.unique(ends, axis=0):
        yield tuple(int(v) for v in pair), (ends == pair).all(axis=1)
