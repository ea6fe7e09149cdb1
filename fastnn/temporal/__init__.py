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


def __getattr__(name):
    # The transformers import scikit-learn (seconds), which the functions never
    # need: they load when first asked for, as fastnn.image's do.
    if name in ("Lags", "WindowFeatures"):
        from fastnn.temporal import transformers

        return getattr(transformers, name)
    raise AttributeError(f"module 'fastnn.temporal' has no attribute {name!r}")
