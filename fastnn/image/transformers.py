"""scikit-learn transformers over the image features: a batch of images in, feature rows out.

Each is a thin shell over one public function (:func:`~fastnn.image.color_histogram`,
:func:`~fastnn.image.hog`), so raw images → features → estimator is one
``Pipeline``. Their input is a batch of images ``(n, H, W)`` or
``(n, H, W, C)``, not a 2-D table: their tags say so (``two_d_array`` is
False, ``three_d_array`` True), and ``fit`` records the image shape, the
image counterpart of ``n_features_in_``, which ``transform`` then requires.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from fastnn import _checks
from fastnn.image.histogram import color_histogram
from fastnn.image.hog import hog

__all__ = ["HOG", "ColorHistogram"]


class _ImageTransformer(TransformerMixin, BaseEstimator):
    """What both transformers share: the batch check, the fitted shapes, the tags."""

    def _channel_axis(self):
        return self.channel_axis

    def _images(self, X):
        images = _checks.check_array(X, "X")  # masked, datetime and string input refused
        with_channels = self._channel_axis() is not None
        ndim = 4 if with_channels else 3
        if images.ndim != ndim:
            expected = "(n, H, W, C)" if with_channels else "(n, H, W)"
            hint = "" if with_channels else "; set channel_axis=-1 for colour images"
            raise ValueError(
                f"X must be a batch of images {expected}, got shape {images.shape}{hint}"
            )
        return images

    def _features(self, images):
        raise NotImplementedError

    def fit(self, X, y=None):
        """Check the parameters on the first image; record ``image_shape_`` and
        ``n_features_out_``. Nothing is learned. Returns ``self``."""
        images = self._images(X)
        self.image_shape_ = images.shape[1:]
        self.n_features_out_ = self._features(images[:1]).shape[1]
        return self

    def transform(self, X):
        """Return the features of each image, ``(n, n_features_out_)``."""
        check_is_fitted(self, "image_shape_")
        images = self._images(X)
        if images.shape[1:] != self.image_shape_:
            raise ValueError(
                f"X must hold images of the shape seen in fit, {self.image_shape_}, got "
                f"{images.shape[1:]}"
            )
        return self._features(images)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = []
        return tags


class ColorHistogram(_ImageTransformer):
    """Colour histograms of a batch of images as feature rows.

    ``transform`` is :func:`fastnn.image.color_histogram` with the histogram
    axes flattened: per channel ``C · bins`` features (channel by channel),
    joint ``bins ** C`` (the colour cube in C order).

    Parameters
    ----------
    bins, joint, range, density, channel_axis
        As :func:`fastnn.image.color_histogram`. ``channel_axis=None``: a
        batch of grayscale images ``(n, H, W)``.

    Attributes
    ----------
    image_shape_ : tuple
        The shape of one image seen in ``fit``; ``transform`` needs the same.
    n_features_out_ : int
        The number of features per image.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import ColorHistogram
    >>> images = np.zeros((2, 4, 4, 3), np.uint8)
    >>> hist = ColorHistogram(bins=2).fit(images)
    >>> hist.transform(images)[0]
    array([16,  0, 16,  0, 16,  0])
    >>> hist.get_feature_names_out()[:3].tolist()
    ['r_bin0', 'r_bin1', 'g_bin0']
    """

    def __init__(self, bins=8, joint=False, *, range=None, density=False, channel_axis=-1):
        self.bins = bins
        self.joint = joint
        self.range = range
        self.density = density
        self.channel_axis = channel_axis

    def _features(self, images):
        hist = color_histogram(
            images,
            self.bins,
            range=self.range,
            joint=self.joint,
            density=self.density,
            channel_axis=self.channel_axis,
        )
        return hist.reshape(hist.shape[0], -1)

    def get_feature_names_out(self, input_features=None):
        """Return the feature names: ``r_bin3`` per RGB channel (``c4_bin3`` for other
        channel counts, ``bin3`` for grayscale), ``r1_g0_b3`` for the joint cells."""
        check_is_fitted(self, "image_shape_")
        if self.channel_axis is None:
            return np.array([f"bin{b}" for b in np.arange(self.n_features_out_)], dtype=object)
        n_channels = (1, *self.image_shape_)[self.channel_axis]
        letters = list("rgb") if n_channels == 3 else [f"c{c}" for c in np.arange(n_channels)]
        hist = color_histogram(
            np.zeros((1, 1, n_channels)), self.bins, range=self.range, joint=self.joint
        )  # the histogram's shape for these bins
        if self.joint:
            cells = np.ndindex(*hist.shape)
            names = ["_".join(f"{ch}{b}" for ch, b in zip(letters, c, strict=True)) for c in cells]
        else:
            names = [f"{ch}_bin{b}" for ch in letters for b in np.arange(hist.shape[-1])]
        return np.array(names, dtype=object)


class HOG(_ImageTransformer):
    """Histograms of oriented gradients of a batch of images as feature rows.

    ``transform`` is :func:`fastnn.image.hog` with ``feature_vector=True``:
    the block histograms of each image in skimage's order.

    Parameters
    ----------
    orientations, pixels_per_cell, cells_per_block, block_norm, transform_sqrt, channel_axis
        As :func:`fastnn.image.hog`. ``channel_axis=None``: a batch of
        grayscale images ``(n, H, W)``.

    Attributes
    ----------
    image_shape_ : tuple
        The shape of one image seen in ``fit``; ``transform`` needs the same.
    n_features_out_ : int
        The number of features per image.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.image import HOG
    >>> images = np.random.default_rng(0).random((5, 8, 8))
    >>> HOG(pixels_per_cell=(4, 4), cells_per_block=(2, 2)).fit_transform(images).shape
    (5, 36)
    """

    def __init__(
        self,
        orientations=9,
        pixels_per_cell=(8, 8),
        cells_per_block=(3, 3),
        block_norm="L2-Hys",
        transform_sqrt=False,
        channel_axis=None,
    ):
        self.orientations = orientations
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block
        self.block_norm = block_norm
        self.transform_sqrt = transform_sqrt
        self.channel_axis = channel_axis

    def _features(self, images):
        return hog(
            images,
            self.orientations,
            self.pixels_per_cell,
            self.cells_per_block,
            self.block_norm,
            transform_sqrt=self.transform_sqrt,
            channel_axis=self.channel_axis,
        )

    def get_feature_names_out(self, input_features=None):
        """Return ``hog0``, ``hog1``, … in the order of the feature vector."""
        check_is_fitted(self, "image_shape_")
        return np.array([f"hog{i}" for i in np.arange(self.n_features_out_)], dtype=object)
