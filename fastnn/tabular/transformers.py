"""scikit-learn transformers over the tabular features: formulas, group aggregates, counts.

Thin shells over :func:`~fastnn.tabular.formula`, :func:`~fastnn.tabular.group_by`
and its aggregates, so raw table → features → estimator is one ``Pipeline``.
``X`` is a pandas or polars DataFrame, whose columns are named by their
names, or a 2-D NumPy array of numbers, whose columns are named by their
index (``by=0``) or, in formulas, ``x0, x1, ...`` (scikit-learn's default
feature names). Each transformer outputs only the features it makes; put it
in a ``ColumnTransformer`` or ``FeatureUnion`` beside ``"passthrough"`` to keep
the inputs. ``set_output(transform="pandas")`` (or ``"polars"``) gives a frame.

What is learned in ``fit``, from the training rows only: the groups' statistics
(:class:`GroupFeatures`) and the keys' counts (:class:`CountEncoder`). A key
that ``fit`` did not see gets ``fill_value`` (NaN) from :class:`GroupFeatures`
and 0 from :class:`CountEncoder`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from fastnn import _checks
from fastnn.tabular import _frames
from fastnn.tabular._plan import check_aggregates
from fastnn.tabular.formulas import formula
from fastnn.tabular.groups import group_by

__all__ = ["CountEncoder", "FormulaFeatures", "GroupFeatures"]


class _TableTransformer(TransformerMixin, BaseEstimator):
    """Column access by name (frames) or index (arrays), and the fitted input columns."""

    def _table(self, X, reset):
        if _frames.is_frame(X):
            validate_data(self, X, reset=reset, skip_check_array=True)
            return _frames.as_frame(X, "X"), True
        _checks.check_features(X)  # masked arrays, datetimes and strings refused
        X = validate_data(self, X, reset=reset, dtype=None, ensure_all_finite="allow-nan")
        if X.dtype == object:
            X = X.astype(np.float64)
        return X, False

    @staticmethod
    def _column_name(column, is_frame):
        if is_frame and not isinstance(column, str):
            raise TypeError(f"columns of a DataFrame are named by str, got {column!r}")
        if not is_frame and (isinstance(column, bool) or not isinstance(column, int | np.integer)):
            raise TypeError(f"columns of an array are named by their int index, got {column!r}")
        return column

    @staticmethod
    def _keys(table, is_frame, column):
        if is_frame:
            return _frames.key_values(table, column, "X")
        if not -table.shape[1] <= column < table.shape[1]:
            raise ValueError(f"column {column} is not in X, which has {table.shape[1]} columns")
        return table[:, column]

    @staticmethod
    def _numbers(table, is_frame, column):
        if is_frame:
            return _frames.numeric_column(table, column, "X")
        return _TableTransformer._keys(table, False, column)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True  # frames may hold text columns
        return tags


def _lookup(fitted_keys, keys, dropna):
    """Each row's index among ``fitted_keys`` (one array per key column), -1 if absent.

    One grouping of the fitted keys followed by the new ones, in first-seen
    order: the fitted keys are distinct, so fitted key ``g`` gets code ``g``.
    """
    n_fitted = len(fitted_keys[0])
    both = [np.concatenate(_common(f, k)) for f, k in zip(fitted_keys, keys, strict=True)]
    codes = group_by(both[0] if len(both) == 1 else both, sort=False, dropna=dropna).codes
    index = codes[n_fitted:]
    return np.where(index < n_fitted, index, -1)


def _common(fitted, new):
    fitted, new = np.asarray(fitted), np.asarray(new)
    if fitted.dtype.kind in "OUS" or new.dtype.kind in "OUS":
        return fitted.astype(object), new.astype(object)
    return fitted, new


class FormulaFeatures(_TableTransformer):
    """New columns computed row by row from formulas: ``{"bmi": "weight / height ** 2"}``.

    ``transform`` evaluates each :func:`~fastnn.tabular.formula` on the
    columns of ``X`` (a DataFrame's names, or ``x0, x1, ...`` for an array).

    Parameters
    ----------
    formulas : dict of str to str
        Output column name → expression.

    Attributes
    ----------
    formulas_ : dict of str to Formula
        The compiled formulas.
    n_features_in_, feature_names_in_
        The input columns seen in ``fit``.

    Examples
    --------
    >>> import pandas as pd
    >>> from fastnn.tabular import FormulaFeatures
    >>> people = pd.DataFrame({"weight": [60.0, 90.0], "height": [1.5, 2.0]})
    >>> FormulaFeatures({"bmi": "weight / height ** 2"}).fit_transform(people)
    array([[26.66666667],
           [22.5       ]])
    """

    def __init__(self, formulas=None):
        self.formulas = formulas

    def fit(self, X, y=None):
        """Compile the formulas and check that ``X`` has their columns. Returns ``self``."""
        if not isinstance(self.formulas, Mapping) or not self.formulas:
            raise TypeError(
                "formulas must be a non-empty dict of output name to expression, got "
                f"{type(self.formulas).__name__}"
            )
        compiled = {}
        for name, expression in self.formulas.items():
            if not isinstance(name, str):
                raise TypeError(f"formulas' names must be str, got {name!r}")
            compiled[name] = formula(expression)
        _, is_frame = self._table(X, reset=True)
        names = self._names(is_frame)
        for name, f in compiled.items():
            missing = [c for c in f.columns if c not in names]
            if missing:
                raise ValueError(f"formula {name!r} needs column(s) {missing}, not in X")
        self.formulas_ = compiled
        return self

    def _names(self, is_frame):
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"x{j}" for j in range(self.n_features_in_)]

    def transform(self, X):
        """Return each formula's value per row, ``(n_samples, len(formulas))``."""
        check_is_fitted(self, "formulas_")
        table, is_frame = self._table(X, reset=False)
        needed = sorted({c for f in self.formulas_.values() for c in f.columns})
        if is_frame:
            columns = {c: _frames.numeric_column(table, c, "X") for c in needed}
        else:
            names = self._names(False)
            columns = {c: table[:, names.index(c)] for c in needed}
        results = [f(columns) for f in self.formulas_.values()]
        dtype = np.result_type(*[r.dtype if r.dtype.kind == "f" else np.float64 for r in results])
        return np.column_stack([r.astype(dtype, copy=False) for r in results])

    def get_feature_names_out(self, input_features=None):
        """Return the formulas' names."""
        check_is_fitted(self, "formulas_")
        return np.array(list(self.formulas_), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class GroupFeatures(_TableTransformer):
    """Each row's group statistics as columns: the mean price of its store, say.

    ``fit`` groups the training rows by ``by`` and keeps each group's
    statistics; ``transform`` gives each row those of its group (pandas's
    ``groupby(by)[column].transform(feature)``, with the groups learned in
    ``fit``). A key not seen in ``fit``, or a missing key, gets ``fill_value``.

    Parameters
    ----------
    by : str or int, or a list of them
        The key column(s).
    aggregates : dict
        Value column → statistic or list of statistics, from those of
        :meth:`fastnn.tabular.Groups.aggregate`.
    fill_value : float
        The features of a row whose key ``fit`` did not see (NaN).

    Attributes
    ----------
    keys_ : list of ndarray
        The fitted groups' keys, one array per key column.
    statistics_ : ndarray, shape (n_groups, n_features_out)
        Their statistics, in the order of ``get_feature_names_out()``.

    Examples
    --------
    >>> import pandas as pd
    >>> from fastnn.tabular import GroupFeatures
    >>> sales = pd.DataFrame({"store": ["a", "b", "a"], "price": [1.0, 5.0, 3.0]})
    >>> features = GroupFeatures("store", {"price": ["mean", "max"]}).fit(sales)
    >>> features.transform(pd.DataFrame({"store": ["b", "a", "z"], "price": [0.0] * 3}))
    array([[ 5.,  5.],
           [ 2.,  3.],
           [nan, nan]])
    >>> features.get_feature_names_out().tolist()
    ['price_mean_by_store', 'price_max_by_store']
    """

    def __init__(self, by=None, aggregates=None, *, fill_value=np.nan):
        self.by = by
        self.aggregates = aggregates
        self.fill_value = fill_value

    def _by(self):
        return list(self.by) if isinstance(self.by, list | tuple) else [self.by]

    def fit(self, X, y=None):
        """Group the rows and keep each group's statistics. Returns ``self``."""
        if not isinstance(self.aggregates, Mapping) or not self.aggregates:
            raise TypeError(
                "aggregates must be a non-empty dict of column to statistics, such as "
                f"{{'price': ['mean']}}, got {type(self.aggregates).__name__}"
            )
        _checks.check_real(self.fill_value, "fill_value")
        table, is_frame = self._table(X, reset=True)
        by = [self._column_name(c, is_frame) for c in self._by()]
        wanted = {self._column_name(c, is_frame): check_aggregates(f)
                  for c, f in self.aggregates.items()}  # fmt: skip
        keys = [self._keys(table, is_frame, c) for c in by]
        groups = group_by(keys[0] if len(keys) == 1 else keys)
        stats, names = [], []
        suffix = "_".join(str(c) for c in by)
        for column, features in wanted.items():
            values = self._numbers(table, is_frame, column)
            stats.append(groups.aggregate(np.asarray(values, np.float64), features))
            names += [f"{column}_{feature}_by_{suffix}" for feature in features]
        self.keys_ = list(groups.keys) if len(keys) > 1 else [groups.keys]
        self.statistics_ = np.concatenate(stats, axis=1)
        self.feature_names_out_ = np.array(names, dtype=object)
        self.by_ = by
        return self

    def transform(self, X):
        """Return each row's group statistics, ``(n_samples, n_features_out)``."""
        check_is_fitted(self, "statistics_")
        table, is_frame = self._table(X, reset=False)
        keys = [self._keys(table, is_frame, c) for c in self.by_]
        index = _lookup(self.keys_, keys, dropna=True)
        out = self.statistics_[np.maximum(index, 0)]
        out[index < 0] = self.fill_value
        return out

    def get_feature_names_out(self, input_features=None):
        """Return ``<column>_<statistic>_by_<keys>`` per feature."""
        check_is_fitted(self, "statistics_")
        return self.feature_names_out_.copy()


class CountEncoder(_TableTransformer):
    """Each key's frequency in the training rows, per column (count encoding).

    A key that ``fit`` did not see counts 0; a missing key (NaN, None, a null)
    is a category of its own, counted like any other.

    Parameters
    ----------
    columns : str or int, or a list of them
        The key columns to encode.
    normalize : bool
        Fractions of the training rows instead of counts.

    Attributes
    ----------
    keys_ : list of ndarray
        Each column's distinct training keys.
    counts_ : list of ndarray
        Their counts.

    Examples
    --------
    >>> import pandas as pd
    >>> from fastnn.tabular import CountEncoder
    >>> shops = pd.DataFrame({"city": ["x", "y", "x", None]})
    >>> CountEncoder("city").fit(shops).transform(pd.DataFrame({"city": ["x", "z", None]}))
    array([[2.],
           [0.],
           [1.]])
    """

    def __init__(self, columns=None, *, normalize=False):
        self.columns = columns
        self.normalize = normalize

    def _columns(self):
        return list(self.columns) if isinstance(self.columns, list | tuple) else [self.columns]

    def fit(self, X, y=None):
        """Count each column's keys. Returns ``self``."""
        _checks.check_bool(self.normalize, "normalize")
        table, is_frame = self._table(X, reset=True)
        self.columns_ = [self._column_name(c, is_frame) for c in self._columns()]
        self.keys_, self.counts_ = [], []
        for column in self.columns_:
            groups = group_by(self._keys(table, is_frame, column), sort=False, dropna=False)
            self.keys_.append(groups.keys)
            self.counts_.append(groups.sizes)
        self.n_rows_ = _frames_len(table, is_frame)
        return self

    def transform(self, X):
        """Return each row's key counts (or fractions), ``(n_samples, len(columns))``."""
        check_is_fitted(self, "counts_")
        table, is_frame = self._table(X, reset=False)
        out = np.zeros((_frames_len(table, is_frame), len(self.columns_)))
        for j, column in enumerate(self.columns_):
            index = _lookup([self.keys_[j]], [self._keys(table, is_frame, column)], dropna=False)
            counts = self.counts_[j] / self.n_rows_ if self.normalize else self.counts_[j]
            out[:, j] = np.where(index >= 0, counts[np.maximum(index, 0)], 0)
        return out

    def get_feature_names_out(self, input_features=None):
        """Return ``<column>_count`` per column."""
        check_is_fitted(self, "counts_")
        return np.array([f"{c}_count" for c in self.columns_], dtype=object)


def _frames_len(table, is_frame):
    return len(table) if is_frame else table.shape[0]
