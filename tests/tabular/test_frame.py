"""fastnn.tabular.aggregate on pandas and polars frames, against pandas groupby().agg."""

import numpy as np
import pytest

from fastnn.tabular import aggregate, reference

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

ALL = ["size", "count", "sum", "mean", "var", "std", "min", "max", "first", "last", "median",
       "nunique"]  # fmt: skip
PANDAS_NAMES = {"range": None}


def _sales(seed, n=200, n_stores=7):
    rng = np.random.default_rng(seed)
    price = rng.normal(10, 3, n).round(2)
    price[rng.random(n) < 0.15] = np.nan
    return pd.DataFrame(
        {
            "store": rng.choice([f"s{i}" for i in range(n_stores)], n),
            "day": rng.integers(0, 3, n),
            "price": price,
            "qty": rng.integers(0, 9, n),
            "big": 1e9 + rng.standard_normal(n),
        }
    )


def _expected(frame, by, features, **groupby):
    agg = frame.groupby(by, **groupby).agg({c: list(f) for c, f in features.items()})
    agg.columns = [f"{c}_{f}" for c, f in agg.columns]
    return agg.reset_index()


def _check(result, expected):
    if isinstance(result, pl.DataFrame):
        result = result.to_pandas()
    assert list(result.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(
        result.reset_index(drop=True), expected, check_dtype=False, rtol=1e-12, atol=0
    )


@pytest.mark.parametrize("library", ["pandas", "polars"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_pandas_agg_one_key(library, seed):
    sales = _sales(seed)
    features = {"price": ALL, "qty": ["sum", "mean", "max"], "big": ["mean", "std"]}
    data = sales if library == "pandas" else pl.from_pandas(sales)
    result = aggregate(data, by="store", features=features)
    assert isinstance(result, pd.DataFrame if library == "pandas" else pl.DataFrame)
    expected = _expected(sales, "store", features)
    # At an offset of 1e9 pandas's one-pass std keeps ~8 digits; the oracle is
    # NumPy's two-pass std of each group.
    expected["big_std"] = [np.std(sales.big[sales.store == k], ddof=1) for k in expected.store]
    _check(result, expected)


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_two_keys_and_the_issue_example(library):
    sales = _sales(3)
    data = sales if library == "pandas" else pl.from_pandas(sales)
    features = {"price": ["mean", "max"], "qty": ["sum"]}
    result = aggregate(data, by=["store", "day"], features=features)
    _check(result, _expected(sales, ["store", "day"], features))
    result = aggregate(data, by="store", features=features)
    columns = list(result.columns)
    assert columns == ["store", "price_mean", "price_max", "qty_sum"]


def test_sort_dropna_and_nullable_columns():
    frame = pd.DataFrame(
        {
            "k": pd.array([3.0, None, 1.0, 3.0, None, 2.0], dtype="Float64"),
            "v": pd.array([1, 2, None, 4, 5, 6], dtype="Int64"),
        }
    )
    plain = frame.astype({"k": float, "v": float})
    for sort in (True, False):
        for dropna in (True, False):
            result = aggregate(frame, by="k", features={"v": ["sum", "count", "mean"]},
                               sort=sort, dropna=dropna)  # fmt: skip
            expected = _expected(plain, "k", {"v": ["sum", "count", "mean"]}, sort=sort,
                                 dropna=dropna)  # fmt: skip
            _check(result, expected)


def test_categorical_key():
    sales = _sales(4)
    sales["store"] = sales["store"].astype("category")
    features = {"price": ["mean", "count"]}
    result = aggregate(sales, by="store", features=features)
    expected = _expected(sales, "store", features, observed=True)
    expected["store"] = expected["store"].astype(str)
    result["store"] = result["store"].astype(str)
    _check(result, expected)


def test_bad_inputs_name_the_problem():
    sales = _sales(5)
    with pytest.raises(ValueError, match="'nope'"):
        aggregate(sales, by="nope", features={"price": ["mean"]})
    with pytest.raises(ValueError, match="'missing'"):
        aggregate(sales, by="store", features={"missing": ["mean"]})
    with pytest.raises(TypeError, match=r"'store'.*numbers"):
        aggregate(sales, by="day", features={"store": ["mean"]})
    with pytest.raises(ValueError, match="average"):
        aggregate(sales, by="store", features={"price": ["average"]})
    with pytest.raises(TypeError, match="DataFrame"):
        aggregate(np.ones((3, 2)), by="a", features={"b": ["mean"]})
    with pytest.raises(TypeError, match="by must be"):
        aggregate(sales, by=3, features={"price": ["mean"]})
    with pytest.raises(TypeError, match="features must be"):
        aggregate(sales, by="store", features=["price"])
    before = sales.copy()
    aggregate(sales, by="store", features={"price": ["mean"]})
    pd.testing.assert_frame_equal(sales, before)  # input untouched


@pytest.mark.parametrize("by", ["store", ["store", "day"], ["day", "store"]])
@pytest.mark.parametrize("sort", [True, False])
def test_equals_twin(by, sort):
    # reference.aggregate: np.unique / lexsort grouping, bincount statistics
    sales = _sales(6)
    sales.loc[sales.index[::9], "day"] = np.nan  # a missing key in one key column
    features = {"price": [*ALL, "range"], "qty": ["sum", "size"], "big": ["var"]}
    for dropna in (True, False):
        result = aggregate(sales, by=by, features=features, sort=sort, dropna=dropna)
        twin = reference.aggregate({c: sales[c].to_numpy() for c in sales}, by, features,
                                   sort=sort, dropna=dropna)  # fmt: skip
        assert list(result.columns) == list(twin)
        for name, want in twin.items():
            got = result[name].to_numpy()
            if name in ("store", "day"):
                missing = np.array([k is None or k != k for k in want], bool)
                assert np.array_equal(pd.isna(got), missing), name
                assert list(got[~missing]) == list(want[~missing]), name
            else:
                assert got.dtype == want.dtype, name
                np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True, err_msg=name)
