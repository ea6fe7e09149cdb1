"""Previous values: lags and differences along the time axis (pandas ``shift`` and ``diff``).

These move memory rather than compute, so they are NumPy slicing: one
allocation and one copy per result, already at memory speed; a Numba
kernel would add a compile and gain nothing.
"""

import numpy as np

from fastnn import _checks
from fastnn.temporal._series import as_series_batch, move_back

__all__ = ["diff", "lag", "lags"]


def _check_k(k, name="k"):
    return _checks.check_int(k, name, low=0)


def lag(x, k=1, *, fill_value=np.nan, axis=-1):
    """Return ``x`` delayed by ``k`` steps: the value ``k`` points earlier at each point.

    .. math:: \\text{lag}_k(x)_t = x_{t-k}, \\qquad t \\ge k

    and ``fill_value`` for the first ``k`` points, as pandas ``Series.shift(k)``.

    Parameters
    ----------
    x : array_like
        Series along ``axis``. Real dtypes.
    k : int
        The delay, ``k >= 0`` (``k = 0`` copies; ``k`` beyond the length fills all).
    fill_value : float
        The value of the first ``k`` points.
    axis : int
        The time axis.

    Returns
    -------
    ndarray, the shape of ``x``
        float32 for float32 input, float64 otherwise.

    Examples
    --------
    >>> from fastnn.temporal import lag
    >>> lag([1, 2, 3, 4], 2)
    array([nan, nan,  1.,  2.])
    """
    k = _check_k(k)
    fill_value = _checks.check_real(fill_value, "fill_value")
    batch, lead, axis = as_series_batch(x, axis)
    out = np.empty_like(batch)
    _lag_into(batch, k, fill_value, out)
    return move_back(out, lead, axis, len(lead) + 1)


def _lag_into(batch, k, fill_value, out):
    k = min(k, batch.shape[1])
    out[:, :k] = fill_value
    out[:, k:] = batch[:, : batch.shape[1] - k]


def lags(x, ks, *, fill_value=np.nan, axis=-1):
    """Return the lags ``ks`` of ``x`` stacked on a new last axis.

    ``lags(x, ks)[..., j]`` equals ``lag(x, ks[j], ...)``: the classic
    "previous values" feature matrix of a series.

    Parameters
    ----------
    x, fill_value, axis
        As :func:`lag`.
    ks : sequence of int
        The delays, each ``>= 0``.

    Returns
    -------
    ndarray, shape ``x.shape + (len(ks),)``

    Examples
    --------
    >>> from fastnn.temporal import lags
    >>> lags([1.0, 2.0, 3.0], [0, 1])
    array([[ 1., nan],
           [ 2.,  1.],
           [ 3.,  2.]])
    """
    if isinstance(ks, str) or not hasattr(ks, "__iter__"):
        raise TypeError(f"ks must be a sequence of integers, got {type(ks).__name__}")
    ks = [_check_k(k, "ks") for k in ks]
    if not ks:
        raise ValueError("ks must hold at least one lag, got an empty sequence")
    fill_value = _checks.check_real(fill_value, "fill_value")
    batch, lead, axis = as_series_batch(x, axis)
    out = np.empty((len(ks), *batch.shape), batch.dtype)
    for j, k in enumerate(ks):
        _lag_into(batch, k, fill_value, out[j])
    return move_back(np.moveaxis(out, 0, -1), lead, axis, len(lead) + 1)


def diff(x, k=1, *, axis=-1):
    """Return the ``k``-step difference of ``x``, the same length, NaN-padded at the start.

    .. math:: \\Delta_k x_t = x_t - x_{t-k}

    as pandas ``Series.diff(k)``. Integers are converted to float before the
    subtraction, so nothing wraps around.

    Parameters
    ----------
    x : array_like
        Series along ``axis``. Real dtypes.
    k : int
        The step, ``k >= 0``.
    axis : int
        The time axis.

    Returns
    -------
    ndarray, the shape of ``x``
        float32 for float32 input, float64 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.temporal import diff
    >>> diff(np.array([5, 3, 10], dtype=np.uint8))
    array([nan, -2.,  7.])
    """
    k = _check_k(k)
    batch, lead, axis = as_series_batch(x, axis)
    out = np.empty_like(batch)
    k = min(k, batch.shape[1])
    out[:, :k] = np.nan
    with np.errstate(invalid="ignore"):  # inf - inf is NaN, as in pandas, without a warning
        np.subtract(batch[:, k:], batch[:, : batch.shape[1] - k], out=out[:, k:])
    return move_back(out, lead, axis, len(lead) + 1)
