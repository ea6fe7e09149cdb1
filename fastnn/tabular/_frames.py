"""DataFrames in and out, through narwhals: pandas and polars without depending on either.

fastnn computes on NumPy arrays; a DataFrame is an envelope of named columns.
This module opens it (:func:`as_frame`, :func:`numeric_column`,
:func:`key_column`) and makes one of the same library for a result
(:func:`build_frame`). narwhals is a run-time dependency; pandas and polars
are only imported by narwhals when the caller's frame is one of theirs.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_frame",
    "build_frame",
    "is_frame",
    "key_column",
    "key_values",
    "numeric_column",
    "numeric_columns",
]


def is_frame(data):
    """Whether ``data`` is an eager DataFrame narwhals knows (pandas, polars, pyarrow...)."""
    import narwhals.stable.v1 as nw

    return isinstance(nw.from_native(data, eager_only=True, pass_through=True), nw.DataFrame)


def as_frame(data, name):
    """Return ``data`` as an eager narwhals DataFrame, or raise ``TypeError``."""
    import narwhals.stable.v1 as nw

    try:
        return nw.from_native(data, eager_only=True)
    except TypeError:
        raise TypeError(
            f"{name} must be a pandas or polars DataFrame (or a mapping of arrays), "
            f"got {type(data).__name__}"
        ) from None


def _series(frame, column, name):
    if column not in frame.columns:
        raise ValueError(
            f"column {column!r} is not in {name}; its columns are {list(frame.columns)}"
        )
    return frame.get_column(column)


def numeric_column(frame, column, name):
    """Return ``frame[column]`` as a NumPy array: its numeric dtype, or float64 with NaN for nulls.

    Raises ``ValueError`` naming a missing column and ``TypeError`` for one
    that does not hold numbers or booleans.
    """
    import narwhals.stable.v1 as nw

    series = _series(frame, column, name)
    dtype = series.dtype
    if not (dtype.is_numeric() or dtype == nw.Boolean):
        raise TypeError(f"column {column!r} of {name} must hold numbers, got {dtype} values")
    if series.null_count():
        # Nullable integers and floats with nulls: NaN is fastnn's missing value.
        return series.cast(nw.Float64).fill_null(float("nan")).to_numpy().astype(np.float64)
    values = series.to_numpy()
    if values.dtype == object:  # a nullable dtype without nulls: its NumPy type
        values = values.astype(np.bool_ if dtype == nw.Boolean else np.float64)
    return values


def numeric_columns(data, columns, name):
    """Return ``{column: numeric_column(...)}`` for the named columns of a DataFrame."""
    frame = as_frame(data, name)
    return {column: numeric_column(frame, column, name) for column in columns}


def key_column(frame, column, name):
    """Return ``frame[column]`` as the native Series (pandas or polars), for :func:`group_by`."""
    import narwhals.stable.v1 as nw

    return nw.to_native(_series(frame, column, name))


def key_values(frame, column, name):
    """Return ``frame[column]`` as a NumPy array (text and categories as objects, nulls None)."""
    values = _series(frame, column, name).to_numpy()
    return values.astype(object) if values.dtype.kind in "US" else values


def build_frame(like, columns):
    """Return a DataFrame of the library of ``like`` (a narwhals frame) from ``{name: array}``."""
    import narwhals.stable.v1 as nw

    data = {name: _plain(values) for name, values in columns.items()}
    return nw.to_native(nw.from_dict(data, backend=like.implementation))


def _plain(values):
    # NumPy strings become object arrays: both pandas and polars take them as text.
    values = np.asarray(values)
    return values.astype(object) if values.dtype.kind in "US" else values
