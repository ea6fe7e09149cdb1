"""Bad inputs to every public function of fastnn.temporal: clear errors, never a Numba one."""

import inspect

import numba.core.errors
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastnn.temporal
from fastnn.temporal import reference

X = np.arange(24.0).reshape(2, 12)


def _with(f, *args):
    """``f`` called as ``f(x, *args, **kw)``: a good call but for x and the keywords."""
    return lambda x, **kw: f(x, *args, **kw)


STATISTICS = ("sum", "mean", "var", "std", "min", "max", "range", "slope")
# name -> call with a good x and every other argument good
CALLS = {
    **{f"rolling_{s}": _with(getattr(fastnn.temporal, f"rolling_{s}"), 3) for s in STATISTICS},
    "window_features": lambda x, **kw: fastnn.temporal.window_features(x, 3, **kw),
    "lag": lambda x, **kw: fastnn.temporal.lag(x, 1, **kw),
    "lags": lambda x, **kw: fastnn.temporal.lags(x, [1, 2], **kw),
    "diff": lambda x, **kw: fastnn.temporal.diff(x, 1, **kw),
    "aggregate": lambda x, **kw: fastnn.temporal.aggregate(x, **kw),
    "spectral_features": lambda x, **kw: fastnn.temporal.spectral_features(x, **kw),
    "rolling_spectral_features": lambda x, **kw: fastnn.temporal.rolling_spectral_features(
        x, 4, **kw
    ),
    "zero_crossing_rate": lambda x, **kw: fastnn.temporal.zero_crossing_rate(x, **kw),
    "autocorrelation": lambda x, **kw: fastnn.temporal.autocorrelation(x, 2, **kw),
}
ROLLING = [name for name in CALLS if name.startswith("rolling_") and "spectral" not in name]
WITH_WINDOW = {
    **{n: getattr(fastnn.temporal, n) for n in ROLLING},
    "window_features": fastnn.temporal.window_features,
}


# The scikit-learn transformers are shells over window_features and lags
# (test_transformers.py).
TRANSFORMERS = {"Lags", "WindowFeatures"}


def test_every_public_function_is_tested_and_has_a_twin():
    assert set(fastnn.temporal.__all__) == set(CALLS) | TRANSFORMERS
    for name in sorted(CALLS):
        public, twin = getattr(fastnn.temporal, name), getattr(reference, name)
        # str(): a NaN default (fill_value) never compares equal to itself
        assert str(inspect.signature(public)) == str(inspect.signature(twin)), name
        assert public.__doc__ and "Examples" in public.__doc__, name


WRONG_KINDS = {
    "complex": lambda x: x + 1j,
    "object": lambda x: x.astype(object),
    "str": lambda x: x.astype(str),
    "datetime64": lambda x: x.astype("datetime64[s]"),
    "None": lambda x: None,
    "a ragged list": lambda x: [[1.0, 2.0, 3.0], [4.0, 5.0]],
}


@pytest.mark.parametrize("kind", list(WRONG_KINDS))
@pytest.mark.parametrize("name", list(CALLS))
def test_x_of_the_wrong_kind(name, kind):
    with pytest.raises(TypeError, match="x"):
        CALLS[name](WRONG_KINDS[kind](X))


@pytest.mark.parametrize("name", list(CALLS))
def test_empty_or_scalar_x(name):
    for x in (np.zeros((0,)), np.zeros((2, 0)), np.zeros((0, 5))):
        with pytest.raises(ValueError, match=r"x must not be empty"):
            CALLS[name](x)
    with pytest.raises(ValueError, match=r"x must be 1-D or more"):
        CALLS[name](np.float64(3.0))


@pytest.mark.parametrize("name", list(CALLS))
def test_axis_out_of_range_or_not_an_integer(name):
    for axis in (2, -3, 10):
        with pytest.raises(ValueError, match=r"axis must be in \[-2, 2\)"):
            CALLS[name](X, axis=axis)
    for axis in (1.0, None, "0", True):
        with pytest.raises(TypeError, match="axis must be an integer"):
            CALLS[name](X, axis=axis)


@pytest.mark.parametrize("name", list(WITH_WINDOW))
def test_window_and_min_periods(name):
    f = WITH_WINDOW[name]
    for window in (0, -2):
        with pytest.raises(ValueError, match=r"window must be an integer >= 1, got"):
            f(X, window)
    for window in (2.5, None, "3", True, np.float64(3)):
        with pytest.raises(TypeError, match="window must be an integer"):
            f(X, window)
    for min_periods in (0, -1, 4):
        with pytest.raises(ValueError, match=r"min_periods must be an integer from 1 to 3, got"):
            f(X, 3, min_periods=min_periods)
    with pytest.raises(TypeError, match="min_periods must be an integer"):
        f(X, 3, min_periods=1.5)
    assert f(X, np.int32(3), min_periods=np.int64(2)).shape[:2] == X.shape


def test_ddof():
    for f in (fastnn.temporal.rolling_var, fastnn.temporal.rolling_std):
        with pytest.raises(ValueError, match="ddof must be an integer >= 0"):
            f(X, 3, ddof=-1)
        with pytest.raises(TypeError, match="ddof must be an integer"):
            f(X, 3, ddof=0.5)


def test_lag_k_ks_and_fill_value():
    for k in (-1, -5):
        with pytest.raises(ValueError, match="k must be an integer >= 0"):
            fastnn.temporal.lag(X, k)
        with pytest.raises(ValueError, match="k must be an integer >= 0"):
            fastnn.temporal.diff(X, k)
        with pytest.raises(ValueError, match="ks must be an integer >= 0"):
            fastnn.temporal.lags(X, [1, k])
    with pytest.raises(TypeError, match="k must be an integer"):
        fastnn.temporal.lag(X, 1.5)
    with pytest.raises(TypeError, match="ks must be a sequence"):
        fastnn.temporal.lags(X, 3)
    with pytest.raises(ValueError, match="ks must hold at least one"):
        fastnn.temporal.lags(X, [])
    with pytest.raises(TypeError, match="fill_value must be a real number"):
        fastnn.temporal.lag(X, 1, fill_value="zero")


@pytest.mark.parametrize(
    "name", ["window_features", "aggregate", "spectral_features", "rolling_spectral_features"]
)
def test_features(name):
    for features in ("mean", 3, None):
        with pytest.raises(TypeError, match="features must be a sequence"):
            CALLS[name](X, features=features)
    with pytest.raises(ValueError, match="features must name at least one"):
        CALLS[name](X, features=())
    with pytest.raises(ValueError, match="features must be one of"):
        CALLS[name](X, features=("nope",))
    with pytest.raises(TypeError, match="features must be a string"):
        CALLS[name](X, features=(1,))


def test_wave_feature_arguments():
    f = fastnn.temporal.rolling_spectral_features
    for fs in (0.0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="fs must"):
            fastnn.temporal.spectral_features(X, fs=fs)
    with pytest.raises(TypeError, match="fs must be a real number"):
        fastnn.temporal.spectral_features(X, fs="1")
    with pytest.raises(ValueError, match="window must be at most the series length 12, got 13"):
        f(X, 13)
    with pytest.raises(ValueError, match="step must be an integer >= 1"):
        f(X, 4, step=0)
    with pytest.raises(ValueError, match=r"max_lag must be an integer from 0 to 11, got 12"):
        fastnn.temporal.autocorrelation(X, 12)
    with pytest.raises(ValueError, match=r"max_lag must be an integer from 0 to 11, got -1"):
        fastnn.temporal.autocorrelation(X, -1)


REAL_DTYPES = [
    np.bool_,
    np.int8,
    np.uint8,
    np.int16,
    np.uint16,
    np.int32,
    np.uint32,
    np.int64,
    np.uint64,
    np.float16,
    np.float32,
    np.float64,
    np.longdouble,
]


@pytest.mark.parametrize("dtype", REAL_DTYPES, ids=lambda d: np.dtype(d).name)
def test_every_real_dtype_works(dtype):
    x = (np.arange(24) % 7).reshape(2, 12).astype(dtype)
    want = np.float32 if dtype in (np.float32, np.float16) else np.float64
    for name, call in CALLS.items():
        assert call(x).dtype == want, name


@given(
    x=hnp.arrays(
        st.sampled_from([np.float64, np.float32, np.int16, np.uint8, np.bool_]),
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6),
    ),
    window=st.one_of(st.integers(-2, 8), st.floats(-1, 8), st.none()),
    axis=st.integers(-4, 3),
)
def test_no_numba_error_reaches_the_user(x, window, axis):
    calls = {
        **{name: _with(f, window) for name, f in WITH_WINDOW.items()},
        **CALLS,
    }
    for name, call in calls.items():
        try:
            call(x, axis=axis)
        except (ValueError, TypeError) as error:
            assert not isinstance(error, numba.core.errors.NumbaError), name
            assert any(word in str(error) for word in ("x", "axis", "window", "max_lag")), name


HUGE = (2**31, 2**63 - 1, 2**63, 2**64, 10**30, np.uint64(2**63), np.int64(2**62))


@pytest.mark.parametrize("name", list(WITH_WINDOW))
def test_huge_window_and_min_periods_are_the_series_length(name):
    # 2**63 used to reach the kernel: a Numba TypingError on a first call, a bare
    # OverflowError after; 2**63 - 1 overflowed the kernel's block arithmetic.
    f, twin = WITH_WINDOW[name], getattr(reference, name)
    x = np.array([[1.0, np.nan, 3.0, 4.0, 8.0], [2.0, 2.0, -1.0, np.nan, 0.5]])
    length = x.shape[1]
    for window in HUGE:
        for min_periods, clamped in [(None, length + 1), (1, 1), (3, 3), (window, length + 1)]:
            msg = f"{name} window={window!r} min_periods={min_periods!r}"
            got = f(x, window, min_periods=min_periods)
            want = twin(x, length, min_periods=clamped)
            np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=msg)
            if clamped <= length:  # the same kernel call as the series' own length
                np.testing.assert_array_equal(got, f(x, length, min_periods=clamped), msg)
        with pytest.raises(ValueError, match="min_periods must be an integer from 1 to"):
            f(x, window, min_periods=int(window) + 1)


def test_huge_ddof_step_k_and_lags():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    for big in HUGE:
        for f in (fastnn.temporal.rolling_var, fastnn.temporal.rolling_std):
            assert np.isnan(f(x, 2, min_periods=1, ddof=big)).all(), (f.__name__, big)
        np.testing.assert_array_equal(fastnn.temporal.lag(x, big), np.full(4, np.nan))
        np.testing.assert_array_equal(fastnn.temporal.diff(x, big), np.full(4, np.nan))
        np.testing.assert_array_equal(fastnn.temporal.lags(x, [0, big])[:, 1], np.full(4, np.nan))
        got = fastnn.temporal.rolling_spectral_features(x, 2, step=big)
        np.testing.assert_array_equal(got, fastnn.temporal.rolling_spectral_features(x, 2, step=3))
        with pytest.raises(ValueError, match="window must be at most the series length 4"):
            fastnn.temporal.rolling_spectral_features(x, big)
        with pytest.raises(ValueError, match="max_lag must be an integer from 0 to 3"):
            fastnn.temporal.autocorrelation(x, big)
