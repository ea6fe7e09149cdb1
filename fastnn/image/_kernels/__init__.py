"""Numba kernels of fastnn.image, one module per family. Plain arrays in, ``out`` written;
no validation.

- :mod:`.filters`: 2-D correlation, the 3×3 stencils (Sobel, Prewitt,
  Laplace) and the weighted channel sum.
- :mod:`.histogram`: counts of pixel values per channel or joint over the channels.
- :mod:`.hog`: histograms of oriented gradients (cell histograms, block norms).
"""

from fastnn.image._kernels.filters import (
    CORRELATE,
    GRADIENT_X,
    GRADIENT_Y,
    LAPLACE,
    LIMIT_EXP,
    MAGNITUDE,
    ORIENTATION,
    correlate_separable,
    correlate_taps,
    stencil_3x3,
    weighted_channel_sum,
)
from fastnn.image._kernels.histogram import count_small, count_values
from fastnn.image._kernels.hog import PENDING_CAP as HOG_PENDING_CAP
from fastnn.image._kernels.hog import hog_batch

__all__ = [
    "CORRELATE",
    "GRADIENT_X",
    "GRADIENT_Y",
    "HOG_PENDING_CAP",
    "LAPLACE",
    "LIMIT_EXP",
    "MAGNITUDE",
    "ORIENTATION",
    "correlate_separable",
    "correlate_taps",
    "count_small",
    "count_values",
    "hog_batch",
    "stencil_3x3",
    "weighted_channel_sum",
]
