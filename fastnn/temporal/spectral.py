"""Wave features: the spectrum of a series (real FFT) summarised, zero crossings, autocorrelation.

The FFT runs in :mod:`scipy.fft` (Numba cannot call one); the summaries of
the spectra run in a kernel. Spectra leave out the DC bin, so every feature
describes ``x - mean(x)``: an offset does not move the dominant frequency.
A NaN in a series (or a window) makes its spectral features NaN.
"""

import numpy as np
import scipy.fft

from fastnn import _checks
from fastnn.temporal import _kernels
from fastnn.temporal._series import as_series_batch, check_features, move_back

__all__ = [
    "autocorrelation",
    "rolling_spectral_features",
    "spectral_features",
    "zero_crossing_rate",
]

FEATURES = (
    "dominant_frequency",
    "dominant_amplitude",
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_entropy",
    "spectral_energy",
)

# Windows per rfft call of rolling_spectral_features: at most this many points
# (64 MiB of float64) are copied out of the series at once.
_BATCH_POINTS = 1 << 23

# Above this many lags the autocorrelation goes through the FFT: O(n log n)
# against the kernel's O(n · max_lag), which is faster below it.
_FFT_LAGS = 64


def _scales(series):
    """``(S, 1/S)`` per series along the last axis: the power of two that brings its
    largest ``|x|`` into [0.5, 1) (1 where that is 0 or not finite: NaN stays NaN).
    ``x·S`` is exact, and its squares neither overflow nor underflow."""
    with np.errstate(invalid="ignore"):
        high = np.abs(series).max(axis=-1, keepdims=True)
    exponent = np.clip(np.frexp(np.where(np.isfinite(high), high, 0.0))[1], -1000, 1000)
    return np.ldexp(1.0, -exponent), np.ldexp(1.0, exponent)


def _power(windows):
    """``|X_k|²`` for k = 1 .. n // 2 of the real FFT along the last axis, float64."""
    spectrum = scipy.fft.rfft(windows, axis=-1, workers=-1)[..., 1:]
    return spectrum.real**2 + spectrum.imag**2


def _summarise(windows, fs, codes, dtype):
    # The spectra of x·S, S a power of two per window: every feature is a ratio of
    # energies but the amplitude (× 1/S) and the energy (× 1/S²), so a sine of
    # amplitude 1e-170 or 1e200 keeps its features (|X_k|² underflowed or overflowed).
    n = windows.shape[-1]
    scale, inv = _scales(windows)
    power = np.ascontiguousarray(
        _power(windows * scale).reshape(-1, n // 2) if n > 1 else np.empty((windows.size, 0))
    )
    out = np.empty((power.shape[0], len(codes)), dtype)
    _kernels.spectral_summary(power, n, fs, inv.reshape(-1), codes, out, work=power.size * 8)
    return out


def _check(features, fs):
    features = check_features(features, FEATURES)
    fs = _checks.check_real(fs, "fs", allow_nan=False)
    if not (fs > 0 and np.isfinite(fs)):
        raise ValueError(f"fs must be a positive, finite sampling frequency, got {fs}")
    return np.array([FEATURES.index(f) for f in features], np.int64), fs


def spectral_features(
    x,
    *,
    fs=1.0,
    features=(
        "dominant_frequency",
        "dominant_amplitude",
        "spectral_centroid",
        "spectral_bandwidth",
        "spectral_entropy",
        "spectral_energy",
    ),
    axis=-1,
):
    """Return wave features of each series from its real FFT, one row per series.

    With :math:`X_k` the real FFT of a series of :math:`n` points, bins
    :math:`k = 1 .. n/2` at frequencies :math:`f_k = k f_s / n`, one-sided
    energies :math:`E_k = 2|X_k|^2/n` (:math:`|X_k|^2/n` at the Nyquist bin),
    so that :math:`\\sum_k E_k = \\sum_t (x_t - \\bar x)^2`, and
    :math:`p_k = E_k / \\sum E`:

    - ``dominant_frequency``: :math:`f_k` of the largest amplitude (the lowest on ties);
    - ``dominant_amplitude``: :math:`2|X_k|/n` there: A for a sine of amplitude
      A over whole periods;
    - ``spectral_centroid``: :math:`\\sum_k f_k p_k`;
    - ``spectral_bandwidth``: :math:`\\sqrt{\\sum_k (f_k - \\text{centroid})^2 p_k}`;
    - ``spectral_entropy``: :math:`-\\sum_k p_k \\ln p_k / \\ln(n/2)`, 0 for one
      pure tone, 1 for white noise;
    - ``spectral_energy``: :math:`\\sum_k E_k`.

    A constant series has energy 0, amplitude 0 and NaN for the others; a
    series of one point, or holding a NaN or an inf, gives NaN. Each series is
    scaled by a power of two before its FFT (exactly), so every finite input
    keeps its features; only ``spectral_energy`` can leave float64's range (inf
    beyond the largest double, 0 below the smallest).

    Parameters
    ----------
    x : array_like
        Series along ``axis``. Real dtypes.
    fs : float
        Sampling frequency: points per unit of time (frequencies come in its unit).
    features : sequence of str
        Names from the list above, in the order of the output columns.
    axis : int
        The time axis.

    Returns
    -------
    ndarray, shape ``x.shape`` without ``axis``, + ``(len(features),)``
        float32 for float32 input, float64 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.temporal import spectral_features
    >>> t = np.arange(100) / 50.0  # 2 s sampled at 50 Hz
    >>> wave = 3.0 * np.sin(2 * np.pi * 5.0 * t)
    >>> spectral_features(wave, fs=50.0, features=("dominant_frequency", "dominant_amplitude"))
    array([5., 3.])
    """
    codes, fs = _check(features, fs)
    batch, lead, _ = as_series_batch(x, axis)
    out = _summarise(batch, fs, codes, batch.dtype)
    return out.reshape(*lead, len(codes))


def rolling_spectral_features(
    x,
    window,
    *,
    step=1,
    fs=1.0,
    features=(
        "dominant_frequency",
        "dominant_amplitude",
        "spectral_centroid",
        "spectral_bandwidth",
        "spectral_entropy",
        "spectral_energy",
    ),
    axis=-1,
):
    """Return :func:`spectral_features` of sliding windows of each series.

    Window ``i`` covers points ``i·step .. i·step + window - 1``; only whole
    windows are taken, ``(length - window) // step + 1`` of them. The windows
    are strided views of the series, transformed by one batched rfft call per
    :data:`_BATCH_POINTS` points.

    Parameters
    ----------
    x, fs, features, axis
        As :func:`spectral_features`.
    window : int
        Points per window, from 1 to the series length.
    step : int
        Points between the starts of consecutive windows, ``>= 1``.

    Returns
    -------
    ndarray, shape ``x.shape`` with ``axis`` replaced by the windows, + ``(len(features),)``

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.temporal import rolling_spectral_features
    >>> t = np.arange(64)
    >>> chirp = np.concatenate([np.sin(np.pi * t / 4), np.sin(np.pi * t / 2)])
    >>> rolling_spectral_features(chirp, 32, step=32, features=("dominant_frequency",))
    array([[0.125],
           [0.125],
           [0.25 ],
           [0.25 ]])
    """
    codes, fs = _check(features, fs)
    batch, lead, axis = as_series_batch(x, axis)
    window = _checks.check_int(window, "window", low=1)
    n = batch.shape[1]
    step = min(_checks.check_int(step, "step", low=1), n)  # any step >= n takes window 0 alone
    if window > n:
        raise ValueError(f"window must be at most the series length {n}, got {window}")
    views = np.lib.stride_tricks.sliding_window_view(batch, window, axis=-1)[:, ::step]
    n_windows = views.shape[1]
    out = np.empty((batch.shape[0], n_windows, len(codes)), batch.dtype)
    per_call = max(1, _BATCH_POINTS // (window * batch.shape[0]))
    for lo in range(0, n_windows, per_call):
        chunk = views[:, lo : lo + per_call]
        out[:, lo : lo + per_call] = _summarise(chunk, fs, codes, batch.dtype).reshape(
            batch.shape[0], chunk.shape[1], len(codes)
        )
    return move_back(out, lead, axis, len(lead) + 1)


def zero_crossing_rate(x, *, axis=-1):
    """Return the fraction of consecutive pairs of each series whose sign changes.

    .. math:: \\text{ZCR} = \\frac{1}{m} \\sum_{t} [\\,(x_t \\ge 0) \\ne (x_{t-1} \\ge 0)\\,]

    over the :math:`m` consecutive pairs of valid values (0 counts as
    positive, as librosa's default); NaN for a series without a valid pair.

    Parameters
    ----------
    x : array_like
        Series along ``axis``. Real dtypes.
    axis : int
        The time axis.

    Returns
    -------
    ndarray, shape ``x.shape`` without ``axis``
        float32 for float32 input, float64 otherwise.

    Examples
    --------
    >>> from fastnn.temporal import zero_crossing_rate
    >>> zero_crossing_rate([1.0, -1.0, -2.0, 3.0, 0.0])
    array(0.5)
    """
    batch, lead, _ = as_series_batch(x, axis)
    out = np.empty(batch.shape[0], batch.dtype)
    _kernels.zero_crossing_rate(batch, out, work=batch.size * 2)
    return out.reshape(lead)


def autocorrelation(x, max_lag, *, axis=-1):
    """Return the autocorrelation of each series at lags ``0 .. max_lag``.

    .. math::

        r_k = \\frac{\\sum_{t=k}^{n-1} (x_t - \\bar x)(x_{t-k} - \\bar x)}
                   {\\sum_{t=0}^{n-1} (x_t - \\bar x)^2}

    the sample autocorrelation function (statsmodels ``acf`` with
    ``adjusted=False``); :math:`r_0 = 1`. Direct sums up to 64 lags, the FFT
    (zero-padded, so not circular) beyond, both on the series scaled by a
    power of two near its largest magnitude (the ratio is scale-free; finite
    values from 1e-300 to 1e300 all work). A series holding a NaN or an inf, or
    constant, gives NaN.

    Parameters
    ----------
    x : array_like
        Series along ``axis``. Real dtypes.
    max_lag : int
        The largest lag, from 0 to the series length - 1.
    axis : int
        The time axis.

    Returns
    -------
    ndarray, shape ``x.shape`` without ``axis``, + ``(max_lag + 1,)``
        float32 for float32 input, float64 otherwise.

    Examples
    --------
    >>> from fastnn.temporal import autocorrelation
    >>> autocorrelation([1.0, 2.0, 1.0, 2.0], 2)
    array([ 1.  , -0.75,  0.5 ])
    """
    batch, lead, _ = as_series_batch(x, axis)
    n = batch.shape[1]
    max_lag = _checks.check_int(max_lag, "max_lag", low=0, high=n - 1)
    if max_lag <= _FFT_LAGS:
        out = np.empty((batch.shape[0], max_lag + 1), batch.dtype)
        _kernels.autocorrelation(batch, max_lag, out, work=batch.size * (max_lag + 2))
    else:
        # the ratio is scale-free: computed on x·S (see _scales), 1e-170 squares to no 0
        scaled = batch * _scales(batch)[0]
        centred = scaled - scaled.mean(axis=-1, keepdims=True, dtype=np.float64)
        size = scipy.fft.next_fast_len(2 * n - 1, real=True)
        spectrum = scipy.fft.rfft(centred, size, axis=-1, workers=-1)
        sums = scipy.fft.irfft(spectrum.real**2 + spectrum.imag**2, size, axis=-1, workers=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = (sums[:, : max_lag + 1] / sums[:, :1]).astype(batch.dtype)
        out[(batch == batch[:, :1]).all(axis=-1)] = np.nan  # constant, as the kernel
    return out.reshape(*lead, max_lag + 1)
