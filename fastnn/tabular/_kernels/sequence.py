"""Within-group sequences in row order: the counting sort, lags, differences, running sums.

:func:`counting_sort` makes each group's rows contiguous in O(n + n_groups)
(a stable counting sort by group code, not an O(n log n) argsort); the
sequence features then run over each group's segment in row order and are
scattered back to the caller's rows.
"""

import numpy as np

from fastnn._jit import jit


@jit
def counting_sort(codes, n_groups, perm):
    """``(order, starts)``: the rows ``perm`` (``-1`` codes left out) stably sorted by
    ``codes``; group g's rows are ``order[starts[g]:starts[g + 1]]``."""
    starts = np.zeros(n_groups + 1, np.int64)
    for t in range(perm.shape[0]):
        g = codes[perm[t]]
        if g >= 0:
            starts[g + 1] += 1
    for g in range(n_groups):
        starts[g + 1] += starts[g]
    fill = starts[:-1].copy()
    order = np.empty(starts[n_groups], np.int64)
    for t in range(perm.shape[0]):
        i = perm[t]
        g = codes[i]
        if g >= 0:
            order[fill[g]] = i
            fill[g] += 1
    return order, starts


@jit
def group_lag(order, starts, values, k, fill_value, difference, out):
    """``out[i] = values[i] - values[i']`` (``difference``) or ``values[i']``, ``i'`` the row
    ``k`` places earlier in ``i``'s group; ``fill_value`` (lag) or NaN (diff) where there is
    none. Rows outside ``order`` are left as they are."""
    for g in range(starts.shape[0] - 1):
        b, e = starts[g], starts[g + 1]
        for c in range(values.shape[1]):
            for t in range(b, e):
                i = order[t]
                if t - b >= k:
                    prev = values[order[t - k], c]
                    out[i, c] = values[i, c] - prev if difference else prev
                else:
                    out[i, c] = np.nan if difference else fill_value


@jit
def group_cumsum(codes, values, running, out):
    """Running sum of each group's non-NaN values in row order, accumulated in
    ``running`` (``(n_groups, n_columns)`` zeros: float64, or int64/uint64 for integers,
    exact); NaN values give NaN, and rows of no group too (``out`` is then float), as
    pandas's ``groupby().cumsum()``."""
    for i in range(codes.shape[0]):
        g = codes[i]
        for c in range(values.shape[1]):
            v = values[i, c]
            if g < 0 or v != v:
                out[i, c] = np.nan
            else:
                running[g, c] += v
                out[i, c] = running[g, c]


@jit
def group_cumcount(codes, n_groups, out):
    """Each row's position within its group, from 0 in row order (NaN: no group)."""
    seen = np.zeros(n_groups, np.int64)
    for i in range(codes.shape[0]):
        g = codes[i]
        if g < 0:
            out[i] = np.nan
        else:
            out[i] = seen[g]
            seen[g] += 1
