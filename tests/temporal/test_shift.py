"""Tests of fastnn.temporal.shift: lag, lags and diff against pandas shift/diff and the twins."""

import numpy as np
import pandas as pd
import pytest
from hostile import layouts
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastnn.temporal import diff, lag, lags, reference

DTYPES = (np.float64, np.float32, np.int64, np.uint8, np.bool_)


def make(shape, dtype, rng):
    if np.dtype(dtype).kind in "biu":
        return rng.integers(0, 2 if np.dtype(dtype).kind == "b" else 200, shape).astype(dtype)
    x = rng.standard_normal(shape).astype(dtype)
    x[rng.random(shape) < 0.1] = np.nan
    return x


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_lag_and_diff_match_pandas_and_twins(dtype, rng):
    x = make((30,), dtype, rng)
    want_dtype = np.float32 if np.dtype(dtype) == np.float32 else np.float64
    for k in (0, 1, 3, 29, 30, 45):
        msg = f"dtype={np.dtype(dtype).name} k={k}"
        got = lag(x, k)
        assert got.dtype == want_dtype and got.shape == x.shape, msg
        s = pd.Series(x.astype(np.float64))
        np.testing.assert_array_equal(got, s.shift(k).to_numpy().astype(want_dtype), msg)
        np.testing.assert_array_equal(got, reference.lag(x, k), msg)
        d = diff(x, k)
        assert d.dtype == want_dtype, msg
        np.testing.assert_allclose(d, s.diff(k).to_numpy(), rtol=1e-6, err_msg=msg)
        np.testing.assert_array_equal(d, reference.diff(x, k), msg)


def test_lag_fill_value_and_axis(rng):
    x = make((5, 8), np.float64, rng)
    got = lag(x, 2, fill_value=-1.0, axis=0)
    np.testing.assert_array_equal(got[:2], -1.0)
    np.testing.assert_array_equal(got[2:], x[:-2])
    np.testing.assert_array_equal(got, reference.lag(x, 2, fill_value=-1.0, axis=0))
    np.testing.assert_array_equal(diff(x, 1, axis=0), reference.diff(x, 1, axis=0))
    np.testing.assert_array_equal(diff(x, 1, axis=-2), x - lag(x, 1, axis=-2))


def test_lags_stacks_on_a_new_last_axis(rng):
    x = make((3, 4, 20), np.float32, rng)
    got = lags(x, [0, 1, 5])
    assert got.shape == (3, 4, 20, 3) and got.dtype == np.float32
    for j, k in enumerate([0, 1, 5]):
        np.testing.assert_array_equal(got[..., j], lag(x, k))
    np.testing.assert_array_equal(got, reference.lags(x, [0, 1, 5]))
    along0 = lags(x, [2, 1], axis=0)
    assert along0.shape == (3, 4, 20, 2)
    np.testing.assert_array_equal(along0[..., 0], lag(x, 2, axis=0))


def test_diff_of_unsigned_integers_does_not_wrap():
    np.testing.assert_array_equal(diff(np.array([5, 3, 250, 0], np.uint8)), [np.nan, -2, 247, -250])


def test_hostile_layouts(rng):
    base = make((6, 11), np.float64, rng)
    for label, x in layouts(base):
        before = x.copy()
        np.testing.assert_array_equal(lag(x, 2), lag(base, 2), err_msg=label)
        np.testing.assert_array_equal(diff(x, 3), diff(base, 3), err_msg=label)
        np.testing.assert_array_equal(x, before, err_msg=label)


@given(
    x=hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(-1e9, 1e9)),
    k=st.integers(0, 50),
)
def test_property_diff_is_x_minus_lag(x, k):
    np.testing.assert_array_equal(diff(x, k), x - lag(x, k))
    assert np.isnan(lag(x, k)[: min(k, x.size)]).all()
