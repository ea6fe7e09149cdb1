"""WindowFeatures and Lags: pandas's rolling/shift per column, and scikit-learn's contract.

Rows are time steps, so two of scikit-learn's checks cannot hold and are
expected to fail: ``check_methods_subset_invariance`` and
``check_methods_sample_order_invariance`` (a row's window reads the rows
before it; a subset or a shuffle of the rows has other windows).
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastnn.temporal import Lags, WindowFeatures

pd = pytest.importorskip("pandas")

ROW_ORDER = {
    "check_methods_subset_invariance": "rows are time steps: a window reads earlier rows",
    "check_methods_sample_order_invariance": "rows are time steps: a window reads earlier rows",
}


@parametrize_with_checks(
    [WindowFeatures(3, ("mean", "std", "max")), Lags((1, 2))],
    expected_failed_checks=lambda estimator: ROW_ORDER,
)
def test_sklearn_checks(estimator, check):
    check(estimator)


def _frame(seed, n=60, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3)).cumsum(axis=0).astype(dtype)
    x[rng.random((n, 3)) < 0.1] = np.nan
    return pd.DataFrame(x, columns=["a", "b", "c"])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("window", [1, 4, 100])
@pytest.mark.parametrize("min_periods", [None, 1])
def test_window_features_equal_pandas_rolling(window, min_periods, dtype):
    frame = _frame(window, dtype=dtype)
    features = ("sum", "mean", "var", "std", "min", "max")
    out = WindowFeatures(window, features, min_periods=min_periods).fit_transform(frame)
    assert out.shape == (60, 3 * len(features)) and out.dtype == dtype
    rolling = frame.astype(np.float64).rolling(window, min_periods=min_periods)
    rtol = 1e-5 if dtype == np.float32 else 1e-9
    for j, column in enumerate(frame.columns):
        for f, feature in enumerate(features):
            expected = getattr(rolling, feature)()[column].to_numpy()
            np.testing.assert_allclose(
                out[:, j * len(features) + f], expected, rtol=rtol, atol=rtol,
                err_msg=f"{column} {feature} window={window} min_periods={min_periods}",
            )  # fmt: skip


@pytest.mark.parametrize("ks", [(1,), (0, 2, 5), (70,)])
def test_lags_equal_pandas_shift(ks):
    frame = _frame(1)
    lags = Lags(ks, fill_value=-1.0).fit(frame)
    out = lags.transform(frame)
    for j, column in enumerate(frame.columns):
        for i, k in enumerate(ks):
            expected = frame[column].shift(k, fill_value=-1.0).to_numpy()
            np.testing.assert_array_equal(out[:, j * len(ks) + i], expected)
    assert list(lags.get_feature_names_out()) == [f"{c}_lag_{k}" for c in "abc" for k in ks]


def test_feature_names_and_pandas_and_polars_output():
    frame = _frame(2)
    windows = WindowFeatures(2, ("mean", "range")).fit(frame)
    names = ["a_mean_2", "a_range_2", "b_mean_2", "b_range_2", "c_mean_2", "c_range_2"]
    assert list(windows.get_feature_names_out()) == names
    out = windows.set_output(transform="pandas").transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == names
    pl = pytest.importorskip("polars")
    out = Lags((1,)).set_output(transform="polars").fit_transform(pl.from_pandas(frame))
    assert isinstance(out, pl.DataFrame) and out.columns == ["a_lag_1", "b_lag_1", "c_lag_1"]


def test_in_pipeline_and_column_transformer():
    frame = _frame(3).fillna(0.0)
    frame["label"] = ["x", "y"] * 30
    features = ColumnTransformer(
        [("windows", WindowFeatures(3, ("mean",), min_periods=1), ["a", "b"]),
         ("lags", Lags((1, 2), fill_value=0.0), ["c"])],
    )  # fmt: skip
    model = make_pipeline(features, Ridge()).fit(frame, frame["a"])
    assert model.predict(frame).shape == (60,)
    assert list(features.get_feature_names_out()) == [
        "windows__a_mean_3", "windows__b_mean_3", "lags__c_lag_1", "lags__c_lag_2",
    ]  # fmt: skip
    clone(model)
    pickle.loads(pickle.dumps(model))


def test_bad_parameters_and_inputs():
    X = np.ones((5, 2))
    with pytest.raises(ValueError, match="window must be an integer >= 1"):
        WindowFeatures(0).fit(X)
    with pytest.raises(ValueError, match="features must be one of"):
        WindowFeatures(2, ("median",)).fit(X)
    with pytest.raises(TypeError, match="features must be a sequence"):
        WindowFeatures(2, "mean").fit(X)
    with pytest.raises(ValueError, match="ks must be an integer >= 0"):
        Lags((1, -1)).fit(X)
    with pytest.raises(TypeError, match="ks must be a non-empty sequence"):
        Lags(2).fit(X)
    with pytest.raises(TypeError, match="X must hold real numbers"):
        Lags().fit(np.arange(4).astype("datetime64[D]").reshape(2, 2))
    with pytest.raises(TypeError, match="MaskedArray"):
        WindowFeatures().fit(np.ma.masked_array(X))
    with pytest.raises(ValueError, match="features"):
        Lags().fit(X).transform(np.ones((5, 3)))
