"""One input policy across fastnn: what is not an array of real numbers is refused alike.

Every array function and every estimator refuses, with a ``TypeError`` that
names the argument:

- ``numpy.ma.MaskedArray``: ``np.asarray`` would drop the mask and compute
  with the masked values as data (``rolling_mean`` gave 500000.5 from a
  masked 1e6). NaN is fastnn's one missing-value channel; the message says
  to pass ``x.filled(np.nan)``.
- datetime64, timedelta64 and strings, numeric or not: scikit-learn's
  ``validate_data`` would cast them to floats, the array functions refused
  them; now both refuse.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from fastnn import image, linear, metrics, nn, temporal, text
from fastnn.nn import activations, losses

KERNEL = np.ones((3, 3))


def _groups():
    from fastnn.tabular import group_by  # keys may be strings or datetimes: values may not

    return group_by(np.array(["a", "b", "a"]))


# name -> (function of the array under test, the argument's name in the message)
FUNCTIONS = {
    "image.convolve2d": (lambda a: image.convolve2d(a, KERNEL), "image"),
    "image.correlate2d": (lambda a: image.correlate2d(a, KERNEL), "image"),
    "image.correlate2d kernel": (lambda a: image.correlate2d(np.ones((4, 4)), a), "kernel"),
    "image.gradient_magnitude": (image.gradient_magnitude, "image"),
    "image.gradient_orientation": (image.gradient_orientation, "image"),
    "image.laplace": (image.laplace, "image"),
    "image.prewitt": (image.prewitt, "image"),
    "image.sobel": (image.sobel, "image"),
    "image.hog": (lambda a: image.hog(a, 9, (1, 1), (1, 1)), "image"),
    "image.rgb_to_gray": (lambda a: image.rgb_to_gray(np.stack([a] * 3, axis=-1)), "image"),
    "image.color_histogram": (lambda a: image.color_histogram(np.stack([a] * 3, axis=-1)), "image"),
    "image.color_histogram gray": (lambda a: image.color_histogram(a, channel_axis=None), "image"),
    "image.ColorHistogram": (
        lambda a: image.ColorHistogram().fit(np.stack([a] * 3, -1)[None]),
        "X",
    ),
    "image.HOG": (
        lambda a: image.HOG(pixels_per_cell=(1, 1), cells_per_block=(1, 1)).fit(a[None]),
        "X",
    ),
    "temporal.aggregate": (temporal.aggregate, "x"),
    "temporal.autocorrelation": (lambda a: temporal.autocorrelation(a, 1), "x"),
    "temporal.diff": (temporal.diff, "x"),
    "temporal.lag": (temporal.lag, "x"),
    "temporal.lags": (lambda a: temporal.lags(a, [1]), "x"),
    "temporal.rolling_max": (lambda a: temporal.rolling_max(a, 2), "x"),
    "temporal.rolling_mean": (lambda a: temporal.rolling_mean(a, 2), "x"),
    "temporal.rolling_min": (lambda a: temporal.rolling_min(a, 2), "x"),
    "temporal.rolling_range": (lambda a: temporal.rolling_range(a, 2), "x"),
    "temporal.rolling_slope": (lambda a: temporal.rolling_slope(a, 2), "x"),
    "temporal.rolling_spectral_features": (
        lambda a: temporal.rolling_spectral_features(a, 2),
        "x",
    ),
    "temporal.rolling_std": (lambda a: temporal.rolling_std(a, 2), "x"),
    "temporal.rolling_sum": (lambda a: temporal.rolling_sum(a, 2), "x"),
    "temporal.rolling_var": (lambda a: temporal.rolling_var(a, 2), "x"),
    "temporal.spectral_features": (temporal.spectral_features, "x"),
    "temporal.window_features": (lambda a: temporal.window_features(a, 2), "x"),
    "temporal.zero_crossing_rate": (temporal.zero_crossing_rate, "x"),
    "tabular.Groups.aggregate": (lambda a: _groups().aggregate(a), "values"),
    "tabular.Groups.transform": (lambda a: _groups().transform(a, "mean"), "values"),
    "tabular.Groups.diff": (lambda a: _groups().diff(a), "values"),
    "tabular.Groups.lag": (lambda a: _groups().lag(a), "values"),
    "tabular.Groups.cumsum": (lambda a: _groups().cumsum(a), "values"),
    "tabular.Groups.rolling": (lambda a: _groups().rolling(a, 2), "values"),
    "metrics.cosine_similarity": (lambda a: metrics.cosine_similarity(a, a), "a"),
    "metrics.angular_distance": (lambda a: metrics.angular_distance(np.ones((1, 3)), a), "b"),
    "nn.activations.sigmoid": (activations.sigmoid, "x"),
    "nn.activations.relu_grad": (lambda a: activations.relu_grad(a, np.ones(np.shape(a))), "x"),
    "nn.losses.mse": (lambda a: losses.mse(a, np.ones(a.shape)), "y_pred"),
    "nn.MLP.forward": (lambda a: nn.MLP([3, 2], "relu").forward(a), "X"),
    "text.TfIdf": (lambda a: text.TfIdf().fit_transform(a), "X"),
    "text.BagOfWords.inverse_transform": (
        lambda a: text.BagOfWords().fit(["aa bb cc"]).inverse_transform(a),
        "X",
    ),
}

ESTIMATORS = {
    "Perceptron": lambda: linear.Perceptron(max_iter=3),
    "LinearSVM": lambda: linear.LinearSVM(max_iter=3),
    "SigmoidNeuron": lambda: linear.SigmoidNeuron(max_iter=3),
    "MLPClassifier": lambda: nn.MLPClassifier((3,), max_iter=3),
    "MLPRegressor": lambda: nn.MLPRegressor((3,), max_iter=3),
}


def _masked():
    data = np.arange(1.0, 10.0).reshape(3, 3)
    return np.ma.masked_array(data, mask=data == 5.0)


def _not_numbers():
    yield "datetime64", np.arange(9).astype("datetime64[D]").reshape(3, 3)
    yield "timedelta64", np.arange(9).astype("timedelta64[s]").reshape(3, 3)
    yield "numeric strings", np.arange(9).astype(str).reshape(3, 3)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functions_refuse_masked_arrays(name):
    function, argument = FUNCTIONS[name]
    masked = _masked()
    before = masked.copy()
    with pytest.raises(TypeError, match=rf"{argument} must not be a numpy.ma.MaskedArray"):
        function(masked)
    np.testing.assert_array_equal(masked.mask, before.mask)
    np.testing.assert_array_equal(masked.data, before.data)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functions_refuse_datetimes_and_strings(name):
    function, argument = FUNCTIONS[name]
    for _label, values in _not_numbers():
        with pytest.raises(TypeError, match=rf"{argument} must hold real numbers"):
            function(values)


def _hostile_features():
    yield "masked array", _masked(), "X must not be a numpy.ma.MaskedArray"
    for label, values in _not_numbers():
        yield label, values, "X must hold real numbers"
    yield "datetime DataFrame", pd.DataFrame({"t": pd.date_range("2020", periods=3)}), "real"
    yield "string DataFrame", pd.DataFrame({"s": ["1", "2", "3"]}), "X must hold real numbers"
    strings = np.array([["1.5", 2, 3]] * 3, dtype=object)
    yield "object array of strings", strings, "X must hold real numbers"


HOSTILE_FEATURES = {label: (X, match) for label, X, match in _hostile_features()}


@pytest.mark.parametrize("label", sorted(HOSTILE_FEATURES))
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_estimators_refuse_what_the_functions_refuse(name, label):
    X, match = HOSTILE_FEATURES[label]
    y = np.array([0, 1, 0])
    with pytest.raises(TypeError, match=match):
        ESTIMATORS[name]().fit(X, y)
    if np.shape(X)[1] == 3:  # as wide as the fitted model's X: predict refuses it too
        fitted = ESTIMATORS[name]()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence of the three-epoch fit
            fitted.fit(np.arange(9.0).reshape(3, 3), y)
        with pytest.raises(TypeError, match=match):
            fitted.predict(X)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_estimators_still_take_numbers_in_every_container(name):
    """Object arrays of numbers, nullable pandas columns, lists: numbers, so fitted as before."""
    y = np.array([0, 1, 0, 1])
    for X in (np.arange(12.0).reshape(4, 3).astype(object),
              pd.DataFrame({"a": pd.array([1, 2, 3, 4], dtype="Int64"), "b": [0.5, 1, 2, 3]}),
              [[0, 1], [1, 0], [2, 2], [3, 1]]):  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ESTIMATORS[name]().fit(X, y)
        assert model.predict(X).shape == (4,)
