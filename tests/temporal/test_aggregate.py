"""Tests of fastnn.temporal.aggregate against scipy.stats, np.polyfit, NumPy and the twin."""

import numpy as np
import pytest
import scipy.stats
from hostile import layouts
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastnn.temporal import aggregate, reference
from fastnn.temporal.aggregate import FEATURES


def oracle(x):
    """Each feature of one 1-D series from scipy/NumPy, NaNs dropped."""
    t = np.flatnonzero(~np.isnan(x))
    v = x[t]
    steps = np.abs(np.diff(x))
    return {
        "mean": v.mean(),
        "std": v.std(ddof=1),
        "min": v.min(),
        "max": v.max(),
        "median": np.median(v),
        "skew": scipy.stats.skew(v, bias=False),
        "kurtosis": scipy.stats.kurtosis(v, bias=False),
        "slope": np.polyfit(t, v, 1)[0],
        "abs_energy": np.sum(v**2),
        "mean_abs_change": np.nanmean(steps),
    }


@pytest.mark.parametrize("n", [5, 31, 256, 257, 1000, 5000])
def test_matches_scipy_and_polyfit(n, rng):
    for offset, nan_fraction in [(0.0, 0.0), (1e6, 0.0), (0.0, 0.2)]:
        x = offset + np.cumsum(rng.standard_normal(n)) + rng.exponential(1.0, n)
        x[rng.random(n) < nan_fraction] = np.nan
        x[0] = x[1] = 1.0  # keep a valid pair
        got = aggregate(x)
        assert got.shape == (len(FEATURES),)
        want = oracle(x)
        for k, name in enumerate(FEATURES):
            np.testing.assert_allclose(
                got[k], want[name], rtol=1e-8, err_msg=f"{name} n={n} offset={offset}"
            )


@pytest.mark.parametrize(
    "dtype", (np.float64, np.float32, np.int16, np.bool_), ids=lambda d: np.dtype(d).name
)
def test_matches_twin_on_batches_along_either_axis(dtype, rng):
    x = rng.standard_normal((4, 3, 60)) * 5
    if np.dtype(dtype).kind == "f":
        x[rng.random(x.shape) < 0.1] = np.nan
    x = x.astype(dtype)
    for axis in (-1, 0, 1):
        got = aggregate(x, axis=axis)
        want = reference.aggregate(x, axis=axis)
        assert got.dtype == want.dtype == (np.float32 if dtype == np.float32 else np.float64)
        assert got.shape == want.shape == (*np.delete(x.shape, axis), len(FEATURES))
        rtol = 1e-5 if dtype == np.float32 else 1e-9
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol, err_msg=f"axis={axis}")


def test_too_few_values_give_nan():
    got = aggregate([[np.nan] * 4, [1.0, np.nan, np.nan, np.nan], [2.0, 2.0, 2.0, 2.0]])
    assert np.isnan(got[0]).all()
    one = dict(zip(FEATURES, got[1], strict=True))
    assert one["mean"] == one["min"] == one["max"] == one["median"] == one["abs_energy"] == 1.0
    assert all(np.isnan(one[f]) for f in ("std", "skew", "kurtosis", "slope", "mean_abs_change"))
    constant = dict(zip(FEATURES, got[2], strict=True))
    assert constant["std"] == 0 and constant["slope"] == 0 and constant["mean_abs_change"] == 0
    assert np.isnan(constant["skew"]) and np.isnan(constant["kurtosis"])


def test_feature_subset_and_order(rng):
    x = rng.standard_normal((2, 50))
    full = aggregate(x)
    got = aggregate(x, ("kurtosis", "mean", "kurtosis"))
    np.testing.assert_array_equal(got, full[:, [6, 0, 6]])


def test_hostile_layouts(rng):
    base = rng.standard_normal((5, 40))
    want = aggregate(base)
    for label, x in layouts(base):
        np.testing.assert_array_equal(aggregate(x), want, err_msg=label)


@given(hnp.arrays(np.float64, st.integers(4, 300), elements=st.floats(-1e3, 1e3)))
def test_property_matches_twin_and_shift_invariance(x):
    got = aggregate(x)
    np.testing.assert_allclose(got, reference.aggregate(x), rtol=1e-6, atol=1e-6)
    if np.ptp(x) > 1e-2:  # a smaller spread drowns in the rounding of x + 1e4
        shifted = aggregate(x + 1e4, ("std", "skew", "kurtosis", "slope"))
        np.testing.assert_allclose(shifted, got[[1, 5, 6, 7]], rtol=1e-4, atol=1e-6)
    if np.ptp(x) == 0:
        assert got[1] == 0 and np.isnan(got[5:7]).all()
