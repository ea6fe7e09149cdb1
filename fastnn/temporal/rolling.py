"""Rolling-window statistics: sum, mean, var, std, min, max, range, slope, and all at once.

Every function takes a trailing window: the statistic at point ``t`` is
computed from the points ``t - window + 1 .. t`` along ``axis`` (fewer near
the start), and the output has the shape of ``x``. The NaN policy is pandas's
``Series.rolling(window, min_periods)``: NaNs are skipped, and the result is
NaN where fewer than ``min_periods`` (default: ``window``) valid values are in
the window. A window longer than the series is allowed, as in pandas: every
window is then partial, and the result is NaN wherever the count of valid
values is below ``min_periods`` (bottleneck raises instead).

±inf is missing too, as in pandas (whose rolling statistics replace ±inf by
NaN first): it is skipped by every statistic, extrema included, and does not
count towards ``min_periods``.

Range: var, std and slope are computed on ``x`` scaled by a power of two per
block of ``window`` points (exact), so any finite values from the smallest
subnormal to the largest double give them to the accuracy of a two-pass
computation (``window`` eps of the window's largest magnitude); var is ``inf`` only
where the true variance exceeds the largest double (std stays finite there),
and 0 where it is below the smallest subnormal. Windows near blocks
whose magnitudes span more than 2^398 (about 1e120) are computed by a scaled
two-pass, O(window) each. sum and mean are plain sums: they overflow to inf
only where a partial sum of the window exceeds the largest double.

dtypes: float32 in, float32 out (accumulated in float64); float64 and every
integer or bool dtype give float64. Each kernel is O(n) whatever the window,
those rare windows aside (see :mod:`fastnn.temporal._kernels` for the method
and its measurements).
"""

import numpy as np

from fastnn import _checks
from fastnn._blocks import ROLLING_WORK, blocks_per_task
from fastnn.temporal import _kernels
from fastnn.temporal._series import (
    as_series_batch,
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


def _compute(batch, window, min_periods, features, ddof=1):
    """Run the fused kernel for the distinct ``features`` of the ``(n_series, n)`` batch.

    Returns ``(names, out)``: ``out[c]`` holds statistic ``names[c]``.
    """
    names = tuple(dict.fromkeys(features))
    out = np.empty((len(names), *batch.shape), batch.dtype)
    outputs = dict(zip(names, out, strict=True))
    work = batch.size * sum(ROLLING_WORK[name] for name in names)
    wide = batch.dtype == np.float64  # float32's squares need no scale
    _kernels.rolling_features(
        batch,
        batch.view(np.uint64) if wide else np.empty((batch.shape[0], 0), np.uint64),
        window,
        min_periods,
        ddof,
        blocks_per_task(window),
        *(outputs.get(name) for name in FEATURES),
        work=work,
    )
    return names, out


def _run(x, window, min_periods, axis, name, ddof=1):
    """Validate, batch, compute the one statistic ``name``, give it the caller's layout."""
    batch, lead, axis = as_series_batch(x, axis)
    window, min_periods = check_window(window, min_periods, batch.shape[1])
    ddof = min(ddof, batch.shape[1])  # n_t <= length: any larger ddof is as NaN, and int64
    _, out = _compute(batch, window, min_periods, (name,), ddof)
    return move_back(out[0], lead, axis, len(lead) + 1)


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
        Valid (finite) values a window needs, from 1 to ``window``; default
        ``window``. Values above the series length leave every point NaN.
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
    return _run(x, window, min_periods, axis, "sum")


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
    return _run(x, window, min_periods, axis, "mean")


def _moments(x, window, min_periods, axis, ddof, name):
    ddof = _checks.check_int(ddof, "ddof", low=0)
    return _run(x, window, min_periods, axis, name, ddof)


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
    return _moments(x, window, min_periods, axis, ddof, "var")


def rolling_std(x, window, *, min_periods=None, axis=-1, ddof=1):
    """Return the moving standard deviation: the square root of :func:`rolling_var`.

    .. math:: s_t = \\sqrt{s^2_t}

    Examples
    --------
    >>> from fastnn.temporal import rolling_std
    >>> rolling_std([2.0, 4.0, 4.0, 4.0, 5.0], 2)
    array([       nan, 1.41421356, 0.        , 0.        , 0.70710678])
    """
    return _moments(x, window, min_periods, axis, ddof, "std")


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
    return _run(x, window, min_periods, axis, "min")


def rolling_max(x, window, *, min_periods=None, axis=-1):
    """Return the maximum of the valid values in each trailing window.

    .. math:: M_t = \\max_{t - w < s \\le t} x_s

    Examples
    --------
    >>> from fastnn.temporal import rolling_max
    >>> rolling_max([3.0, 1.0, 4.0, 1.0, 5.0], 2)
    array([nan,  3.,  4.,  4.,  5.])
    """
    return _run(x, window, min_periods, axis, "max")


def rolling_range(x, window, *, min_periods=None, axis=-1):
    """Return the moving range, maximum minus minimum of each trailing window.

    .. math:: R_t = \\max_{t - w < s \\le t} x_s - \\min_{t - w < s \\le t} x_s

    Examples
    --------
    >>> from fastnn.temporal import rolling_range
    >>> rolling_range([3.0, 1.0, 4.0, 1.0, 5.0], 3)
    array([nan, nan,  3.,  3.,  4.])
    """
    return _run(x, window, min_periods, axis, "range")


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
    return _run(x, window, min_periods, axis, "slope")


def window_features(
    x,
    window,
    features=("mean", "std", "min", "max", "range", "slope"),
    *,
    min_periods=None,
    axis=-1,
):
    """Return several rolling statistics at once, stacked on a new last axis.

    One fused pass: a single kernel walks each series once, block by block,
    and the statistics share what they have in common (the count of valid
    values; the shifted sums Σd of var, std and slope; the running extrema of
    min, max and range). Every single function is the same kernel with one
    output, so ``out[..., k]`` equals ``rolling_<features[k]>(x, window, ...)``
    bit for bit (var and std with ``ddof=1``).

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
    window, min_periods = check_window(window, min_periods, batch.shape[1])
    features = check_features(features, FEATURES)
    names, out = _compute(batch, window, min_periods, features)
    if names != features:  # a feature asked for twice
        out = out[[names.index(name) for name in features]]
    return move_back(np.moveaxis(out, 0, -1), lead, axis, len(lead) + 1)
