"""Grouped rolling windows: fastnn.temporal's fused block kernel run over each group.

The rows arrive sorted by group (and by ``order`` within a group, see
:mod:`fastnn.tabular._kernels.sequence`); each group's segment is a series of
its own, handed to :func:`fastnn.temporal._kernels.rolling_features`'s serial
twin, so every statistic and NaN rule is the temporal one, computed by the
same code. Groups are independent, so the parallel twin splits them across
threads and gives the same bits.
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


@jit(parallel=True)
def grouped_rolling(
    x, bits, starts, window, min_periods, ddof, blocks_per_task,
    o_sum, o_mean, o_var, o_std, o_min, o_max, o_range, o_slope,
):  # fmt: skip
    """Trailing-window statistics of each segment ``x[:, starts[g]:starts[g + 1]]`` of the
    ``(1, n)`` sorted values, into the ``(1, n)`` outputs (``None``: not computed)."""
    for g in prange(starts.shape[0] - 1):
        b, e = starts[g], starts[g + 1]
        if e == b:
            continue
        w = min(window, e - b)
        mp = min(min_periods, e - b + 1)
        _series_kernel(
            _segment(x, b, e), _segment(bits, min(b, bits.shape[1]), min(e, bits.shape[1])), w, mp,
            min(ddof, e - b), blocks_per_task,
            _segment(o_sum, b, e), _segment(o_mean, b, e), _segment(o_var, b, e),
            _segment(o_std, b, e), _segment(o_min, b, e), _segment(o_max, b, e),
            _segment(o_range, b, e), _segment(o_slope, b, e),
        )  # fmt: skip


@jit
def scatter(order, starts, stats, column, left, out):
    """``out[order[t], column, j] = stats[j, t]`` for each statistic ``j``; with ``left`` (the
    window closed on the left leaves the current row out) the value one place earlier in
    the group instead, NaN at a group's first row. A row's statistics are written
    together, so each random write touches one cache line."""
    for g in range(starts.shape[0] - 1):
        b, e = starts[g], starts[g + 1]
        for t in range(b, e):
            i = order[t]
            for j in range(stats.shape[0]):
                if not left:
                    out[i, column, j] = stats[j, t]
                elif t > b:
                    out[i, column, j] = stats[j, t - 1]
                else:
                    out[i, column, j] = np.nan
