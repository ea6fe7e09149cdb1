"""Image features: 2-D convolution, edge detection, colour.

Images are arrays ``(..., H, W)`` whose leading axes are a batch, or
channels-last ``(..., H, W, 3)`` for RGB. Every function here has its NumPy
twin, with the same name and signature, in :mod:`fastnn.image.reference`.
"""

from fastnn.image.color import rgb_to_gray
from fastnn.image.edges import gradient_magnitude, gradient_orientation, laplace, prewitt, sobel
from fastnn.image.filters import convolve2d, correlate2d
from fastnn.image.histogram import color_histogram
from fastnn.image.hog import hog

__all__ = [
    "HOG",
    "ColorHistogram",
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


def __getattr__(name):
    # The transformers import scikit-learn (1.5 s of the 1.9 s `import fastnn.image`
    # took with them eagerly imported): they load when first asked for.
    if name in ("ColorHistogram", "HOG"):
        from fastnn.image import transformers

        return getattr(transformers, name)
    raise AttributeError(f"module 'fastnn.image' has no attribute {name!r}")
