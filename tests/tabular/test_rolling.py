"""Tests of Groups.rolling: each group's own trailing window, aligned with the input rows.

Oracles: pandas ``groupby().rolling(window, min_periods, closed)`` (put back in
row order), the NumPy twin :func:`fastnn.tabular.reference.group_rolling`
(fastnn.temporal's twins per group), and fastnn.temporal's own rolling
functions on each group's series.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastnn
from fastnn import temporal
from fastnn.tabular import group_by, reference

from ._cases import make_keys, make_values

FEATURES = ("mean", "sum", "std", "var", "min", "max", "range", "slope")
# Each set of statistics compiles a kernel of its own (seconds), so the tests ask
# for all of them, or for the default ("mean",), and pick their columns.


def pandas_rolling(keys, values, window, feature, min_periods, closed):
    frame = pd.DataFrame({"k": keys, "v": values})
    rolling = frame.groupby("k")["v"].rolling(window, min_periods=min_periods, closed=closed)
    result = rolling.max() - rolling.min() if feature == "range" else getattr(rolling, feature)()
    return result.reset_index(level=0, drop=True).sort_index().to_numpy()


@pytest.mark.parametrize("window", [1, 3, 7])
@pytest.mark.parametrize("closed", ["right", "left"])
@pytest.mark.parametrize("min_periods", [None, 1])
def test_equals_pandas(window, closed, min_periods):
    rng = np.random.default_rng(31)
    keys = make_keys("negative", 90, rng)
    values = make_values(np.float64, 90, rng)
    got = group_by(keys).rolling(values, window, FEATURES, min_periods=min_periods,
                                 closed=closed)  # fmt: skip
    mp = window if min_periods is None else min_periods
    for j, feature in enumerate(FEATURES[:-1]):
        want = pandas_rolling(keys, values, window, feature, mp, closed)
        np.testing.assert_allclose(got[:, j], want, rtol=1e-9, atol=1e-12, equal_nan=True,
                                   err_msg=feature)  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32])
def test_equals_twin_and_temporal(dtype):
    rng = np.random.default_rng(32)
    keys = make_keys("float_nan", 120, rng)
    values = make_values(dtype, 120, rng, "inf" if np.dtype(dtype).kind == "f" else "none")
    groups = group_by(keys)
    got = groups.rolling(values, 4, FEATURES, min_periods=2)
    assert got.dtype == (np.float32 if dtype == np.float32 else np.float64)
    twin = reference.group_rolling(groups.codes, values, 4, FEATURES, min_periods=2)
    rtol = 1e-5 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(got, twin, rtol=rtol, atol=rtol, equal_nan=True)
    if dtype != np.float64:
        return  # the same kernel below, compiled for float32 too: seconds for nothing new
    for g in range(groups.n_groups):
        rows = np.flatnonzero(groups.codes == g)
        own = temporal.window_features(values[rows], 4, FEATURES, min_periods=2)
        np.testing.assert_array_equal(got[rows], own)  # the same kernel, the same bits
    assert np.isnan(got[groups.codes < 0]).all()


def test_order_unsorted_equals_sorted():
    rng = np.random.default_rng(33)
    n = 80
    keys = make_keys("str", n, rng)
    times = rng.permutation(n).astype("datetime64[s]")
    values = rng.standard_normal(n)
    got = group_by(keys).rolling(values, 3, FEATURES, order=times, min_periods=1)
    by_time = np.argsort(times)
    sorted_got = group_by(keys[by_time]).rolling(values[by_time], 3, FEATURES, min_periods=1)
    np.testing.assert_array_equal(got[by_time], sorted_got)
    frame = pd.DataFrame({"k": keys, "t": times, "v": values}).sort_values("t")
    want = frame.groupby("k")["v"].rolling(3, min_periods=1).mean()
    want = want.reset_index(level=0, drop=True).sort_index().to_numpy()
    np.testing.assert_allclose(got[:, 0], want, rtol=1e-12)


def test_left_leaves_current_row_out():
    keys = np.array([1, 1, 1, 2, 2])
    values = np.array([1.0, 2.0, 4.0, 10.0, 20.0])
    got = group_by(keys).rolling(values, 2, FEATURES, min_periods=1, closed="left")[:, 1]
    np.testing.assert_array_equal(got, [np.nan, 1.0, 3.0, np.nan, 10.0])


def test_two_dimensional_and_threads(monkeypatch):
    rng = np.random.default_rng(34)
    keys = rng.integers(0, 50, 3000)
    values = rng.standard_normal((3000, 2))
    groups = group_by(keys)
    monkeypatch.setattr(fastnn._jit, "PARALLEL_MIN_WORK", 0)
    results = []
    for threads in (1, 2):
        fastnn.set_num_threads(threads)
        results.append(groups.rolling(values, 5, FEATURES))
    fastnn.set_num_threads(fastnn._jit.numba.config.NUMBA_NUM_THREADS)
    np.testing.assert_array_equal(results[0], results[1])
    assert results[0].shape == (3000, 2, 8)
    np.testing.assert_array_equal(results[0][:, 1], groups.rolling(values[:, 1], 5, FEATURES))


@pytest.mark.parametrize("closed", ["right", "left"])
def test_order_and_missing_keys_any_threads(monkeypatch, closed):
    # rows walked through a permutation, rows of no group, chunks of rows per thread
    rng = np.random.default_rng(35)
    n = 2000
    keys = make_keys("float_nan", n, rng)
    times = rng.permutation(n)
    values = make_values(np.float64, n, rng, "inf")
    groups = group_by(keys)
    monkeypatch.setattr(fastnn._jit, "PARALLEL_MIN_WORK", 0)
    results = []
    for threads in (1, 2):
        fastnn.set_num_threads(threads)
        results.append(groups.rolling(values, 6, FEATURES, min_periods=2, order=times,
                                      closed=closed))  # fmt: skip
    fastnn.set_num_threads(fastnn._jit.numba.config.NUMBA_NUM_THREADS)
    np.testing.assert_array_equal(results[0], results[1])
    want = reference.group_rolling(groups.codes, values, 6, FEATURES, min_periods=2,
                                   order=times, closed=closed)  # fmt: skip
    np.testing.assert_allclose(results[0], want, rtol=1e-9, atol=1e-12, equal_nan=True)
    assert np.isnan(results[0][groups.codes < 0]).all()


def test_edges_and_bad_inputs():
    assert group_by(np.array([], np.int64)).rolling(np.array([]), 3).shape == (0, 1)
    each = group_by(np.arange(5)).rolling(np.arange(5.0), 2, min_periods=1)
    np.testing.assert_array_equal(each[:, 0], np.arange(5.0))
    groups = group_by([1, 1, 2])
    with pytest.raises(ValueError, match="window must be an integer >= 1"):
        groups.rolling([1.0, 2.0, 3.0], 0)
    with pytest.raises(ValueError, match="min_periods"):
        groups.rolling([1.0, 2.0, 3.0], 2, min_periods=3)
    with pytest.raises(ValueError, match="features must be one of"):
        groups.rolling([1.0, 2.0, 3.0], 2, ("median",))
    one = groups.rolling([1.0, 2.0, 3.0], 1, "mean")  # a name alone is one feature
    np.testing.assert_array_equal(one, [[1.0], [2.0], [3.0]])
    with pytest.raises(ValueError, match="closed must be one of"):
        groups.rolling([1.0, 2.0, 3.0], 2, closed="both")
    with pytest.raises(ValueError, match="order must be 1-D with one value per row"):
        groups.rolling([1.0, 2.0, 3.0], 2, order=[1, 2])
    with pytest.raises(TypeError, match="order must hold numbers"):
        groups.rolling([1.0, 2.0, 3.0], 2, order=np.array(["a", "b", "c"]))
    with pytest.raises(ValueError, match="3 rows expected"):
        groups.rolling([1.0, 2.0], 2)
    values = np.array([3.0, 1.0, np.nan])
    order = np.array([2, 1, 0])
    groups.rolling(values, 2, order=order)
    np.testing.assert_array_equal(values, [3.0, 1.0, np.nan])
    np.testing.assert_array_equal(order, [2, 1, 0])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=40),
    st.integers(1, 6),
    st.sampled_from(["right", "left"]),
)
def test_property_equals_twin(keys, window, closed):
    keys = np.array(keys)
    values = np.cos(np.arange(len(keys)) * 1.7) * 10
    groups = group_by(keys)
    got = groups.rolling(values, window, FEATURES, min_periods=1, closed=closed)
    want = reference.group_rolling(groups.codes, values, window, FEATURES, min_periods=1,
                                   closed=closed)  # fmt: skip
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True)
