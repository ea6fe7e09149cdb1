"""scikit-learn transformers over the temporal features: rolling windows and lags.

The axis convention is a feature matrix's: ``X`` is ``(n_samples, n_features)``
with **rows as time steps** (in time order) and **columns as series**, as
pandas's ``DataFrame.rolling`` and ``shift`` see a frame. Each output column is
one statistic or lag of one input column, so a window or a lag reads earlier
*rows*. That is why ``transform`` is not row-wise: a row's features depend on
the rows before it, and transforming a subset or a shuffle of the rows gives
different features (the two scikit-learn checks that assume otherwise are
named in the tests). Nothing is learned in ``fit`` but the columns.

Thin shells over :func:`fastnn.temporal.window_features` and
:func:`fastnn.temporal.lags` with ``axis=0``.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from fastnn import _checks
from fastnn.temporal.rolling import FEATURES, window_features
from fastnn.temporal.shift import lags

__all__ = ["Lags", "WindowFeatures"]


class _SeriesTransformer(TransformerMixin, BaseEstimator):
    def _validate(self, X, reset):
        _checks.check_features(X)  # masked arrays, datetimes and strings refused
        return validate_data(
            self, X, reset=reset, dtype=(np.float64, np.float32), ensure_all_finite="allow-nan"
        )

    def fit(self, X, y=None):
        """Check the parameters and record the columns (``n_features_in_``). Returns ``self``."""
        self._check_params()
        self._validate(X, reset=True)
        return self

    def transform(self, X):
        """Return the features of every row: ``(n_samples, n_features_in_ × per column)``."""
        check_is_fitted(self, "n_features_in_")
        X = self._validate(X, reset=False)
        out = self._features(X)  # (n_samples, n_features, per column)
        return out.reshape(out.shape[0], -1)

    def get_feature_names_out(self, input_features=None):
        """Return ``<column>_<suffix>`` for each input column and each of its features."""
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        return np.array([f"{name}_{s}" for name in names for s in self._suffixes()], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class WindowFeatures(_SeriesTransformer):
    """Trailing rolling-window statistics of each column (rows are time steps).

    ``transform(X)[t]`` holds, for each column ``j`` and each statistic of
    ``features``, the statistic of ``X[t - window + 1 .. t, j]``: pandas's
    ``DataFrame.rolling(window, min_periods).<stat>()`` column by column.

    Parameters
    ----------
    window : int
        Rows per window, ``>= 1``.
    features : sequence of str
        From ``"sum", "mean", "var", "std", "min", "max", "range", "slope"``.
    min_periods : int, optional
        Fewest valid values for a result (default ``window``); NaN before.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When ``X`` in ``fit`` had column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.temporal import WindowFeatures
    >>> X = np.array([[1.0, 10.0], [2.0, 20.0], [4.0, 40.0]])
    >>> windows = WindowFeatures(2, ("mean", "max")).fit(X)
    >>> windows.transform(X)
    array([[ nan,  nan,  nan,  nan],
           [ 1.5,  2. , 15. , 20. ],
           [ 3. ,  4. , 30. , 40. ]])
    >>> windows.get_feature_names_out().tolist()
    ['x0_mean_2', 'x0_max_2', 'x1_mean_2', 'x1_max_2']
    """

    def __init__(self, window=3, features=("mean", "std"), *, min_periods=None):
        self.window = window
        self.features = features
        self.min_periods = min_periods

    def _check_params(self):
        _checks.check_int(self.window, "window", low=1)
        if isinstance(self.features, str):
            raise TypeError(f"features must be a sequence of names, got the str {self.features!r}")
        for name in self.features:
            _checks.check_choice(name, "features", FEATURES)

    def _features(self, X):
        return window_features(X, self.window, self.features, min_periods=self.min_periods, axis=0)

    def _suffixes(self):
        return [f"{feature}_{self.window}" for feature in self.features]


class Lags(_SeriesTransformer):
    """Earlier values of each column (rows are time steps): ``X[t - k, j]`` for each ``k``.

    pandas's ``DataFrame.shift(k)`` for each ``k`` of ``ks``, column by column.

    Parameters
    ----------
    ks : sequence of int
        The lags, each ``>= 0``.
    fill_value : float
        The value of the first ``k`` rows of lag ``k``.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When ``X`` in ``fit`` had column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.temporal import Lags
    >>> X = np.array([[1.0], [2.0], [3.0]])
    >>> Lags((1, 2)).fit_transform(X)
    array([[nan, nan],
           [ 1., nan],
           [ 2.,  1.]])
    """

    def __init__(self, ks=(1,), *, fill_value=np.nan):
        self.ks = ks
        self.fill_value = fill_value

    def _check_params(self):
        if isinstance(self.ks, int | np.integer) or not len(self.ks):
            raise TypeError(f"ks must be a non-empty sequence of ints, got {self.ks!r}")
        for k in self.ks:
            _checks.check_int(k, "ks", low=0)
        _checks.check_real(self.fill_value, "fill_value")

    def _features(self, X):
        return lags(X, self.ks, fill_value=self.fill_value, axis=0)

    def _suffixes(self):
        return [f"lag_{k}" for k in self.ks]
