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
    """``o[:, b:e]``, or ``None`` for a statistic not asked for (inside kernels only)."""


@overload(_segment, inline="always")
def _segment_typed(o, b, e):
    if isinstance(o, types.NoneType):
        return lambda o, b, e: None
    return lambda o, b, e: o[:, b:e]


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
            x[:, b:e], bits[:, b:e], w, mp,
            min(ddof, e - b), blocks_per_task,
            _segment(o_sum, b, e), _segment(o_mean, b, e), _segment(o_var, b, e),
            _segment(o_std, b, e), _segment(o_min, b, e), _segment(o_max, b, e),
            _segment(o_range, b, e), _segment(o_slope, b, e),
        )  # fmt: skip


@jit
def scatter(order, starts, stats, left, out):
    """``out[j, order[t]] = stats[j, t]`` for each statistic ``j``; with ``left`` (the
    window closed on the left leaves the current row out) the value one place earlier in
    the group instead, NaN at a group's first row."""
    for g in range(starts.shape[0] - 1):
        b, e = starts[g], starts[g + 1]
        for j in range(stats.shape[0]):
            for t in range(b, e):
                if not left:
                    out[j, order[t]] = stats[j, t]
                elif t > b:
                    out[j, order[t]] = stats[j, t - 1]
                else:
                    out[j, order[t]] = np.nan
