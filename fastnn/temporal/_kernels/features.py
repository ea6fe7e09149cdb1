"""Several rolling statistics of one series in one kernel call (``window_features``)."""

import numpy as np
from numba import prange

from fastnn._jit import jit
from fastnn.temporal._kernels.common import (
    MEAN,
    SLOPE,
    STD,
    SUM,
    VAR,
    _full_counts,
    _has_nan,
    _n_tasks,
    _shift,
    _task_blocks,
)
from fastnn.temporal._kernels.rolling import (
    _extrema_block,
    _full_u_sums,
    _full_window_u_sums,
    _moments_block,
    _sums_block,
    _trend_block,
)


@jit(parallel=True)
def rolling_features(x, window, min_periods, ddof, codes, blocks_per_task, out):
    """Trailing-window statistics ``codes`` of each series ``x[s]`` into ``out[c, s]``.

    One pass over memory: block by block, each statistic's scans run on the
    block while it sits in L1 cache, through the very block routines of the
    single-statistic kernels, so each ``out[c]`` equals theirs bit for bit.
    Statistics of one family (SUM and MEAN, VAR and STD, MIN, MAX and RANGE)
    share its suffix buffers; each call rewrites them with the same values.
    """
    n_series, n = x.shape
    n_tasks, per_series, n_blocks = _n_tasks(n_series, n, window, blocks_per_task)
    trend = shifted = False
    for code in codes:
        trend |= code == SLOPE
        shifted |= code in (SLOPE, VAR, STD)
    for task in prange(n_tasks):
        s, j_lo, j_hi = _task_blocks(task, per_series, blocks_per_task, n_blocks)
        row = x[s]
        size = min(window, n) + 1
        cnt = np.zeros((2, size), np.int64)
        tot = np.zeros((2, size))
        s_d = np.zeros((2, size))
        s_dd = np.zeros((2, size))
        s_max = np.full((2, size), -np.inf)
        s_min = np.full((2, size), np.inf)
        s_u = np.zeros((2, size), np.int64)
        s_uu = np.zeros((2, size), np.int64)
        t_d = np.zeros((2, size))
        s_ud = np.zeros((2, size))
        full_u, full_uu = _full_window_u_sums(window, size)
        scratch = np.empty(size, out.dtype)
        cur = 0
        prev_clean = False
        run = 0
        last = np.nan
        for j in range(max(j_lo - 1, 0), j_hi):
            b = j * window
            e = min(b + window, n)
            xb = row[b:e]
            clean = e - b == window and not _has_nan(xb)
            both = clean and prev_clean
            k = k_next = 0.0
            if shifted:
                k, k_next = _shift(row, b, n), _shift(row, e, n)
            p, q = cur, 1 - cur
            run0, last0 = run, last
            for c in range(codes.shape[0]):
                code = codes[c]
                ob = out[c, s, b:e] if j >= j_lo else scratch[: e - b]
                if code in (SUM, MEAN):
                    mean = code == MEAN
                    if both:
                        _sums_block(
                            xb, window, min_periods, mean, cnt[p], tot[p], cnt[q], tot[q], ob, True
                        )
                    else:
                        _sums_block(
                            xb, window, min_periods, mean, cnt[p], tot[p], cnt[q], tot[q], ob, False
                        )
                elif code in (VAR, STD):
                    std = code == STD
                    if both:
                        run, last = _moments_block(
                            xb,
                            window,
                            min_periods,
                            ddof,
                            std,
                            k,
                            k_next,
                            run0,
                            last0,
                            cnt[p],
                            s_d[p],
                            s_dd[p],
                            cnt[q],
                            s_d[q],
                            s_dd[q],
                            ob,
                            True,
                        )
                    else:
                        run, last = _moments_block(
                            xb,
                            window,
                            min_periods,
                            ddof,
                            std,
                            k,
                            k_next,
                            run0,
                            last0,
                            cnt[p],
                            s_d[p],
                            s_dd[p],
                            cnt[q],
                            s_d[q],
                            s_dd[q],
                            ob,
                            False,
                        )
                elif code == SLOPE:
                    if both:
                        _trend_block(
                            xb,
                            window,
                            min_periods,
                            k,
                            k_next,
                            cnt[p],
                            s_u[p],
                            s_uu[p],
                            t_d[p],
                            s_ud[p],
                            cnt[q],
                            s_u[q],
                            s_uu[q],
                            t_d[q],
                            s_ud[q],
                            ob,
                            full_u,
                            full_uu,
                            True,
                        )
                    else:
                        _trend_block(
                            xb,
                            window,
                            min_periods,
                            k,
                            k_next,
                            cnt[p],
                            s_u[p],
                            s_uu[p],
                            t_d[p],
                            s_ud[p],
                            cnt[q],
                            s_u[q],
                            s_uu[q],
                            t_d[q],
                            s_ud[q],
                            ob,
                            full_u,
                            full_uu,
                            False,
                        )
                elif both:
                    _extrema_block(
                        xb,
                        min_periods,
                        code,
                        cnt[p],
                        s_max[p],
                        s_min[p],
                        cnt[q],
                        s_max[q],
                        s_min[q],
                        ob,
                        True,
                    )
                else:
                    _extrema_block(
                        xb,
                        min_periods,
                        code,
                        cnt[p],
                        s_max[p],
                        s_min[p],
                        cnt[q],
                        s_max[q],
                        s_min[q],
                        ob,
                        False,
                    )
            if both and j + 1 < j_hi:
                _full_counts(cnt[q], window)
                if trend:
                    _full_u_sums(s_u[q], s_uu[q], window)
            prev_clean = clean
            cur = q
