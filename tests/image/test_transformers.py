"""The scikit-learn contract of fastnn.image's transformers, ColorHistogram and HOG.

scikit-learn's estimator checks feed 2-D tables ``(n_samples, n_features)``;
these transformers take batches of images ``(n, H, W[, C])``, which their
tags declare (``two_d_array=False``, ``three_d_array=True``), so
``parametrize_with_checks`` yields only the clone check for them and skips
the rest: a 2-D table has no image axes for a histogram or a cell grid. The
checks that need no data run here by name; the data checks that matter
(fit returns self, idempotent fit, parameters untouched, ``__dict__``
unchanged by transform, sample order and subset invariance, read-only
input, NotFittedError) are written below for image batches.
"""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError, SkipTestWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_checks as checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastnn.datasets import load_digits
from fastnn.image import HOG, ColorHistogram, color_histogram, hog
from fastnn.linear import Perceptron

TRANSFORMERS = [
    ColorHistogram(),
    ColorHistogram(bins=4, joint=True),
    ColorHistogram(bins=16, density=True, channel_axis=None),
    HOG(),
    HOG(pixels_per_cell=(4, 4), cells_per_block=(2, 2), block_norm="L1", channel_axis=-1),
]
NO_DATA_CHECKS = [
    checks.check_estimator_cloneable,
    checks.check_estimator_repr,
    checks.check_no_attributes_set_in_init,
    checks.check_get_params_invariance,
    checks.check_set_params,
    checks.check_do_not_raise_errors_in_init_or_set_params,
    checks.check_parameters_default_constructible,
    checks.check_mixin_order,
    checks.check_valid_tag_types,
    checks.check_estimator_tags_renamed,
]


def images_for(transformer, rng, n=6):
    """A batch the transformer takes: RGB uint8 with channels, grayscale floats without."""
    if transformer.channel_axis is None:
        return rng.random((n, 24, 24))
    return rng.integers(0, 256, (n, 24, 24, 3), dtype=np.uint8)


def expected_features(transformer, images):
    params = transformer.get_params()
    if isinstance(transformer, ColorHistogram):
        bins = params.pop("bins")
        return color_histogram(images, bins, **params).reshape(len(images), -1)
    return hog(images, **params)


with warnings.catch_warnings():  # "Can't test estimator ... three_d_array=True": the point
    warnings.simplefilter("ignore", SkipTestWarning)
    WITH_CHECKS = parametrize_with_checks(TRANSFORMERS)


@WITH_CHECKS
def test_what_parametrize_with_checks_yields(estimator, check):
    check(estimator)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=repr)
@pytest.mark.parametrize("check", NO_DATA_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_checks_that_need_no_data(transformer, check):
    check(type(transformer).__name__, clone(transformer))


def test_the_image_functions_load_without_scikit_learn():
    code = (
        "import sys\n"
        "import fastnn.image\n"
        "assert 'sklearn' not in sys.modules\n"
        "from fastnn.image import HOG\n"
        "assert 'sklearn' in sys.modules and HOG.__module__ == 'fastnn.image.transformers'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_tags_say_images():
    for transformer in TRANSFORMERS:
        tags = transformer.__sklearn_tags__()
        assert not tags.input_tags.two_d_array and tags.input_tags.three_d_array


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=repr)
def test_transform_is_the_function_flattened(transformer, rng):
    images = images_for(transformer, rng)
    before = images.copy()
    fitted = clone(transformer)
    assert fitted.fit(images) is fitted
    features = fitted.transform(images)
    expected = expected_features(transformer, images)
    np.testing.assert_array_equal(features, expected)
    assert features.shape == (len(images), fitted.n_features_out_)
    assert fitted.image_shape_ == images.shape[1:]
    np.testing.assert_array_equal(clone(transformer).fit_transform(images), expected)
    np.testing.assert_array_equal(images, before)
    names = fitted.get_feature_names_out()
    assert names.shape == (fitted.n_features_out_,) and len(set(names)) == names.size


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=repr)
def test_image_versions_of_the_data_checks(transformer, rng):
    images = images_for(transformer, rng, n=9)
    with pytest.raises(NotFittedError):
        clone(transformer).transform(images)
    params = transformer.get_params()
    fitted = clone(transformer).fit(images)
    assert fitted.get_params() == params  # fit leaves the parameters alone
    first = fitted.transform(images)
    state = dict(fitted.__dict__)
    fitted.fit(images)  # idempotent
    np.testing.assert_array_equal(fitted.transform(images), first)
    assert fitted.__dict__.keys() == state.keys()
    order = rng.permutation(len(images))
    np.testing.assert_array_equal(fitted.transform(images[order]), first[order])
    np.testing.assert_array_equal(fitted.transform(images[2:5]), first[2:5])
    read_only = images.copy()
    read_only.flags.writeable = False
    np.testing.assert_array_equal(fitted.transform(read_only), first)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(images), first)


def test_feature_names(rng):
    rgb = rng.integers(0, 256, (2, 8, 8, 3), dtype=np.uint8)
    names = ColorHistogram(bins=3).fit(rgb).get_feature_names_out().tolist()
    assert names == [f"{c}_bin{b}" for c in "rgb" for b in range(3)]
    names = ColorHistogram(bins=2, joint=True).fit(rgb).get_feature_names_out().tolist()
    assert names[:3] == ["r0_g0_b0", "r0_g0_b1", "r0_g1_b0"] and names[-1] == "r1_g1_b1"
    four = rng.random((2, 8, 8, 4))
    names = ColorHistogram(bins=[0, 0.5, 1]).fit(four).get_feature_names_out().tolist()
    assert names[:3] == ["c0_bin0", "c0_bin1", "c1_bin0"] and len(names) == 8
    channels_first = np.moveaxis(four, -1, 1)
    fitted = ColorHistogram(bins=2, channel_axis=1).fit(channels_first)
    assert len(fitted.get_feature_names_out()) == 8
    np.testing.assert_array_equal(
        fitted.transform(channels_first), color_histogram(four, 2).reshape(2, -1)
    )
    gray = ColorHistogram(bins=4, channel_axis=None).fit(four[..., 0]).get_feature_names_out()
    assert gray.tolist() == ["bin0", "bin1", "bin2", "bin3"]
    hog_names = HOG(pixels_per_cell=(4, 4), cells_per_block=(2, 2)).fit(four[..., 0])
    assert hog_names.get_feature_names_out().tolist() == [f"hog{i}" for i in range(36)]


def test_hog_features_are_skimages(rng):
    from skimage.feature import hog as skimage_hog

    images = rng.random((3, 16, 24))
    params = dict(orientations=6, pixels_per_cell=(4, 4), cells_per_block=(2, 2))
    features = HOG(**params, block_norm="L2-Hys").fit_transform(images)
    expected = np.array([skimage_hog(im, **params, block_norm="L2-Hys") for im in images])
    np.testing.assert_allclose(features, expected, rtol=1e-6, atol=1e-7)


def test_bad_input_and_parameters(rng):
    rgb = rng.integers(0, 256, (2, 8, 8, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"X must be a batch of images \(n, H, W, C\)"):
        ColorHistogram().fit(rgb[0])
    with pytest.raises(ValueError, match=r"X must be a batch of images \(n, H, W\).*channel_axis"):
        HOG().fit(rgb)
    fitted = ColorHistogram().fit(rgb)
    with pytest.raises(ValueError, match=r"the shape seen in fit, \(8, 8, 3\), got \(8, 9, 3\)"):
        fitted.transform(np.zeros((2, 8, 9, 3), np.uint8))
    with pytest.raises(ValueError, match="bins must be an integer >= 1"):
        ColorHistogram(bins=0).fit(rgb)
    with pytest.raises(ValueError, match="block_norm"):
        HOG(block_norm="L3").fit(rgb[..., 0])
    with pytest.raises(TypeError, match=r"X must not be a numpy\.ma\.MaskedArray"):
        ColorHistogram().fit(np.ma.masked_array(rgb))
    with pytest.raises(TypeError, match="X must hold real numbers"):
        HOG().fit(np.array([[["a"] * 8] * 8]))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_hog_then_perceptron_on_the_digits():
    images, digits = load_digits(return_X_y=True, as_images=True)
    order = np.random.default_rng(0).permutation(len(digits))
    train, test = order[:1200], order[1200:]
    pipe = make_pipeline(HOG(pixels_per_cell=(4, 4), cells_per_block=(2, 2)), Perceptron())
    pipe.fit(images[train], digits[train])
    assert pipe.score(images[test], digits[test]) > 0.7  # 36 HOG features; chance is 0.1
    quick = make_pipeline(
        HOG(pixels_per_cell=(4, 4), cells_per_block=(2, 2)), Perceptron(max_iter=20)
    )
    grid = GridSearchCV(quick, {"hog__orientations": [6, 9]}, cv=2).fit(images, digits)
    assert grid.best_params_["hog__orientations"] in (6, 9)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict(images[test]), pipe.predict(images[test]))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_color_histogram_in_a_pipeline(rng):
    reddish = rng.integers(0, 256, (40, 6, 6, 3), dtype=np.uint8)
    labels = np.arange(40) % 2
    reddish[labels == 1, ..., 0] = rng.integers(200, 256, ((labels == 1).sum(), 6, 6))
    reddish[labels == 0, ..., 0] = rng.integers(0, 56, ((labels == 0).sum(), 6, 6))
    pipe = make_pipeline(ColorHistogram(bins=4, density=True), Perceptron()).fit(reddish, labels)
    assert pipe.score(reddish, labels) == 1.0
