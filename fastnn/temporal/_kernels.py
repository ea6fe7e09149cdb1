"""Numba kernels for temporal features. Plain arrays in, ``out`` written; no validation.

Series arrive as a C-contiguous ``(n_series, length)`` float32 or float64
array; every sum is accumulated in float64.

Rolling windows: the block (prefix/suffix) method
-------------------------------------------------
The series is cut into blocks of ``window`` points. The trailing window that
ends at point ``t`` of block ``j`` is a *suffix* of block ``j - 1`` (from
``t - window + 1``) followed by a *prefix* of block ``j`` (up to ``t``), so
every window statistic is a merge of two partial results: a backward scan of
block ``j - 1`` and a forward scan of block ``j``. That is van Herk's and
Gil & Werman's method for min and max, and here it serves the sums as well:
nothing ever leaves a running sum, so there is no subtraction of old values
and no drift. A window's sum has the rounding of a direct sum over that
window alone, whatever came before it (the series whose first half has scale
1e8 keeps full precision in its second half), and inf or NaN poison only the
windows that hold them. Each point is read twice, by the forward scan of its
block and the backward scan that serves the next one; both scans run in one
loop, so the two dependency chains overlap.

A block that holds no NaN, after another such block, takes a *clean* path:
every window is full, no count is kept, and the counts the next block may
need are filled in afterwards. ``clean`` reaches the block routines as a
constant (``True``/``False`` at each call site), so Numba compiles the two
paths apart and LLVM drops the dead branches.

What was tried for the mean, on a 10^6-point random walk, window 100, one
thread, busy shared 2-core Xeon (bottleneck.move_mean 0.9-1.0 ms there):

- running sums with add/remove (bottleneck's recipe): 1.4 ms, but a value of
  1e8 that leaves the window takes ~1e-8 of absolute precision with it, and
  ~1 of a sum of squares: the scale-change case of the tests fails;
- block method, forward and backward scans in separate loops: 1.8 ms without
  NaN handling; interleaved in one loop: 1.3 ms (the chains overlap);
- several blocks advanced in lock-step (lanes): 3.5-4.5 ms, the 2-D indexing
  cost more than the extra instruction-level parallelism; pairing (the chain
  advancing two points per add): 1.4 ms, no better;
- one generic kernel for every statistic, the output codes looped over per
  point: 4.9-6.6 ms; the same with constant codes: 2.5 ms. Hence one routine
  per family of statistics, each writing one output;
- ``x[b + i]`` indexing: 3.3 ms; slices of the block: 1.2 ms (a possibly
  negative index costs a wraparound check per access);
- NaN handling on every point: 2.4 ms; the clean path: 1.2 ms + 0.3 ms for
  the NaN check of each block (an integer count, which LLVM vectorises;
  ``bad |= v != v`` on a bool took twice as long).

Variance is a shifted sum of squares, ``Σd² - (Σd)²/n`` with ``d = x - K``,
``K`` the first finite value of the block that the window ends in. Every
window of block ``j`` contains point ``j * window``, so ``K`` is (almost
always) a value inside the window and ``|mean - K|² ≤ n·var``: the relative
rounding error stays near ``n·eps``, as in a two-pass computation. A window
whose valid values are all equal (a run of equal finite values at least as
long as its count, pandas's rule) gives exactly 0, and the variance is
clipped at 0, so it is never negative.

The slope regresses ``d`` on the time index ``u`` measured from the start of
the block that the window ends in (``-window .. window - 1``): integer sums
of ``u`` and ``u²`` are exact, and

    slope = (n·Σud - Σu·Σd) / (n·Σu² - (Σu)²).

Work is split into tasks of whole blocks of one series; a task first scans
the block before its first one backwards, so every output element is
computed by the same operations in the same order whatever the split, and
the serial and parallel twins agree bit for bit.
"""

import math

import numpy as np
from numba import prange

from fastnn._jit import jit

# Output codes of rolling_window: small integers, never strings, inside kernels.
SUM, MEAN, VAR, STD, MIN, MAX, RANGE, SLOPE = range(8)


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
def _variance(n_valid, ddof, run, sum_d, sum_dd):
    """Σ(x - mean)² / (n - ddof) from the shifted sums Σd and Σd² (d = x - K)."""
    if n_valid <= ddof:
        return np.nan
    if run >= n_valid:
        return 0.0  # every valid value of the window is the same finite value
    m2 = sum_dd - sum_d * sum_d / n_valid
    if m2 < 0.0:  # rounding; NaN (an inf in the window) stays NaN
        m2 = 0.0
    return m2 / (n_valid - ddof)


@jit(inline=True)
def _slope(n_valid, sum_u, sum_uu, sum_d, sum_ud):
    """Least-squares slope of d on u: (nΣud − ΣuΣd) / (nΣu² − (Σu)²)."""
    if n_valid < 2:
        return np.nan
    n = np.float64(n_valid)
    su = np.float64(sum_u)
    slope = (n * sum_ud - su * sum_d) / (n * np.float64(sum_uu) - su * su)
    return slope if math.isfinite(slope) else np.nan  # an inf in the window: no line fits


@jit(inline=True)
def _next_run(v, last, run):
    """The run of equal finite values after the valid value ``v`` (pandas's rule for var = 0)."""
    if v == last and run > 0:
        return run + 1
    return 1 if math.isfinite(v) else 0


@jit(inline=True)
def _window_u_sums(i, w):
    """Σu and Σu² over u = i + 1 - w .. i (a full window ending at block index i)."""
    lo = i - w  # Σ_{u=lo+1}^{i}: squares as differences of 0² + … + m²
    sum_u = (i * (i + 1) - lo * (lo + 1)) // 2
    return sum_u, _square_sum(i) - _square_sum(lo)


@jit(inline=True)
def _square_sum(m):
    """Σ_{u=0}^{m} u² for m ≥ 0; -Σ_{u=m+1}^{-1} u² for m < 0 (so differences give ranges)."""
    if m >= 0:
        return m * (m + 1) * (2 * m + 1) // 6
    k = -m - 1
    return -(k * (k + 1) * (2 * k + 1) // 6)


# --- SUM and MEAN ------------------------------------------------------------


@jit
def _sums_block(xb, w, min_periods, mean, p_cnt, p_tot, q_cnt, q_tot, ob, clean):
    """Forward scan of the block ``xb`` merged with the previous block's suffixes
    ``p_*[i + 1]`` into ``ob``, and backward scan of ``xb`` into the suffixes ``q_*``.

    ``clean`` (passed as a constant, so Numba compiles each case apart): this
    block and the previous one are full and hold no NaN, so every window is
    full and no count is kept (1.2 ms against 2.4 ms on the benchmark).
    Slices rather than ``x[b + i]``: a possibly negative index costs a
    wraparound check per access (3.3 ms against 1.2 ms).
    """
    length = xb.shape[0]
    xr = xb[::-1]
    f_tot = g_tot = 0.0
    if clean:
        div = np.float64(w) if mean else 1.0
        for i in range(length):
            f_tot += np.float64(xb[i])
            ob[i] = (p_tot[i + 1] + f_tot) / div
            g_tot += np.float64(xr[i])
            q_tot[length - 1 - i] = g_tot
        return
    f_cnt = g_cnt = 0
    for i in range(length):
        v = np.float64(xb[i])
        ok = v == v
        f_cnt += ok
        f_tot += v if ok else 0.0
        n_valid = p_cnt[i + 1] + f_cnt
        div = np.float64(n_valid) if mean else 1.0
        ob[i] = (p_tot[i + 1] + f_tot) / div if n_valid >= min_periods else np.nan
        v = np.float64(xr[i])
        ok = v == v
        g_cnt += ok
        g_tot += v if ok else 0.0
        q_tot[length - 1 - i] = g_tot
        q_cnt[length - 1 - i] = g_cnt


@jit(parallel=True)
def rolling_sums(x, window, min_periods, mean, blocks_per_task, out):
    """Trailing-window sum (``mean=False``) or mean of each series ``x[s]`` into ``out[s]``.

    A task that starts after block 0 first runs the block before its own
    into a scratch output, which leaves its suffixes as a serial pass would.
    """
    n_series, n = x.shape
    n_tasks, per_series, n_blocks = _n_tasks(n_series, n, window, blocks_per_task)
    for task in prange(n_tasks):
        s, j_lo, j_hi = _task_blocks(task, per_series, blocks_per_task, n_blocks)
        row = x[s]
        size = min(window, n) + 1  # suffix i + 1 completes the window ending at i; last: empty
        cnt = np.zeros((2, size), np.int64)
        tot = np.zeros((2, size))
        scratch = np.empty(size, out.dtype)
        cur = 0
        prev_clean = False
        for j in range(max(j_lo - 1, 0), j_hi):
            b = j * window
            e = min(b + window, n)
            ob = out[s, b:e] if j >= j_lo else scratch[: e - b]
            clean = e - b == window and not _has_nan(row[b:e])
            p_cnt, p_tot, q_cnt, q_tot = cnt[cur], tot[cur], cnt[1 - cur], tot[1 - cur]
            if clean and prev_clean:
                _sums_block(
                    row[b:e], window, min_periods, mean, p_cnt, p_tot, q_cnt, q_tot, ob, True
                )
                if j + 1 < j_hi:
                    _full_counts(q_cnt, window)  # for the next block, should it hold a NaN
            else:
                _sums_block(
                    row[b:e], window, min_periods, mean, p_cnt, p_tot, q_cnt, q_tot, ob, False
                )
            prev_clean = clean
            cur = 1 - cur


# --- VAR and STD -------------------------------------------------------------


@jit
def _moments_block(
    xb,
    w,
    min_periods,
    ddof,
    std,
    k,
    k_next,
    run,
    last,
    p_cnt,
    p_d,
    p_dd,
    q_cnt,
    q_d,
    q_dd,
    ob,
    clean,
):
    """As :func:`_sums_block`, for the shifted sums Σd and Σd² (d = x - K): the
    forward scan shifts by this block's ``k``, the backward one by the next
    block's ``k_next``. Returns the run of equal values, carried on."""
    length = xb.shape[0]
    xr = xb[::-1]
    f_d = f_dd = g_d = g_dd = 0.0
    f_cnt = g_cnt = 0
    for i in range(length):
        v = np.float64(xb[i])
        ok = clean or v == v
        d = v - k if ok else 0.0
        f_d += d
        f_dd += d * d
        if ok:
            run = _next_run(v, last, run)
            last = v
        if not clean:
            f_cnt += ok
        n_valid = w if clean else p_cnt[i + 1] + f_cnt
        var = _variance(n_valid, ddof, run, p_d[i + 1] + f_d, p_dd[i + 1] + f_dd)
        res = math.sqrt(var) if std else var
        ob[i] = res if n_valid >= min_periods else np.nan
        v = np.float64(xr[i])
        ok = clean or v == v
        d = v - k_next if ok else 0.0
        g_d += d
        g_dd += d * d
        q_d[length - 1 - i] = g_d
        q_dd[length - 1 - i] = g_dd
        if not clean:
            g_cnt += ok
            q_cnt[length - 1 - i] = g_cnt
    return run, last


@jit(parallel=True)
def rolling_moments(x, window, min_periods, ddof, std, blocks_per_task, out):
    """Trailing-window variance (``std=False``) or standard deviation into ``out[s]``."""
    n_series, n = x.shape
    n_tasks, per_series, n_blocks = _n_tasks(n_series, n, window, blocks_per_task)
    for task in prange(n_tasks):
        s, j_lo, j_hi = _task_blocks(task, per_series, blocks_per_task, n_blocks)
        row = x[s]
        size = min(window, n) + 1
        cnt = np.zeros((2, size), np.int64)
        s_d = np.zeros((2, size))
        s_dd = np.zeros((2, size))
        scratch = np.empty(size, out.dtype)
        cur = 0
        prev_clean = False
        run = 0
        last = np.nan
        for j in range(max(j_lo - 1, 0), j_hi):
            b = j * window
            e = min(b + window, n)
            ob = out[s, b:e] if j >= j_lo else scratch[: e - b]
            clean = e - b == window and not _has_nan(row[b:e])
            k, k_next = _shift(row, b, n), _shift(row, e, n)
            p, q = cur, 1 - cur
            if clean and prev_clean:
                run, last = _moments_block(
                    row[b:e],
                    window,
                    min_periods,
                    ddof,
                    std,
                    k,
                    k_next,
                    run,
                    last,
                    cnt[p],
                    s_d[p],
                    s_dd[p],
                    cnt[q],
                    s_d[q],
                    s_dd[q],
                    ob,
                    True,
                )
                if j + 1 < j_hi:
                    _full_counts(cnt[q], window)
            else:
                run, last = _moments_block(
                    row[b:e],
                    window,
                    min_periods,
                    ddof,
                    std,
                    k,
                    k_next,
                    run,
                    last,
                    cnt[p],
                    s_d[p],
                    s_dd[p],
                    cnt[q],
                    s_d[q],
                    s_dd[q],
                    ob,
                    False,
                )
            prev_clean = clean
            cur = q


# --- MIN, MAX and RANGE --------------------------------------------------------


@jit
def _extrema_block(xb, min_periods, code, p_cnt, p_max, p_min, q_cnt, q_max, q_min, ob, clean):
    """As :func:`_sums_block`, for running maxima and minima (van Herk / Gil-Werman).

    NaN never wins a comparison, so it is skipped without a branch.
    """
    length = xb.shape[0]
    xr = xb[::-1]
    f_max = g_max = -np.inf
    f_min = g_min = np.inf
    f_cnt = g_cnt = 0
    for i in range(length):
        v = np.float64(xb[i])
        f_max = v if v > f_max else f_max
        f_min = v if v < f_min else f_min
        high = max(p_max[i + 1], f_max)
        low = min(p_min[i + 1], f_min)
        res = high if code == MAX else (low if code == MIN else high - low)
        if clean:
            ob[i] = res
        else:
            f_cnt += v == v
            ob[i] = res if p_cnt[i + 1] + f_cnt >= min_periods else np.nan
        v = np.float64(xr[i])
        g_max = v if v > g_max else g_max
        g_min = v if v < g_min else g_min
        q_max[length - 1 - i] = g_max
        q_min[length - 1 - i] = g_min
        if not clean:
            g_cnt += v == v
            q_cnt[length - 1 - i] = g_cnt


@jit(parallel=True)
def rolling_extrema(x, window, min_periods, code, blocks_per_task, out):
    """Trailing-window MIN, MAX or RANGE (``code``) of each series into ``out[s]``."""
    n_series, n = x.shape
    n_tasks, per_series, n_blocks = _n_tasks(n_series, n, window, blocks_per_task)
    for task in prange(n_tasks):
        s, j_lo, j_hi = _task_blocks(task, per_series, blocks_per_task, n_blocks)
        row = x[s]
        size = min(window, n) + 1
        cnt = np.zeros((2, size), np.int64)
        s_max = np.full((2, size), -np.inf)
        s_min = np.full((2, size), np.inf)
        scratch = np.empty(size, out.dtype)
        cur = 0
        prev_clean = False
        for j in range(max(j_lo - 1, 0), j_hi):
            b = j * window
            e = min(b + window, n)
            ob = out[s, b:e] if j >= j_lo else scratch[: e - b]
            clean = e - b == window and not _has_nan(row[b:e])
            p, q = cur, 1 - cur
            if clean and prev_clean:
                _extrema_block(
                    row[b:e],
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
                if j + 1 < j_hi:
                    _full_counts(cnt[q], window)
            else:
                _extrema_block(
                    row[b:e],
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
            prev_clean = clean
            cur = q


# --- SLOPE -----------------------------------------------------------------------


@jit
def _trend_block(
    xb,
    w,
    min_periods,
    k,
    k_next,
    p_cnt,
    p_u,
    p_uu,
    p_d,
    p_ud,
    q_cnt,
    q_u,
    q_uu,
    q_d,
    q_ud,
    ob,
    full_u,
    full_uu,
    clean,
):
    """As :func:`_sums_block`, for the regression sums Σu, Σu², Σd, Σud: ``u`` is the
    time index from the start of the block the window ends in (``i`` forward,
    ``i - w`` for the previous block), ``d = x - K``. In a clean block Σu and
    Σu² of the full window ending at ``i`` are ``full_u[i]`` and ``full_uu[i]``
    (:func:`_full_window_u_sums`) and only Σd and Σud are scanned: their
    closed forms computed per point, with integer divisions, took 5.6 ms
    against 3.9 ms on the benchmark."""
    length = xb.shape[0]
    xr = xb[::-1]
    f_d = f_ud = g_d = g_ud = 0.0
    f_cnt = g_cnt = f_u = f_uu = g_u = g_uu = 0
    for i in range(length):
        v = np.float64(xb[i])
        ok = clean or v == v
        d = v - k if ok else 0.0
        f_d += d
        f_ud += i * d
        if clean:
            n_valid = w
            sum_u = full_u[i]
            sum_uu = full_uu[i]
        else:
            f_cnt += ok
            u = i if ok else 0
            f_u += u
            f_uu += u * u
            n_valid = p_cnt[i + 1] + f_cnt
            sum_u = p_u[i + 1] + f_u
            sum_uu = p_uu[i + 1] + f_uu
        res = _slope(n_valid, sum_u, sum_uu, p_d[i + 1] + f_d, p_ud[i + 1] + f_ud)
        ob[i] = res if n_valid >= min_periods else np.nan
        z = length - 1 - i
        v = np.float64(xr[i])
        ok = clean or v == v
        d = v - k_next if ok else 0.0
        u = z - w if ok else 0
        g_d += d
        g_ud += u * d
        q_d[z] = g_d
        q_ud[z] = g_ud
        if not clean:
            g_cnt += ok
            g_u += u
            g_uu += u * u
            q_cnt[z] = g_cnt
            q_u[z] = g_u
            q_uu[z] = g_uu


@jit
def _full_window_u_sums(w, size):
    """Σu and Σu² of the full window ending at block index i, for i < size - 1."""
    full_u = np.zeros(size, np.int64)
    full_uu = np.zeros(size, np.int64)
    for i in range(size - 1):
        full_u[i], full_uu[i] = _window_u_sums(i, w)
    return full_u, full_uu


@jit
def _full_u_sums(q_u, q_uu, w):
    """Suffix sums of u = a - w .. -1 of a full previous block (implicit while clean)."""
    g_u = g_uu = 0
    for a in range(w - 1, -1, -1):
        g_u += a - w
        g_uu += (a - w) * (a - w)
        q_u[a] = g_u
        q_uu[a] = g_uu


@jit(parallel=True)
def rolling_trend(x, window, min_periods, blocks_per_task, out):
    """Trailing-window least-squares slope against the time index into ``out[s]``."""
    n_series, n = x.shape
    n_tasks, per_series, n_blocks = _n_tasks(n_series, n, window, blocks_per_task)
    for task in prange(n_tasks):
        s, j_lo, j_hi = _task_blocks(task, per_series, blocks_per_task, n_blocks)
        row = x[s]
        size = min(window, n) + 1
        cnt = np.zeros((2, size), np.int64)
        s_u = np.zeros((2, size), np.int64)
        s_uu = np.zeros((2, size), np.int64)
        s_d = np.zeros((2, size))
        s_ud = np.zeros((2, size))
        full_u, full_uu = _full_window_u_sums(window, size)
        scratch = np.empty(size, out.dtype)
        cur = 0
        prev_clean = False
        for j in range(max(j_lo - 1, 0), j_hi):
            b = j * window
            e = min(b + window, n)
            ob = out[s, b:e] if j >= j_lo else scratch[: e - b]
            clean = e - b == window and not _has_nan(row[b:e])
            k, k_next = _shift(row, b, n), _shift(row, e, n)
            p, q = cur, 1 - cur
            if clean and prev_clean:
                _trend_block(
                    row[b:e],
                    window,
                    min_periods,
                    k,
                    k_next,
                    cnt[p],
                    s_u[p],
                    s_uu[p],
                    s_d[p],
                    s_ud[p],
                    cnt[q],
                    s_u[q],
                    s_uu[q],
                    s_d[q],
                    s_ud[q],
                    ob,
                    full_u,
                    full_uu,
                    True,
                )
                if j + 1 < j_hi:
                    _full_counts(cnt[q], window)
                    _full_u_sums(s_u[q], s_uu[q], window)
            else:
                _trend_block(
                    row[b:e],
                    window,
                    min_periods,
                    k,
                    k_next,
                    cnt[p],
                    s_u[p],
                    s_uu[p],
                    s_d[p],
                    s_ud[p],
                    cnt[q],
                    s_u[q],
                    s_uu[q],
                    s_d[q],
                    s_ud[q],
                    ob,
                    full_u,
                    full_uu,
                    False,
                )
            prev_clean = clean
            cur = q


# --- several statistics in one pass ------------------------------------------------


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


# --- aggregate statistics of whole series -------------------------------------------

# Output codes of aggregate (the order of aggregate.FEATURES).
(
    A_MEAN,
    A_STD,
    A_MIN,
    A_MAX,
    A_MEDIAN,
    A_SKEW,
    A_KURTOSIS,
    A_SLOPE,
    A_ABS_ENERGY,
    A_MEAN_ABS_CHANGE,
) = range(10)

_CHUNK = 256  # points per chunk of the one-pass moments: two sweeps while it is in L1


@jit
def _series_moments(x):
    """``(n, mean, M2, M3, M4, Suu, Sux, min, max, Σx², Σ|Δx|, pairs)`` of the valid values.

    One pass over memory in chunks of :data:`_CHUNK` points: each chunk's mean,
    then its central sums while it sits in cache, merged into the running
    totals by the pairwise formulas of Chan et al. and Pébay (2008) (exact
    rearrangements, no subtraction of large sums, so as stable as two passes).
    ``u`` is the time index; ``Suu`` and ``Sux`` are the central co-moments
    of the fit of ``x`` on ``u``.
    """
    n = 0
    mean = m2 = m3 = m4 = 0.0
    u_mean = suu = sux = 0.0
    low = np.inf
    high = -np.inf
    energy = change = 0.0
    pairs = 0
    length = x.shape[0]
    for c0 in range(0, length, _CHUNK):
        xc = x[c0 : min(c0 + _CHUNK, length)]
        nb = 0
        total = u_total = 0.0
        for i in range(xc.shape[0]):
            v = np.float64(xc[i])
            if v == v:
                nb += 1
                total += v
                u_total += c0 + i
                energy += v * v
                low = min(low, v)
                high = max(high, v)
                if c0 + i > 0:
                    before = np.float64(x[c0 + i - 1])
                    if before == before:
                        change += abs(v - before)
                        pairs += 1
        if nb == 0:
            continue
        mb = total / nb
        ub = u_total / nb
        b2 = b3 = b4 = buu = bux = 0.0
        for i in range(xc.shape[0]):
            v = np.float64(xc[i])
            if v == v:
                d = v - mb
                dd = d * d
                b2 += dd
                b3 += dd * d
                b4 += dd * dd
                du = c0 + i - ub
                buu += du * du
                bux += du * d
        if n == 0:
            n, mean, m2, m3, m4, u_mean, suu, sux = nb, mb, b2, b3, b4, ub, buu, bux
            continue
        na = np.float64(n)
        nbf = np.float64(nb)
        nn = na + nbf
        delta = mb - mean
        du = ub - u_mean
        d2 = delta * delta
        m4 = (
            m4
            + b4
            + d2 * d2 * na * nbf * (na * na - na * nbf + nbf * nbf) / (nn * nn * nn)
            + 6.0 * d2 * (na * na * b2 + nbf * nbf * m2) / (nn * nn)
            + 4.0 * delta * (na * b3 - nbf * m3) / nn
        )
        m3 = (
            m3
            + b3
            + d2 * delta * na * nbf * (na - nbf) / (nn * nn)
            + 3.0 * delta * (na * b2 - nbf * m2) / nn
        )
        m2 = m2 + b2 + d2 * na * nbf / nn
        suu = suu + buu + du * du * na * nbf / nn
        sux = sux + bux + du * delta * na * nbf / nn
        mean = mean + delta * nbf / nn
        u_mean = u_mean + du * nbf / nn
        n += nb
    if low == high:  # every valid value equal: the central sums are exactly 0
        m2 = m3 = m4 = sux = 0.0
    return n, mean, m2, m3, m4, suu, sux, low, high, energy, change, pairs


@jit
def _aggregate_one(
    x, n, mean, m2, m3, m4, suu, sux, low, high, energy, change, pairs, code, buffer
):
    """One aggregate statistic from the moments of :func:`_series_moments`."""
    if code == A_MEAN_ABS_CHANGE:
        return change / pairs if pairs > 0 else np.nan
    if n == 0:
        return np.nan
    if code == A_MEAN:
        return mean
    if code == A_MIN:
        return low
    if code == A_MAX:
        return high
    if code == A_ABS_ENERGY:
        return energy
    if code == A_MEDIAN:
        m = 0
        for i in range(x.shape[0]):
            if x[i] == x[i]:
                buffer[m] = x[i]
                m += 1
        return np.median(buffer[:m])
    if code == A_STD:
        return math.sqrt(m2 / (n - 1)) if n > 1 else np.nan
    if code == A_SLOPE:
        return sux / suu if n > 1 else np.nan
    nf = np.float64(n)
    # scipy.stats's rule: a variance within rounding of the mean's scale counts as 0.
    flat = not m2 / nf > (2.220446049250313e-16 * mean) ** 2
    if code == A_SKEW:
        if n < 3 or flat:
            return np.nan
        g1 = (m3 / nf) / (m2 / nf) ** 1.5
        return g1 * math.sqrt(nf * (nf - 1.0)) / (nf - 2.0)
    # A_KURTOSIS: excess (Fisher), bias-corrected as scipy.stats.kurtosis(bias=False)
    if n < 4 or flat:
        return np.nan
    g2 = (m4 / nf) / (m2 / nf) ** 2 - 3.0
    return ((nf + 1.0) * g2 + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0))


@jit(parallel=True)
def aggregate(x, codes, out):
    """Aggregate statistics ``codes`` of each series ``x[s]`` into ``out[s]``."""
    n_series, n = x.shape
    for s in prange(n_series):
        buffer = np.empty(n)
        stats = _series_moments(x[s])
        for c in range(codes.shape[0]):
            out[s, c] = _aggregate_one(x[s], *stats, codes[c], buffer)


# --- wave features ---------------------------------------------------------------------

(S_DOMINANT_FREQUENCY, S_DOMINANT_AMPLITUDE, S_CENTROID, S_BANDWIDTH, S_ENTROPY, S_ENERGY) = range(
    6
)


@jit(parallel=True)
def spectral_summary(power, n, fs, codes, out):
    """Spectral features of each row of ``power`` (``|X_k|²`` for k = 1 .. n // 2 of the real
    FFT of a series of ``n`` points) into ``out[r]``.

    The one-sided energy of bin k is ``2|X_k|²/n`` (``|X_k|²/n`` for the Nyquist
    bin of an even n), so the energies add up to Σ(x - mean)² (Parseval); the
    amplitude is ``2|X_k|/n`` (``|X_k|/n`` at Nyquist), A for a sine of
    amplitude A over whole periods. Bin k is frequency ``k·fs/n``.
    """
    n_rows, n_bins = power.shape
    for r in prange(n_rows):
        total = weighted = 0.0
        best = -1.0
        arg = -1
        for k in range(n_bins):
            nyquist = 2 * (k + 1) == n
            e = power[r, k] / n if nyquist else 2.0 * power[r, k] / n
            total += e
            weighted += e * (k + 1)
            amp = math.sqrt(e / n) if nyquist else math.sqrt(2.0 * e / n)
            if amp > best:
                best = amp
                arg = k
        step = fs / n
        centroid = spread = entropy = np.nan
        if total > 0.0:
            centroid = weighted / total * step
            spread = ent = 0.0
            for k in range(n_bins):
                nyquist = 2 * (k + 1) == n
                e = power[r, k] / n if nyquist else 2.0 * power[r, k] / n
                p = e / total
                df = (k + 1) * step - centroid
                spread += p * df * df
                if p > 0.0:
                    ent -= p * math.log(p)
            spread = math.sqrt(spread)
            entropy = ent / math.log(n_bins) if n_bins > 1 else 0.0
        if total != total:  # a NaN in the series spreads over every bin
            best = np.nan
        for c in range(codes.shape[0]):
            code = codes[c]
            if code == S_DOMINANT_FREQUENCY:
                out[r, c] = (arg + 1) * step if total > 0.0 else np.nan
            elif code == S_DOMINANT_AMPLITUDE:
                out[r, c] = best if n_bins > 0 else np.nan
            elif code == S_CENTROID:
                out[r, c] = centroid
            elif code == S_BANDWIDTH:
                out[r, c] = spread
            elif code == S_ENTROPY:
                out[r, c] = entropy
            else:
                out[r, c] = total if n_bins > 0 else np.nan


@jit(parallel=True)
def zero_crossing_rate(x, out):
    """Fraction of consecutive valid pairs of each series whose sign differs (0 counts as +)."""
    n_series, n = x.shape
    for s in prange(n_series):
        row = x[s]
        pairs = crossings = 0
        for t in range(1, n):
            a = row[t - 1]
            b = row[t]
            if a == a and b == b:
                pairs += 1
                crossings += (a >= 0) != (b >= 0)
        out[s] = crossings / pairs if pairs > 0 else np.nan


@jit(parallel=True)
def autocorrelation(x, max_lag, out):
    """r_k = Σ_{t≥k} (x_t − x̄)(x_{t−k} − x̄) / Σ_t (x_t − x̄)² for k = 0 .. max_lag, each series.

    Direct sums, O(n · max_lag); the public function takes the FFT route for
    long lags. A NaN anywhere makes the row NaN.
    """
    n_series, n = x.shape
    for s in prange(n_series):
        row = x[s]
        total = 0.0
        for t in range(n):
            total += row[t]
        mean = total / n
        centred = np.empty(n)
        for t in range(n):
            centred[t] = row[t] - mean
        denominator = 0.0
        for t in range(n):
            denominator += centred[t] * centred[t]
        for k in range(max_lag + 1):
            acc = 0.0
            a = centred[k:]
            b = centred[: n - k]
            for t in range(n - k):
                acc += a[t] * b[t]
            out[s, k] = acc / denominator
