"""How an image call is planned: batch view, result dtype, boundary index maps, tasks.

A mode says what lies beyond the edge of an axis of length n (scipy.ndimage's
names and meanings):

============  ===============================  ========================
mode          extends ``a b c d`` as           ``np.pad`` mode
============  ===============================  ========================
``reflect``   ``d c b a | a b c d | d c b a``  ``symmetric``
``mirror``    ``d c b | a b c d | c b a``      ``reflect``
``nearest``   ``a a a a | a b c d | d d d d``  ``edge``
``wrap``      ``a b c d | a b c d | a b c d``  ``wrap``
``constant``  ``k k k k | a b c d | k k k k``  ``constant`` (k = cval)
============  ===============================  ========================

Extensions longer than the axis repeat the pattern (a kernel may be larger
than the image). ``valid`` is no extension at all: the output shrinks by the
kernel size − 1.
"""

import math

import numpy as np

from fastnn import _checks
from fastnn._jit import get_num_threads
from fastnn.image import _kernels

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")
NP_PAD_MODES = {
    "reflect": "symmetric",
    "mirror": "reflect",
    "nearest": "edge",
    "wrap": "wrap",
    "constant": "constant",
}


def extend_index(n, before, after, mode):
    """Return the source index of each position of an axis extended by ``before``/``after``.

    Position ``e`` of the result is index ``e - before`` of the extended
    axis; ``-1`` marks a position that takes the constant value.
    """
    e = np.arange(-before, n + after, dtype=np.int64)
    if mode == "reflect":
        e = e % (2 * n)
        return np.where(e < n, e, 2 * n - 1 - e)
    if mode == "mirror":
        if n == 1:
            return np.zeros_like(e)
        e = e % (2 * n - 2)
        return np.where(e < n, e, 2 * n - 2 - e)
    if mode == "nearest":
        return np.clip(e, 0, n - 1)
    if mode == "wrap":
        return e % n
    return np.where((e >= 0) & (e < n), e, -1)  # constant


def as_image_batch(image, *, min_ndim=2):
    """Validate ``image`` and return it as ``(n, H, W)``, with the float dtype of the result.

    Integer and bool images give float32, which holds every sum of uint8
    pixels exactly; float32 stays float32 and float64 stays float64.
    """
    array = _checks.check_array(image, "image", min_ndim=min_ndim)
    dtype = _checks.float_result_dtype(array.dtype, integer_to=np.float32)
    return array.reshape((-1, *array.shape[-2:])), dtype


def row_chunk(n_images, n_rows):
    """Rows per parallel task: whole images when the batch alone feeds every thread."""
    tasks_wanted = 4 * get_num_threads()
    if n_images >= tasks_wanted:
        return n_rows
    return max(16, math.ceil(n_images * n_rows / tasks_wanted))


def index_maps(shape, kernel_shape, mode, *, flip=False):
    """Return ``(rmap, cmap, lo, out_shape)`` for a kernel of ``kernel_shape`` on ``(H, W)`` images.

    The kernel's centre is ``k // 2``, as scipy.ndimage with ``origin=0``;
    ``flip=True`` is for a flipped kernel (convolution), whose centre moves to
    ``k - 1 - k // 2`` so that even sizes match scipy.ndimage.convolve.
    """
    h, w = shape
    kh, kw = kernel_shape
    if mode == "valid":
        if kh > h or kw > w:
            raise ValueError(
                f"mode='valid' needs an image at least as large as the kernel, got kernel "
                f"shape {kernel_shape} and image shape {shape}"
            )
        return (
            np.arange(h, dtype=np.int64),
            np.arange(w, dtype=np.int64),
            0,
            (h - kh + 1, w - kw + 1),
        )
    top = kh - 1 - kh // 2 if flip else kh // 2
    left = kw - 1 - kw // 2 if flip else kw // 2
    rmap = extend_index(h, top, kh - 1 - top, mode)
    cmap = extend_index(w, left, kw - 1 - left, mode)
    return rmap, cmap, left, (h, w)


def stencil_scalars(source_dtype, dtype, centre=0.0, cval=0.0):
    """Return ``(c, zero, tiny, cval)`` typed for :func:`~fastnn.image._kernels.stencil_3x3`.

    Float images compute in their own dtype, so the scalars take it (a
    float64 scalar would promote float32 arithmetic). Integer images compute
    in int64 (up to 16 bits: exact for the integer Sobel, Prewitt and Laplace
    weights) or float64 (wider: no overflow), rounded once when stored.
    ``tiny`` is the square root of the smallest normal number of the compute
    dtype: a magnitude below it lost precision in its squares.
    """
    if source_dtype.kind == "f":
        tiny = np.sqrt(np.finfo(dtype).tiny)
        return dtype.type(centre), dtype.type(0), tiny, dtype.type(cval)
    if source_dtype.itemsize <= 2:
        return np.int64(centre), np.int64(0), np.sqrt(np.finfo(np.float64).tiny), dtype.type(cval)
    return np.float64(centre), np.float64(0), np.sqrt(np.finfo(np.float64).tiny), dtype.type(cval)


def run_stencil(batch, dtype, op, mode, *, centre=0.0, weights=None, cval=0.0):
    """Apply the 3×3 operator ``op`` to a validated ``(n, H, W)`` batch; return ``(n, Ho, Wo)``."""
    rmap, cmap, lo, out_shape = index_maps(batch.shape[1:], (3, 3), mode)
    out = np.empty((batch.shape[0], *out_shape), dtype)
    c, zero, tiny, cval = stencil_scalars(batch.dtype, dtype, centre, cval)
    w64 = np.zeros((3, 3)) if weights is None else weights.astype(np.float64)
    w = w64.astype(dtype)
    # 2**weight_exp bounds the sum of |weights| (and |gx| + |gy| ≤ 16 max|x| for Sobel).
    weight_exp = 5 if weights is None else int(np.frexp(np.abs(w64).max())[1]) + 4
    chunk = row_chunk(*out.shape[:2])
    args = (batch, op, w, c, zero, tiny, rmap, cmap, lo, cval, chunk, w64, weight_exp, out)
    _kernels.stencil_3x3(*args, work=out.size * 9)
    return out


def unbatch(image, out):
    """Give ``out`` (n, Ho, Wo) the leading axes of ``image``."""
    return out.reshape(np.shape(image)[:-2] + out.shape[1:])
