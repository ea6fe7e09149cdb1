"""Edge detection: Sobel and Prewitt gradients, their magnitude and orientation, the Laplacian."""

import numpy as np

from fastnn import _checks
from fastnn.image import _kernels
from fastnn.image._plan import MODES, as_image_batch, run_stencil, unbatch

__all__ = ["gradient_magnitude", "gradient_orientation", "laplace", "prewitt", "sobel"]

# The smoothing weight across the derivative: Sobel [1, 2, 1], Prewitt [1, 1, 1].
OPERATORS = {"sobel": 2, "prewitt": 1}


def sobel(image, axis=-1, *, mode="reflect"):
    """Return the Sobel derivative of each image along ``axis``.

    The lecture's edge kernel, for ``axis=-1`` (x, across columns):

    .. math:: G_x = \\begin{bmatrix}-1 & 0 & 1\\\\-2 & 0 & 2\\\\-1 & 0 & 1\\end{bmatrix} \\star x

    and its transpose for ``axis=-2`` (y, down rows): a [-1, 0, 1] derivative
    along the axis, smoothed by [1, 2, 1] across it. Per image, equal to
    ``scipy.ndimage.sobel(image, axis, mode=mode)`` except for the dtype
    (see below).

    Parameters
    ----------
    image : array_like, shape (..., H, W)
        Images on the last two axes; leading axes are a batch.
    axis : {-1, -2}
        The image axis to differentiate along (``ndim - 1`` and ``ndim - 2``
        are accepted too).
    mode : {"reflect", "mirror", "nearest", "wrap", "constant", "valid"}
        Border handling, as :func:`fastnn.image.correlate2d` (``constant``
        pads with 0).

    Returns
    -------
    ndarray, shape (..., H, W)
        float64 for float64 images; float32 for float32, integer and bool
        ones. scipy returns a uint8 image's Sobel as uint8, wrapping the
        negative half of every edge around; this never does.

    Notes
    -----
    The zero column of the kernel is kept in the sum, as scipy keeps it, so a
    NaN pixel makes its whole 3×3 neighbourhood NaN.

    Integer images of up to 16 bits are computed exactly (in int64); float
    images in their own dtype, with rounding only, and never overflow where
    the exact derivative is finite: a pixel that comes out ±inf or NaN from
    finite values (float32 past ~4e37, float64 past ~2e307) is recomputed in
    float64 from its neighbours scaled by a power of two. The same holds for
    :func:`prewitt`, :func:`laplace` and :func:`gradient_magnitude`, and
    :func:`gradient_orientation` redoes the pixels whose gx or gy overflowed.

    References
    ----------
    I. Sobel and G. Feldman, "A 3×3 isotropic gradient operator for image
    processing", Stanford Artificial Intelligence Project talk, 1968.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import sobel
    >>> sobel(np.array([[0, 0, 1, 1]] * 3, dtype=np.uint8))
    array([[0., 4., 4., 0.],
           [0., 4., 4., 0.],
           [0., 4., 4., 0.]], dtype=float32)
    """
    return _gradient(image, "sobel", None, mode, axis=axis)


def prewitt(image, axis=-1, *, mode="reflect"):
    """Return the Prewitt derivative of each image along ``axis``.

    As :func:`sobel`, with the smoothing [1, 1, 1] in place of [1, 2, 1];
    equal per image to ``scipy.ndimage.prewitt(image, axis, mode=mode)``.

    References
    ----------
    J. M. S. Prewitt, "Object enhancement and extraction", in Picture
    Processing and Psychopictorics, Academic Press, 1970, pp. 75-149.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import prewitt
    >>> prewitt(np.array([[0, 0, 1, 1]] * 3, dtype=np.uint8))[0]
    array([0., 3., 3., 0.], dtype=float32)
    """
    return _gradient(image, "prewitt", None, mode, axis=axis)


def gradient_magnitude(image, *, operator="sobel", mode="reflect"):
    """Return the edge strength ``hypot(gx, gy)`` of each image, in one pass.

    .. math:: \\lVert \\nabla x \\rVert = \\sqrt{G_x^2 + G_y^2}

    with :math:`G_x`, :math:`G_y` the ``operator``'s derivatives along x
    (``axis=-1``) and y (``axis=-2``). gx and gy are never stored: one fused
    pass reads each row once and writes the magnitude.

    Parameters
    ----------
    image : array_like, shape (..., H, W)
    operator : {"sobel", "prewitt"}
    mode : {"reflect", "mirror", "nearest", "wrap", "constant", "valid"}

    Returns
    -------
    ndarray, shape (..., H, W)
        Dtypes as :func:`sobel`. Equal to
        ``np.hypot(scipy.ndimage.sobel(x, -1), scipy.ndimage.sobel(x, -2))``
        per image (no overflow for large gradients).

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import gradient_magnitude
    >>> gradient_magnitude(np.array([[0, 0, 1, 1]] * 3, dtype=np.uint8))[0]
    array([0., 4., 4., 0.], dtype=float32)
    """
    return _gradient(image, operator, _kernels.MAGNITUDE, mode)


def gradient_orientation(image, *, operator="sobel", mode="reflect"):
    """Return the edge direction ``arctan2(gy, gx)`` of each image, in radians in [-π, π].

    gx is the derivative along x (``axis=-1``, rightwards) and gy along y
    (``axis=-2``, downwards: image rows grow down). One fused pass, as
    :func:`gradient_magnitude`; where both derivatives are 0 the angle is 0.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import gradient_orientation
    >>> gradient_orientation(np.array([[0, 0, 1, 1]] * 3, dtype=np.float64))[0]
    array([0., 0., 0., 0.])
    """
    return _gradient(image, operator, _kernels.ORIENTATION, mode)


def laplace(image, *, mode="reflect"):
    """Return the discrete Laplacian of each image.

    .. math::
        \\nabla^2 x = \\begin{bmatrix}0 & 1 & 0\\\\1 & -4 & 1\\\\0 & 1 & 0\\end{bmatrix} \\star x

    summed as scipy.ndimage.laplace sums it (second differences along rows,
    then along columns), so it equals ``scipy.ndimage.laplace(x, mode=mode)``
    per image; the corners of the kernel are not in the footprint (a NaN
    spreads to the 4 neighbours only).

    Parameters
    ----------
    image : array_like, shape (..., H, W)
    mode : {"reflect", "mirror", "nearest", "wrap", "constant", "valid"}

    Returns
    -------
    ndarray, shape (..., H, W)
        Dtypes as :func:`sobel`: a uint8 image gives exact float32 values
        from -1020 to 1020.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import laplace
    >>> laplace(np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.uint8), mode="constant")
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]], dtype=float32)
    """
    batch, dtype = as_image_batch(image)
    _checks.check_choice(mode, "mode", (*MODES, "valid"))
    return unbatch(image, run_stencil(batch, dtype, _kernels.LAPLACE, mode))


def _axis_output(ndim, axis):
    axis = _checks.check_int(axis, "axis")
    if axis in (-1, ndim - 1):
        return _kernels.GRADIENT_X
    if axis in (-2, ndim - 2):
        return _kernels.GRADIENT_Y
    raise ValueError(
        f"axis must be one of the image axes, -1 (x) or -2 (y), got {axis} "
        f"for an image of {ndim} dimensions"
    )


def _gradient(image, operator, op, mode, *, axis=None):
    """Sobel or Prewitt: ``op`` a fused output code, or None for the derivative along ``axis``."""
    batch, dtype = as_image_batch(image)
    if op is None:
        op = _axis_output(np.ndim(image) if np.ndim(image) > 1 else batch.ndim, axis)
    _checks.check_choice(operator, "operator", tuple(OPERATORS))
    _checks.check_choice(mode, "mode", (*MODES, "valid"))
    return unbatch(image, run_stencil(batch, dtype, op, mode, centre=OPERATORS[operator]))
