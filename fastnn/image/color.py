"""Colour: an RGB image as a 3-D array, and its luminance."""

import numpy as np

from fastnn import _checks
from fastnn.image import _kernels

__all__ = ["rgb_to_gray"]

# ITU-R BT.709 luma weights for linear RGB, the weights of
# skimage.color.rgb2gray. (OpenCV's cvtColor uses BT.601's 0.299, 0.587, 0.114.)
BT709 = np.array([0.2125, 0.7154, 0.0721])


def rgb_to_gray(image):
    """Return the luminance of channels-last RGB images.

    .. math:: Y = 0.2125\\,R + 0.7154\\,G + 0.0721\\,B

    the ITU-R BT.709 weights, as ``skimage.color.rgb2gray``.

    Parameters
    ----------
    image : array_like, shape (..., H, W, 3)
        RGB on the last axis (an image as a 3-D array, height × width ×
        channel); leading axes are a batch.

    Returns
    -------
    ndarray, shape (..., H, W)
        In the units of the input: a uint8 image gives float32 values in
        [0, 255] (skimage rescales integers to [0, 1] first: divide by 255 to
        compare). float64 in gives float64; everything else float32.
        Accumulated in float64.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import rgb_to_gray
    >>> rgb_to_gray(np.array([[[255, 255, 255], [255, 0, 0]]], dtype=np.uint8))
    array([[255.    ,  54.1875]], dtype=float32)
    """
    array = _checks.check_array(image, "image", min_ndim=3)
    if array.shape[-1] != 3:
        raise ValueError(
            f"image must have its 3 RGB channels on the last axis, got shape {array.shape}"
        )
    dtype = _checks.float_result_dtype(array.dtype, integer_to=np.float32)
    pixels = array.reshape(-1, 3)
    out = np.empty(pixels.shape[0], dtype)
    _kernels.weighted_channel_sum(pixels, BT709, out, work=out.size * 3)
    return out.reshape(array.shape[:-1])
