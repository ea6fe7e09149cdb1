"""Every rolling statistic, alone or several at once, in one fused block kernel.

:func:`rolling_features` takes one output array per statistic, or ``None``
for a statistic not asked for. Numba compiles a version of the kernel per
pattern of ``None`` and prunes the branches of the missing statistics at
compile time (the ``_out`` overload and ``if o is not None``), so
``rolling_mean`` runs a loop that keeps only Σx, and ``window_features`` with
six statistics runs one loop that walks each block once and shares what they
have in common: the count of valid values (all), Σd (var, std and slope),
Σd² (var, std), Σud (slope) and the running extrema (min, max, range). Every
single-statistic function is this kernel with one output, so each column of
``window_features`` equals the single function bit for bit.

The mean keeps its own Σx rather than ``K + Σd / n`` from the shared Σd: the
shift costs two subtractions per point, which took a prototype of the mean from
0.77 ms to 0.97 ms (10^6 points, window 100, one thread), and it costs ``window_features``
only one more chain pair (about 0.2 ms of its ~6 ms).

What changed from the one-routine-per-statistic kernels, on the same
benchmark: a division per point (``/ n``) became a product with a reciprocal
from a table, and the suffixes are written through reversed views, which
spares a wraparound check per store (mean 1.8 → 1.1 ms, one thread); the
square root of the std runs in a second loop over the block's variances,
which LLVM vectorises, and the run of equal values that makes a constant
window's variance exactly 0 is tracked only in blocks with a NaN: in a clean
block ``K`` is the block's first value, which every window ending there holds,
so equal values give Σd = Σd² = 0 exactly (std 9.0 → 3.1 ms, one thread).
"""

import math

import numpy as np
from numba import prange, types
from numba.extending import overload

from fastnn._jit import jit
from fastnn.temporal._kernels.common import (
    EXP_BIAS,
    EXP_SPECIAL,
    _exponent_scale,
    _exponents,
    _full_counts,
    _has_nonfinite,
    _n_tasks,
    _next_run,
    _scale,
    _shift,
    _square_sum,
    _task_blocks,
)

# Rows of the float state of a block's suffixes, of its int state, of the tables.
TOT, D, DD, UD, HIGH, LOW = range(6)
CNT, U, UU = range(3)
INV, INV_DOF, FULL_U, INV_DEN = range(4)


@jit
def _tables(w, size, ddof):
    """``INV[n] = 1/n``, ``INV_DOF[n] = 1/(n - ddof)`` (NaN where n ≤ ddof), and for the
    full window ending at block index ``i``: Σu (``FULL_U``) and 1/(wΣu² - (Σu)²)."""
    tab = np.full((4, size), np.nan)
    for m in range(1, size):
        tab[INV, m] = 1.0 / m
    for m in range(ddof + 1, size):
        tab[INV_DOF, m] = 1.0 / (m - ddof)
    if w >= 2 and w < size:  # full windows exist
        for i in range(w):
            lo = i - w  # Σ over u = lo + 1 .. i, in exact integers
            sum_u = (i * (i + 1) - lo * (lo + 1)) // 2
            sum_uu = _square_sum(i) - _square_sum(lo)
            tab[FULL_U, i] = sum_u
            tab[INV_DEN, i] = 1.0 / (np.float64(w) * np.float64(sum_uu) - np.float64(sum_u) ** 2)
    return tab


@jit
def _full_u_sums(q_u, q_uu, w):
    """Suffix sums of u = a - w .. -1 of a full block without NaN (implicit while clean)."""
    g_u = g_uu = 0
    for a in range(w - 1, -1, -1):
        g_u += a - w
        g_uu += (a - w) * (a - w)
        q_u[a] = g_u
        q_uu[a] = g_uu


@jit(inline=True)
def _var(n, run, sd, sdd, inv_n, inv_dof):
    """Σ(x - mean)² / (n - ddof) from the shifted sums; exactly 0 when every valid value
    of the window is the same (``run >= n``, pandas's rule), never negative."""
    m2 = 0.0 if run >= n else sdd - sd * sd * inv_n
    if m2 < 0.0:  # rounding; NaN (an inf in the window) stays NaN
        m2 = 0.0
    return m2 * inv_dof  # inv_dof is NaN where n <= ddof


@jit(inline=True)
def _slope(n, sum_u, sum_uu, sum_d, sum_ud):
    """Least-squares slope of d on u: (nΣud − ΣuΣd) / (nΣu² − (Σu)²); NaN below 2 points."""
    if n < 2:
        return np.nan
    nf = np.float64(n)
    su = np.float64(sum_u)
    return (nf * sum_ud - su * sum_d) / (nf * np.float64(sum_uu) - su * su)


@jit
def _block(
    xb,
    w,
    min_periods,
    k,
    k_next,
    sc,
    sc_next,
    inv,
    run,
    last,
    tab,
    pf,
    pi,
    qf,
    qi,
    scr,
    o_sum,
    o_mean,
    o_var,
    o_std,
    o_min,
    o_max,
    o_range,
    o_slope,
    clean,
):
    """Forward scan of block ``xb`` merged with the previous block's suffixes ``pf``/``pi``
    (entry ``i + 1`` completes the window ending at ``i``) into the outputs, and backward
    scan of ``xb`` into its own suffixes ``qf``/``qi``, in one loop (the chains overlap).

    ``clean`` (a constant at each call site): this block is full and the previous one
    full and NaN-free, so every window is full and no count is kept. A clean scan of a
    block that turns out to hold a NaN (its Σx or Σd ends NaN) reports it, and the caller
    runs the block again as not clean. Returns ``(run, last, nan_free)``; NaN and
    ±inf are both missing values (pandas's rule), and "nan_free" means neither.

    Σd, Σd² and Σud are sums of ``d = x·S - K`` with ``S`` (``sc``) the power-of-two
    scale of the windows ending in this block and ``K`` (``k``, already scaled) their
    shift; the backward scan serves the next block's windows, with ``sc_next`` and
    ``k_next``. ``inv = 1/sc`` takes var, std and slope back to the scale of ``x``.
    """
    length = xb.shape[0]
    xr = xb[::-1]
    need_x = o_sum is not None or o_mean is not None
    need_dd = o_var is not None or o_std is not None
    need_ud = o_slope is not None
    need_d = need_dd or need_ud
    need_ext = o_min is not None or o_max is not None or o_range is not None
    p_cnt, p_u, p_uu = pi[CNT, 1:], pi[U, 1:], pi[UU, 1:]
    p_x, p_d, p_dd, p_ud = pf[TOT, 1:], pf[D, 1:], pf[DD, 1:], pf[UD, 1:]
    p_hi, p_lo = pf[HIGH, 1:], pf[LOW, 1:]
    # this block's suffixes, written backwards through reversed views
    q_cnt, q_u, q_uu = qi[CNT, :length][::-1], qi[U, :length][::-1], qi[UU, :length][::-1]
    q_x, q_d, q_dd = qf[TOT, :length][::-1], qf[D, :length][::-1], qf[DD, :length][::-1]
    q_ud, q_hi, q_lo = qf[UD, :length][::-1], qf[HIGH, :length][::-1], qf[LOW, :length][::-1]
    inv_n, inv_dof, full_u, inv_den = tab[INV], tab[INV_DOF], tab[FULL_U], tab[INV_DEN]
    f_cnt = g_cnt = f_u = f_uu = g_u = g_uu = 0
    f_x = g_x = f_d = g_d = f_dd = g_dd = f_ud = g_ud = 0.0
    f_hi = g_hi = -np.inf
    f_lo = g_lo = np.inf
    for i in range(length):
        v = np.float64(xb[i])
        ok = clean or math.isfinite(v)
        n = length
        if not clean:
            f_cnt += ok
            n = p_cnt[i] + f_cnt
        live = clean or n >= min_periods
        if need_x:
            f_x += v if ok else 0.0
            tot = p_x[i] + f_x
            if o_sum is not None:
                o_sum[i] = tot if live else np.nan
            if o_mean is not None:
                o_mean[i] = tot * inv_n[n] if live else np.nan
        if need_d:
            d = v * sc - k if ok else 0.0
            f_d += d
            sd = p_d[i] + f_d
            if need_dd:
                f_dd += d * d
                if not clean and ok:
                    run = _next_run(v, last, run)
                    last = v
                var = _var(n, 0 if clean else run, sd, p_dd[i] + f_dd, inv_n[n], inv_dof[n])
                var = var if live else np.nan
                if o_var is not None:
                    o_var[i] = var * inv * inv  # not inv²: 2^2000 overflows, and 0·inf is NaN
                if o_std is not None:
                    scr[i] = var
            if need_ud:
                f_ud += i * d
                sud = p_ud[i] + f_ud
                if clean:
                    slope = (n * sud - full_u[i] * sd) * inv_den[i]
                else:
                    u = i if ok else 0
                    f_u += u
                    f_uu += u * u
                    slope = _slope(n, p_u[i] + f_u, p_uu[i] + f_uu, sd, sud)
                o_slope[i] = slope * inv if live else np.nan
        if need_ext:
            f_hi = v if ok and v > f_hi else f_hi  # ±inf is missing, as NaN
            f_lo = v if ok and v < f_lo else f_lo
            high = max(p_hi[i], f_hi)
            low = min(p_lo[i], f_lo)
            if o_min is not None:
                o_min[i] = low if live else np.nan
            if o_max is not None:
                o_max[i] = high if live else np.nan
            if o_range is not None:
                o_range[i] = high - low if live else np.nan
        v = np.float64(xr[i])
        ok = clean or math.isfinite(v)
        if not clean:
            g_cnt += ok
            q_cnt[i] = g_cnt
        if need_x:
            g_x += v if ok else 0.0
            q_x[i] = g_x
        if need_d:
            d = v * sc_next - k_next if ok else 0.0
            g_d += d
            q_d[i] = g_d
            if need_dd:
                g_dd += d * d
                q_dd[i] = g_dd
            if need_ud:
                u = length - 1 - i - w  # time index from the start of the next block
                g_ud += u * d
                q_ud[i] = g_ud
                if not clean:
                    u = u if ok else 0
                    g_u += u
                    g_uu += u * u
                    q_u[i] = g_u
                    q_uu[i] = g_uu
        if need_ext:
            g_hi = v if ok and v > g_hi else g_hi
            g_lo = v if ok and v < g_lo else g_lo
            q_hi[i] = g_hi
            q_lo[i] = g_lo
    if o_std is not None:
        # apart from the scan, so that LLVM vectorises the square roots
        for i in range(length):
            o_std[i] = math.sqrt(scr[i]) * inv
    if not clean:
        return run, last, f_cnt == length
    if need_dd:
        run, last = _trailing_run(xb, run, last)
    # a NaN or ±inf in a clean block leaves Σx and Σd non-finite (as does a Σx that
    # overflows: the block then runs again, counted, and comes out right)
    if need_x:
        return run, last, math.isfinite(f_x)
    if need_d:
        return run, last, math.isfinite(f_d)
    return run, last, True  # extrema alone: the caller looked for NaN first


@jit
def _trailing_run(xb, run, last):
    """``(run, last)`` after the NaN-free block ``xb``, as :func:`_next_run` point by point."""
    length = xb.shape[0]
    v = np.float64(xb[length - 1])
    if not math.isfinite(v):
        return 0, v
    t = 1
    while t < length and xb[length - 1 - t] == v:
        t += 1
    if t == length and v == last and run > 0:
        return run + length, v
    return t, v


def _out(o, spare, s, b, e, warm):
    """Where block ``b:e`` of series ``s`` goes: ``None`` for a statistic not asked for,
    ``spare`` for the warm-up block of a task, else ``o[s, b:e]`` (inside kernels only)."""


@overload(_out, inline="always")
def _out_typed(o, spare, s, b, e, warm):
    # Decided on the type of ``o``: a Numba ternary ``o if o is None else o[s, b:e]``
    # is typed before it is pruned, and a 2-D array and its 1-D row do not unify.
    if isinstance(o, types.NoneType):
        return lambda o, spare, s, b, e, warm: None

    def view(o, spare, s, b, e, warm):
        if warm:
            return spare[: e - b]
        return o[s, b:e]

    return view


@jit
def _group_scale(mags, j, j_first, n_blocks):
    """``(S, 1/S, mixed)`` of the windows ending in block ``j``: the scale of the largest
    finite ``|x|`` of blocks ``j - 1`` and ``j`` (exponents ``mags[0, j - j_first]``
    highest, ``mags[1, ...]`` lowest; see :func:`_exponent_scale`), and whether a nonzero
    value may fall below SAFE_LOW once scaled. (``K`` is a value of those two blocks
    too, or no window there holds one.)"""
    if j >= n_blocks:
        return 1.0, 1.0, False
    high, low = mags[0, j - j_first], mags[1, j - j_first]
    if j > j_first:
        high, low = max(high, mags[0, j - j_first - 1]), min(low, mags[1, j - j_first - 1])
    return _exponent_scale(high, low)


@jit
def _direct(row, b, e, w, min_periods, ddof, o_var, o_std, o_slope):
    """var, std and slope of the windows ending at ``b .. e - 1``, each by two passes over
    its own finite values scaled by their largest magnitude: O(window) per window, for
    the rare blocks whose windows span more than 2^398 in magnitude (see _group_scale)."""
    for t in range(b, e):
        lo = max(0, t - w + 1)
        n = 0
        high = 0.0
        for s in range(lo, t + 1):
            v = np.float64(row[s])
            if math.isfinite(v):
                n += 1
                high = max(high, abs(v))
        var = slope = np.nan
        if n >= min_periods:
            sc, inv = _scale(high)
            total = u_total = 0.0
            first = np.nan
            equal = True
            for s in range(lo, t + 1):
                v = np.float64(row[s])
                if math.isfinite(v):
                    total += v * sc
                    u_total += s - lo
                    first = v if first != first else first
                    equal = equal and v == first
            mean, u_mean = total / n, u_total / n
            m2 = suu = sux = 0.0
            for s in range(lo, t + 1):
                v = np.float64(row[s])
                if math.isfinite(v):
                    d, du = v * sc - mean, s - lo - u_mean
                    m2 += d * d
                    suu += du * du
                    sux += du * d
            if equal:  # pandas's rule, as _var
                m2 = sux = 0.0
            if n > ddof:
                var = m2 / (n - ddof)
            if n >= 2:
                slope = sux / suu * inv
            if o_var is not None:
                o_var[t - b] = var * inv * inv
            if o_std is not None:
                o_std[t - b] = math.sqrt(var) * inv
        elif o_var is not None:
            o_var[t - b] = np.nan
        if o_std is not None and n < min_periods:
            o_std[t - b] = np.nan
        if o_slope is not None:
            o_slope[t - b] = slope


@jit(parallel=True)
def rolling_features(
    x,
    bits,
    window,
    min_periods,
    ddof,
    blocks_per_task,
    o_sum,
    o_mean,
    o_var,
    o_std,
    o_min,
    o_max,
    o_range,
    o_slope,
):
    """Trailing-window statistics of each series ``x[s]`` into ``o_<stat>[s]`` (``None``:
    not computed). Outputs have the shape and dtype of ``x``; ``ddof`` serves var and std.
    ``bits`` is float64 ``x`` seen as uint64, for the scales, or 0 columns wide for
    float32 ``x``, which needs none (its squares are all normal float64s).

    A task that starts after block 0 first runs the block before its own into a
    spare output, which leaves its suffixes, run and cleanliness as a serial pass
    would: every output element is computed by the same operations whatever the
    split, and the serial and parallel twins agree bit for bit.

    var, std and slope read ``x·S``, ``S`` a power of two per block (exact, so the
    results are those of unscaled sums wherever those neither overflow nor underflow;
    see :func:`_group_scale`), and the blocks whose windows span too many magnitudes
    for one ``S`` are computed again by :func:`_direct`.
    """
    n_series, n = x.shape
    n_tasks, per_series, n_blocks = _n_tasks(n_series, n, window, blocks_per_task)
    size = min(window, n) + 1
    tab = _tables(window, size, ddof)
    need_d = o_var is not None or o_std is not None or o_slope is not None
    probe = need_d or o_sum is not None or o_mean is not None
    trend = o_slope is not None
    for task in prange(n_tasks):
        s, j_lo, j_hi = _task_blocks(task, per_series, blocks_per_task, n_blocks)
        row = x[s]
        bf = np.zeros((2, 6, size))
        bf[:, HIGH] = -np.inf
        bf[:, LOW] = np.inf
        bi = np.zeros((2, 3, size), np.int64)
        scr = np.empty(size)
        spare = np.empty(size, x.dtype)
        # magnitudes of the blocks this task reads (j_lo - 2 .. j_hi), for the scales
        j_first = max(j_lo - 2, 0)
        j_end = min(j_hi + 1, n_blocks)
        mags = np.empty((2, j_end - j_first), np.int64)
        mags[0] = EXP_BIAS - 1  # the scale 1
        mags[1] = EXP_SPECIAL  # no nonzero value
        if need_d and bits.shape[1] == n:
            for j in range(j_first, j_end):
                bj = bits[s, j * window : min(j * window + window, n)]
                mags[0, j - j_first], mags[1, j - j_first] = _exponents(bj)
        cur = 0
        prev_clean = False
        run = np.int64(0)  # not a literal 0: _block would compile a variant for it too
        last = np.nan
        for j in range(max(j_lo - 1, 0), j_hi):
            b = j * window
            e = min(b + window, n)
            xb = row[b:e]
            warm = j < j_lo
            a_sum = _out(o_sum, spare, s, b, e, warm)
            a_mean = _out(o_mean, spare, s, b, e, warm)
            a_var = _out(o_var, spare, s, b, e, warm)
            a_std = _out(o_std, spare, s, b, e, warm)
            a_min = _out(o_min, spare, s, b, e, warm)
            a_max = _out(o_max, spare, s, b, e, warm)
            a_range = _out(o_range, spare, s, b, e, warm)
            a_slope = _out(o_slope, spare, s, b, e, warm)
            k = k_next = 0.0
            sc = sc_next = inv = 1.0
            mixed = False
            if need_d:
                sc, inv, mixed = _group_scale(mags, j, j_first, n_blocks)
                sc_next = _group_scale(mags, j + 1, j_first, n_blocks)[0]
                k = _shift(row, b, e) * sc
                k_next = _shift(row, e, min(e + window, n)) * sc_next
            p, q = cur, 1 - cur
            nan_free = False
            run1, last1 = run, last
            # A block after a clean one is scanned as clean and checked on the way
            # (Σx or Σd ends non-finite), which spares a search per block; extrema alone
            # keep no sum, so they search first.
            if prev_clean and e - b == window and (probe or not _has_nonfinite(xb)):
                run1, last1, nan_free = _block(
                    xb, window, min_periods, k, k_next, sc, sc_next, inv, run, last, tab,
                    bf[p], bi[p], bf[q], bi[q], scr, a_sum, a_mean, a_var, a_std, a_min, a_max,
                    a_range, a_slope, True,
                )  # fmt: skip
            if nan_free:
                run, last = run1, last1
            else:
                if prev_clean:  # the counts of a clean block are implicit: write them out
                    _full_counts(bi[p, CNT], window)
                    if trend:
                        _full_u_sums(bi[p, U], bi[p, UU], window)
                run, last, nan_free = _block(
                    xb, window, min_periods, k, k_next, sc, sc_next, inv, run, last, tab,
                    bf[p], bi[p], bf[q], bi[q], scr, a_sum, a_mean, a_var, a_std, a_min, a_max,
                    a_range, a_slope, False,
                )  # fmt: skip
            if mixed and not warm:
                _direct(row, b, e, window, min_periods, ddof, a_var, a_std, a_slope)
            prev_clean = nan_free and e - b == window
            cur = q
