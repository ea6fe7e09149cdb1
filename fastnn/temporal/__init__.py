"""Temporal features: rolling windows, lags and differences, aggregates, wave features.

Series run along ``axis`` (the last by default); other axes are a batch of
series. Every public function here has its NumPy twin, with the same name
and signature, in :mod:`fastnn.temporal.reference`.
"""

from fastnn.temporal.aggregate import aggregate
from fastnn.temporal.rolling import (
    rolling_max,
    rolling_mean,
    rolling_min,
    rolling_range,
    rolling_slope,
    rolling_std,
    rolling_sum,
    rolling_var,
    window_features,
)
from fastnn.temporal.shift import diff, lag, lags
from fastnn.temporal.spectral import (
    autocorrelation,
    rolling_spectral_features,
    spectral_features,
    zero_crossing_rate,
)
from fastnn.temporal.transformers import Lags, WindowFeatures

__all__ = [
    "Lags",
    "WindowFeatures",
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
