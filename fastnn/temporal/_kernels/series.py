"""Whole-series kernels: aggregates, spectral summaries, zero crossings, autocorrelation."""

import math

import numpy as np
from numba import prange

from fastnn._jit import jit
from fastnn.temporal._kernels.common import _magnitudes, _scale

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
    """``(n, mean, M2, M3, M4, Suu, Sux, min, max, Σx², Σ|Δx|, pairs, 1/S)`` of the valid
    values, all but min, max and the time sums those of ``x·S``: ``S`` is the power of
    two that brings the largest finite ``|x|`` near 1 (exact), so the powers up to x⁴
    of values from 1e-300 to 1e300 neither overflow nor underflow.

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
    sc, inv = _scale(_magnitudes(x)[0])
    for c0 in range(0, length, _CHUNK):
        xc = x[c0 : min(c0 + _CHUNK, length)]
        nb = 0
        total = u_total = 0.0
        for i in range(xc.shape[0]):
            v = np.float64(xc[i])
            if v == v:
                low = min(low, v)
                high = max(high, v)
                v *= sc
                nb += 1
                total += v
                u_total += c0 + i
                energy += v * v
                if c0 + i > 0:
                    before = np.float64(x[c0 + i - 1]) * sc
                    if before == before:
                        change += abs(v - before)
                        pairs += 1
        if nb == 0:
            continue
        mb = total / nb
        ub = u_total / nb
        b2 = b3 = b4 = buu = bux = 0.0
        for i in range(xc.shape[0]):
            v = np.float64(xc[i]) * sc
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
    return n, mean, m2, m3, m4, suu, sux, low, high, energy, change, pairs, inv


@jit
def _aggregate_one(
    x, n, mean, m2, m3, m4, suu, sux, low, high, energy, change, pairs, inv, code, buffer
):
    """One aggregate statistic from the moments of :func:`_series_moments`, scaled back
    by ``inv`` (skew and kurtosis are ratios: they need none)."""
    if code == A_MEAN_ABS_CHANGE:
        return change / pairs * inv if pairs > 0 else np.nan
    if n == 0:
        return np.nan
    if code == A_MEAN:
        return mean * inv
    if code == A_MIN:
        return low
    if code == A_MAX:
        return high
    if code == A_ABS_ENERGY:
        return energy * inv * inv  # inf only where Σx² is beyond the largest double
    if code == A_MEDIAN:
        m = 0
        for i in range(x.shape[0]):
            if x[i] == x[i]:
                buffer[m] = x[i]
                m += 1
        return np.median(buffer[:m])
    if code == A_STD:
        return math.sqrt(m2 / (n - 1)) * inv if n > 1 else np.nan
    if code == A_SLOPE:
        return sux / suu * inv if n > 1 else np.nan
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
def spectral_summary(power, n, fs, inv, codes, out):
    """Spectral features of each row of ``power`` (``|X_k|²`` for k = 1 .. n // 2 of the real
    FFT of a series of ``n`` points, scaled by ``S``: ``inv[r] = 1/S`` scales the amplitude
    and the energy back) into ``out[r]``.

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
                out[r, c] = best * inv[r] if n_bins > 0 else np.nan
            elif code == S_CENTROID:
                out[r, c] = centroid
            elif code == S_BANDWIDTH:
                out[r, c] = spread
            elif code == S_ENTROPY:
                out[r, c] = entropy
            else:  # two products: inv² can overflow where the energy does not
                out[r, c] = total * inv[r] * inv[r] if n_bins > 0 else np.nan


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
    long lags. A NaN anywhere makes the row NaN. Computed on ``x·S`` (the ratio is
    scale-free; :func:`_scale`), so that values near 1e-170 do not square to 0.
    """
    n_series, n = x.shape
    for s in prange(n_series):
        row = x[s]
        sc = _scale(_magnitudes(row)[0])[0]
        total = 0.0
        equal = True
        for t in range(n):
            total += row[t] * sc
            equal = equal and row[t] == row[0]
        mean = total / n
        centred = np.empty(n)
        for t in range(n):
            centred[t] = row[t] * sc - mean
        denominator = 0.0
        for t in range(n):
            denominator += centred[t] * centred[t]
        if equal:  # constant: NaN, not the ratio of two roundings of the mean
            denominator = np.nan
        for k in range(max_lag + 1):
            acc = 0.0
            a = centred[k:]
            b = centred[: n - k]
            for t in range(n - k):
                acc += a[t] * b[t]
            out[s, k] = acc / denominator
