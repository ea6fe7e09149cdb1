"""FormulaFeatures, GroupFeatures and CountEncoder: pandas's answers and scikit-learn's contract."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastnn.tabular import CountEncoder, FormulaFeatures, GroupFeatures, reference

pd = pytest.importorskip("pandas")


@parametrize_with_checks(
    [
        FormulaFeatures({"double": "x0 * 2", "shifted": "abs(x0) + 1"}),
        GroupFeatures(0, {0: ["mean", "count"]}),
        CountEncoder(0),
    ]
)
def test_sklearn_checks(estimator, check):
    check(estimator)


def _sales(seed, n=120):
    rng = np.random.default_rng(seed)
    price = rng.normal(10, 3, n)
    price[rng.random(n) < 0.1] = np.nan
    store = rng.choice(["a", "b", "c", "d"], n).astype(object)
    store[rng.random(n) < 0.05] = None
    return pd.DataFrame(
        {
            "store": store,
            "day": rng.integers(0, 4, n),
            "price": price,
            "qty": rng.integers(1, 6, n),
            "weight": rng.uniform(50, 100, n),
            "height": rng.uniform(1.5, 2.0, n),
        }
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_group_features_equal_pandas_transform(seed):
    sales = _sales(seed)
    features = GroupFeatures("store", {"price": ["mean", "max", "count"], "qty": "sum"})
    out = features.fit_transform(sales)
    grouped = sales.groupby("store")
    expected = np.column_stack(
        [grouped["price"].transform(f) for f in ("mean", "max", "count")]
        + [grouped["qty"].transform("sum")]
    )
    np.testing.assert_allclose(out, expected, rtol=1e-12)  # NaN where the key is missing
    assert list(features.get_feature_names_out()) == [
        "price_mean_by_store", "price_max_by_store", "price_count_by_store", "qty_sum_by_store",
    ]  # fmt: skip


def test_group_features_two_keys_unseen_groups_and_fill():
    train, test = _sales(2), _sales(3)
    test.loc[:5, "store"] = "new"
    features = GroupFeatures(["store", "day"], {"price": ["mean"]}, fill_value=-1.0).fit(train)
    out = features.transform(test)[:, 0]
    means = train.groupby(["store", "day"])["price"].mean()
    for i, (store, day) in enumerate(zip(test["store"], test["day"], strict=True)):
        expected = means.get((store, day), -1.0) if store is not None else -1.0
        np.testing.assert_allclose(out[i], expected, err_msg=f"row {i}: {store}, {day}")


def test_count_encoder_unseen_zero_missing_own_category():
    train, test = _sales(4), _sales(5)
    test.loc[:3, "store"] = "new"
    encoder = CountEncoder(["store", "day"]).fit(train)
    out = encoder.transform(test)
    counts = train["store"].value_counts(dropna=False)
    expected = [counts.get(s, 0) if s is not None else counts[counts.index.isna()].sum()
                for s in test["store"]]  # fmt: skip
    np.testing.assert_array_equal(out[:, 0], expected)
    np.testing.assert_array_equal(
        out[:, 1], test["day"].map(train["day"].value_counts()).fillna(0).to_numpy()
    )
    normalized = CountEncoder("day", normalize=True).fit(train).transform(train)[:, 0]
    np.testing.assert_allclose(normalized, reference.count_encode(train["day"].to_numpy(),
                                                                  normalize=True))  # fmt: skip
    assert list(encoder.get_feature_names_out()) == ["store_count", "day_count"]


def test_formula_features_on_frames_and_arrays():
    sales = _sales(6)
    bmi = FormulaFeatures({"bmi": "weight / height ** 2", "big": "qty > 3"})
    out = bmi.fit_transform(sales)
    np.testing.assert_array_equal(out[:, 0], sales.weight / sales.height**2)
    np.testing.assert_array_equal(out[:, 1], (sales.qty > 3).astype(float))
    X = sales[["weight", "height"]].to_numpy(np.float32)
    out32 = FormulaFeatures({"bmi": "x0 / x1 ** 2"}).fit_transform(X)
    assert out32.dtype == np.float32
    np.testing.assert_array_equal(out32[:, 0], X[:, 0] / X[:, 1] ** 2)
    pl = pytest.importorskip("polars")
    frame = bmi.set_output(transform="polars").fit_transform(pl.from_pandas(sales))
    assert isinstance(frame, pl.DataFrame) and frame.columns == ["bmi", "big"]


def test_set_output_pipeline_and_column_transformer():
    sales = _sales(7)
    y = sales["qty"].to_numpy(float)
    features = ColumnTransformer(
        [
            (
                "group",
                GroupFeatures("store", {"price": ["mean"]}, fill_value=0.0),
                ["store", "price"],
            ),
            ("count", CountEncoder("store"), ["store"]),
            ("bmi", FormulaFeatures({"bmi": "weight / height ** 2"}), ["weight", "height"]),
        ]
    ).set_output(transform="pandas")
    frame = features.fit_transform(sales)
    assert list(frame.columns) == ["group__price_mean_by_store", "count__store_count", "bmi__bmi"]
    model = make_pipeline(features, Ridge()).fit(sales.fillna({"price": 0.0}), y)
    assert model.predict(sales.fillna({"price": 0.0})).shape == (len(sales),)
    for estimator in (model, GroupFeatures("store", {"price": "mean"}).fit(sales)):
        clone(estimator)
        pickle.loads(pickle.dumps(estimator))


def test_bad_inputs():
    sales = _sales(8)
    with pytest.raises(ValueError, match="'nope'"):
        GroupFeatures("nope", {"price": ["mean"]}).fit(sales)
    with pytest.raises(ValueError, match="'cost'"):
        GroupFeatures("store", {"cost": ["mean"]}).fit(sales)
    with pytest.raises(TypeError, match=r"'store'.*numbers"):
        GroupFeatures("day", {"store": ["mean"]}).fit(sales)
    with pytest.raises(ValueError, match="average"):
        GroupFeatures("store", {"price": ["average"]}).fit(sales)
    with pytest.raises(TypeError, match="aggregates must be"):
        GroupFeatures("store", ["price"]).fit(sales)
    with pytest.raises(TypeError, match="named by str"):
        CountEncoder(0).fit(sales)
    with pytest.raises(ValueError, match="column 5"):
        CountEncoder(5).fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"needs column\(s\) \['mass'\]"):
        FormulaFeatures({"bmi": "mass / height ** 2"}).fit(sales)
    with pytest.raises(ValueError, match="attribute access"):
        FormulaFeatures({"bad": "weight.sum()"}).fit(sales)
    with pytest.raises(TypeError, match="formulas must be"):
        FormulaFeatures("weight * 2").fit(sales)
    with pytest.raises(TypeError, match="X must hold real numbers"):
        CountEncoder(0).fit(np.arange(4).astype("datetime64[D]").reshape(2, 2))
    before = sales.copy()
    GroupFeatures("store", {"price": ["mean"]}).fit(sales).transform(sales)
    pd.testing.assert_frame_equal(sales, before)
