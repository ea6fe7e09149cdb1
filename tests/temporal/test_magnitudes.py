"""Finite inputs with finite answers, from 1e-300 to 1e300: every statistic that squares.

rolling_std([1e200, 1, 2, 3], 2) was NaN where the answer is 7.07e199; a sine of
amplitude 1e-170 had no dominant frequency; the autocorrelation, skew, kurtosis and
slope of values near 1e-170 or 1e308 were NaN. Oracles: exact rational arithmetic
(``fractions``) per window for small cases, and the NumPy twins on the unscaled
series for series scaled by a power of two (exact, so the answer scales exactly).
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastnn.temporal as temporal
from fastnn.temporal import reference

# A value of any magnitude from 1e-300 to 1e300, so that one window can mix them.
any_magnitude = st.builds(
    lambda m, e: m * 10.0**e, st.floats(-10, 10, allow_nan=False), st.integers(-300, 300)
)
# Moderate values whose product with 2^±1000 stays normal: the series to scale.
moderate = st.one_of(st.just(0.0), st.floats(1e-3, 1e3), st.floats(-1e3, -1e-3))
powers = st.integers(-1000, 1000)


def _float(q):
    """The double nearest the rational ``q``; ±inf beyond the largest."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def exact(values, ddof=1):
    """``(var, std, slope)`` of the finite ``values`` (NaN marks a gap in time), exactly."""
    points = [(Fraction(u), Fraction(v)) for u, v in enumerate(values) if math.isfinite(v)]
    n = len(points)
    var = std = slope = math.nan
    if n == 0:
        return var, std, slope
    u_mean = sum(u for u, _ in points) / n
    x_mean = sum(v for _, v in points) / n
    m2 = sum((v - x_mean) ** 2 for _, v in points)
    if n > ddof:
        q = m2 / (n - ddof)
        var = _float(q)
        # sqrt of a rational near its own scale: q / 4^k lies in [1, 4)
        k = (q.numerator.bit_length() - q.denominator.bit_length()) // 2
        std = 0.0 if q == 0 else math.ldexp(math.sqrt(float(q / Fraction(4) ** k)), k)
    if n >= 2:
        slope = _float(
            sum((u - u_mean) * (v - x_mean) for u, v in points)
            / sum((u - u_mean) ** 2 for u, _ in points)
        )
    return var, std, slope


def check_windows(x, window, min_periods):
    """rolling var, std and slope of ``x`` against :func:`exact` on every window.

    Compared in units of each window's largest magnitude M (so var / M², std / M,
    slope / M lie near [0, 1]): there the shifted and two-pass sums are good to about
    ``window`` eps; values below that are rounding noise of any float method.
    """
    got = {
        "var": temporal.rolling_var(x, window, min_periods=min_periods),
        "std": temporal.rolling_std(x, window, min_periods=min_periods),
        "slope": temporal.rolling_slope(x, window, min_periods=min_periods),
    }
    for t in range(x.size):
        w = x[max(0, t - window + 1) : t + 1]
        finite = w[np.isfinite(w)]
        var, std, slope = exact(w)
        if finite.size < min_periods:
            var = std = slope = math.nan
        big = float(np.max(np.abs(finite), initial=0.0)) or 1.0
        tol = 1e-13 * window
        msg = f"t={t} window={window} min_periods={min_periods} values={w.tolist()}"
        for name, want, power in (("var", var, 2), ("std", std, 1), ("slope", slope, 1)):
            value = got[name][t]
            if math.isnan(want) or math.isinf(want):
                assert value == want or (math.isnan(want) and math.isnan(value)), name + msg
                continue
            assert math.isfinite(value), f"{name} {value} for {want}: {msg}"
            g, e = value / big, want / big
            if power == 2:
                g, e = g / big, e / big
                assert abs(g - e) <= tol * (1 + abs(e)), f"{name} {value} vs {want}: {msg}"
            elif name == "std":  # compare the variances: std is ill-conditioned near 0
                assert abs(g * g - e * e) <= tol * (1 + e * e), f"std {value} vs {want}: {msg}"
            else:
                assert abs(g - e) <= 1e-10 * window**2 * (1 + abs(e)), f"slope: {msg}"


def test_the_reported_cases():
    np.testing.assert_allclose(
        temporal.rolling_std([1e200, 1.0, 2.0, 3.0], 2),
        [np.nan, 1e200 / math.sqrt(2), math.sqrt(0.5), math.sqrt(0.5)],
        rtol=1e-14,
    )
    assert temporal.rolling_var([1e200, 1.0, 2.0, 3.0], 2)[1] == np.inf  # 5e399: beyond
    x = np.array([1.0, 2.0, 3.0, 1e308, 5.0])
    want = exact(x)[2]
    assert temporal.aggregate(x, ("slope",))[0] == pytest.approx(want, rel=1e-12)
    a = 1e-170
    r = temporal.autocorrelation([a, -a] * 8, 2)
    np.testing.assert_allclose(r, [1.0, -15 / 16, 14 / 16], rtol=1e-14)
    t = np.arange(64)
    got = temporal.spectral_features(a * np.sin(2 * np.pi * 5 * t / 64))
    assert got[0] == 5 / 64 and got[1] == pytest.approx(a, rel=1e-12)
    skew, kurt = temporal.aggregate(a * np.array([1.0, 2.0, 4.0, 8.0, 3.0]), ("skew", "kurtosis"))
    np.testing.assert_allclose(
        [skew, kurt],
        temporal.aggregate([1.0, 2.0, 4.0, 8.0, 3.0], ("skew", "kurtosis")),
        rtol=1e-12,
    )


def test_stable_windows_keep_their_precision(rng):
    # The scale is a power of two: 1e9 + noise keeps its std, and scaled windows agree
    # with the unscaled ones to the bit (the same operations on exactly scaled values).
    x = 1e9 + rng.standard_normal(5_000)
    std = temporal.rolling_std(x, 100)[99:]
    want = np.lib.stride_tricks.sliding_window_view(x, 100).std(axis=-1, ddof=1)
    np.testing.assert_allclose(std, want, rtol=1e-6)
    y = rng.standard_normal(5_000)
    for k in (-1000, -600, 600, 1000):
        s = 2.0**k
        np.testing.assert_array_equal(
            temporal.rolling_std(y * s, 50), temporal.rolling_std(y, 50) * s
        )


@given(
    x=hnp.arrays(np.float64, st.integers(1, 30), elements=any_magnitude),
    window=st.integers(1, 8),
    data=st.data(),
)
def test_property_mixed_magnitudes_are_exact_per_window(x, window, data):
    x[data.draw(hnp.arrays(bool, x.shape))] = np.nan
    min_periods = data.draw(st.integers(1, window))
    check_windows(x, window, min_periods)


@given(
    base=hnp.arrays(np.float64, st.integers(1, 40), elements=moderate),
    e=st.integers(-300, 300),
    window=st.integers(1, 10),
    data=st.data(),
)
def test_property_one_magnitude_per_series_is_exact_per_window(base, e, window, data):
    # every block at one magnitude: the O(n) scaled path, not the per-window fallback
    min_periods = data.draw(st.integers(1, window))
    check_windows(base * 10.0**e, window, min_periods)


@given(base=hnp.arrays(np.float64, st.integers(4, 120), elements=moderate), k=powers)
def test_property_aggregate_scales_with_the_series(base, k):
    s = 2.0**k  # exact: the answer scales exactly
    got = temporal.aggregate(base * s)
    want = reference.aggregate(base)
    span = 1.0 + np.max(np.abs(base))
    linear = [0, 1, 2, 3, 4, 7, 9]  # mean, std, min, max, median, slope, mean_abs_change
    np.testing.assert_allclose(got[linear] / s, want[linear], rtol=1e-6, atol=1e-9 * span)
    np.testing.assert_allclose(got[5:7], want[5:7], rtol=1e-6, atol=1e-6)  # skew, kurtosis
    with np.errstate(over="ignore"):  # abs_energy may leave float64's range, as it should
        np.testing.assert_allclose(got[8], want[8] * s * s, rtol=1e-9, atol=0)


@given(base=hnp.arrays(np.float64, st.integers(2, 100), elements=moderate), k=powers)
def test_property_spectral_features_scale_with_the_series(base, k):
    s = 2.0**k
    got = temporal.spectral_features(base * s)
    unscaled = temporal.spectral_features(base)
    with np.errstate(over="ignore"):
        want = unscaled * np.array([1.0, s, 1.0, 1.0, 1.0, s])
        want[5] *= s  # the energy goes as s²
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    # as test_spectral's property: argmax ties of a (near-)constant series are noise
    if unscaled[5] > 1e-12 * max(1.0, np.sum(base**2)):
        twin = reference.spectral_features(base * s)
        finite = np.isfinite(twin)
        finite[0] = False  # the dominant frequency of a flat spectrum is a tie, as there
        np.testing.assert_allclose(got[finite], twin[finite], rtol=1e-6, atol=1e-9 * s)


@given(
    base=hnp.arrays(np.float64, st.integers(2, 100), elements=moderate),
    k=powers,
    data=st.data(),
)
def test_property_autocorrelation_is_scale_free(base, k, data):
    max_lag = data.draw(st.integers(0, base.size - 1))
    s = 2.0**k
    got = temporal.autocorrelation(base * s, max_lag)
    np.testing.assert_allclose(got, temporal.autocorrelation(base, max_lag), rtol=1e-12)
    np.testing.assert_allclose(
        got, reference.autocorrelation(base * s, max_lag), rtol=1e-9, atol=1e-9
    )


@pytest.mark.parametrize("amplitude", [1e-300, 1e-170, 1.0, 1e200, 1e300])
def test_spectral_and_autocorrelation_of_a_sine_at_any_amplitude(amplitude):
    t = np.arange(400)
    x = amplitude * np.sin(2 * np.pi * 20 * t / 400)  # period 20
    freq, amp = temporal.spectral_features(x, features=("dominant_frequency", "dominant_amplitude"))
    assert freq == 20 / 400 and amp == pytest.approx(amplitude, rel=1e-9)
    r = temporal.autocorrelation(x, 70)  # the FFT route
    assert r[20] == pytest.approx(380 / 400, rel=1e-3) and r[10] == pytest.approx(-0.975, rel=1e-3)
    np.testing.assert_allclose(r[:65], temporal.autocorrelation(x, 64), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["var", "std", "slope"])
def test_serial_and_parallel_twins_agree_across_magnitudes(name, rng, parallel_and_serial):
    # Segments at 1e-200 and 1e200, and blocks that mix them (the per-window fallback),
    # split into many parallel tasks: the task's warm-up block must see the same scales.
    from fastnn import _jit

    x = rng.standard_normal((2, 20_000))
    x[0, 3_000:9_000] *= 1e-200
    x[0, 12_000:12_050] *= 1e200
    x[0, 8_100:8_200] *= 1e300  # 1e100 among 1e-200, across the second task's first block
    x[1, rng.random(20_000) < 0.01] *= 1e250
    x[1, rng.random(20_000) < 0.01] = np.nan
    f = getattr(temporal, f"rolling_{name}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_jit, "PARALLEL_MIN_WORK", 0)
        parallel, serial = parallel_and_serial(lambda: f(x, 37, min_periods=20))
    np.testing.assert_array_equal(parallel, serial)
    want = getattr(reference, f"rolling_{name}")(x, 37, min_periods=20)
    # in units of each window's largest magnitude: a slope of 1e-3 beside a 1e250 is noise
    big = reference.rolling_max(np.abs(x), 37, min_periods=1)
    with np.errstate(invalid="ignore"):  # inf - inf: both beyond the range, NaN, skipped
        error, size = np.abs(serial - want) / big, np.abs(want) / big
    if name == "var":
        error, size = error / big, size / big
    assert np.array_equal(np.isnan(serial), np.isnan(want))
    assert np.nanmax(error - 1e-9 * size) <= 1e-11, name
