"""Aggregate statistics of whole series: one row of features per series."""

import numpy as np

from fastnn.temporal import _kernels
from fastnn.temporal._series import as_series_batch, check_features

__all__ = ["aggregate"]

FEATURES = (
    "mean",
    "std",
    "min",
    "max",
    "median",
    "skew",
    "kurtosis",
    "slope",
    "abs_energy",
    "mean_abs_change",
)


def aggregate(
    x,
    features=FEATURES,
    *,
    axis=-1,
):
    """Return aggregate statistics of each series, one row of ``len(features)`` per series.

    With :math:`n` valid (non-NaN) values, mean :math:`\\bar x` and central
    sums :math:`M_p = \\sum (x_t - \\bar x)^p`:

    - ``mean``, ``min``, ``max``, ``median``: of the valid values;
    - ``std``: :math:`\\sqrt{M_2 / (n - 1)}` (ddof = 1, as pandas);
    - ``skew``: :math:`G_1 = \\frac{\\sqrt{n(n-1)}}{n-2} \\frac{M_3/n}{(M_2/n)^{3/2}}`,
      ``scipy.stats.skew(bias=False)``; NaN for n < 3 or a constant series;
    - ``kurtosis``: excess, :math:`G_2 = \\frac{(n+1) g_2 + 6}{(n-2)(n-3)} (n-1)` with
      :math:`g_2 = \\frac{M_4/n}{(M_2/n)^2} - 3`, ``scipy.stats.kurtosis(bias=False)``;
      NaN for n < 4 or a constant series;
    - ``slope``: least-squares slope against the time index (the linear
      regression feature), NaNs left out of the fit;
    - ``abs_energy``: :math:`\\sum x_t^2`;
    - ``mean_abs_change``: mean of :math:`|x_t - x_{t-1}|` over consecutive valid pairs.

    The moments come from one pass over memory (chunks merged by Pébay's
    formulas, as stable as two passes), of the series scaled by the power of
    two nearest its largest finite magnitude (exact; the results are scaled
    back), so finite values from the smallest subnormal to the largest double
    give finite results wherever the true answer is a double (``abs_energy``,
    ``slope`` and ``mean_abs_change`` are inf where theirs exceeds the largest
    one, ``abs_energy`` 0 where it is below the smallest). NaNs are skipped
    (an inf is a value, and makes the moments inf or NaN); a statistic without
    enough valid values is NaN.

    Parameters
    ----------
    x : array_like
        Series along ``axis``. Real dtypes.
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
    >>> from fastnn.temporal import aggregate
    >>> aggregate([1.0, 2.0, 4.0, 8.0], ("mean", "median", "slope", "mean_abs_change"))
    array([3.75      , 3.        , 2.3       , 2.33333333])
    """
    batch, lead, _ = as_series_batch(x, axis)
    features = check_features(features, FEATURES)
    codes = np.array([FEATURES.index(f) for f in features], np.int64)
    out = np.empty((batch.shape[0], len(codes)), batch.dtype)
    _kernels.aggregate(batch, codes, out, work=batch.size * 12)
    return out.reshape(*lead, len(codes))
