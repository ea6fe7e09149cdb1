"""Tests of Groups.aggregate and Groups.transform.

Oracles: pandas ``groupby(...).<feature>()`` (``observed=True``; range is
``max - min``) for every feature, value dtype, NaN pattern and key kind, with
``sort`` and ``dropna`` both ways; the NumPy twin
:func:`fastnn.tabular.reference.group_aggregate` (``bincount``, ``ufunc.at``,
two-pass variance, ``lexsort``). Sums are compared with a tolerance (pandas
sums with Kahan's compensation, fastnn with shifted sums, the twin with
``bincount``); counts, extrema, first, last, median and nunique are exact.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastnn.tabular import Groups, group_by, reference

from ._cases import ALL_FEATURES, KEY_KINDS, make_keys, make_values, pandas_aggregate

VALUE_DTYPES = [np.float64, np.float32, np.int64, np.int8, np.uint16, bool]
NAN_PATTERNS = ["none", "some", "all", "inf"]


def assert_table_close(actual, expected, dtype=np.float64):
    rtol = 2e-6 if np.dtype(dtype) == np.float32 else 1e-11
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * 10, equal_nan=True)


@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("sort", [True, False])
@pytest.mark.parametrize("dropna", [True, False])
def test_every_feature_equals_pandas_per_key_kind(kind, sort, dropna):
    rng = np.random.default_rng(11)
    keys = make_keys(kind, 90, rng)
    values = make_values(np.float64, 90, rng)
    got = group_by(keys, sort=sort, dropna=dropna).aggregate(values, ALL_FEATURES)
    want = pandas_aggregate(keys, values, ALL_FEATURES, sort, dropna)
    assert got.dtype == np.float64
    assert_table_close(got, want)


DTYPE_CASES = [
    (dtype, pattern)
    for dtype in VALUE_DTYPES
    for pattern in (NAN_PATTERNS if np.dtype(dtype).kind == "f" else ["none"])  # ints hold no NaN
]


@pytest.mark.parametrize(("dtype", "nan_pattern"), DTYPE_CASES,
                         ids=[f"{np.dtype(d).name}-{p}" for d, p in DTYPE_CASES])  # fmt: skip
def test_every_feature_equals_pandas_and_twin_per_dtype(dtype, nan_pattern):
    rng = np.random.default_rng(12)
    keys = make_keys("negative", 120, rng)
    values = make_values(dtype, 120, rng, nan_pattern)
    groups = group_by(keys)
    got = groups.aggregate(values, ALL_FEATURES)
    assert got.dtype == (np.float32 if dtype == np.float32 else np.float64)
    with np.errstate(invalid="ignore"):  # pandas's own inf - inf
        want = pandas_aggregate(keys, values.astype(np.float64), ALL_FEATURES)
    assert_table_close(got, want, dtype)
    twin = reference.group_aggregate(groups.codes, groups.n_groups, values, ALL_FEATURES)
    assert_table_close(got, twin, dtype)
    assert (got[:, ALL_FEATURES.index("var")][~np.isnan(got[:, 4])] >= 0).all()


def test_all_nan_group_and_min_count():
    keys = np.array([0, 0, 1, 1, 2])
    values = np.array([np.nan, np.nan, 1.0, np.nan, 2.0])
    groups = group_by(keys)
    got = groups.aggregate(values, ("count", "sum", "mean", "min", "first", "nunique", "size"))
    np.testing.assert_array_equal(got[0], [0, 0, np.nan, np.nan, np.nan, 0, 2])
    s = pd.Series(values).groupby(keys)
    for min_count in (0, 1, 2):
        np.testing.assert_array_equal(
            groups.aggregate(values, "sum", min_count=min_count)[:, 0],
            s.sum(min_count=min_count).to_numpy(),
        )


def test_first_last_skip_nan_per_column():
    keys = np.array([1, 1, 1])
    values = np.array(
        [
            [np.nan, 1.0],
            [2.0, np.nan],
            [3.0, 4.0],
        ][:3]
    )
    got = group_by(keys).aggregate(values, ("first", "last"))
    frame = pd.DataFrame(values).groupby(keys)
    np.testing.assert_array_equal(got[0, :, 0], frame.first().to_numpy()[0])
    np.testing.assert_array_equal(got[0, :, 1], frame.last().to_numpy()[0])


def test_two_dimensional_values_equal_pandas():
    rng = np.random.default_rng(13)
    keys = [make_keys("int", 70, rng), make_keys("str", 70, rng)]
    values = rng.standard_normal((70, 3))
    values[rng.random((70, 3)) < 0.2] = np.nan
    got = group_by(keys).aggregate(values, ("mean", "std", "median"))
    assert got.shape[1:] == (3, 3)
    for c in range(3):
        assert_table_close(
            got[:, c], pandas_aggregate(keys, values[:, c], ("mean", "std", "median"))
        )


def test_large_offset_keeps_its_std():
    rng = np.random.default_rng(14)
    keys = rng.integers(0, 20, 20_000)
    noise = rng.standard_normal(20_000)
    values = 1e9 + noise
    got = group_by(keys).aggregate(values, ("mean", "var", "std"))
    want = pd.Series(noise).groupby(keys).agg(["mean", "var", "std"]).to_numpy()
    np.testing.assert_allclose(got[:, 0] - 1e9, want[:, 0], atol=1e-6)
    np.testing.assert_allclose(got[:, 1:], want[:, 1:], rtol=1e-6)
    constant = group_by(keys).aggregate(np.full(20_000, 0.1), ("var",))
    assert (constant == 0).all()


def test_ddof_and_codes_path_equal_hash_path():
    rng = np.random.default_rng(15)
    keys = rng.integers(0, 9, 300)
    values = make_values(np.float64, 300, rng)
    fused = group_by(keys).aggregate(values, ALL_FEATURES[:11], ddof=0)
    codes = Groups.from_codes(keys, 9).aggregate(values, ALL_FEATURES[:11], ddof=0)
    np.testing.assert_array_equal(fused, codes)
    want = pandas_aggregate(keys, values, ("var", "std"), ddof=0)
    assert_table_close(fused[:, 4:6], want)
    many = group_by(keys)
    _ = many.codes  # factorized first: the codes path
    np.testing.assert_array_equal(many.aggregate(values, ALL_FEATURES[:11], ddof=0), fused)


def test_hash_path_gives_keys_and_sizes_before_codes():
    keys = np.array([5.0, np.nan, -1.0, 5.0])
    groups = group_by(keys, sort=False)
    table = groups.aggregate(np.array([1.0, 2.0, 3.0, 4.0]), ("size", "sum"))
    np.testing.assert_array_equal(groups.keys, [5.0, -1.0])
    np.testing.assert_array_equal(groups.sizes, [2, 1])
    np.testing.assert_array_equal(table, [[2, 5], [1, 3]])
    np.testing.assert_array_equal(groups.codes, [0, -1, 1, 0])


def test_transform_equals_pandas():
    rng = np.random.default_rng(16)
    keys = make_keys("float_nan", 80, rng)
    values = make_values(np.float64, 80, rng)
    groups = group_by(keys)
    series = pd.Series(values).groupby(keys)
    for feature in ("mean", "sum", "std", "max", "count", "size", "first", "median", "nunique"):
        got = groups.transform(values, feature)
        want = series.transform(feature).to_numpy(dtype=np.float64)
        np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True, err_msg=feature)
    np.testing.assert_allclose(
        groups.transform(values, "mean"),
        reference.group_transform(groups.codes, groups.n_groups, values, "mean"),
        rtol=1e-12,
        equal_nan=True,
    )
    two = groups.transform(np.column_stack([values, -values]), "max")
    assert two.shape == (80, 2)


def test_bad_inputs():
    groups = group_by([1, 2, 1])
    with pytest.raises(ValueError, match="values must have one row per key: 3 rows"):
        groups.aggregate([1.0, 2.0])
    with pytest.raises(ValueError, match="features must be one of"):
        groups.aggregate([1.0, 2.0, 3.0], ("mean", "average"))
    with pytest.raises(ValueError, match="at least one"):
        groups.aggregate([1.0, 2.0, 3.0], ())
    with pytest.raises(TypeError, match="values must hold real numbers"):
        groups.aggregate(np.array(["a", "b", "c"]), ("mean",))
    with pytest.raises(TypeError, match="values must hold real numbers"):
        groups.aggregate(np.array(["2020", "2021", "2022"], "datetime64[D]"))
    with pytest.raises(ValueError, match="1-D or 2-D"):
        groups.aggregate(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="ddof"):
        groups.aggregate([1.0, 2.0, 3.0], ddof=-1)
    with pytest.raises(ValueError, match="feature must name one feature"):
        groups.transform([1.0, 2.0, 3.0], ("mean", "max"))
    with pytest.raises(TypeError, match="MaskedArray"):
        groups.aggregate(np.ma.masked_array([1.0, 2.0, 3.0]))


def test_values_never_modified():
    values = np.array([3.0, np.nan, 1.0, 2.0])
    before = values.copy()
    groups = group_by(np.array([1, 1, 2, 2]))
    groups.aggregate(values, ALL_FEATURES)
    groups.transform(values, "median")
    np.testing.assert_array_equal(values, before)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.int8, n, elements=st.integers(-3, 3)),
            hnp.arrays(
                np.float64,
                n,
                elements=st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(np.nan)),
            ),
        )
    )
)
def test_property_equals_twin(data):
    keys, values = data
    groups = group_by(keys)
    got = groups.aggregate(values, ALL_FEATURES)
    want = reference.group_aggregate(groups.codes, groups.n_groups, values, ALL_FEATURES)
    scale = np.nanmax(np.abs(values), initial=1.0)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * scale * len(values),
                               equal_nan=True)  # fmt: skip


def test_large_tables_equal_twin_and_each_other():
    # 20,000 keys: the hash table doubles 5 times; 20,000 groups' state is past L2
    rng = np.random.default_rng(17)
    n, n_groups = 80_000, 20_000
    keys = rng.integers(-(2**62), 2**62, n_groups)[rng.integers(0, n_groups, n)]
    values = make_values(np.float64, n, rng)
    features = ALL_FEATURES[:11]
    fused = group_by(keys).aggregate(values, features)
    groups = group_by(keys)
    by_codes = Groups.from_codes(groups.codes, groups.n_groups).aggregate(values, features)
    np.testing.assert_array_equal(fused, by_codes)
    twin = reference.group_aggregate(groups.codes, groups.n_groups, values, features)
    assert_table_close(fused, twin)


@pytest.mark.parametrize("n_columns", [1, 2, 3])
def test_hash_path_records_equal_codes_path(n_columns, monkeypatch):
    # the hash records hold 6 statistics a column, 8 with first and last: every
    # layout (1 to 3 columns, 1 or 2 cache lines) against the codes path, bit for
    # bit, with missing keys, NaN, ±inf, keys that collide in the table, and chunks
    from fastnn.tabular import _plan

    from .test_groups import colliding_keys

    rng = np.random.default_rng(18 + n_columns)
    n = 3000
    keys = colliding_keys(300)[rng.integers(0, 300, n)].view(np.float64).copy()
    keys[~np.isfinite(keys)] = 0.5
    keys[rng.random(n) < 0.05] = np.nan  # missing keys: rows of no group
    values = rng.standard_normal((n, n_columns)) * 10.0 ** rng.integers(-3, 9, n_columns)
    values[rng.random((n, n_columns)) < 0.2] = np.nan
    values[rng.random((n, n_columns)) < 0.02] = -np.inf
    without_ends = ("size", "count", "sum", "mean", "var", "std", "min", "max", "range")
    for chunk_rows in (1 << 22, 700):
        monkeypatch.setattr(_plan, "CHUNK_ROWS", chunk_rows)
        for features in (without_ends, (*without_ends, "first", "last")):
            fused_groups = group_by(keys, sort=False)
            fused = fused_groups.aggregate(values, features)
            groups = group_by(keys, sort=False)
            by_codes = Groups.from_codes(groups.codes, groups.n_groups).aggregate(values, features)
            if chunk_rows > n:  # one chunk both ways: the same additions in the same order
                np.testing.assert_array_equal(fused, by_codes)
            else:  # the hash path's chunks are merged: the same sums, added otherwise
                for c in range(n_columns):  # rounding of each column's own scale
                    scale = np.abs(values[np.isfinite(values[:, c]), c]).max()
                    np.testing.assert_allclose(fused[:, c], by_codes[:, c], rtol=1e-12,
                                               atol=1e-13 * scale * n)  # fmt: skip
            np.testing.assert_array_equal(fused_groups.keys, groups.keys)
            np.testing.assert_array_equal(fused_groups.sizes, groups.sizes)
            with np.errstate(invalid="ignore"):
                twin = reference.group_aggregate(groups.codes, groups.n_groups, values, features)
            assert_table_close(fused, twin)
