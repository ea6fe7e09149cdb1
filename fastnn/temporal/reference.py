"""The NumPy twins of :mod:`fastnn.temporal`: same names, same signatures, same results.

They are the oracle of the tests and the baseline of the benchmarks, so they
are plain, honest NumPy: the windows of the rolling statistics come from
``sliding_window_view`` over the series padded with ``window - 1`` NaNs (the
common NumPy idiom, O(n · window)), reduced with masks of the finite values
(±inf is missing, as NaN, pandas's rule) and, for var, std and slope, two
passes over each window divided by its largest magnitude (so squares of
values from 1e-300 to 1e300 stay representable); lags are slices; the spectra come from
``numpy.fft.rfft``. Windows are reduced in chunks of about 4 million values
so that memory stays bounded. They validate nothing beyond what NumPy rejects.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from fastnn.temporal.aggregate import FEATURES as AGGREGATES

__all__ = [
    "aggregate",
    "autocorrelation",
    "diff",
    "lag",
    "lags",
    "rolling_max",
    "rolling_mean",
    "rolling_min",
    "rolling_range",
    "rolling_slope",
    "rolling_spectral_features",
    "rolling_std",
    "rolling_sum",
    "rolling_var",
    "spectral_features",
    "window_features",
    "zero_crossing_rate",
]

_CHUNK_VALUES = 1 << 22


def _series(x, axis):
    """``x`` as float64 with the time axis last, and its result dtype."""
    x = np.asarray(x)
    dtype = np.float32 if x.dtype == np.float32 else np.float64
    return np.moveaxis(x.astype(np.float64), axis, -1), dtype


def _rolling(x, window, min_periods, axis, stat):
    """Apply ``stat(windows, valid) -> values`` to every trailing window of ``x``."""
    series, dtype = _series(x, axis)
    min_periods = window if min_periods is None else min_periods
    n = series.shape[-1]
    window = min(window, n)  # a longer window holds every point so far, as this one does
    pad = np.full((*series.shape[:-1], window - 1), np.nan)
    windows = sliding_window_view(np.concatenate([pad, series], axis=-1), window, axis=-1)
    out = np.empty(series.shape)
    step = max(1, _CHUNK_VALUES // (window * max(1, series.size // n)))
    for lo in range(0, n, step):
        w = windows[..., lo : lo + step, :]
        valid = np.isfinite(w)  # ±inf is missing, as NaN: pandas's rule
        count = valid.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            values = stat(w, valid, count)
        out[..., lo : lo + step] = np.where(count >= min_periods, values, np.nan)
    return np.moveaxis(out, -1, axis).astype(dtype)


def _sum(w, valid, count):
    return np.where(valid, w, 0.0).sum(axis=-1)


def _scaled(w, valid):
    """Each window divided by its largest finite magnitude (1 where that is 0), and that
    magnitude: squares of values from 1e-300 to 1e300 neither overflow nor underflow."""
    scale = np.where(valid, np.abs(w), 0.0).max(axis=-1, initial=0.0)
    scale = np.where(scale > 0, scale, 1.0)
    return w / scale[..., None], scale


def _std(ddof):
    def stat(w, valid, count):
        y, scale = _scaled(w, valid)
        mean = _sum(y, valid, count) / count
        squares = np.where(valid, (y - mean[..., None]) ** 2, 0.0).sum(axis=-1)
        return np.where(count > ddof, np.sqrt(squares / (count - ddof)), np.nan) * scale

    return stat


def _var(ddof):
    std = _std(ddof)
    return lambda w, valid, count: std(w, valid, count) ** 2


def rolling_sum(x, window, *, min_periods=None, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.rolling_sum`."""
    return _rolling(x, window, min_periods, axis, _sum)


def rolling_mean(x, window, *, min_periods=None, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.rolling_mean`."""
    return _rolling(x, window, min_periods, axis, lambda w, v, c: _sum(w, v, c) / c)


def rolling_var(x, window, *, min_periods=None, axis=-1, ddof=1):
    """NumPy twin of :func:`fastnn.temporal.rolling_var`: two passes over each window."""
    return _rolling(x, window, min_periods, axis, _var(ddof))  # as std², so 1e200 gives inf


def rolling_std(x, window, *, min_periods=None, axis=-1, ddof=1):
    """NumPy twin of :func:`fastnn.temporal.rolling_std`."""
    return _rolling(x, window, min_periods, axis, _std(ddof))


def rolling_min(x, window, *, min_periods=None, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.rolling_min`."""
    return _rolling(
        x, window, min_periods, axis, lambda w, v, c: np.where(v, w, np.inf).min(axis=-1)
    )


def rolling_max(x, window, *, min_periods=None, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.rolling_max`."""
    return _rolling(
        x, window, min_periods, axis, lambda w, v, c: np.where(v, w, -np.inf).max(axis=-1)
    )


def rolling_range(x, window, *, min_periods=None, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.rolling_range`."""
    return _rolling(
        x,
        window,
        min_periods,
        axis,
        lambda w, v, c: np.where(v, w, -np.inf).max(axis=-1) - np.where(v, w, np.inf).min(axis=-1),
    )


def _slope(w, valid, count):
    y, scale = _scaled(w, valid)
    u = np.arange(w.shape[-1], dtype=np.float64)
    u_mean = np.where(valid, u, 0.0).sum(axis=-1) / count
    y_mean = _sum(y, valid, count) / count
    du = np.where(valid, u - u_mean[..., None], 0.0)
    dy = np.where(valid, y - y_mean[..., None], 0.0)
    slope = (du * dy).sum(axis=-1) / (du * du).sum(axis=-1) * scale
    return np.where(count >= 2, slope, np.nan)


def rolling_slope(x, window, *, min_periods=None, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.rolling_slope`: the centred least-squares formula."""
    return _rolling(x, window, min_periods, axis, _slope)


def window_features(
    x,
    window,
    features=("mean", "std", "min", "max", "range", "slope"),
    *,
    min_periods=None,
    axis=-1,
):
    """NumPy twin of :func:`fastnn.temporal.window_features`: the single twins, stacked."""
    columns = [
        globals()[f"rolling_{f}"](x, window, min_periods=min_periods, axis=axis) for f in features
    ]
    return np.stack(columns, axis=-1)


def lag(x, k=1, *, fill_value=np.nan, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.lag`."""
    series, dtype = _series(x, axis)
    n = series.shape[-1]
    k = min(k, n)
    head = np.full((*series.shape[:-1], k), fill_value)
    out = np.concatenate([head, series[..., : n - k]], axis=-1)
    return np.moveaxis(out, -1, axis).astype(dtype)


def lags(x, ks, *, fill_value=np.nan, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.lags`."""
    return np.stack([lag(x, k, fill_value=fill_value, axis=axis) for k in ks], axis=-1)


def diff(x, k=1, *, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.diff`."""
    series, dtype = _series(x, axis)
    series = series.astype(dtype)
    return (
        series - lag(series, k, axis=-1)
        if axis in (-1, series.ndim - 1)
        else np.moveaxis(series - lag(series, k, axis=-1), -1, axis)
    )


def aggregate(
    x,
    features=AGGREGATES,
    *,
    axis=-1,
):
    """NumPy twin of :func:`fastnn.temporal.aggregate`: two-pass moments with NaN masks,
    of each series divided by its largest finite magnitude (then scaled back)."""
    raw, dtype = _series(x, axis)
    valid = ~np.isnan(raw)
    series, scale = _scaled(raw, np.isfinite(raw))
    n = valid.sum(axis=-1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        mean = np.where(valid, series, 0.0).sum(axis=-1) / n
        d = np.where(valid, series - mean[..., None], 0.0)
        m2, m3, m4 = ((d**p).sum(axis=-1) for p in (2, 3, 4))
        low = np.where(valid, raw, np.inf).min(axis=-1)
        high = np.where(valid, raw, -np.inf).max(axis=-1)
        # scipy.stats's rule, and equal values are flat however the mean rounds
        flat = ~(m2 / n > (np.finfo(np.float64).eps * mean) ** 2) | (low == high)
        g1 = (m3 / n) / (m2 / n) ** 1.5
        g2 = (m4 / n) / (m2 / n) ** 2 - 3.0
        u = np.arange(series.shape[-1], dtype=np.float64)
        u_mean = np.where(valid, u, 0.0).sum(axis=-1) / n
        du = np.where(valid, u - u_mean[..., None], 0.0)
        steps = np.abs(np.diff(series, axis=-1))
        pairs = ~np.isnan(steps)
        stats = {
            "mean": mean * scale,
            "std": np.where(n > 1, np.where(low == high, 0.0, np.sqrt(m2 / (n - 1))), np.nan)
            * scale,
            "min": np.where(n > 0, low, np.nan),
            "max": np.where(n > 0, high, np.nan),
            "median": _nanmedian(raw, valid),
            "skew": np.where((n > 2) & ~flat, g1 * np.sqrt(n * (n - 1)) / (n - 2), np.nan),
            "kurtosis": np.where(
                (n > 3) & ~flat, ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)), np.nan
            ),
            "slope": np.where(n > 1, (du * d).sum(axis=-1) / (du * du).sum(axis=-1), np.nan)
            * scale,
            "abs_energy": np.where(n > 0, np.where(valid, series**2, 0.0).sum(axis=-1), np.nan)
            * scale
            * scale,
            "mean_abs_change": np.where(pairs, steps, 0.0).sum(axis=-1)
            / pairs.sum(axis=-1)
            * scale,
        }
    return np.stack([stats[f] for f in features], axis=-1).astype(dtype)


def _nanmedian(series, valid):
    # np.nanmedian warns on all-NaN rows; sort with NaNs last and take the middle instead.
    ordered = np.sort(series, axis=-1)
    n = valid.sum(axis=-1)
    lo = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[..., None], -1)[..., 0]
    hi = np.take_along_axis(ordered, np.maximum(n // 2, 0)[..., None], -1)[..., 0]
    return np.where(n > 0, (lo + hi) / 2, np.nan)


_SPECTRAL = (
    "dominant_frequency",
    "dominant_amplitude",
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_entropy",
    "spectral_energy",
)


def _spectral(windows, fs, features):
    """Spectral features of float64 series along the last axis, each divided by its
    largest magnitude first (the amplitude and the energy are scaled back)."""
    n = windows.shape[-1]
    bins = n // 2
    windows, scale = _scaled(windows, np.isfinite(windows))
    spectrum = np.fft.rfft(windows, axis=-1)[..., 1 : bins + 1]
    k = np.arange(1, bins + 1)
    weight = np.where(2 * k == n, 1.0, 2.0)
    energy = weight * np.abs(spectrum) ** 2 / n
    amplitude = np.sqrt(weight * energy / n)
    freqs = k * fs / n
    total = energy.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = energy / total[..., None]
        centroid = (freqs * p).sum(axis=-1)
        bandwidth = np.sqrt(((freqs - centroid[..., None]) ** 2 * p).sum(axis=-1))
        entropy = -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=-1)
        entropy = entropy / np.log(bins) if bins > 1 else np.zeros_like(entropy)
    silent = ~(total > 0)
    with np.errstate(over="ignore"):  # an energy beyond the largest double is inf
        total_energy = total * scale * scale
    dominant = np.argmax(amplitude, axis=-1) if bins else np.zeros(total.shape, int)
    stats = {
        "dominant_frequency": np.where(silent, np.nan, (dominant + 1) * fs / n),
        "dominant_amplitude": amplitude.max(axis=-1) * scale
        if bins
        else np.full(total.shape, np.nan),
        "spectral_centroid": np.where(silent, np.nan, centroid),
        "spectral_bandwidth": np.where(silent, np.nan, bandwidth),
        "spectral_entropy": np.where(silent, np.nan, entropy),
        "spectral_energy": total_energy if bins else np.full(total.shape, np.nan),
    }
    nan = np.isnan(total)
    return np.stack([np.where(nan, np.nan, stats[f]) for f in features], axis=-1)


def spectral_features(x, *, fs=1.0, features=_SPECTRAL, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.spectral_features`."""
    series, dtype = _series(x, axis)
    return _spectral(series, fs, features).astype(dtype)


def rolling_spectral_features(x, window, *, step=1, fs=1.0, features=_SPECTRAL, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.rolling_spectral_features`: every window at once."""
    series, dtype = _series(x, axis)
    windows = sliding_window_view(series, window, axis=-1)[..., ::step, :]
    out = _spectral(windows, fs, features)
    return np.moveaxis(out, -2, axis if axis >= 0 else axis - 1).astype(dtype)


def zero_crossing_rate(x, *, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.zero_crossing_rate`."""
    series, dtype = _series(x, axis)
    positive = series >= 0
    pairs = ~np.isnan(series[..., 1:]) & ~np.isnan(series[..., :-1])
    crossings = (positive[..., 1:] != positive[..., :-1]) & pairs
    with np.errstate(invalid="ignore", divide="ignore"):
        return (crossings.sum(axis=-1) / pairs.sum(axis=-1)).astype(dtype)


def autocorrelation(x, max_lag, *, axis=-1):
    """NumPy twin of :func:`fastnn.temporal.autocorrelation`: one dot product per lag."""
    series, dtype = _series(x, axis)
    series = _scaled(series, np.isfinite(series))[0]  # a scale-free ratio: 1e-170 works
    d = series - series.mean(axis=-1, keepdims=True)
    n = series.shape[-1]
    sums = [np.einsum("...t,...t->...", d[..., k:], d[..., : n - k]) for k in range(max_lag + 1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.stack(sums, axis=-1) / sums[0][..., None]).astype(dtype)
