"""Helpers of the rolling kernels: block and task bookkeeping, the shift, runs of equal values."""

import math

import numpy as np

from fastnn._jit import jit


@jit
def _shift(x, b, n):
    """The shift ``K`` of the block starting at ``b``: its first finite value, else
    the last finite value before it, else 0."""
    for t in range(b, n):
        if math.isfinite(x[t]):
            return np.float64(x[t])
    for t in range(b - 1, -1, -1):
        if math.isfinite(x[t]):
            return np.float64(x[t])
    return 0.0


@jit
def _has_nan(xb):
    """Whether the block ``xb`` holds a NaN (a loop LLVM vectorises)."""
    bad = 0  # an integer count vectorises; `bad |= v != v` on a bool took 2× longer
    for i in range(xb.shape[0]):
        bad += xb[i] != xb[i]
    return bad > 0


@jit
def _n_tasks(n_series, n, window, blocks_per_task):
    """``(n_tasks, tasks per series, blocks per series)``."""
    n_blocks = (n + window - 1) // window
    per_series = (n_blocks + blocks_per_task - 1) // blocks_per_task
    return n_series * per_series, per_series, n_blocks


@jit
def _task_blocks(task, per_series, blocks_per_task, n_blocks):
    """Series and block range ``(s, j_lo, j_hi)`` of a task."""
    s = task // per_series
    j_lo = (task % per_series) * blocks_per_task
    return s, j_lo, min(j_lo + blocks_per_task, n_blocks)


@jit
def _full_counts(p_cnt, w):
    """The suffix counts of a full block without NaN (kept implicit while blocks are clean)."""
    for a in range(p_cnt.shape[0]):
        p_cnt[a] = w - a


@jit(inline=True)
def _next_run(v, last, run):
    """The run of equal finite values after the valid value ``v`` (pandas's rule for var = 0)."""
    if v == last and run > 0:
        return run + 1
    return 1 if math.isfinite(v) else 0


@jit(inline=True)
def _square_sum(m):
    """Σ_{u=0}^{m} u² for m ≥ 0; -Σ_{u=m+1}^{-1} u² for m < 0 (so differences give ranges)."""
    if m >= 0:
        return m * (m + 1) * (2 * m + 1) // 6
    k = -m - 1
    return -(k * (k + 1) * (2 * k + 1) // 6)
