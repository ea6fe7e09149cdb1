"""How a temporal call is planned: validation, the series batch, the result's shape.

Every public function of :mod:`fastnn.temporal` turns its input into a
C-contiguous ``(n_series, length)`` batch with the time axis last, in the
dtype the kernels read (float32 stays float32, everything else becomes
float64), and turns the kernel's output back into the caller's shape.
"""

import numpy as np

from fastnn import _checks

__all__ = [
    "as_series_batch",
    "check_features",
    "check_window",
    "move_back",
]


def as_series_batch(x, axis, name="x"):
    """Validate ``x`` and return ``(batch, lead_shape, axis)``.

    ``batch`` is ``(n_series, length)``, C-contiguous, float32 or float64 (the
    dtype of the result); ``lead_shape`` is the shape of ``x`` without ``axis``,
    in order, and ``axis`` is normalised to ``[0, x.ndim)``.
    """
    array = _checks.check_array(x, name, min_ndim=1)
    axis = _checks.check_axis(axis, array.ndim)
    dtype = np.float32 if array.dtype == np.float32 else np.float64
    moved = np.moveaxis(array, axis, -1)
    batch = np.ascontiguousarray(moved.reshape(-1, moved.shape[-1]), dtype=dtype)
    return batch, moved.shape[:-1], axis


def move_back(out, lead_shape, axis, ndim, *, trailing=0):
    """Give the kernel's ``(n_series, length, *extra)`` output the caller's layout.

    The time axis goes back to ``axis`` of the ``ndim``-dimensional input;
    ``trailing`` extra axes (features, lags) stay last.
    """
    out = out.reshape(*lead_shape, *out.shape[1:])
    return np.moveaxis(out, ndim - 1, axis) if axis != ndim - 1 else out


def check_window(window, min_periods, length):
    """Return validated ``(window, min_periods)`` for series of ``length`` points.

    ``min_periods`` defaults to ``window``. Both come back clamped, so that the
    kernels see small int64s whatever was asked (``2**63`` overflows Numba's
    typing): a window longer than the series holds every point so far, as one
    of ``length`` points does, and a ``min_periods`` above ``length`` can never
    be met, as ``length + 1`` cannot (the kernel then runs one block, whose
    count decides every point).
    """
    window = _checks.check_int(window, "window", low=1)
    if min_periods is None:
        min_periods = window
    else:
        min_periods = _checks.check_int(min_periods, "min_periods", low=1, high=window)
    return min(window, length), min(min_periods, length + 1)


def check_features(features, known):
    """Return ``features`` as a tuple of names from ``known``, or raise."""
    if isinstance(features, str) or not hasattr(features, "__iter__"):
        raise TypeError(
            f"features must be a sequence of feature names such as {tuple(known[:2])!r}, "
            f"got {type(features).__name__} {features!r}"
        )
    features = tuple(features)
    if not features:
        raise ValueError("features must name at least one feature, got an empty sequence")
    for name in features:
        _checks.check_choice(name, "features", known)
    return features
