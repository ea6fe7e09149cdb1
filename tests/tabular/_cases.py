"""Shared inputs and the pandas oracle of the tabular tests."""

import numpy as np
import pandas as pd

ALL_FEATURES = (
    "size", "count", "sum", "mean", "var", "std", "min", "max", "range", "first", "last",
    "median", "nunique",
)  # fmt: skip


def make_keys(kind, n, rng):
    """One key column of ``kind`` (a NumPy array or a pandas Series) with ~5 distinct keys."""
    base = rng.integers(0, 5, n)
    if kind == "int":
        return base * 7 + 3
    if kind == "negative":
        return base * -(2**40) + 11
    if kind == "float_nan":
        keys = (base - 2) * 0.5
        keys[rng.random(n) < 0.2] = np.nan
        return keys
    if kind == "bool":
        return base % 2 == 0
    if kind == "str":
        return np.array(["pear", "apple", "fig", "", "kiwi"])[base]
    if kind == "object_none":
        keys = np.array(["pear", "apple", "fig", "b", "kiwi"], dtype=object)[base]
        keys[rng.random(n) < 0.2] = None
        return keys
    if kind == "category":
        cats = pd.Categorical(np.array(["z", "y", "x", "w", "v"])[base], categories=list("zyxwvu"))
        series = pd.Series(cats)
        series[rng.random(n) < 0.1] = np.nan
        return series
    if kind == "datetime":
        keys = np.datetime64("2024-01-01") + base.astype("timedelta64[D]")
        keys[rng.random(n) < 0.1] = np.datetime64("NaT")
        return keys
    raise ValueError(kind)


KEY_KINDS = ("int", "negative", "float_nan", "bool", "str", "object_none", "category", "datetime")


def make_values(dtype, n, rng, nan_pattern="some"):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(n) < 0.5
    if dtype.kind in "iu":
        return rng.integers(-50 if dtype.kind == "i" else 0, 50, n).astype(dtype)
    values = rng.standard_normal(n).astype(dtype)
    if nan_pattern == "some":
        values[rng.random(n) < 0.25] = np.nan
    elif nan_pattern == "all":
        values[:] = np.nan
    elif nan_pattern == "inf":
        values[rng.random(n) < 0.1] = np.inf
        values[rng.random(n) < 0.1] = np.nan
    return values


def _series(keys):
    return keys if isinstance(keys, pd.Series) else pd.Series(keys)


def pandas_groupby(keys, values, sort=True, dropna=True):
    by = [_series(k) for k in keys] if isinstance(keys, list) else _series(keys)
    return pd.Series(values).groupby(by, sort=sort, dropna=dropna, observed=True)


def pandas_aggregate(keys, values, features, sort=True, dropna=True, ddof=1):
    """The (n_groups, n_features) float64 table pandas gives."""
    gb = pandas_groupby(keys, np.asarray(values), sort, dropna)
    columns = []
    for feature in features:
        if feature == "range":
            column = gb.max() - gb.min()
        elif feature in ("var", "std"):
            column = getattr(gb, feature)(ddof=ddof)
        else:
            column = getattr(gb, feature)()
        columns.append(np.asarray(column, dtype=np.float64))
    return np.column_stack(columns) if columns else np.empty((0, 0))
