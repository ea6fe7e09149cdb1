"""The NumPy twins of :mod:`fastnn.tabular`: the test oracle and the benchmark baseline.

Plain NumPy in the textbook idioms: keys factorized by
``np.unique(return_inverse=True)`` (which sorts), counts and sums by
``np.bincount``, extrema by ``np.minimum.at``/``np.maximum.at``, the variance
in two passes (the group means first), and everything in row order within a
group (first, last, median, nunique, lags, rolling windows) by a stable
``np.lexsort`` of the rows by group. The group methods are functions of
``codes`` (``-1``: no group) and ``n_groups`` here. They validate nothing
beyond what NumPy rejects.
"""

import itertools

import numpy as np

from fastnn.temporal import reference as temporal_reference

__all__ = [
    "Groups",
    "aggregate",
    "count_encode",
    "factorize",
    "formula",
    "group_aggregate",
    "group_by",
    "group_cumcount",
    "group_cumsum",
    "group_diff",
    "group_lag",
    "group_rolling",
    "group_transform",
]


def _missing(keys):
    if keys.dtype.kind == "f":
        return np.isnan(keys)
    if keys.dtype.kind in "mM":
        return np.isnat(keys)
    if keys.dtype.kind == "O":
        return np.array([k is None or (isinstance(k, float) and k != k) for k in keys], bool)
    return np.zeros(len(keys), bool)


def factorize(keys, *, sort=True, dropna=True):
    """``(codes, uniques)`` of one NumPy key array: twin of :func:`fastnn.tabular.group_by`.

    ``sort=False`` gives first-seen order; a missing key is code ``-1``
    (``dropna``) or a last group of its own (first-seen place without ``sort``).
    """
    keys = np.asarray(keys)
    missing = _missing(keys)
    present = keys[~missing]
    if keys.dtype.kind == "O":
        present = present.astype(str)
    uniques, inverse = np.unique(present, return_inverse=True)
    if not sort:
        first = np.full(len(uniques), len(present))
        np.minimum.at(first, inverse, np.arange(len(present)))
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        uniques, inverse = uniques[order], rank[inverse]
    codes = np.full(len(keys), -1, np.int64)
    codes[~missing] = inverse
    if not dropna and missing.any():
        at = len(uniques)
        if not sort:
            first_missing = int(np.argmax(missing))
            seen = codes[:first_missing]
            at = int(seen.max()) + 1 if first_missing else 0
        codes[codes >= at] += 1
        codes[missing] = at
        uniques = np.insert(uniques.astype(object), at, None)
    return codes, uniques


def _by_group(codes):
    """Rows with a group, sorted stably by group, and each group's start."""
    rows = np.flatnonzero(codes >= 0)
    rows = rows[np.lexsort((rows, codes[rows]))]
    return rows


def _column_stat(codes, n_groups, x, feature, ddof, min_count):
    valid = (codes >= 0) & ~np.isnan(x)
    g, v = codes[valid], x[valid]
    count = np.bincount(g, minlength=n_groups).astype(float)
    total = np.bincount(g, v, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    if feature == "size":
        return np.bincount(codes[codes >= 0], minlength=n_groups).astype(float)
    if feature == "count":
        return count
    if feature == "sum":
        return np.where(count < min_count, np.nan, total)
    if feature == "mean":
        return mean
    if feature in ("var", "std"):
        with np.errstate(invalid="ignore", divide="ignore"):
            m2 = np.bincount(g, (v - mean[g]) ** 2, minlength=n_groups)
            var = np.where(count > ddof, m2 / (count - ddof), np.nan)
        return np.sqrt(var) if feature == "std" else var
    if feature in ("min", "max", "range"):
        low = np.full(n_groups, np.inf)
        high = np.full(n_groups, -np.inf)
        np.minimum.at(low, g, v)
        np.maximum.at(high, g, v)
        result = {"min": low, "max": high, "range": high - low}[feature]
        return np.where(count > 0, result, np.nan)
    rows = _by_group(np.where(valid, codes, -1))
    groups = codes[rows]
    starts = np.searchsorted(groups, np.arange(n_groups + 1))
    out = np.full(n_groups, 0.0 if feature == "nunique" else np.nan)
    for k in range(n_groups):
        seg = x[rows[starts[k] : starts[k + 1]]]
        if feature == "nunique":
            out[k] = len(np.unique(seg))
        elif len(seg):
            out[k] = {"first": seg[0], "last": seg[-1], "median": np.median(seg)}[feature]
    return out


def group_aggregate(
    codes,
    n_groups,
    values,
    features=("count", "sum", "mean", "std", "min", "max"),
    *,
    ddof=1,
    min_count=0,
):
    """Twin of :meth:`fastnn.tabular.Groups.aggregate` for the groups ``codes``."""
    codes = np.asarray(codes, np.int64)
    values = np.asarray(values)
    features = (features,) if isinstance(features, str) else tuple(features)
    dtype = np.float32 if values.dtype == np.float32 else np.float64
    matrix = values.reshape(len(codes), -1).astype(np.float64)
    out = np.stack(
        [
            np.stack(
                [_column_stat(codes, n_groups, column, f, ddof, min_count) for f in features], -1
            )
            for column in matrix.T
        ],
        1,
    ).reshape(n_groups, matrix.shape[1], len(features))
    out = out.astype(dtype)
    return out[:, 0] if values.ndim == 1 else out


def group_transform(codes, n_groups, values, feature):
    """Twin of :meth:`fastnn.tabular.Groups.transform`."""
    codes = np.asarray(codes, np.int64)
    table = group_aggregate(codes, n_groups, values, (feature,))[..., 0]
    out = table[np.maximum(codes, 0)]
    out[codes < 0] = np.nan
    return out


def _shifted(codes, values, k, fill_value):
    codes = np.asarray(codes, np.int64)
    values = np.asarray(values, np.float64)
    rows = _by_group(codes)
    groups = codes[rows]
    out = np.full(values.shape, fill_value, np.float64)
    source = np.arange(len(rows)) - k
    ok = (source >= 0) & (groups[np.maximum(source, 0)] == groups)
    out[rows[ok]] = values[rows[source[ok]]]
    return out


def group_lag(codes, values, k=1, *, fill_value=np.nan):
    """Twin of :meth:`fastnn.tabular.Groups.lag` (in float64)."""
    return _shifted(codes, values, k, fill_value)


def group_diff(codes, values, k=1):
    """Twin of :meth:`fastnn.tabular.Groups.diff`."""
    return np.asarray(values, np.float64) - _shifted(codes, values, k, np.nan)


def group_cumsum(codes, values):
    """Twin of :meth:`fastnn.tabular.Groups.cumsum`: :func:`numpy.cumsum` per group (whose
    integer dtypes it keeps), NaN-skipping for floats, float64 with NaN where a row has
    no group."""
    codes = np.asarray(codes, np.int64)
    values = np.asarray(values)
    integer = values.dtype.kind in "biu"
    dtype = np.cumsum(values[:0]).dtype if integer else np.float64
    out = np.zeros(values.shape, dtype)
    rows = _by_group(codes)
    groups = codes[rows]
    starts = np.searchsorted(groups, np.arange(groups.max() + 2 if len(groups) else 1))
    for b, e in itertools.pairwise(starts):
        seg = values[rows[b:e]]
        if integer:
            out[rows[b:e]] = np.cumsum(seg, axis=0, dtype=dtype)
        else:
            seg = seg.astype(np.float64)
            out[rows[b:e]] = np.where(np.isnan(seg), np.nan, np.nancumsum(seg, axis=0))
    if (codes < 0).any():
        out = out.astype(np.float64)
        out[codes < 0] = np.nan
    return out.astype(np.float32) if values.dtype == np.float32 else out


def group_cumcount(codes):
    """Twin of :meth:`fastnn.tabular.Groups.cumcount` (int64, or float64 with NaN for rows
    of no group when there are such rows)."""
    codes = np.asarray(codes, np.int64)
    rows = _by_group(codes)
    groups = codes[rows]
    out = np.full(len(codes), np.nan)
    starts = np.searchsorted(groups, groups)  # each row's group start
    out[rows] = np.arange(len(rows)) - starts
    return out if (codes < 0).any() else out.astype(np.int64)


def group_rolling(
    codes, values, window, features=("mean",), *, min_periods=None, order=None, closed="right"
):
    """Twin of :meth:`fastnn.tabular.Groups.rolling`: fastnn.temporal's twins per group."""
    codes = np.asarray(codes, np.int64)
    values = np.asarray(values)
    features = (features,) if isinstance(features, str) else tuple(features)
    dtype = np.float32 if values.dtype == np.float32 else np.float64
    matrix = values.reshape(len(codes), -1).astype(dtype)
    key = np.arange(len(codes)) if order is None else np.asarray(order)
    rows = np.flatnonzero(codes >= 0)
    rows = rows[np.lexsort((rows, key[rows], codes[rows]))]
    groups = codes[rows]
    out = np.full((len(codes), matrix.shape[1], len(features)), np.nan, dtype)
    bounds = np.flatnonzero(np.diff(groups)) + 1
    for seg_rows in np.split(rows, bounds):
        if not len(seg_rows):
            continue
        seg = matrix[seg_rows].T  # (n_columns, length)
        stats = temporal_reference.window_features(
            seg, window, features, min_periods=min_periods
        )  # (n_columns, length, n_features)
        if closed == "left":
            stats = np.concatenate([np.full_like(stats[:, :1], np.nan), stats[:, :-1]], axis=1)
        out[seg_rows] = stats.transpose(1, 0, 2)
    return out[:, 0] if values.ndim == 1 else out


# --- The grouping (the twin of fastnn.tabular.group_by and Groups) -----------------


def _first_seen(codes, n_groups):
    """Renumber ``codes`` (``-1`` kept) by each group's first row: ``(codes, order)``."""
    present = codes >= 0
    first = np.full(n_groups, len(codes))
    np.minimum.at(first, codes[present], np.flatnonzero(present))
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(n_groups)
    return np.where(present, rank[np.maximum(codes, 0)], -1), order


def _combine(columns, sort, dropna):
    """``(codes, keys)`` of several key columns: each factorized alone, the rows' tuples of
    codes then numbered in lexicographic order by a ``lexsort`` (never a product of the
    cardinalities), or by first appearance."""
    factorized = [factorize(k, sort=True, dropna=dropna) for k in columns]
    stacked = np.stack([codes for codes, _ in factorized])  # (n_keys, n_rows)
    rows = np.flatnonzero((stacked >= 0).all(axis=0))
    tuples = stacked[:, rows]
    order = np.lexsort(tuples[::-1])
    sorted_tuples = tuples[:, order]
    new = np.ones(len(rows), bool)
    new[1:] = (sorted_tuples[:, 1:] != sorted_tuples[:, :-1]).any(axis=0)
    codes = np.full(stacked.shape[1], -1, np.int64)
    codes[rows[order]] = np.cumsum(new) - 1
    levels = sorted_tuples[:, new]  # (n_keys, n_groups)
    if not sort:
        codes, first = _first_seen(codes, levels.shape[1])
        levels = levels[:, first]
    keys = tuple(uniques[level] for (_, uniques), level in zip(factorized, levels, strict=True))
    return codes, keys


def group_by(keys, *, sort=True, dropna=True):
    """Twin of :func:`fastnn.tabular.group_by` for NumPy key arrays: one, or a list of them.

    One key is factorized by :func:`factorize` (``np.unique(return_inverse=True)``),
    several by :func:`_combine` (a ``lexsort`` of the rows' tuples of codes).
    """
    if isinstance(keys, list | tuple) and not all(np.ndim(k) == 0 for k in keys):
        columns = [np.asarray(k) for k in keys]
        codes, uniques = _combine(columns, sort, dropna) if len(columns) > 1 else (
            factorize(columns[0], sort=sort, dropna=dropna)
        )  # fmt: skip
    else:
        codes, uniques = factorize(np.asarray(keys), sort=sort, dropna=dropna)
    return Groups(codes, len(uniques[0]) if isinstance(uniques, tuple) else len(uniques), uniques)


class Groups:
    """Twin of :class:`fastnn.tabular.Groups`: the same attributes and methods, each a
    function of ``codes`` and ``n_groups`` from this module."""

    def __init__(self, codes, n_groups, keys):
        self.codes = np.asarray(codes, np.int64)
        self.n_groups = int(n_groups)
        self.keys = keys

    @classmethod
    def from_codes(cls, codes, n_groups):
        """Twin of :meth:`fastnn.tabular.Groups.from_codes`."""
        return cls(np.array(codes, np.int64), n_groups, None)

    @property
    def sizes(self):
        return np.bincount(self.codes[self.codes >= 0], minlength=self.n_groups)

    def __len__(self):
        return self.n_groups

    def aggregate(self, values, features=("count", "sum", "mean", "std", "min", "max"), *,
                  ddof=1, min_count=0):  # fmt: skip
        return group_aggregate(self.codes, self.n_groups, values, features, ddof=ddof,
                               min_count=min_count)  # fmt: skip

    def transform(self, values, feature):
        return group_transform(self.codes, self.n_groups, values, feature)

    def diff(self, values, k=1):
        return group_diff(self.codes, values, k)

    def lag(self, values, k=1, *, fill_value=np.nan):
        return group_lag(self.codes, values, k, fill_value=fill_value)

    def cumsum(self, values):
        return group_cumsum(self.codes, values)

    def cumcount(self):
        return group_cumcount(self.codes)

    def rolling(self, values, window, features=("mean",), *, min_periods=None, order=None,
                closed="right"):  # fmt: skip
        return group_rolling(self.codes, values, window, features, min_periods=min_periods,
                             order=order, closed=closed)  # fmt: skip


def aggregate(data, by, features, *, sort=True, dropna=True, ddof=1):
    """Twin of :func:`fastnn.tabular.aggregate` on a mapping of NumPy columns (a dict, or a
    pandas DataFrame's columns as NumPy): a dict of the key columns, then
    ``<column>_<feature>`` (``size``, ``count``, ``nunique`` as int64)."""
    names = [by] if isinstance(by, str) else list(by)
    columns = {name: np.asarray(data[name]) for name in names}
    groups = group_by([columns[n] for n in names], sort=sort, dropna=dropna)
    keys = groups.keys if isinstance(groups.keys, tuple) else (groups.keys,)
    result = dict(zip(names, keys, strict=True))
    for column, wanted in features.items():
        wanted = (wanted,) if isinstance(wanted, str) else tuple(wanted)
        stats = groups.aggregate(np.asarray(data[column], np.float64), wanted, ddof=ddof)
        for j, feature in enumerate(wanted):
            out = stats[:, j]
            counts = feature in ("size", "count", "nunique")
            result[f"{column}_{feature}"] = out.astype(np.int64) if counts else out
    return result


def count_encode(keys, *, normalize=False):
    """Twin of :func:`fastnn.tabular.count_encode` for one NumPy key array."""
    codes, _ = factorize(keys, sort=False, dropna=False)
    counts = np.bincount(codes)[codes]
    return counts / len(counts) if normalize else counts


# --- Row formulas (the twin of fastnn.tabular.formula) ---------------------------

_FORMULA_FUNCTIONS = {
    "abs": np.abs, "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "log1p": np.log1p,
    "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "isnan": np.isnan,
    "minimum": np.minimum, "maximum": np.maximum, "clip": np.clip, "where": np.where,
}  # fmt: skip


def formula(expression):
    """Twin of :func:`fastnn.tabular.formula`: the expression's AST evaluated with NumPy.

    Operators are Python's on NumPy arrays (so NumPy's promotion decides every
    dtype) and the functions NumPy's; numbers alone are Python's numbers.
    Call the result with a mapping of 1-D arrays or with keywords.
    """
    import ast
    import operator

    operators = {
        ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
        ast.Pow: operator.pow, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
        ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
        ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.USub: operator.neg,
        ast.UAdd: operator.pos, ast.Invert: operator.invert,
    }  # fmt: skip
    tree = ast.parse(expression.strip(), mode="eval").body

    def evaluate(node, columns):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return np.asarray(columns[node.id])
        if isinstance(node, ast.BinOp):
            left, right = evaluate(node.left, columns), evaluate(node.right, columns)
            return operators[type(node.op)](left, right)
        if isinstance(node, ast.Compare):
            left, right = evaluate(node.left, columns), evaluate(node.comparators[0], columns)
            return operators[type(node.ops[0])](left, right)
        if isinstance(node, ast.UnaryOp):
            return operators[type(node.op)](evaluate(node.operand, columns))
        if isinstance(node, ast.Call):
            args = [evaluate(arg, columns) for arg in node.args]
            return _FORMULA_FUNCTIONS[node.func.id](*args)
        raise ValueError(f"{ast.unparse(node)!r} is not part of a formula")

    def twin(data=None, /, **columns):
        return evaluate(tree, dict(data or {}, **columns))

    return twin
