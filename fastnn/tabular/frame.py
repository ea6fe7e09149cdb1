"""Group aggregates of a DataFrame, as a DataFrame: ``aggregate(df, by="store", features=...)``.

The DataFrame face of :meth:`fastnn.tabular.Groups.aggregate` for pandas and
polars users (through narwhals; neither library is a dependency): one row per
group, the key column(s) first, then one column ``<column>_<feature>`` per
requested statistic, in a DataFrame of the caller's library. The name says
what it is, and :func:`fastnn.temporal.aggregate` is its sibling on series.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from fastnn import _checks
from fastnn.tabular import _frames
from fastnn.tabular._plan import check_aggregates
from fastnn.tabular.groups import group_by

__all__ = ["aggregate"]

_COUNTS = {"size", "count", "nunique"}  # integers, as pandas gives them


def _by_columns(by):
    names = [by] if isinstance(by, str) else list(by) if isinstance(by, list | tuple) else None
    if not names or not all(isinstance(name, str) for name in names):
        raise TypeError(f"by must be a column name or a list of column names, got {by!r}")
    return names


def _feature_table(features):
    if not isinstance(features, Mapping) or not features:
        raise TypeError(
            "features must be a non-empty dict of column name to statistics, such as "
            f"{{'price': ['mean', 'max']}}, got {type(features).__name__}"
        )
    return {column: check_aggregates(wanted) for column, wanted in features.items()}


def aggregate(data, by, features, *, sort=True, dropna=True, ddof=1):
    """Return one row per group of ``data``: its keys, then each column's requested statistics.

    Parameters
    ----------
    data : pandas.DataFrame or polars.DataFrame
        The table.
    by : str or list of str
        The key column(s): numbers, booleans, strings, categoricals, datetimes.
    features : dict of str to str or list of str
        For each value column, its statistics: ``size``, ``count``, ``sum``,
        ``mean``, ``var``, ``std``, ``min``, ``max``, ``range``, ``first``,
        ``last``, ``median``, ``nunique`` (pandas's meanings, NaN and nulls
        skipped; see :meth:`fastnn.tabular.Groups.aggregate`).
    sort, dropna : bool
        As :func:`fastnn.tabular.group_by` (pandas's defaults: sorted keys,
        rows with a missing key left out).
    ddof : int
        Delta degrees of freedom of ``var`` and ``std``.

    Returns
    -------
    DataFrame of the library of ``data``
        The key columns first, then ``<column>_<feature>`` in the order asked;
        ``size``, ``count`` and ``nunique`` as int64, the other statistics float64
        (float32 for a float32 column). Equal to pandas
        ``data.groupby(by).agg(features)`` with the index made columns.

    Raises
    ------
    ValueError
        A column of ``by`` or ``features`` is not in ``data`` (named in the
        message), or a statistic is unknown.
    TypeError
        A value column does not hold numbers.

    Notes
    -----
    The groups are found once (:func:`~fastnn.tabular.group_by`) and every
    column's statistics come from the same grouping; for a group :math:`g`
    with non-missing values :math:`x_i`,
    :math:`\\bar x_g = \\frac{1}{n_g}\\sum_{i \\in g} x_i`, and so on.

    Examples
    --------
    >>> import pandas as pd
    >>> from fastnn.tabular import aggregate
    >>> sales = pd.DataFrame({"store": ["b", "a", "b"], "price": [2.0, 3.0, 4.0],
    ...                       "qty": [1, 5, 2]})
    >>> aggregate(sales, by="store", features={"price": ["mean", "max"], "qty": ["sum"]})
      store  price_mean  price_max  qty_sum
    0     a         3.0        3.0      5.0
    1     b         3.0        4.0      3.0
    """
    frame = _frames.as_frame(data, "data")
    names = _by_columns(by)
    table = _feature_table(features)
    sort = _checks.check_bool(sort, "sort")
    dropna = _checks.check_bool(dropna, "dropna")
    keys = [_frames.key_column(frame, name, "data") for name in names]
    values = {column: _frames.numeric_column(frame, column, "data") for column in table}
    groups = group_by(keys[0] if len(keys) == 1 else keys, sort=sort, dropna=dropna)
    result = {}
    key_values = groups.keys if len(keys) > 1 else (groups.keys,)
    for name, key in zip(names, key_values, strict=True):
        result[name] = key
    for column, wanted in table.items():
        stats = groups.aggregate(values[column], wanted, ddof=ddof)
        for j, feature in enumerate(wanted):
            out = stats[:, j]
            result[f"{column}_{feature}"] = out.astype(np.int64) if feature in _COUNTS else out
    return _frames.build_frame(frame, result)
