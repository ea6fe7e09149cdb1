"""Tests of Groups.diff, lag, cumsum and cumcount (within-group sequences in row order).

Oracles: pandas ``groupby().diff/shift/cumsum/cumcount`` and the NumPy twins
in :mod:`fastnn.tabular.reference` (a stable ``lexsort`` by group).
"""

import numpy as np
import pandas as pd
import pytest

from fastnn.tabular import Groups, group_by, reference

from ._cases import KEY_KINDS, make_keys, make_values, pandas_groupby


@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("dropna", [True, False])
@pytest.mark.parametrize("k", [0, 1, 3, 100])
def test_diff_and_lag_equal_pandas(kind, dropna, k):
    rng = np.random.default_rng(21)
    keys = make_keys(kind, 70, rng)
    values = make_values(np.float64, 70, rng)
    groups = group_by(keys, dropna=dropna)
    gb = pandas_groupby(keys, values, True, dropna)
    np.testing.assert_array_equal(groups.diff(values, k), gb.diff(k).to_numpy())
    np.testing.assert_array_equal(groups.lag(values, k), gb.shift(k).to_numpy())
    np.testing.assert_array_equal(
        groups.lag(values, k, fill_value=-1.5), gb.shift(k, fill_value=-1.5).to_numpy()
    )
    if k > 0:  # the twins leave rows of no group NaN even for k = 0
        np.testing.assert_array_equal(groups.diff(values, k),
                                      reference.group_diff(groups.codes, values, k))  # fmt: skip
        np.testing.assert_array_equal(groups.lag(values, k),
                                      reference.group_lag(groups.codes, values, k))  # fmt: skip


@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("dropna", [True, False])
def test_cumsum_and_cumcount_equal_pandas(kind, dropna):
    rng = np.random.default_rng(22)
    keys = make_keys(kind, 70, rng)
    values = make_values(np.float64, 70, rng)
    groups = group_by(keys, dropna=dropna)
    gb = pandas_groupby(keys, values, True, dropna)
    np.testing.assert_allclose(groups.cumsum(values), gb.cumsum().to_numpy(), rtol=1e-13,
                               equal_nan=True)  # fmt: skip
    np.testing.assert_array_equal(groups.cumcount(), gb.cumcount().to_numpy())
    np.testing.assert_allclose(groups.cumsum(values), reference.group_cumsum(groups.codes, values),
                               rtol=1e-13, equal_nan=True)  # fmt: skip
    np.testing.assert_array_equal(groups.cumcount(), reference.group_cumcount(groups.codes))


@pytest.mark.filterwarnings("ignore:reindexing with a fill_value")  # pandas's bool shift
@pytest.mark.parametrize("dtype", [np.int64, np.int16, np.uint8, np.float32, bool])
def test_dtypes(dtype):
    rng = np.random.default_rng(23)
    keys = make_keys("str", 40, rng)
    values = make_values(dtype, 40, rng)
    groups = group_by(keys)
    gb = pd.Series(values).groupby(keys)
    kept = groups.lag(values, 2, fill_value=0)
    want = gb.shift(2, fill_value=0).to_numpy()
    assert kept.dtype == values.dtype  # pandas keeps the dtype when fill_value fits it
    np.testing.assert_array_equal(kept, want)
    floated = groups.lag(values, 2)
    assert floated.dtype == (np.float32 if dtype == np.float32 else np.float64)
    np.testing.assert_array_equal(floated, gb.shift(2).to_numpy(dtype=np.float64))
    diff = groups.diff(values.astype(np.float64) if dtype is bool else values)
    np.testing.assert_allclose(diff, gb.diff().to_numpy(dtype=np.float64) if dtype is not bool
                               else pd.Series(values.astype(float)).groupby(keys).diff(),
                               equal_nan=True)  # fmt: skip
    assert groups.cumcount().dtype == np.int64


def test_two_dimensional_and_shape():
    rng = np.random.default_rng(24)
    keys = [make_keys("int", 50, rng), make_keys("bool", 50, rng)]
    values = rng.standard_normal((50, 2))
    groups = group_by(keys)
    frame = pd.DataFrame(values).groupby([pd.Series(k) for k in keys])
    np.testing.assert_array_equal(groups.diff(values), frame.diff().to_numpy())
    np.testing.assert_array_equal(groups.lag(values, 2), frame.shift(2).to_numpy())
    np.testing.assert_allclose(groups.cumsum(values), frame.cumsum().to_numpy(), rtol=1e-13)


def test_empty_and_bad_inputs():
    groups = group_by(np.array([], np.int64))
    assert groups.diff(np.array([])).shape == (0,)
    assert groups.cumcount().shape == (0,)
    groups = group_by([1, 1, 2])
    with pytest.raises(ValueError, match="k must be an integer >= 0"):
        groups.diff([1.0, 2.0, 3.0], -1)
    with pytest.raises(ValueError, match="3 rows expected, got 2"):
        groups.lag([1.0, 2.0])
    with pytest.raises(TypeError, match="fill_value"):
        groups.lag([1.0, 2.0, 3.0], fill_value="x")
    with pytest.raises(TypeError, match="values must hold real numbers"):
        groups.cumsum(np.array(["a", "b", "c"]))
    values = np.array([1.0, np.nan, 3.0])
    before = values.copy()
    groups.diff(values), groups.lag(values), groups.cumsum(values)
    np.testing.assert_array_equal(values, before)


@pytest.mark.parametrize(
    "dtype", [np.int8, np.int32, np.int64, np.uint8, np.uint16, bool, np.float32, np.float64]
)
@pytest.mark.parametrize("kind", ["str", "float_nan"])  # without and with rows of no group
def test_cumsum_dtypes_equal_pandas_and_numpy(dtype, kind):
    rng = np.random.default_rng(25)
    keys = make_keys(kind, 60, rng)
    values = make_values(dtype, 60, rng)
    groups = group_by(keys)
    got = groups.cumsum(values)
    twin = reference.group_cumsum(groups.codes, values)
    gb = pd.Series(values).groupby(keys)
    want = gb.cumsum()
    if kind == "float_nan":  # rows of no group: NaN, so float64 for integers too (pandas)
        assert got.dtype == (np.float32 if dtype == np.float32 else np.float64)
        assert np.isnan(got[groups.codes < 0]).all()
    else:  # NumPy's accumulator dtype: bool and signed -> int64, unsigned -> uint64
        assert got.dtype == np.cumsum(values).dtype
        if dtype in (np.int64, np.int8, bool, np.uint8, np.float32, np.float64):
            assert got.dtype == want.dtype  # pandas agrees (it keeps int32, uint16)
    assert got.dtype == twin.dtype
    np.testing.assert_array_equal(got, twin)
    # pandas sums float32 in float32 (fastnn in float64), float64 with compensation
    tol = {np.float32: 1e-5, np.float64: 1e-13}.get(dtype, 0)
    np.testing.assert_allclose(got.astype(np.float64), want.to_numpy(np.float64), rtol=tol,
                               atol=tol, equal_nan=True)  # fmt: skip


def test_cumsum_integers_are_exact_and_two_dimensional():
    big = np.array([2**53, 1, 1, 7], np.int64)  # float64 sums would lose the ones
    got = group_by([0, 0, 0, 1]).cumsum(big)
    np.testing.assert_array_equal(got, [2**53, 2**53 + 1, 2**53 + 2, 7])
    values = np.arange(12, dtype=np.uint8).reshape(6, 2) * 40  # sums beyond uint8
    keys = np.array([1, 2, 1, 2, 1, 1])
    got = group_by(keys).cumsum(values)
    assert got.dtype == np.uint64 and got.shape == (6, 2)
    want = pd.DataFrame(values.astype(np.int64)).groupby(keys).cumsum().to_numpy()
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("kind", ["str", "float_nan"])
def test_diff_lag_cumcount_dtypes_equal_pandas(dtype, kind):
    rng = np.random.default_rng(26)
    keys = make_keys(kind, 50, rng)
    values = make_values(dtype, 50, rng)
    groups = group_by(keys)
    gb = pd.Series(values).groupby(keys)
    for got, want in [
        (groups.diff(values), gb.diff()),
        (groups.lag(values), gb.shift()),
        (groups.cumcount(), gb.cumcount()),
    ]:
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want.to_numpy())


@pytest.mark.parametrize("sort", [True, False])
@pytest.mark.parametrize("dropna", [True, False])
@pytest.mark.parametrize("kind", ["int", "negative", "float_nan", "str", "object_none", "two"])
def test_twin_groups_equal_groups(kind, sort, dropna):
    # reference.group_by's Groups (np.unique, lexsort) against fastnn's, method by method
    rng = np.random.default_rng(27)
    n = 60
    if kind == "two":
        keys = [make_keys("float_nan", n, rng), make_keys("str", n, rng)]
    else:
        keys = make_keys(kind, n, rng)
    values = make_values(np.float64, n, rng)
    got = group_by(keys, sort=sort, dropna=dropna)
    twin = reference.group_by(keys, sort=sort, dropna=dropna)
    np.testing.assert_array_equal(got.codes, twin.codes)
    assert got.n_groups == twin.n_groups == len(twin)
    np.testing.assert_array_equal(got.sizes, twin.sizes)
    for got_keys, twin_keys in zip(*(
        (k if isinstance(k, tuple) else (k,)) for k in (got.keys, twin.keys)
    ), strict=True):  # fmt: skip
        missing = np.array([k is None or k != k for k in twin_keys], bool)
        assert [k is None or k != k for k in got_keys] == missing.tolist()
        assert list(np.asarray(got_keys)[~missing]) == list(np.asarray(twin_keys)[~missing])
    ints = rng.integers(-9, 9, n)
    for method, args in [("diff", (values, 2)), ("lag", (values,)), ("cumsum", (values,)),
                         ("cumsum", (ints,)), ("cumcount", ())]:  # fmt: skip
        a, b = getattr(got, method)(*args), getattr(twin, method)(*args)
        assert a.dtype == b.dtype, method
        np.testing.assert_array_equal(a, b, err_msg=method)
    np.testing.assert_array_equal(got.lag(values, 1, fill_value=-2.0),
                                  twin.lag(values, 1, fill_value=-2.0))  # fmt: skip
    features = ("count", "sum", "mean", "std", "min", "max", "median")
    np.testing.assert_allclose(got.aggregate(values, features), twin.aggregate(values, features),
                               rtol=1e-12, equal_nan=True)  # fmt: skip
    np.testing.assert_allclose(got.transform(values, "mean"), twin.transform(values, "mean"),
                               rtol=1e-12, equal_nan=True)  # fmt: skip
    np.testing.assert_allclose(got.rolling(values, 3, min_periods=1),
                               twin.rolling(values, 3, min_periods=1), rtol=1e-12,
                               equal_nan=True)  # fmt: skip


def test_twin_from_codes():
    codes = np.array([1, 0, -1, 1, 1])
    values = np.array([1.0, 2.0, 3.0, np.nan, 5.0])
    got, twin = Groups.from_codes(codes, 3), reference.Groups.from_codes(codes, 3)
    np.testing.assert_array_equal(got.sizes, twin.sizes)
    assert got.keys is None and twin.keys is None
    np.testing.assert_array_equal(got.cumsum(values), twin.cumsum(values))
    np.testing.assert_array_equal(got.diff(values), twin.diff(values))
    np.testing.assert_array_equal(got.aggregate(values, "sum"), twin.aggregate(values, "sum"))
