"""Tests of fastnn.temporal.rolling: every rolling statistic and window_features.

Oracles: the NumPy twins (:mod:`fastnn.temporal.reference`), pandas
``Series.rolling`` (sum, mean, var, std, min, max with min_periods and NaN
patterns), ``np.polyfit`` per window (slope), and a two-pass computation for
the numerical-stability cases of the issue.
"""

import numpy as np
import pandas as pd
import pytest
from hostile import layouts, with_nonfinite
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastnn.temporal as temporal
from fastnn import _jit
from fastnn.temporal import reference

NAMES = ("sum", "mean", "var", "std", "min", "max", "range", "slope")
PANDAS = ("sum", "mean", "var", "std", "min", "max")
DTYPES = (np.float64, np.float32, np.int32, np.uint8, np.bool_)


def public(name):
    return getattr(temporal, f"rolling_{name}")


def twin(name):
    return getattr(reference, f"rolling_{name}")


def result_dtype(dtype):
    return np.dtype(np.float32) if np.dtype(dtype) == np.float32 else np.dtype(np.float64)


def make_series(shape, dtype, rng, nan_fraction=0.0):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(0, 100, shape).astype(dtype)
    x = np.cumsum(rng.standard_normal(shape), axis=-1).astype(dtype)
    if nan_fraction:
        x[rng.random(shape) < nan_fraction] = np.nan
    return x


def assert_close(got, want, dtype, msg):
    # Relative to each window's scale: 1e-9 for float64, 1e-5 for float32 (rounded once).
    rtol = 1e-5 if result_dtype(dtype) == np.float32 else 1e-9
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * 10, err_msg=msg)


def pandas_rolling(x, name, window, min_periods):
    rows = np.asarray(x, np.float64).reshape(-1, np.shape(x)[-1])
    out = [getattr(pd.Series(r).rolling(window, min_periods=min_periods), name)() for r in rows]
    return np.stack([o.to_numpy() for o in out]).reshape(np.shape(x))


# --- against the twins and pandas ------------------------------------------------------------

CASES = [
    ((1,), 1, None),
    ((7,), 3, None),
    ((7,), 3, 1),
    ((50,), 10, 4),
    ((3, 64), 5, 2),
    ((2, 3, 40), 8, 8),
    ((300,), 100, 30),
    ((20,), 35, 5),
    ((257,), 16, 16),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", NAMES)
def test_matches_twin(name, dtype, rng):
    for shape, window, min_periods in CASES:
        for nan_fraction in (0.0, 0.2):
            x = make_series(shape, dtype, rng, nan_fraction)
            before = x.copy()
            msg = (
                f"rolling_{name} dtype={np.dtype(dtype).name} shape={shape} window={window} "
                f"min_periods={min_periods} nan_fraction={nan_fraction}"
            )
            got = public(name)(x, window, min_periods=min_periods)
            want = twin(name)(x, window, min_periods=min_periods)
            assert got.shape == x.shape and got.dtype == result_dtype(dtype), msg
            assert want.dtype == got.dtype, msg
            assert_close(got, want, dtype, msg)
            np.testing.assert_array_equal(x, before, err_msg=f"input modified: {msg}")


@pytest.mark.parametrize("name", PANDAS)
def test_matches_pandas(name, rng):
    for n, window, min_periods in [
        (200, 10, None),
        (200, 10, 1),
        (200, 25, 7),
        (30, 50, 3),
        (1, 1, 1),
        (120, 1, None),
    ]:
        for nan_fraction in (0.0, 0.1, 0.5, 0.9):
            x = make_series((n,), np.float64, rng, nan_fraction)
            x[rng.random(n) < 0.05] = np.nan  # and runs of NaN
            got = public(name)(x, window, min_periods=min_periods)
            want = pandas_rolling(x, name, window, min_periods)
            msg = f"{name} n={n} window={window} min_periods={min_periods} nan={nan_fraction}"
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg=msg)


def test_slope_matches_polyfit_per_window(rng):
    x = make_series((400,), np.float64, rng, 0.1)
    window, min_periods = 30, 5
    got = temporal.rolling_slope(x, window, min_periods=min_periods)
    for t in range(x.size):
        s = np.arange(max(0, t - window + 1), t + 1)
        s = s[~np.isnan(x[s])]
        if s.size < max(2, min_periods):
            assert np.isnan(got[t]), t
        else:
            want = np.polyfit(s, x[s], 1)[0]
            np.testing.assert_allclose(got[t], want, rtol=1e-9, atol=1e-12, err_msg=f"t={t}")


@pytest.mark.parametrize("axis", [0, 1, -1, -2])
@pytest.mark.parametrize("name", NAMES)
def test_2d_along_either_axis(name, axis, rng):
    x = make_series((40, 30), np.float64, rng, 0.1)
    got = public(name)(x, 6, min_periods=3, axis=axis)
    per_series = np.moveaxis(x, axis, -1)
    want = np.moveaxis(public(name)(per_series, 6, min_periods=3), -1, axis)
    np.testing.assert_array_equal(got, want)
    assert_close(got, twin(name)(x, 6, min_periods=3, axis=axis), np.float64, f"{name} {axis}")


@pytest.mark.parametrize("name", NAMES)
def test_hostile_layouts_give_equal_results(name, rng):
    base = make_series((6, 45), np.float64, rng, 0.1)
    want = public(name)(base, 7, min_periods=2)
    for label, x in layouts(base):
        before = x.copy()
        got = public(name)(x, 7, min_periods=2)
        np.testing.assert_array_equal(got, want, err_msg=f"{name}: {label}")
        np.testing.assert_array_equal(x, before, err_msg=f"{name} modified {label}")


@pytest.mark.parametrize("name", NAMES)
def test_serial_and_parallel_twins_agree(name, rng, parallel_and_serial, monkeypatch):
    # Long series split into many tasks, some blocks with NaN, some clean.
    x = make_series((3, 20_000), np.float64, rng)
    x[0, 5000:5100] = np.nan
    x[1, rng.random(20_000) < 0.01] = np.nan
    monkeypatch.setattr(_jit, "PARALLEL_MIN_WORK", 0)
    parallel, serial = parallel_and_serial(lambda: public(name)(x, 37, min_periods=20))
    np.testing.assert_array_equal(parallel, serial)
    assert_close(serial, twin(name)(x, 37, min_periods=20), np.float64, name)


# --- semantics and stability ---------------------------------------------------------------


def test_inf_is_missing_as_in_pandas():
    # pandas 3 (checked by hand for every statistic, with and without min_periods):
    # sum, mean, var, std, min and max all skip ±inf and do not count it for
    # min_periods. fastnn counted it as a value: var NaN at 3-5, sum inf at 1-2.
    inf = np.inf
    x = np.array([20, 10, 10, inf, 1, 1, 2, 3])
    np.testing.assert_allclose(
        temporal.rolling_var(x, 3, min_periods=1),
        [np.nan, 50, 100 / 3, 0, 40.5, 0, 1 / 3, 1],
        rtol=1e-12,
    )
    np.testing.assert_array_equal(temporal.rolling_sum([1, inf, 1, 1], 2), [np.nan] * 3 + [2])
    np.testing.assert_array_equal(temporal.rolling_max([1, inf, 1, 1], 2, min_periods=1), 1.0)
    np.testing.assert_array_equal(temporal.rolling_min([1, -inf, 2], 2, min_periods=1), [1, 1, 2])
    np.testing.assert_array_equal(
        temporal.rolling_slope([0, inf, 2, 3], 3, min_periods=2), [np.nan] * 2 + [1, 1]
    )
    for name in PANDAS:
        got = public(name)(x, 3, min_periods=1)
        np.testing.assert_allclose(got, pandas_rolling(x, name, 3, 1), rtol=1e-12, err_msg=name)


def two_pass_std(x, window):
    v = np.lib.stride_tricks.sliding_window_view(x, window)
    return v.std(axis=-1, ddof=1)


@pytest.mark.parametrize("window", [10, 100, 1000])
def test_stable_at_a_large_offset(window, rng):
    x = 1e9 + rng.standard_normal(20_000)
    got = temporal.rolling_std(x, window)[window - 1 :]
    np.testing.assert_allclose(got, two_pass_std(x, window), rtol=1e-6)


@pytest.mark.parametrize("window", [10, 100, 1000])
def test_stable_after_a_change_of_scale(window, rng):
    x = rng.standard_normal(20_000)
    x[:10_000] *= 1e8
    got = temporal.rolling_std(x, window)[window - 1 :]
    np.testing.assert_allclose(got, two_pass_std(x, window), rtol=1e-6)
    mean = temporal.rolling_mean(x, window)[10_000 + window :]
    want = np.lib.stride_tricks.sliding_window_view(x, window).mean(axis=-1)[10_001:]
    np.testing.assert_allclose(mean, want, rtol=1e-9, atol=1e-12)


def test_stable_on_a_random_walk(rng):
    x = np.cumsum(rng.standard_normal(100_000))
    np.testing.assert_allclose(temporal.rolling_std(x, 100)[99:], two_pass_std(x, 100), rtol=1e-9)


def test_constant_windows_give_exactly_zero_and_variance_is_never_negative(rng):
    x = np.repeat(rng.uniform(-1e6, 1e6, 50), 30) + 0.1
    x[::17] = np.nan
    var = temporal.rolling_var(x, 10, min_periods=1)
    constant = np.array(
        [
            np.unique(x[max(0, t - 9) : t + 1][~np.isnan(x[max(0, t - 9) : t + 1])]).size == 1
            for t in range(x.size)
        ]
    )
    assert (var[constant & ~np.isnan(var)] == 0).all()
    assert (var[~np.isnan(var)] >= 0).all()
    assert (temporal.rolling_std(x.astype(np.float32), 10, min_periods=1)[constant] == 0).sum() > 0
    noisy = 1e9 + 1e-7 * rng.standard_normal(10_000)
    assert (temporal.rolling_var(noisy, 50)[49:] >= 0).all()


def test_window_one_is_the_identity_for_mean(rng):
    x = make_series((3, 100), np.float64, rng, 0.2)
    np.testing.assert_array_equal(temporal.rolling_mean(x, 1), x)
    x32 = x.astype(np.float32)
    np.testing.assert_array_equal(temporal.rolling_mean(x32, 1), x32)


def test_window_longer_than_the_series_is_pandas():
    x = np.array([1.0, np.nan, 3.0, 4.0])
    assert np.isnan(temporal.rolling_mean(x, 10)).all()
    np.testing.assert_allclose(
        temporal.rolling_mean(x, 10, min_periods=2), [np.nan, np.nan, 2.0, 8 / 3]
    )


def test_float32_accumulates_in_float64():
    x = np.full(10_000, 0.1, np.float32) + np.float32(1e4)
    got = temporal.rolling_sum(x, 10_000, min_periods=1)
    assert got.dtype == np.float32
    assert got[-1] == np.float32(np.float64(x[0]) * 10_000)  # a float32 sum drifts off


def test_ddof(rng):
    x = make_series((100,), np.float64, rng, 0.1)
    for ddof in (0, 1, 2, 5):
        want = pandas_rolling(x, "var", 8, 3) * 0  # shape only
        want = np.array([pd.Series(x).rolling(8, min_periods=3).var(ddof=ddof)]).ravel()
        np.testing.assert_allclose(
            temporal.rolling_var(x, 8, min_periods=3, ddof=ddof), want, rtol=1e-9, atol=1e-12
        )
        np.testing.assert_allclose(
            temporal.rolling_std(x, 8, min_periods=3, ddof=ddof),
            reference.rolling_std(x, 8, min_periods=3, ddof=ddof),
            rtol=1e-9,
        )


# --- window_features ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", (np.float64, np.float32), ids=lambda d: np.dtype(d).name)
def test_window_features_columns_equal_the_single_functions(dtype, rng):
    x = make_series((3, 2_000), dtype, rng, 0.0)
    x[1, rng.random(2_000) < 0.05] = np.nan
    features = ("slope", "range", "mean", "std", "min", "max", "var", "sum", "mean")
    for window, min_periods in [(1, None), (25, None), (25, 3), (5_000, 10)]:
        got = temporal.window_features(x, window, features, min_periods=min_periods)
        assert got.shape == (*x.shape, len(features)) and got.dtype == result_dtype(dtype)
        for k, name in enumerate(features):
            single = public(name)(x, window, min_periods=min_periods)
            np.testing.assert_array_equal(got[..., k], single, err_msg=f"{name} {window}")


finite = st.floats(-1e6, 1e6, allow_nan=False, width=64)
with_nan = st.one_of(finite, st.just(np.nan))

# Feature sets of window_features: each set is a kernel of its own (Numba prunes the
# statistics not asked for), so the tests draw from a few rather than compile hundreds.
FEATURE_SETS = [
    ("mean", "std", "min", "max", "range", "slope"),
    NAMES,
    ("slope", "std", "max"),
    ("mean", "std"),
    ("var", "min", "var"),
]


@pytest.mark.parametrize("dtype", (np.float64, np.float32), ids=lambda d: np.dtype(d).name)
def test_window_features_equal_the_single_functions_over_shapes_and_nan_patterns(dtype, rng):
    # Windows that end anywhere in a block, NaN runs across block edges, NaN-only
    # blocks, infs, series shorter than the window, several series, either axis.
    for shape, axis in [((1,), -1), ((257,), -1), ((3, 500), -1), ((130, 2), 0), ((2, 3, 90), 1)]:
        base = make_series(shape, dtype, rng)
        patterns = {"none": base.copy(), "sparse": base.copy(), "runs": base.copy()}
        patterns["sparse"][rng.random(shape) < 0.03] = np.nan
        length = shape[axis]
        runs = np.moveaxis(patterns["runs"], axis, -1)
        for start in rng.integers(0, length, 3):
            runs[..., start : start + rng.integers(1, 40)] = np.nan
        patterns["nonfinite"] = with_nonfinite(base, rng, fraction=0.02)
        for label, x in patterns.items():
            for window, min_periods in [(1, None), (7, None), (7, 2), (33, 10), (400, 1)]:
                features = FEATURE_SETS[rng.integers(len(FEATURE_SETS))]
                got = temporal.window_features(
                    x, window, features, min_periods=min_periods, axis=axis
                )
                assert got.shape == (*x.shape, len(features)), features
                assert got.dtype == result_dtype(dtype), features
                for k, name in enumerate(features):
                    single = public(name)(x, window, min_periods=min_periods, axis=axis)
                    msg = f"{name} of {features} {label} {shape} axis={axis} w={window}"
                    np.testing.assert_array_equal(got[..., k], single, err_msg=msg)


@given(
    x=hnp.arrays(np.float64, st.integers(1, 120), elements=with_nan),
    window=st.integers(1, 40),
    data=st.data(),
)
def test_property_window_features_columns_are_the_single_functions(x, window, data):
    min_periods = data.draw(st.integers(1, window))
    features = data.draw(st.sampled_from(FEATURE_SETS))
    got = temporal.window_features(x, window, features, min_periods=min_periods)
    for k, name in enumerate(features):
        want = public(name)(x, window, min_periods=min_periods)
        np.testing.assert_array_equal(got[:, k], want, err_msg=f"{name} of {features}")


def test_window_features_serial_and_parallel_twins_agree(rng, parallel_and_serial):
    x = make_series((2, 30_000), np.float64, rng)
    x[0, 7000:7300] = np.nan
    x[1, rng.random(30_000) < 0.002] = np.nan
    parallel, serial = parallel_and_serial(lambda: temporal.window_features(x, 50, NAMES))
    np.testing.assert_array_equal(parallel, serial)


def test_window_features_along_axis_0_and_default_features(rng):
    x = make_series((60, 4), np.float64, rng, 0.1)
    got = temporal.window_features(x, 9, axis=0, min_periods=4)
    want = reference.window_features(x, 9, axis=0, min_periods=4)
    assert got.shape == (60, 4, 6)
    assert_close(got, want, np.float64, "window_features axis=0")


# --- properties -----------------------------------------------------------------------------


@given(
    x=hnp.arrays(np.float64, st.integers(1, 60), elements=with_nan),
    window=st.integers(1, 70),
    data=st.data(),
)
def test_property_matches_twin_and_orders(x, window, data):
    min_periods = data.draw(st.integers(1, window))
    low = temporal.rolling_min(x, window, min_periods=min_periods)
    high = temporal.rolling_max(x, window, min_periods=min_periods)
    mean = temporal.rolling_mean(x, window, min_periods=min_periods)
    var = temporal.rolling_var(x, window, min_periods=min_periods)
    defined = ~np.isnan(mean)
    assert np.array_equal(defined, ~np.isnan(low)) and np.array_equal(defined, ~np.isnan(high))
    scale = 1e-9 * np.maximum(np.abs(low), np.abs(high))
    assert (low[defined] <= mean[defined] + scale[defined]).all()
    assert (mean[defined] <= high[defined] + scale[defined]).all()
    assert (var[~np.isnan(var)] >= 0).all()
    for name in NAMES:
        got = public(name)(x, window, min_periods=min_periods)
        want = twin(name)(x, window, min_periods=min_periods)
        span = np.nanmax(np.abs(x), initial=1.0)
        atol = {"var": 1e-9 * span**2, "slope": 1e-9 * span}.get(name, 1e-9 * span)
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=atol, err_msg=name)


@given(x=hnp.arrays(np.float64, st.integers(2, 80), elements=finite), window=st.integers(2, 30))
def test_property_affine_invariance(x, window):
    # std and slope scale with a·x + b, mean moves with it.
    a, b = 3.0, -7.5
    y = a * x + b
    np.testing.assert_allclose(
        temporal.rolling_std(y, window), a * temporal.rolling_std(x, window), rtol=1e-6, atol=1e-6
    )
    np.testing.assert_allclose(
        temporal.rolling_slope(y, window),
        a * temporal.rolling_slope(x, window),
        rtol=1e-6,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        temporal.rolling_mean(y, window),
        a * temporal.rolling_mean(x, window) + b,
        rtol=1e-9,
        atol=1e-6,
    )


def test_with_nonfinite_matches_twin(rng):
    base = make_series((4, 90), np.float64, rng)
    x = with_nonfinite(base, rng, fraction=0.05)
    for name in NAMES:
        got = public(name)(x, 6, min_periods=2)
        want = twin(name)(x, 6, min_periods=2)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg=name)


# --- ±inf as missing, against pandas -----------------------------------------------------

nonfinite = st.one_of(finite, st.sampled_from([np.nan, np.inf, -np.inf]))


@given(
    x=hnp.arrays(np.float64, st.integers(1, 60), elements=nonfinite),
    window=st.integers(1, 70),
    data=st.data(),
)
def test_property_nan_and_inf_as_pandas(x, window, data):
    min_periods = data.draw(st.one_of(st.none(), st.integers(1, window)))
    features = data.draw(st.sampled_from(FEATURE_SETS))
    msg = f"window={window} min_periods={min_periods}"
    missing = np.where(np.isfinite(x), x, np.nan)  # the same series, ±inf written as NaN
    span = np.nanmax(np.abs(missing), initial=1.0)
    r = pd.Series(x).rolling(window, min_periods=min_periods)
    peers = {name: getattr(r, name)().to_numpy() for name in PANDAS}
    peers["range"] = peers["max"] - peers["min"]
    for name in NAMES:
        got = public(name)(x, window, min_periods=min_periods)
        atol = 1e-9 * span ** (2 if name == "var" else 1)
        if name in peers:
            # pandas adds and removes values: a constant window after a large value keeps
            # ~eps·span² of variance there (fastnn and the twin give 0), so ~1e-8·span of std
            loose = {"var": 1e-12 * span**2, "std": 1e-6 * span}.get(name, atol)
            np.testing.assert_allclose(got, peers[name], rtol=1e-9, atol=loose, err_msg=name + msg)
        want = twin(name)(x, window, min_periods=min_periods)
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=atol, err_msg=name + msg)
        same = public(name)(missing, window, min_periods=min_periods)
        np.testing.assert_array_equal(got, same, err_msg=name + msg)
    stacked = temporal.window_features(x, window, features, min_periods=min_periods)
    for k, name in enumerate(features):
        np.testing.assert_array_equal(
            stacked[:, k], public(name)(x, window, min_periods=min_periods)
        )


def test_inf_in_long_series_takes_every_path_as_pandas(rng):
    # Clean blocks that meet an inf (the clean scan must notice it), runs of inf across
    # block edges, and the extrema-only kernels, whose clean check is a search.
    x = make_series((3, 3_000), np.float64, rng)
    x[0, rng.random(3_000) < 0.01] = np.inf
    x[1, 1_000:1_100] = -np.inf
    x[2, rng.random(3_000) < 0.003] = np.nan
    x[2, 2_500] = np.inf
    for window, min_periods in [(10, None), (37, 20), (400, 1)]:
        for name in PANDAS:
            got = public(name)(x, window, min_periods=min_periods)
            want = pandas_rolling(x, name, window, min_periods)
            msg = f"{name} window={window} min_periods={min_periods}"
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg=msg)
        got = temporal.rolling_range(x, window, min_periods=min_periods)
        want = pandas_rolling(x, "max", window, min_periods) - pandas_rolling(
            x, "min", window, min_periods
        )
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"range {window}")
