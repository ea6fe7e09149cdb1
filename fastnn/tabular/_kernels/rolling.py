"""Grouped rolling windows: fastnn.temporal's fused block kernel run over each group.

One kernel does the whole job in four passes, none of which sorts:

1. each chunk of rows counts its rows per group; the prefix sums give group
   ``g`` the segment ``starts[g] .. starts[g + 1]`` of the sorted rows and
   each chunk its first place in every segment (a stable counting sort,
   O(n + n_chunks · n_groups));
2. each chunk deals its values into their groups' segments, reading the
   rows in order and writing one stream per group;
3. each group's segment, a series of its own, goes through
   :func:`fastnn.temporal._kernels.rolling_features`'s serial twin, so every
   statistic and NaN rule is the temporal one, computed by the same code;
4. each chunk collects its rows' statistics back from the segments in row
   order, by the same places as pass 2, so no permutation is ever written
   or read at random.

Chunks of rows (passes 1, 2 and 4) and groups (pass 3) are independent, and
every row's place depends on the row order only, so any number of threads
gives the same bits.
"""

import numpy as np
from numba import prange, types
from numba.extending import overload

from fastnn._jit import jit
from fastnn.temporal._kernels import rolling_features

_series_kernel = rolling_features.serial


def _segment(o, b, e):
    """``o[:, b:e]`` of the ``(1, n)`` array ``o`` as a C-contiguous ``(1, e - b)`` array, or
    ``None`` for a statistic not asked for (inside kernels only)."""


@overload(_segment, inline="always")
def _segment_typed(o, b, e):
    # Not ``o[:, b:e]``: Numba types that as of any layout, and the block kernel
    # compiled for strided rows ran 5× slower (183 ms instead of ~35 for 10^6 rows).
    if isinstance(o, types.NoneType):
        return lambda o, b, e: None
    return lambda o, b, e: o[0][b:e].reshape((1, e - b))


def _row(perm, t):
    """The ``t``-th row of the walk: ``perm[t]``, or ``t`` itself for ``perm=None`` (inside
    kernels only)."""


@overload(_row, inline="always")
def _row_typed(perm, t):
    # Decided at compile time: a test per row kept the row-order walks from vectorizing
    # and doubled the dealing and collecting passes (5 and 9 ms instead of 2.5 and 3).
    if isinstance(perm, types.NoneType):
        return lambda perm, t: t
    return lambda perm, t: perm[t]


@jit(parallel=True)
def grouped_rolling(
    codes, perm, n_groups, n_chunks, values, window, min_periods, ddof, blocks_per_task, left,
    xs, bits, stats, o_sum, o_mean, o_var, o_std, o_min, o_max, o_range, o_slope, out,
):  # fmt: skip
    """``out[i, c, j]``: statistic ``j`` of the trailing window at row ``i`` in its group,
    for each column ``c`` of ``values`` (NaN for a row of no group, ``codes[i] < 0``).

    The rows are walked in the order ``perm`` (``None``: row order). ``xs`` (``(1, m)``, ``m``
    the rows of a group; ``bits`` is its uint64 view, or 0 wide for float32) and
    ``stats`` (``(n_statistics, 1, m)``, whose rows ``o_<stat>`` are, or ``None``) are
    scratch. With ``left`` a row takes the window ending one place earlier in its group
    (NaN at the group's first row): the window closed on the left."""
    n_rows = codes.shape[0]
    bounds = np.empty(n_chunks + 1, np.int64)
    for c in range(n_chunks + 1):
        bounds[c] = n_rows * c // n_chunks
    # pass 1: rows per (chunk, group), then each chunk's first place in each segment
    place = np.zeros((n_chunks, n_groups), np.int64)
    for c in prange(n_chunks):
        for t in range(bounds[c], bounds[c + 1]):
            g = codes[_row(perm, t)]
            if g >= 0:
                place[c, g] += 1
    starts = np.zeros(n_groups + 1, np.int64)
    for g in range(n_groups):
        total = starts[g]
        for c in range(n_chunks):
            rows = place[c, g]
            place[c, g] = total
            total += rows
        starts[g + 1] = total
    for col in range(values.shape[1]):
        # pass 2: deal the values into their groups' segments
        for c in prange(n_chunks):
            fill = place[c].copy()
            for t in range(bounds[c], bounds[c + 1]):
                i = _row(perm, t)
                g = codes[i]
                if g >= 0:
                    xs[0, fill[g]] = values[i, col]
                    fill[g] += 1
        # pass 3: each group's series through the temporal kernel
        for g in prange(n_groups):
            b, e = starts[g], starts[g + 1]
            if e == b:
                continue
            _series_kernel(
                _segment(xs, b, e), _segment(bits, min(b, bits.shape[1]), min(e, bits.shape[1])),
                min(window, e - b), min(min_periods, e - b + 1), min(ddof, e - b),
                blocks_per_task,
                _segment(o_sum, b, e), _segment(o_mean, b, e), _segment(o_var, b, e),
                _segment(o_std, b, e), _segment(o_min, b, e), _segment(o_max, b, e),
                _segment(o_range, b, e), _segment(o_slope, b, e),
            )  # fmt: skip
        # pass 4: collect each row's statistics, in the walk's order; one statistic at a
        # time, which reads n_groups streams, not n_statistics · n_groups (3 ms, not 4.4)
        for c in prange(n_chunks):
            for j in range(stats.shape[0]):
                fill = place[c].copy()
                for t in range(bounds[c], bounds[c + 1]):
                    i = _row(perm, t)
                    g = codes[i]
                    if g < 0:
                        out[i, col, j] = np.nan
                        continue
                    p = fill[g]
                    fill[g] += 1
                    if left and p == starts[g]:
                        out[i, col, j] = np.nan
                    else:
                        out[i, col, j] = stats[j, 0, p - left]
