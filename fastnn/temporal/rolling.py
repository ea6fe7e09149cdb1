"""Rolling-window statistics: sum, mean, var, std, min, max, range, slope, and all at once.

Every function takes a trailing window: the statistic at point ``t`` is
computed from the points ``t - window + 1 .. t`` along ``axis`` (fewer near
the start), and the output has the shape of ``x``. The NaN policy is pandas's
``Series.rolling(window, min_periods)``: NaNs are skipped, and the result is
NaN where fewer than ``min_periods`` (default: ``window``) valid values are in
the window. A window longer than the series is allowed, as in pandas: every
window is then partial, and the result is NaN wherever the count of valid
values is below ``min_periods`` (bottleneck raises instead).

An inf counts as a valid value: it makes the sum and mean of the windows that
hold it infinite (NaN when +inf and -inf meet), their variance, standard
deviation and slope NaN, and it is a fine minimum or maximum; windows
without it are unaffected.

dtypes: float32 in, float32 out (accumulated in float64); float64 and every
integer or bool dtype give float64. Each kernel is O(n) whatever the window
(see :mod:`fastnn.temporal._kernels` for the method and its measurements).
"""

import numpy as np

from fastnn import _checks
from fastnn.temporal import _kernels
from fastnn.temporal._series import (
    as_series_batch,
    blocks_per_task,
    check_features,
    check_window,
    move_back,
)

__all__ = [
    "rolling_max",
    "rolling_mean",
    "rolling_min",
    "rolling_range",
    "rolling_slope",
    "rolling_std",
    "rolling_sum",
    "rolling_var",
    "window_features",
]

FEATURES = ("sum", "mean", "var", "std", "min", "max", "range", "slope")
CODES = dict(zip(FEATURES, range(8), strict=True))
assert CODES["slope"] == _kernels.SLOPE and CODES["var"] == _kernels.VAR

# Work per point (roughly the multiply-adds), for the serial/parallel choice.
_WORK = {"sums": 4, "moments": 8, "extrema": 4, "trend": 10}


def _run(x, window, min_periods, axis, family, call):
    """Validate, batch, run ``call(batch, window, min_periods, blocks, out, work)``, reshape."""
    batch, lead, axis = as_series_batch(x, axis)
    window, min_periods = check_window(window, min_periods)
    out = np.empty_like(batch)
    call(batch, window, min_periods, blocks_per_task(window), out, batch.size * _WORK[family])
    return move_back(out, lead, axis, len(lead) + 1)


def rolling_sum(x, window, *, min_periods=None, axis=-1):
    """Return the sum of the valid values in each trailing window.

    .. math:: S_t = \\sum_{s = t - w + 1}^{t} x_s \\quad (\\text{NaNs left out})

    Parameters
    ----------
    x : array_like
        Series along ``axis``; any number of other axes. Real dtypes.
    window : int
        Points per window, ``w >= 1``; may exceed the series length.
    min_periods : int, optional
        Valid values a window needs, from 1 to ``window``; default ``window``.
    axis : int
        The time axis.

    Returns
    -------
    ndarray, the shape of ``x``
        float32 for float32 input, float64 otherwise; NaN where a window has
        fewer than ``min_periods`` valid values.

    Examples
    --------
    >>> from fastnn.temporal import rolling_sum
    >>> rolling_sum([1.0, 2.0, float("nan"), 4.0], 2, min_periods=1)
    array([1., 3., 2., 4.])
    """
    return _run(
        x,
        window,
        min_periods,
        axis,
        "sums",
        lambda b, w, m, k, o, work: _kernels.rolling_sums(b, w, m, False, k, o, work=work),
    )


def rolling_mean(x, window, *, min_periods=None, axis=-1):
    """Return the moving average: the mean of the valid values in each trailing window.

    .. math:: \\bar x_t = \\frac{1}{n_t} \\sum_{s = t - w + 1}^{t} x_s

    with :math:`n_t` the number of valid (non-NaN) values in the window.
    ``window=1`` returns ``x`` itself (as float). Parameters and result as
    :func:`rolling_sum`; equal to pandas ``Series.rolling(window,
    min_periods).mean()`` and bottleneck ``move_mean``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.temporal import rolling_mean
    >>> rolling_mean(np.arange(6), 3)
    array([nan, nan,  1.,  2.,  3.,  4.])
    """
    return _run(
        x,
        window,
        min_periods,
        axis,
        "sums",
        lambda b, w, m, k, o, work: _kernels.rolling_sums(b, w, m, True, k, o, work=work),
    )


def _moments(x, window, min_periods, axis, ddof, std):
    ddof = _checks.check_int(ddof, "ddof", low=0)
    return _run(
        x,
        window,
        min_periods,
        axis,
        "moments",
        lambda b, w, m, k, o, work: _kernels.rolling_moments(b, w, m, ddof, std, k, o, work=work),
    )


def rolling_var(x, window, *, min_periods=None, axis=-1, ddof=1):
    """Return the variance of the valid values in each trailing window.

    .. math:: s^2_t = \\frac{1}{n_t - \\text{ddof}} \\sum_{s = t - w + 1}^{t} (x_s - \\bar x_t)^2

    Computed from sums shifted by a value inside the window, so the rounding
    error stays that of a two-pass computation (a series at offset 1e9 keeps
    its unit variance); never negative, and exactly 0 for a window of equal
    values. NaN where :math:`n_t \\le` ``ddof``. Parameters and result as
    :func:`rolling_sum`, and ``ddof`` (default 1, as pandas).

    Examples
    --------
    >>> from fastnn.temporal import rolling_var
    >>> rolling_var([1e9, 1e9 + 1, 1e9 + 2, 1e9 + 2], 3)
    array([       nan,        nan, 1.        , 0.33333333])
    """
    return _moments(x, window, min_periods, axis, ddof, std=False)


def rolling_std(x, window, *, min_periods=None, axis=-1, ddof=1):
    """Return the moving standard deviation: the square root of :func:`rolling_var`.

    .. math:: s_t = \\sqrt{s^2_t}

    Examples
    --------
    >>> from fastnn.temporal import rolling_std
    >>> rolling_std([2.0, 4.0, 4.0, 4.0, 5.0], 2)
    array([       nan, 1.41421356, 0.        , 0.        , 0.70710678])
    """
    return _moments(x, window, min_periods, axis, ddof, std=True)


def _extrema(x, window, min_periods, axis, code):
    return _run(
        x,
        window,
        min_periods,
        axis,
        "extrema",
        lambda b, w, m, k, o, work: _kernels.rolling_extrema(b, w, m, code, k, o, work=work),
    )


def rolling_min(x, window, *, min_periods=None, axis=-1):
    """Return the minimum of the valid values in each trailing window.

    .. math:: m_t = \\min_{t - w < s \\le t} x_s

    Computed by van Herk's and Gil & Werman's block method, O(n) whatever
    the window. Parameters and result as :func:`rolling_sum`.

    Examples
    --------
    >>> from fastnn.temporal import rolling_min
    >>> rolling_min([3.0, 1.0, 4.0, 1.0, 5.0], 2)
    array([nan,  1.,  1.,  1.,  1.])
    """
    return _extrema(x, window, min_periods, axis, _kernels.MIN)


def rolling_max(x, window, *, min_periods=None, axis=-1):
    """Return the maximum of the valid values in each trailing window.

    .. math:: M_t = \\max_{t - w < s \\le t} x_s

    Examples
    --------
    >>> from fastnn.temporal import rolling_max
    >>> rolling_max([3.0, 1.0, 4.0, 1.0, 5.0], 2)
    array([nan,  3.,  4.,  4.,  5.])
    """
    return _extrema(x, window, min_periods, axis, _kernels.MAX)


def rolling_range(x, window, *, min_periods=None, axis=-1):
    """Return the moving range, maximum minus minimum of each trailing window.

    .. math:: R_t = \\max_{t - w < s \\le t} x_s - \\min_{t - w < s \\le t} x_s

    Examples
    --------
    >>> from fastnn.temporal import rolling_range
    >>> rolling_range([3.0, 1.0, 4.0, 1.0, 5.0], 3)
    array([nan, nan,  3.,  3.,  4.])
    """
    return _extrema(x, window, min_periods, axis, _kernels.RANGE)


def rolling_slope(x, window, *, min_periods=None, axis=-1):
    """Return the moving trend: the least-squares slope of each window against time.

    .. math:: \\beta_t = \\frac{\\sum_s (s - \\bar s)(x_s - \\bar x)}{\\sum_s (s - \\bar s)^2}

    over the valid points :math:`s` of the window (NaNs are left out of the
    fit, the others keep their time index), in units of ``x`` per step. NaN
    where the window has fewer than ``max(2, min_periods)`` valid values;
    equal to ``np.polyfit(s, x[s], 1)[0]`` per window.

    Examples
    --------
    >>> from fastnn.temporal import rolling_slope
    >>> rolling_slope([0.0, 2.0, float("nan"), 6.0, 5.0], 3, min_periods=2)
    array([nan,  2.,  2.,  2., -1.])
    """
    return _run(
        x,
        window,
        min_periods,
        axis,
        "trend",
        lambda b, w, m, k, o, work: _kernels.rolling_trend(b, w, m, k, o, work=work),
    )


def window_features(
    x,
    window,
    features=("mean", "std", "min", "max", "range", "slope"),
    *,
    min_periods=None,
    axis=-1,
):
    """Return several rolling statistics at once, stacked on a new last axis.

    One pass over the series, block by block: each requested statistic is
    computed on a block of ``window`` points while it sits in cache, by the
    same routine as its single function, so ``out[..., k]`` equals
    ``rolling_<features[k]>(x, window, ...)`` exactly (std and var with ``ddof=1``).

    Parameters
    ----------
    x, window, min_periods, axis
        As :func:`rolling_sum`.
    features : sequence of str
        Names from ``"sum", "mean", "var", "std", "min", "max", "range",
        "slope"``, in the order of the output columns.

    Returns
    -------
    ndarray, shape ``x.shape + (len(features),)``

    Examples
    --------
    >>> from fastnn.temporal import window_features
    >>> window_features([1.0, 3.0, 2.0, 5.0], 2, ("mean", "range", "slope"))
    array([[ nan,  nan,  nan],
           [ 2. ,  2. ,  2. ],
           [ 2.5,  1. , -1. ],
           [ 3.5,  3. ,  3. ]])
    """
    batch, lead, axis = as_series_batch(x, axis)
    window, min_periods = check_window(window, min_periods)
    features = check_features(features, FEATURES)
    codes = np.array([CODES[f] for f in features], np.int64)
    out = np.empty((len(codes), *batch.shape), batch.dtype)
    work = batch.size * sum(_WORK[_family(c)] for c in codes)
    _kernels.rolling_features(
        batch, window, min_periods, 1, codes, blocks_per_task(window), out, work=work
    )
    return move_back(np.moveaxis(out, 0, -1), lead, axis, len(lead) + 1)


def _family(code):
    if code in (_kernels.SUM, _kernels.MEAN):
        return "sums"
    if code in (_kernels.VAR, _kernels.STD):
        return "moments"
    return "trend" if code == _kernels.SLOPE else "extrema"
