"""Group-by: factorize keys once, then aggregates, transforms, sequences and rolling windows.

:func:`group_by` returns a :class:`Groups`, which every feature of one grouping
reuses: the costly part, finding each row's group, is done once. Group ``g``
is the ``g``-th distinct key, in sorted order (``sort=True``, pandas's default)
or in order of first appearance; ``codes[i]`` is row ``i``'s group, ``-1`` for a
missing key (NaN, NaT, None) when ``dropna=True``. Only keys that occur make
groups (pandas's ``observed=True``), so codes are always ``0 .. n_groups - 1``.

The NaN rules are pandas's: values that are NaN are skipped by every
statistic; rows whose key is missing (``dropna=True``) belong to no group,
take no part in any aggregate, and get NaN from transforms.

Lazy factorizing: ``group_by(keys)`` only encodes the keys. For a single
integer, float, bool or datetime key, ``aggregate`` without median or
nunique runs a *hash aggregation*: each chunk of rows finds every key's slot
in a hash table of its own and updates that slot's statistics in the same
pass, the chunks' tables are merged in chunk order and renumbered into the
groups' order, and no array of codes is ever written. ``codes`` is computed
the first time something needs it (it costs a second pass over the keys),
and agrees with the groups the hash aggregation found.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from fastnn import _checks, _jit
from fastnn._blocks import ROLLING_WORK, blocks_per_task
from fastnn.tabular import _kernels, _keys
from fastnn.tabular._plan import (
    FEATURES,
    ORDER_FEATURES,
    as_values,
    check_aggregates,
    chunk_bounds,
    run_chunks,
)
from fastnn.temporal.rolling import FEATURES as ROLLING_FEATURES

__all__ = ["Groups", "count_encode", "group_by"]

_NO_MASK = np.empty(0, np.bool_)
_NO_GROUPS = np.empty(0, np.int64)


def group_by(keys, *, sort=True, dropna=True):
    """Return the :class:`Groups` of rows that share a key.

    Parameters
    ----------
    keys : array_like or sequence of array_like
        One 1-D key column, or a list/tuple of them for several keys (a row's
        group is its combination of keys). Integers, floats, bools,
        datetimes, strings (NumPy ``str`` or object arrays, pandas ``string``
        and ``category`` Series, polars and pyarrow strings).
    sort : bool
        Groups in sorted key order (missing last), as pandas; else in order
        of first appearance. Either way the order never depends on the
        number of threads.
    dropna : bool
        A missing key (NaN, NaT, None, a null) puts its row in no group
        (code ``-1``); with ``False`` missing keys form a group of their own,
        placed as pandas places it (last when sorted).

    Returns
    -------
    Groups

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.tabular import group_by
    >>> groups = group_by(np.array(["b", "a", "b", "c"]))
    >>> groups.keys, groups.codes, groups.sizes
    (array(['a', 'b', 'c'], dtype='<U1'), array([1, 0, 1, 2]), array([1, 2, 1]))
    >>> groups.aggregate([1.0, 2.0, 3.0, np.nan], ("sum", "mean"))
    array([[ 2.,  2.],
           [ 4.,  2.],
           [ 0., nan]])
    """
    sort = _checks.check_bool(sort, "sort")
    dropna = _checks.check_bool(dropna, "dropna")
    if isinstance(keys, list | tuple):
        if not keys:
            raise ValueError("keys must hold at least one key column, got an empty sequence")
        if all(np.ndim(k) == 0 for k in keys):  # a list of scalars is one key column
            columns = [_keys.encode(np.asarray(keys))]
        else:
            columns = [_keys.encode(k, f"keys[{j}]") for j, k in enumerate(keys)]
    else:
        columns = [_keys.encode(keys)]
    lengths = {len(c.ids) for c in columns}
    if len(lengths) > 1:
        raise ValueError(f"keys must all have the same length, got lengths {sorted(lengths)}")
    return Groups(columns, sort, dropna)


class Groups:
    """Rows grouped by key: made by :func:`group_by` or :meth:`Groups.from_codes`.

    Attributes
    ----------
    n_groups : int
        The number of groups.
    codes : ndarray of int64, shape (n_rows,)
        Each row's group, ``-1`` for a row of no group.
    keys : ndarray, or tuple of ndarray for several keys
        The distinct keys, group by group. For several keys, one array per key
        column, each of length ``n_groups`` (the levels of pandas's
        MultiIndex, row by row): group ``g`` is ``tuple(k[g] for k in keys)``.
        ``None`` for :meth:`from_codes`.
    sizes : ndarray of int64, shape (n_groups,)
        Rows per group (pandas's ``size``).
    """

    def __init__(self, columns, sort, dropna, factorized=None):
        self._columns = columns
        self._sort = sort
        self._dropna = dropna
        self._factorized = factorized
        self._summary = None  # (n_groups, keys, sizes) from a hash aggregation
        self._n_rows = len(columns[0].ids) if columns else len(factorized.codes)

    @classmethod
    def from_codes(cls, codes, n_groups):
        """Return the :class:`Groups` of integer codes already in ``0 .. n_groups - 1``.

        Skips the factorizing. ``codes[i] = -1`` puts row ``i`` in no group.

        Examples
        --------
        >>> from fastnn.tabular import Groups
        >>> Groups.from_codes([0, 1, 1, -1], 2).aggregate([1.0, 2.0, 4.0, 8.0], "sum")
        array([[1.],
               [6.]])
        """
        n_groups = _checks.check_int(n_groups, "n_groups", low=0)
        array = _checks.check_array(codes, "codes", ndim=1, allow_empty=True)
        if array.dtype.kind not in "iu":
            raise TypeError(f"codes must be integers, got dtype {array.dtype}")
        if array.size and (array.min() < -1 or array.max() >= n_groups):
            raise ValueError(
                f"codes must be in -1 .. {n_groups - 1} (n_groups={n_groups}), got values from "
                f"{array.min()} to {array.max()}"
            )
        codes = np.ascontiguousarray(array, np.int64)
        if codes is array:
            codes = codes.copy()
        return cls([], True, True, _keys.Factorized(codes, n_groups, None))

    # --- the grouping -----------------------------------------------------------

    def _factorize(self):
        if self._factorized is None:
            if len(self._columns) == 1:
                self._factorized = _keys.factorize(self._columns[0], self._sort, self._dropna)
            else:
                self._factorized = _keys.factorize_many(self._columns, self._sort, self._dropna)
        return self._factorized

    @property
    def codes(self):
        return self._factorize().codes

    @property
    def n_groups(self):
        if self._factorized is None and self._summary is not None:
            return self._summary[0]
        return self._factorize().n_groups

    @property
    def keys(self):
        if self._factorized is None and self._summary is not None:
            return self._summary[1]
        return self._factorize().keys

    @property
    def sizes(self):
        if self._factorized is None and self._summary is not None:
            return self._summary[2].copy()
        f = self._factorize()
        return np.bincount(f.codes[f.codes >= 0], minlength=f.n_groups).astype(np.int64)

    def __len__(self):
        return self.n_groups

    def __repr__(self):
        return f"<fastnn Groups: {self.n_groups} groups of {self._n_rows} rows>"

    def _fusable(self):
        if self._factorized is not None or len(self._columns) != 1:
            return False
        column = self._columns[0]
        return column.hashable_bits and (self._dropna or column.missing is None)

    # --- aggregates ---------------------------------------------------------------

    def aggregate(self, values, features=("count", "sum", "mean", "std", "min", "max"), *, ddof=1,
                  min_count=0):  # fmt: skip
        """Return the statistics ``features`` of each group's values.

        Parameters
        ----------
        values : array_like, shape (n_rows,) or (n_rows, n_columns)
            Real numbers (bools and integers are read as float64). NaN is a
            missing value, skipped by every statistic; ±inf is a value.
        features : str or sequence of str
            From ``size`` (rows, NaN included), ``count`` (non-NaN values),
            ``sum``, ``mean``, ``var``, ``std``, ``min``, ``max``, ``range``
            (max − min), ``first`` and ``last`` (the first and last non-NaN
            value, column by column, as pandas), ``median`` and ``nunique``
            (distinct non-NaN values).
        ddof : int
            Delta degrees of freedom of ``var`` and ``std`` (pandas's 1).
        min_count : int
            ``sum`` is NaN for a group with fewer non-NaN values (pandas's
            ``min_count``; the default 0 makes an all-NaN group's sum 0).

        Returns
        -------
        ndarray, shape (n_groups, n_features) or (n_groups, n_columns, n_features)
            float32 for float32 values, float64 otherwise (counts included, so
            that one array holds every feature). A group without non-NaN values
            gets NaN, but 0 for ``sum``, ``count`` and ``nunique``.

        Notes
        -----
        With :math:`n` non-NaN values :math:`x_i` in a group and :math:`K` its
        first finite value, every statistic but median and nunique comes from
        one pass of shifted sums, :math:`d_i = x_i - K`:

        .. math:: \\bar x = K + \\frac{1}{n}\\sum_i d_i, \\qquad
                  s^2 = \\frac{\\sum_i d_i^2 - (\\sum_i d_i)^2 / n}{n - \\text{ddof}}

        which keeps a two-pass computation's accuracy (values at an offset of
        1e9 keep their unit variance) and is never negative. Chunks of rows
        are reduced apart and merged in a fixed order, so results do not
        depend on the number of threads. Integers are summed in float64:
        exact while partial sums stay below 2^53.

        Examples
        --------
        >>> from fastnn.tabular import group_by
        >>> group_by([1, 2, 1, 1]).aggregate([1e9 + 1, 5.0, 1e9 + 2, 1e9 + 3], ("mean", "std"))
        array([[1.e+09, 1.e+00],
               [5.e+00,    nan]])
        """
        features = check_aggregates(features)
        ddof = _checks.check_int(ddof, "ddof", low=0)
        min_count = _checks.check_int(min_count, "min_count", low=0)
        matrix, one_d = as_values(values, self._n_rows)
        wants_order = any(f in ORDER_FEATURES for f in features)
        ends = "first" in features or "last" in features  # else FIRST and LAST not tracked
        if self._fusable() and not wants_order:
            sizes, state = self._hash_aggregate(matrix, ends)
        else:
            f = self._factorize()
            sizes, state = _accumulate(f.codes, f.n_groups, matrix, "size" in features, ends)
        out = np.empty((state.shape[0], matrix.shape[1], len(features)), matrix.dtype)
        feature_codes = np.array([FEATURES.index(f) for f in features], np.int64)
        _kernels.finish(sizes, state, feature_codes, ddof, min_count, out)
        if wants_order:
            f = self._factorize()
            j = {name: features.index(name) if name in features else 0 for name in ORDER_FEATURES}
            for c in range(matrix.shape[1]):
                # each group's values in ascending order, NaN last: NumPy's sort, then a
                # stable counting sort by group (O(n)), so the kernel compiles no sort
                by_value = np.argsort(matrix[:, c])
                order, starts = _kernels.counting_sort(f.codes, f.n_groups, by_value)
                _kernels.order_statistics(
                    order, starts, matrix, c, "median" in features, "nunique" in features,
                    j["median"], j["nunique"], out,
                )  # fmt: skip
        return out[:, 0, :] if one_d else out

    def _hash_aggregate(self, matrix, ends):
        """The fused hash aggregation: ``(sizes, state)`` in the groups' order (``first``
        and ``last`` tracked where ``ends``)."""
        column = self._columns[0]
        mask = column.missing if column.missing is not None else _NO_MASK
        ids = column.ids

        def chunk(lo, hi):
            return _kernels.hash_aggregate(ids, mask, matrix, lo, hi, ends)

        parts = run_chunks(chunk, chunk_bounds(self._n_rows))
        uniques, sizes, state = parts[0]
        if len(parts) > 1:  # one table of every chunk's keys, merged in chunk order
            all_uniques = np.concatenate([p[0] for p in parts])
            groups, uniques = _kernels.factorize_int64(all_uniques, _NO_MASK)
            sizes = np.zeros(len(uniques), np.int64)
            state = _kernels.new_state(len(uniques), matrix.shape[1])
            at = 0
            for part in parts:
                _kernels.merge_into(sizes, state, groups[at : at + len(part[0])], *part[1:])
                at += len(part[0])
        if self._sort and len(uniques) > 1:
            order = np.argsort(column.sort_keys(uniques))  # distinct keys: one order
            uniques, sizes, state = uniques[order], sizes[order], state[order]
        self._summary = (len(uniques), column.values(uniques), sizes)
        return sizes, state

    def transform(self, values, feature):
        """Return each row's group aggregate ``feature`` (pandas's ``groupby().transform``).

        ``values - groups.transform(values, "mean")`` is the difference from the
        group mean. Parameters as :meth:`aggregate` (one feature); the result has
        the shape of ``values``, NaN for rows of no group.

        Examples
        --------
        >>> from fastnn.tabular import group_by
        >>> group_by(["a", "b", "a"]).transform([1.0, 5.0, 3.0], "mean")
        array([2., 5., 2.])
        """
        feature = check_aggregates(feature, name="feature")
        if len(feature) != 1:
            raise ValueError(f"feature must name one feature, got {len(feature)}")
        matrix, one_d = as_values(values, self._n_rows)
        table = self.aggregate(matrix, feature)[:, :, 0]  # (n_groups, n_columns)
        codes = self.codes
        out = np.full(matrix.shape, np.nan, matrix.dtype)
        rows = codes >= 0
        out[rows] = table[codes[rows]]
        return out[:, 0] if one_d else out

    # --- sequences in row order -------------------------------------------------

    def _sorted_rows(self):
        f = self._factorize()
        return _kernels.counting_sort(f.codes, f.n_groups, np.arange(self._n_rows))

    def _shift(self, values, k, fill_value, difference):
        k = _checks.check_int(k, "k", low=0)
        boolean = np.asarray(values).dtype.kind == "b" if hasattr(values, "dtype") else False
        array = _checks.check_array(values, "values", allow_empty=True)  # bool: a uint8 view
        matrix, one_d = as_values(array, self._n_rows)
        source = matrix
        out_dtype = matrix.dtype
        if (
            not difference
            and array.dtype.kind in "biu"
            and float(fill_value).is_integer()
            and np.can_cast(np.min_scalar_type(int(fill_value)), array.dtype)
        ):
            # pandas's shift keeps an integer dtype when fill_value fits it
            source = np.ascontiguousarray(array.reshape(matrix.shape))
            out_dtype = source.dtype
        if k == 0:  # every row its own predecessor, rows of no group too (pandas)
            return (
                (matrix - matrix if difference else source.astype(out_dtype))[:, 0]
                if one_d
                else (matrix - matrix if difference else source.astype(out_dtype))
            )
        order, starts = self._sorted_rows()
        k = min(k, self._n_rows + 1)
        out = np.full(matrix.shape, np.nan if difference else fill_value, out_dtype)
        _kernels.group_lag(order, starts, source, k, fill_value, difference, out)
        if boolean and out_dtype.kind == "u":
            out = out.view(np.bool_)
        return out[:, 0] if one_d else out

    def diff(self, values, k=1):
        """Return each value minus the value ``k`` rows earlier in its group (pandas's
        ``groupby().diff(k)``), in row order.

        NaN for a group's first ``k`` rows and rows of no group. float32 stays
        float32, everything else becomes float64.

        Examples
        --------
        >>> from fastnn.tabular import group_by
        >>> group_by([1, 2, 1, 1]).diff([1.0, 10.0, 4.0, 9.0])
        array([nan, nan,  3.,  5.])
        """
        return self._shift(values, k, np.nan, True)

    def lag(self, values, k=1, *, fill_value=np.nan):
        """Return the value ``k`` rows earlier in each row's group (pandas's
        ``groupby().shift(k, fill_value=...)``; named as :func:`fastnn.temporal.lag`).

        ``fill_value`` where there is none, and for rows of no group (as
        pandas). Integer and bool values keep their dtype when ``fill_value`` is
        an integer that fits it; otherwise float32 stays float32 and the rest
        becomes float64.

        Examples
        --------
        >>> from fastnn.tabular import group_by
        >>> group_by([1, 2, 1, 1]).lag([1, 2, 3, 4], fill_value=0)
        array([0, 0, 1, 3])
        """
        fill_value = _checks.check_real(fill_value, "fill_value")
        return self._shift(values, k, fill_value, False)

    def cumsum(self, values):
        """Return the running sum of each group's values in row order (pandas's
        ``groupby().cumsum()``): NaN values give NaN and are skipped by the sum.

        dtypes as :func:`numpy.cumsum` and pandas: bool and signed integers give
        int64, unsigned integers uint64 (summed exactly, wrapping around on
        overflow as NumPy's and pandas's do), float32 stays float32 (summed in
        float64), float64 stays float64. Rows of no group get NaN, so integers
        give float64 where there are such rows (as pandas).

        Examples
        --------
        >>> import numpy as np
        >>> from fastnn.tabular import group_by
        >>> group_by([1, 2, 1, 1]).cumsum([1.0, 5.0, np.nan, 2.0])
        array([ 1.,  5., nan,  3.])
        >>> group_by([1, 2, 1, 1]).cumsum([True, True, False, True])
        array([1, 1, 1, 2])
        """
        boolean = np.asarray(values).dtype.kind == "b"
        array = _checks.check_array(values, "values", allow_empty=True)  # bool: a uint8 view
        matrix, one_d = as_values(array, self._n_rows)
        f = self._factorize()
        running_dtype = out_dtype = np.float64
        if array.dtype.kind in "iu":  # summed exactly in the integers
            unsigned = array.dtype.kind == "u" and not boolean
            running_dtype = np.uint64 if unsigned else np.int64
            # one kernel for every integer width: a first call compiles one variant
            matrix = np.ascontiguousarray(array.reshape(matrix.shape), running_dtype)
            out_dtype = np.float64 if (f.codes < 0).any() else running_dtype  # NaN: no group
        else:
            out_dtype = matrix.dtype
        running = np.zeros((f.n_groups, matrix.shape[1]), running_dtype)
        out = np.empty(matrix.shape, out_dtype)
        _kernels.group_cumsum(f.codes, matrix, running, out)
        return out[:, 0] if one_d else out

    def cumcount(self):
        """Return each row's position in its group, from 0, in row order (pandas's
        ``groupby().cumcount()``).

        int64, or float64 with NaN for rows of no group when there are such rows.

        Examples
        --------
        >>> from fastnn.tabular import group_by
        >>> group_by(["a", "b", "a", "a"]).cumcount()
        array([0, 0, 1, 2])
        """
        f = self._factorize()
        out = np.empty(self._n_rows)
        _kernels.group_cumcount(f.codes, f.n_groups, out)
        return out if (f.codes < 0).any() else out.astype(np.int64)

    # --- rolling windows ------------------------------------------------------------

    def rolling(self, values, window, features=("mean",), *, min_periods=None, order=None,
                closed="right"):  # fmt: skip
        """Return each group's own trailing-window statistics, aligned with the input rows.

        The window at a row holds the ``window`` rows of its group up to it, in
        row order or in the order of ``order`` (the input need not be sorted),
        with the statistics and NaN rules of :mod:`fastnn.temporal`'s rolling
        functions: NaN and ±inf skipped, NaN where fewer than ``min_periods``
        valid values are in the window. As pandas's ``groupby().rolling()``
        and polars's ``rolling_*().over()``, but never a MultiIndex.

        Parameters
        ----------
        values : array_like, shape (n_rows,) or (n_rows, n_columns)
            Real numbers.
        window : int
            Rows per window, ``>= 1``.
        features : str or sequence of str
            From ``mean``, ``sum``, ``std``, ``var`` (ddof 1), ``min``, ``max``,
            ``range``, ``slope`` (least-squares slope on the row position).
        min_periods : int, optional
            Valid values a window needs, from 1 to ``window``; default ``window``.
        order : array_like, optional
            A sort key per row (times, integers, floats): each group's rows are
            taken in this order, ties in row order.
        closed : {"right", "left"}
            ``"left"`` leaves the current row out: the window holds the
            ``window`` rows before it (features without leakage of a target).

        Returns
        -------
        ndarray, shape (n_rows, n_features) or (n_rows, n_columns, n_features)
            float32 for float32 values, float64 otherwise; NaN for rows of no
            group.

        Notes
        -----
        Each group's rows are dealt into a contiguous segment of their own by
        a stable counting sort on the group codes (O(n), after a sort by
        ``order`` when one is given), each segment goes through
        fastnn.temporal's O(n) block kernel, and the statistics are collected
        back in row order: the window at row :math:`t` of a group whose rows
        are :math:`x_1, x_2, \\dots` holds :math:`x_{t-w+1} \\dots x_t` (``closed="right"``)
        or :math:`x_{t-w} \\dots x_{t-1}` (``closed="left"``). The groups are
        spread over the threads; any number of them gives the same bits.

        Examples
        --------
        >>> from fastnn.tabular import group_by
        >>> group_by([1, 2, 1, 2, 1]).rolling([1.0, 10.0, 3.0, 20.0, 5.0], 2, "mean")
        array([[nan],
               [nan],
               [ 2.],
               [15.],
               [ 4.]])
        """
        features = check_aggregates(features, ROLLING_FEATURES)
        window = _checks.check_int(window, "window", low=1)
        if min_periods is None:
            min_periods = window
        else:
            min_periods = _checks.check_int(min_periods, "min_periods", low=1, high=window)
        closed = _checks.check_choice(closed, "closed", ("right", "left"))
        matrix, one_d = as_values(values, self._n_rows)
        f = self._factorize()
        codes, n_groups = f.codes, f.n_groups
        perm = None if order is None else _order_permutation(order, self._n_rows)
        names = tuple(dict.fromkeys(features))
        # the dealing and collecting passes cost about a mean's work per row each
        work = matrix.size * sum(ROLLING_WORK[name] for name in ("mean", "mean", *names))
        n_chunks = _jit.get_num_threads() if work >= _jit.PARALLEL_MIN_WORK else 1
        rows = np.linspace(0, self._n_rows, n_chunks + 1).astype(np.int64)
        counts = np.zeros((n_chunks, n_groups), np.int64)
        with _Threads(n_chunks) as threads:
            threads.run(lambda c: _kernels.count_rows(codes, perm, rows[c], rows[c + 1], counts[c]))
            starts = np.concatenate([[0], np.cumsum(counts.sum(axis=0))])
            place = starts[:-1] + np.cumsum(counts, axis=0) - counts  # each chunk's first places
            n = int(starts[-1])  # rows of some group
            # each thread's groups hold about as many rows
            spans = np.searchsorted(starts, np.linspace(0, n, n_chunks + 1)).astype(np.int64)
            spans[0], spans[-1] = 0, n_groups
            stats = np.empty((len(names), 1, n), matrix.dtype)
            outputs = dict(zip(names, stats, strict=True))
            xs = np.empty((1, n), matrix.dtype)
            bits = xs.view(np.uint64) if matrix.dtype == np.float64 else np.empty((1, 0), np.uint64)
            series_outputs = [outputs.get(name) for name in ROLLING_FEATURES]  # None: not asked
            out = np.empty((self._n_rows, matrix.shape[1], len(names)), matrix.dtype)
            left = closed == "left"
            tasks = blocks_per_task(window)
            for col in range(matrix.shape[1]):

                def deal(c, col=col):
                    lo, hi, fill = rows[c], rows[c + 1], place[c].copy()
                    _kernels.deal(codes, perm, lo, hi, fill, matrix, col, xs)

                def roll(c):
                    g_lo, g_hi = spans[c], spans[c + 1]
                    _kernels.roll_groups(xs, bits, starts, g_lo, g_hi, window, min_periods, 1,
                                         tasks, *series_outputs)  # fmt: skip

                def collect(c, col=col):
                    lo, hi = rows[c], rows[c + 1]
                    _kernels.collect(codes, perm, lo, hi, place[c], starts, stats, col, left, out)

                threads.run(deal)
                threads.run(roll)
                threads.run(collect)
        if features != names:  # repeated names
            out = out[:, :, [names.index(f) for f in features]]
        return out[:, 0] if one_d else out


def _order_permutation(order, n_rows):
    """Rows in a stable ascending order of the sort key ``order``."""
    _checks._reject_masked(order, "order")
    array = np.asarray(order)
    if array.ndim != 1 or array.shape[0] != n_rows:
        raise ValueError(f"order must be 1-D with one value per row ({n_rows}), got shape "
                         f"{array.shape}")  # fmt: skip
    if array.dtype.kind not in "biufmM":
        raise TypeError(f"order must hold numbers or datetimes, got dtype {array.dtype}")
    return np.argsort(array, kind="stable")


class _Threads:
    """Runs ``func(0) .. func(n - 1)`` on ``n`` Python threads (the kernels release the GIL),
    or inline for ``n = 1``; one pool for every pass of a call."""

    def __init__(self, n):
        self._n = n
        self._pool = ThreadPoolExecutor(n) if n > 1 else None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._pool is not None:
            self._pool.shutdown()

    def run(self, func):
        if self._pool is None:
            func(0)
        else:
            list(self._pool.map(func, range(self._n)))


def _accumulate(codes, n_groups, matrix, count_sizes, ends):
    """``(sizes, state)`` of the groups ``codes`` over the rows of ``matrix``, in chunks
    (``sizes`` empty unless ``count_sizes``; ``first``/``last`` tracked where ``ends``)."""
    n_columns = matrix.shape[1]

    def chunk(lo, hi):
        sizes = np.zeros(n_groups if count_sizes else 0, np.int64)
        state = _kernels.new_state(n_groups, n_columns)
        _kernels.accumulate_codes(codes, matrix, lo, hi, sizes, state, ends)
        return sizes, state

    parts = run_chunks(chunk, chunk_bounds(len(codes), n_groups))
    sizes, state = parts[0]
    for part in parts[1:]:  # in chunk order, into the first chunk's table
        _kernels.merge_into(sizes, state, _NO_GROUPS, *part)
    return sizes, state


def count_encode(keys, *, normalize=False):
    """Return each row's key frequency: how many rows share its key (count encoding).

    A missing key (NaN, None) is a category of its own, counted like any other.

    Parameters
    ----------
    keys : array_like or sequence of array_like
        As :func:`group_by`.
    normalize : bool
        The share of the rows instead of the count.

    Returns
    -------
    ndarray, shape (n_rows,)
        int64 counts, or float64 shares with ``normalize=True``.

    Examples
    --------
    >>> from fastnn.tabular import count_encode
    >>> count_encode(["a", "b", "a", None])
    array([2, 1, 2, 1])
    """
    normalize = _checks.check_bool(normalize, "normalize")
    if isinstance(keys, list) and any(k is None for k in keys):
        keys = np.array(keys, dtype=object)
    groups = group_by(keys, sort=False, dropna=False)
    counts = groups.sizes[groups.codes]
    return counts / len(counts) if normalize else counts
