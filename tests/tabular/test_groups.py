"""Tests of fastnn.tabular.group_by and Groups: codes, keys, sizes for every key kind.

Oracles: pandas ``groupby(...).ngroup()`` (the codes) and ``.size()`` (the keys
and sizes), with ``sort`` and ``dropna`` both ways, and the NumPy twin
:func:`fastnn.tabular.reference.factorize` (``np.unique(return_inverse=True)``).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastnn
from fastnn.tabular import Groups, _plan, count_encode, group_by, reference

from ._cases import KEY_KINDS, make_keys, pandas_groupby


def pandas_codes(keys, sort, dropna):
    gb = pandas_groupby(keys, np.zeros(len(keys[0] if isinstance(keys, list) else keys)),
                        sort, dropna)  # fmt: skip
    codes = gb.ngroup().to_numpy()
    return np.where(np.isnan(codes), -1, codes).astype(np.int64), gb.size()


def same_keys(actual, expected_index):
    expected = list(expected_index)
    actual = list(actual)
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        if pd.isna(e) if np.ndim(e) == 0 else False:
            assert pd.isna(a)
        else:
            assert a == e, (a, e)


@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("sort", [True, False])
@pytest.mark.parametrize("dropna", [True, False])
def test_codes_keys_sizes_equal_pandas(kind, sort, dropna):
    rng = np.random.default_rng(7)
    keys = make_keys(kind, 60, rng)
    groups = group_by(keys, sort=sort, dropna=dropna)
    codes, size = pandas_codes(keys, sort, dropna)
    np.testing.assert_array_equal(groups.codes, codes)
    assert groups.n_groups == len(size) == len(groups)
    np.testing.assert_array_equal(groups.sizes, size.to_numpy())
    same_keys(groups.keys, size.index)


@pytest.mark.parametrize("sort", [True, False])
@pytest.mark.parametrize("dropna", [True, False])
def test_two_keys_equal_pandas(sort, dropna):
    rng = np.random.default_rng(3)
    keys = [make_keys("float_nan", 80, rng), make_keys("object_none", 80, rng)]
    groups = group_by(keys, sort=sort, dropna=dropna)
    codes, size = pandas_codes(keys, sort, dropna)
    np.testing.assert_array_equal(groups.codes, codes)
    np.testing.assert_array_equal(groups.sizes, size.to_numpy())
    assert isinstance(groups.keys, tuple) and len(groups.keys) == 2
    for level, (first, second) in enumerate(size.index):
        for got, want in ((groups.keys[0][level], first), (groups.keys[1][level], second)):
            assert (pd.isna(got) and pd.isna(want)) or got == want


def test_three_keys_combine_without_overflow():
    rng = np.random.default_rng(0)
    keys = [rng.integers(-(2**62), 2**62, 200) for _ in range(3)]
    groups = group_by(keys)
    assert groups.n_groups == 200
    codes, _ = pandas_codes(keys, True, True)
    np.testing.assert_array_equal(groups.codes, codes)


@pytest.mark.parametrize("sort", [True, False])
@pytest.mark.parametrize("dropna", [True, False])
def test_twin_factorize(sort, dropna):
    rng = np.random.default_rng(1)
    for kind in ("int", "float_nan", "str", "object_none"):
        keys = make_keys(kind, 50, rng)
        codes, uniques = reference.factorize(keys, sort=sort, dropna=dropna)
        groups = group_by(keys, sort=sort, dropna=dropna)
        np.testing.assert_array_equal(groups.codes, codes)
        assert groups.n_groups == len(uniques)


def test_arrow_and_polars_strings():
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    words = ["b", None, "a", "b", "c", None, "a"]
    expected = group_by(np.array(words, dtype=object), dropna=False)
    for keys in (pa.array(words), pa.chunked_array([words[:3], words[3:]]), pl.Series(words),
                 pd.Series(words, dtype="string[pyarrow]"), pd.Series(words, dtype="string"),
                 pl.Series(words, dtype=pl.Categorical)):  # fmt: skip
        for dropna in (True, False):
            got = group_by(keys, dropna=dropna)
            want = group_by(np.array(words, dtype=object), dropna=dropna)
            np.testing.assert_array_equal(got.codes, want.codes)
            assert list(got.keys) == list(want.keys)
    assert list(expected.keys) == ["a", "b", "c", None]


def test_polars_and_nullable_numbers():
    pl = pytest.importorskip("polars")
    got = group_by(pl.Series([3, None, 1, 3]))
    np.testing.assert_array_equal(got.codes, [1, -1, 0, 1])
    got = group_by(pd.Series([3, None, 1, 3], dtype="Int64"), dropna=False)
    np.testing.assert_array_equal(got.codes, [1, 2, 0, 1])


def test_zeros_and_uint64():
    np.testing.assert_array_equal(group_by(np.array([0.0, -0.0, 1.0])).codes, [0, 0, 1])
    big = np.array([2**64 - 1, 1, 2**63], dtype=np.uint64)
    groups = group_by(big)
    np.testing.assert_array_equal(groups.codes, [2, 0, 1])
    assert groups.keys.dtype == np.uint64 and groups.keys[2] == 2**64 - 1


def test_edge_sizes():
    empty = group_by(np.array([], dtype=np.int64))
    assert empty.n_groups == 0 and empty.codes.shape == (0,)
    assert empty.aggregate(np.array([]), ("sum", "mean")).shape == (0, 2)
    one = group_by(np.zeros(10))
    assert one.n_groups == 1 and (one.codes == 0).all()
    each = group_by(np.arange(100)[::-1])
    np.testing.assert_array_equal(each.codes, np.arange(100)[::-1])
    all_missing = group_by(np.full(4, np.nan))
    assert all_missing.n_groups == 0 and (all_missing.codes == -1).all()


# Keys k * GOLDEN^-1 (mod 2^64) hash to k itself before the top bits are taken, so
# small k all land in slot 0 and -k in the last slot: one long probe run, wrapping
# round the table's end, through every doubling of the table.
GOLDEN_INVERSE = pow(0x9E3779B97F4A7C15, -1, 2**64)


def colliding_keys(n_distinct):
    k = np.concatenate(
        [np.arange(1, n_distinct // 2 + 1), -np.arange(1, n_distinct - n_distinct // 2 + 1)]
    )
    return np.array([(int(j) * GOLDEN_INVERSE) % 2**64 for j in k], np.uint64).view(np.int64)


@pytest.mark.parametrize("n_distinct", [1, 2, 7, 600, 3000])
@pytest.mark.parametrize("sort", [True, False])
def test_colliding_and_many_keys_equal_twin(n_distinct, sort):
    rng = np.random.default_rng(n_distinct)
    distinct = colliding_keys(n_distinct)
    keys = distinct[rng.integers(0, n_distinct, 4 * n_distinct + 5)]
    for column in (
        keys,
        rng.integers(-(2**63), 2**63 - 1, n_distinct)[rng.integers(0, n_distinct, 5000)],
    ):
        groups = group_by(column, sort=sort)
        codes, uniques = reference.factorize(column, sort=sort)
        np.testing.assert_array_equal(groups.codes, codes)
        np.testing.assert_array_equal(groups.keys, uniques)
        np.testing.assert_array_equal(groups.sizes, np.bincount(codes, minlength=len(uniques)))


def test_from_codes():
    groups = Groups.from_codes(np.array([2, -1, 0, 2], np.int32), 4)
    np.testing.assert_array_equal(groups.codes, [2, -1, 0, 2])
    np.testing.assert_array_equal(groups.sizes, [1, 0, 2, 0])
    assert groups.n_groups == 4 and groups.keys is None
    with pytest.raises(ValueError, match=r"codes must be in -1 \.\. 3"):
        Groups.from_codes([0, 4], 4)
    with pytest.raises(ValueError, match="codes must be in"):
        Groups.from_codes([-2, 0], 4)
    with pytest.raises(TypeError, match="codes must be integers"):
        Groups.from_codes([0.0, 1.0], 2)
    with pytest.raises(ValueError, match="n_groups"):
        Groups.from_codes([0], -1)


def test_bad_keys():
    with pytest.raises(ValueError, match="same length"):
        group_by([np.arange(3), np.arange(4)])
    with pytest.raises(TypeError, match="must hold strings"):
        group_by(np.array(["a", 1, 2.5], dtype=object))
    with pytest.raises(TypeError, match="keys"):
        group_by(np.array([1 + 2j]))
    with pytest.raises(ValueError, match="1-D"):
        group_by(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="MaskedArray"):
        group_by(np.ma.masked_array([1, 2]))
    with pytest.raises(TypeError, match="sort"):
        group_by([1, 2], sort="yes")
    with pytest.raises(ValueError, match="at least one"):
        group_by([])


def test_keys_never_modified():
    keys = np.array([1.0, -0.0, np.nan, 1.0])
    before = keys.copy()
    group_by(keys, dropna=False).aggregate(np.ones(4))
    np.testing.assert_array_equal(keys, before)
    assert np.signbit(keys[1])


def test_count_encode():
    keys = np.array(["a", "b", None, "a", None, "c"], dtype=object)
    np.testing.assert_array_equal(count_encode(keys), [2, 1, 2, 2, 2, 1])
    np.testing.assert_allclose(count_encode(keys, normalize=True), np.array([2, 1, 2, 2, 2, 1]) / 6)
    np.testing.assert_array_equal(count_encode(keys), reference.count_encode(keys))
    rng = np.random.default_rng(0)
    floats = make_keys("float_nan", 40, rng)
    want = pd.Series(floats).map(pd.Series(floats).value_counts(dropna=False)).to_numpy().copy()
    want[np.isnan(floats)] = np.isnan(floats).sum()
    np.testing.assert_array_equal(count_encode(floats), want)
    with pytest.raises(TypeError, match="normalize"):
        count_encode(keys, normalize=1)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(np.int64, st.integers(0, 60), elements=st.integers(-5, 5)),
    st.booleans(),
)
def test_property_codes_equal_twin_and_threads(keys, sort):
    codes, uniques = reference.factorize(keys, sort=sort)
    groups = group_by(keys, sort=sort)
    np.testing.assert_array_equal(groups.codes, codes)
    np.testing.assert_array_equal(groups.keys, uniques)
    np.testing.assert_array_equal(uniques[codes], keys)


def test_order_independent_of_threads(monkeypatch):
    monkeypatch.setattr(_plan, "CHUNK_ROWS", 1000)  # many chunks on a small input
    rng = np.random.default_rng(5)
    keys = rng.integers(-(2**60), 2**60, 500)[rng.integers(0, 500, 50_000)]
    values = rng.standard_normal(len(keys))
    results = []
    for threads in (1, 2):
        fastnn.set_num_threads(threads)
        try:
            for sort in (True, False):
                groups = group_by(keys, sort=sort)
                results.append((groups.aggregate(values), groups.keys, groups.codes))
        finally:
            fastnn.set_num_threads(fastnn._jit.numba.config.NUMBA_NUM_THREADS)
    for a, b in zip(results[:2], results[2:], strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)


def test_chunked_equals_one_chunk(monkeypatch):
    rng = np.random.default_rng(6)
    keys = rng.integers(0, 300, 40_000)
    values = rng.standard_normal(40_000)
    features = ("size", "count", "sum", "mean", "std", "min", "max", "first", "last")
    whole = group_by(keys).aggregate(values, features)
    whole_codes = Groups.from_codes(keys, 300).aggregate(values, features)
    monkeypatch.setattr(_plan, "CHUNK_ROWS", 1000)
    assert len(_plan.chunk_bounds(40_000)) > 3
    np.testing.assert_allclose(
        group_by(keys).aggregate(values, features), whole, rtol=1e-13, atol=1e-11
    )
    np.testing.assert_allclose(
        Groups.from_codes(keys, 300).aggregate(values, features),
        whole_codes,
        rtol=1e-13,
        atol=1e-11,
    )
