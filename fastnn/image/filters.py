"""2-D correlation and convolution over the last two axes of an image batch."""

import numpy as np

from fastnn import _checks
from fastnn.image import _kernels
from fastnn.image._plan import MODES, as_image_batch, index_maps, row_chunk, run_stencil, unbatch

__all__ = ["convolve2d", "correlate2d"]


def correlate2d(image, kernel, *, mode="reflect", cval=0.0):
    """Return the 2-D correlation of each image with ``kernel``.

    .. math:: \\text{out}[i, j] = \\sum_{a, b} K[a, b]\\, x[i + a - c_h,\\; j + b - c_w]

    with the kernel's centre :math:`c = k // 2` on each axis. This is the
    "convolution" of the lecture's edge detectors (no kernel flip), and equals
    ``scipy.ndimage.correlate(image, kernel, mode=mode, cval=cval)`` for a 2-D
    image.

    Parameters
    ----------
    image : array_like, shape (..., H, W)
        Images on the last two axes; leading axes are a batch. Real dtypes.
    kernel : array_like, shape (kh, kw)
        Finite weights, any size (larger than the image too).
    mode : {"reflect", "mirror", "nearest", "wrap", "constant", "valid"}
        How the image is extended beyond its edges, as in scipy.ndimage
        (see :mod:`fastnn.image._boundary`). ``"valid"`` does not extend it:
        the output is ``(H - kh + 1, W - kw + 1)``.
    cval : float
        The value beyond the edges for ``mode="constant"``.

    Returns
    -------
    ndarray, shape (..., H, W), or (..., H - kh + 1, W - kw + 1) for "valid"
        float64 for float64 images (accumulated in float64), float32 for
        float32, integer and bool images (float32 holds every sum of uint8
        pixels exactly, and nothing wraps around as scipy's uint8 output does).

    Notes
    -----
    Zero weights are left out of the sum, as scipy.ndimage leaves them out,
    so NaN in the image spreads exactly over the kernel's non-zero footprint
    (scipy also leaves out weights of magnitude up to 2.2e-16, its
    ``DBL_EPSILON``; fastnn keeps every non-zero weight, so kernels of tiny
    weights differ from scipy's, deliberately). A float32 image whose kernel
    or ``cval`` float32 cannot hold (beyond 3.4e38, or below its normal
    range) is summed in float64 and rounded to float32 once.
    A rank-1 kernel (Sobel, Prewitt, box, Gaussian, 1×k, k×1) runs as two
    fused 1-D passes and a dense 3×3 kernel as nine unrolled taps, other
    kernels tap by tap, all summed in the result dtype (float32 for float32).

    What is promised, for finite images, kernel and ``cval``: each output
    is the exact sum Σ K·x up to rounding, an error of a few ulps (of the
    result dtype) of Σ|K|·|x| times the number of taps; it is ±inf only
    where the exact sum lies beyond the dtype's largest value, up to that
    rounding. The fast sums can overflow where the exact one does not (a
    partial sum, or the separable passes' intermediate row, from about 1e38
    in float32 and 1e307 in float64); overflow always ends in inf or NaN,
    so every output that comes out non-finite is recomputed as a float64
    sum over the taps, its pixels first scaled by a power of two (exactly)
    where Σ|K|·max|x| nears the float64 limit. Non-finite inputs give the
    NaN or ±inf that exact arithmetic with infinities gives, as scipy's.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import correlate2d
    >>> image = np.array([[0, 0, 9, 9]] * 3, dtype=np.uint8)
    >>> correlate2d(image, [[-1, 0, 1]])
    array([[0., 9., 9., 0.],
           [0., 9., 9., 0.],
           [0., 9., 9., 0.]], dtype=float32)
    """
    return _correlate(image, kernel, mode, cval, flip=False)


def convolve2d(image, kernel, *, mode="reflect", cval=0.0):
    """Return the true 2-D convolution of each image with ``kernel``.

    .. math:: \\text{out}[i, j] = \\sum_{a, b} K[a, b]\\, x[i - a + c_h,\\; j - b + c_w]

    Equal to ``scipy.ndimage.convolve(image, kernel, mode=mode, cval=cval)``,
    for even kernel sizes too: scipy shifts the origin of the flipped kernel
    by one there, so flipping alone would be off by a pixel. With
    ``mode="valid"`` it equals ``scipy.signal.convolve2d(image, kernel, "valid")``.
    Parameters, return value and notes as :func:`correlate2d`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import convolve2d
    >>> convolve2d(np.eye(3), [[1, 2]], mode="constant")  # as scipy.ndimage.convolve
    array([[2., 0., 0.],
           [1., 2., 0.],
           [0., 1., 2.]])
    """
    return _correlate(image, kernel, mode, cval, flip=True)


def _correlate(image, kernel, mode, cval, *, flip):
    batch, dtype = as_image_batch(image)
    weights = _checks.check_array(kernel, "kernel", ndim=2, finite=True).astype(np.float64)
    _checks.check_choice(mode, "mode", (*MODES, "valid"))
    cval = _checks.check_real(cval, "cval")
    if flip:
        weights = weights[::-1, ::-1]  # an odd size keeps its centre: no shift for 3×3
    result_dtype, dtype = dtype, _working_dtype(dtype, weights, cval)
    if weights.shape == (3, 3) and weights.all() and rank1_factors(weights) is None:
        out = run_stencil(batch, dtype, _kernels.CORRELATE, mode, weights=weights, cval=cval)
        return unbatch(image, _rounded(out, result_dtype))
    rmap, cmap, lo, out_shape = index_maps(batch.shape[1:], weights.shape, mode, flip=flip)
    out = np.empty((batch.shape[0], *out_shape), dtype)
    chunk = row_chunk(*out.shape[:2])
    kh = weights.shape[0]
    tap_rows, tap_cols = np.nonzero(weights)
    taps = (tap_rows, tap_cols, weights[tap_rows, tap_cols], weight_exponent(weights))
    factors = rank1_factors(weights)
    if factors is not None:
        col, row = factors
        (col_rows,) = np.nonzero(col)
        (row_cols,) = np.nonzero(row)
        _kernels.correlate_separable(
            batch, col_rows, col[col_rows].astype(dtype), row_cols, row[row_cols].astype(dtype),
            kh, rmap, cmap, lo, cval, chunk, taps, out,
            work=out.size * (col_rows.size + row_cols.size),
        )  # fmt: skip
    else:
        _kernels.correlate_taps(
            batch, tap_rows, tap_cols, weights[tap_rows, tap_cols].astype(dtype),
            kh, rmap, cmap, lo, cval, chunk, taps, out, work=out.size * tap_rows.size,
        )  # fmt: skip
    return unbatch(image, _rounded(out, result_dtype))


def _rounded(out, dtype):
    # ±inf where the float64 result is past float32's range: documented, no warning
    with np.errstate(over="ignore"):
        return out.astype(dtype, copy=False)


def _working_dtype(dtype, weights, cval):
    """The dtype to sum in: ``dtype``, or float64 where float32 cannot hold the weights or cval.

    A weight past float32's range would become inf, and one below its normal
    range 0 (leaving the footprint) or a subnormal of a few bits: the sum
    would change, not just round. Such a kernel is applied in float64 and the
    result rounded to float32 once (a second compiled variant, for this case only).
    """
    if dtype != np.float32:
        return dtype
    magnitudes = np.abs(np.append(weights[weights != 0], cval if cval != 0 else 1.0))
    info = np.finfo(np.float32)
    if magnitudes.max() <= info.max and magnitudes.min() >= info.tiny:
        return dtype
    return np.dtype(np.float64)


def weight_exponent(weights):
    """Return an integer ``e`` with ``Σ|weights| ≤ 2**e`` (0 for no weights), without overflow."""
    biggest = np.abs(weights).max(initial=0.0)
    if biggest == 0:
        return 0
    return int(np.frexp(biggest)[1]) + int(np.ceil(np.log2(weights.size)))


def rank1_factors(weights):
    """Return ``(col, row)`` with ``outer(col, row) == weights``, or None if not rank 1.

    The factors are read off the kernel (the column and row through its
    largest entry) rather than taken from an SVD, so integer kernels such as
    Sobel's factor exactly; zeros of the product fall where the kernel's are.
    """
    p, q = np.unravel_index(np.argmax(np.abs(weights)), weights.shape)
    pivot = weights[p, q]
    if pivot == 0:
        return None
    col = weights[:, q] / pivot
    row = weights[p, :]
    product = np.outer(col, row)
    same_zeros = np.array_equal(product == 0, weights == 0)
    if same_zeros and np.allclose(product, weights, rtol=8 * np.finfo(float).eps, atol=0):
        return col, row
    return None
