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
    "convolve2d",
    "correlate2d",
    "gradient_magnitude",
    "gradient_orientation",
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
