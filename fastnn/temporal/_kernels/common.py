"""Helpers of the rolling kernels: block and task bookkeeping, the shift, runs of equal values."""

import math

import numpy as np

from fastnn._jit import jit

# Magnitudes of the scaled values y = x·S of a group of windows between which the
# shifted sums are exact to a few eps: every nonzero |y| and |y - K| at least 2^-450
# (y² normal, as is the variance of two different values) and at most 2^451 (Σy²
# finite for any window). Finite nonzero |y| from 2^-398 to 2^24 gives both: two
# different values 2^-398 or more apart differ by one of their ulps at least.
SAFE_LOG2 = -398
SAFE_LOW = 2.0**SAFE_LOG2
# The power-of-two exponents of the scales: 2^±1000 and its inverse are normal numbers.
MAX_EXPONENT = 1000


@jit
def _shift(x, b, e):
    """The shift ``K`` of the block ``x[b:e]``: its first finite value, else the last
    finite value before it, else 0. (Not a value after the block: the windows that end
    in it hold none, and ``|mean - K|`` would be unbounded.)"""
    for t in range(b, e):
        if math.isfinite(x[t]):
            return np.float64(x[t])
    for t in range(b - 1, -1, -1):
        if math.isfinite(x[t]):
            return np.float64(x[t])
    return 0.0


@jit
def _has_nonfinite(xb):
    """Whether the block ``xb`` holds a NaN or an inf (a loop LLVM vectorises)."""
    bad = 0  # an integer count vectorises; `bad |= v != v` on a bool took 2× longer
    for i in range(xb.shape[0]):
        d = xb[i] - xb[i]  # NaN for NaN and ±inf, 0 for finite values
        bad += d != d
    return bad > 0


@jit
def _magnitudes(xb):
    """``(largest, smallest nonzero)`` of the finite ``|x|`` of ``xb``; ``(0, inf)`` if none."""
    high = 0.0
    low = np.inf
    for i in range(xb.shape[0]):
        a = abs(np.float64(xb[i]))
        if a < np.inf:  # finite (NaN fails every comparison)
            high = max(high, a)
            if a > 0.0:
                low = min(low, a)
    return high, low


# Biased exponents (IEEE 754 binary64): 0 for zero and subnormals, 2047 for inf and NaN.
EXP_BIAS = 1023
EXP_SPECIAL = 2047


@jit
def _exponents(bits):
    """``(highest, lowest)`` biased exponents of the finite and of the nonzero values of a
    float64 block seen as ``bits`` (uint64): integer max and min, which LLVM vectorises
    (0.26 ms per 10^6 points where a float max and min of |x| took 1.1 ms: a float
    min/max reduction vectorises only under fastmath's nnan)."""
    high = 0
    low = EXP_SPECIAL
    for i in range(bits.shape[0]):
        b = bits[i]
        e = np.int64((b >> np.uint64(52)) & np.uint64(EXP_SPECIAL))
        high = max(high, e if e != EXP_SPECIAL else 0)
        low = min(low, e if (b << np.uint64(1)) != 0 else EXP_SPECIAL)  # ±0 left out
    return high, low


@jit
def _exponent_scale(high, low):
    """``(S, 1/S, mixed)`` from the exponents of :func:`_exponents`: ``S`` brings the
    largest finite magnitude below 1 (at least 1/2, exponents clipped to ±MAX_EXPONENT);
    ``mixed``: some nonzero value may lie below SAFE_LOW once scaled."""
    e = min(max(high - (EXP_BIAS - 1), -MAX_EXPONENT), MAX_EXPONENT)
    if low == EXP_SPECIAL:  # no nonzero value
        return math.ldexp(1.0, -e), math.ldexp(1.0, e), False
    lowest = low - EXP_BIAS if low > 0 else -1074  # log2 of a lower bound of the smallest
    return math.ldexp(1.0, -e), math.ldexp(1.0, e), lowest - e < SAFE_LOG2


@jit
def _scale(high):
    """``(S, 1/S)``: the power of two that brings the magnitude ``high`` into [0.5, 1)
    (exponents clipped to ±MAX_EXPONENT, so both are normal; 1 for 0 or non-finite)."""
    if not (0.0 < high < np.inf):
        return 1.0, 1.0
    e = min(max(math.frexp(high)[1], -MAX_EXPONENT), MAX_EXPONENT)
    return math.ldexp(1.0, -e), math.ldexp(1.0, e)


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
