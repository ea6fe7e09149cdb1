"""Tests of the wave features: spectra of pure sines and sums of sines, zero crossings,
autocorrelation, against closed forms and the NumPy twins."""

import numpy as np
import pytest
from hostile import layouts
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastnn.temporal import (
    autocorrelation,
    reference,
    rolling_spectral_features,
    spectral_features,
    zero_crossing_rate,
)
from fastnn.temporal.spectral import FEATURES


def sine(n, cycles, amplitude=1.0, phase=0.3, fs=1.0, offset=0.0):
    t = np.arange(n) / fs
    return offset + amplitude * np.sin(2 * np.pi * cycles * fs / n * t + phase)


@pytest.mark.parametrize(
    ("n", "cycles", "amplitude", "fs"),
    [(64, 5, 1.0, 1.0), (100, 7, 3.5, 50.0), (255, 12, 0.2, 8.0), (256, 128, 2.0, 1.0)],
)
def test_pure_sine(n, cycles, amplitude, fs):
    x = sine(n, cycles, amplitude, phase=0.0 if 2 * cycles == n else 0.3, fs=fs, offset=4.0)
    if 2 * cycles == n:  # the Nyquist tone: a cosine, sin would sample only zeros
        x = 4.0 + amplitude * np.cos(np.pi * np.arange(n))
    got = dict(zip(FEATURES, spectral_features(x, fs=fs), strict=True))
    frequency = cycles * fs / n
    assert got["dominant_frequency"] == pytest.approx(frequency)
    assert got["dominant_amplitude"] == pytest.approx(amplitude, rel=1e-9)
    assert got["spectral_centroid"] == pytest.approx(frequency)
    assert got["spectral_bandwidth"] == pytest.approx(0.0, abs=1e-6 * frequency)
    assert got["spectral_entropy"] == pytest.approx(0.0, abs=1e-9)
    assert got["spectral_energy"] == pytest.approx(np.sum((x - x.mean()) ** 2), rel=1e-9)


def test_sum_of_sines():
    n, fs = 1000, 100.0
    x = sine(n, 30, 2.0, fs=fs) + sine(n, 110, 0.5, phase=1.0, fs=fs)
    got = dict(zip(FEATURES, spectral_features(x, fs=fs), strict=True))
    f1, f2 = 30 * fs / n, 110 * fs / n
    p1, p2 = 2.0**2, 0.5**2  # energies go as amplitude²
    centroid = (f1 * p1 + f2 * p2) / (p1 + p2)
    assert got["dominant_frequency"] == pytest.approx(f1)
    assert got["dominant_amplitude"] == pytest.approx(2.0)
    assert got["spectral_centroid"] == pytest.approx(centroid)
    bandwidth = np.sqrt(((f1 - centroid) ** 2 * p1 + (f2 - centroid) ** 2 * p2) / (p1 + p2))
    assert got["spectral_bandwidth"] == pytest.approx(bandwidth)
    q = np.array([p1, p2]) / (p1 + p2)
    assert got["spectral_entropy"] == pytest.approx(-(q * np.log(q)).sum() / np.log(n // 2))
    assert got["spectral_energy"] == pytest.approx(n / 2 * (p1 + p2))


@pytest.mark.parametrize(
    "dtype", (np.float64, np.float32, np.int16), ids=lambda d: np.dtype(d).name
)
def test_matches_twin(dtype, rng):
    x = (rng.standard_normal((3, 2, 97)) * 10).astype(dtype)
    for axis in (-1, 0):
        got = spectral_features(x, fs=2.0, axis=axis)
        want = reference.spectral_features(x, fs=2.0, axis=axis)
        assert got.dtype == want.dtype and got.shape == want.shape
        rtol = 1e-5 if dtype == np.float32 else 1e-9
        np.testing.assert_allclose(got, want, rtol=rtol, err_msg=f"axis={axis}")


def test_degenerate_series():
    got = spectral_features([[3.0, 3.0, 3.0, 3.0], [1.0, np.nan, 2.0, 0.0]])
    constant = dict(zip(FEATURES, got[0], strict=True))
    assert constant["dominant_amplitude"] == 0 and constant["spectral_energy"] == 0
    assert np.isnan([constant[f] for f in FEATURES[:1] + FEATURES[2:5]]).all()
    assert np.isnan(got[1]).all()
    assert np.isnan(spectral_features([5.0])).all()
    # scipy.fft against numpy.fft: a tolerance, as for any FFT (kernels chosen per CPU)
    np.testing.assert_allclose(
        spectral_features([[3.0, 3.0]]), reference.spectral_features([[3.0, 3.0]]), atol=1e-15
    )


def test_rolling_spectral_features_match_windows(rng):
    x = rng.standard_normal((2, 500))
    got = rolling_spectral_features(x, 64, step=20, fs=4.0)
    assert got.shape == (2, (500 - 64) // 20 + 1, len(FEATURES))
    for i in (0, 5, got.shape[1] - 1):
        np.testing.assert_allclose(
            got[:, i], spectral_features(x[:, 20 * i : 20 * i + 64], fs=4.0), rtol=1e-12
        )
    np.testing.assert_allclose(
        got, reference.rolling_spectral_features(x, 64, step=20, fs=4.0), rtol=1e-9
    )
    along0 = rolling_spectral_features(x.T, 64, step=20, fs=4.0, axis=0)
    np.testing.assert_allclose(along0, np.swapaxes(got, 0, 1), rtol=1e-12)
    np.testing.assert_allclose(
        along0, reference.rolling_spectral_features(x.T, 64, step=20, fs=4.0, axis=0), rtol=1e-9
    )


def test_rolling_spectral_features_in_several_batches(rng, monkeypatch):
    from fastnn.temporal import spectral

    x = rng.standard_normal(3000)
    whole = rolling_spectral_features(x, 100, step=7)
    monkeypatch.setattr(spectral, "_BATCH_POINTS", 1000)  # ten windows per rfft call
    # through scipy.fft, whose SIMD batches of rows depend on the call: a tolerance
    np.testing.assert_allclose(rolling_spectral_features(x, 100, step=7), whole, rtol=1e-12)


def test_zero_crossing_rate(rng):
    assert zero_crossing_rate([1.0, -1.0, 1.0, -1.0]) == 1.0
    assert zero_crossing_rate([1.0, 0.0, 2.0]) == 0.0  # 0 counts as positive
    assert zero_crossing_rate([1.0, np.nan, -1.0, -2.0, 3.0]) == 0.5  # pairs with NaN left out
    assert np.isnan(zero_crossing_rate([np.nan, 1.0]))
    x = rng.standard_normal((4, 5, 50))
    x[x > 1.5] = np.nan
    for axis in (-1, 0, 1):
        got = zero_crossing_rate(x, axis=axis)
        np.testing.assert_allclose(got, reference.zero_crossing_rate(x, axis=axis), rtol=1e-12)
        assert got.shape == np.delete(x.shape, axis).tolist() or got.shape == tuple(
            np.delete(x.shape, axis)
        )
    frequency = 13 / 1000
    assert zero_crossing_rate(sine(1000, 13)) == pytest.approx(2 * frequency, abs=2e-3)


@pytest.mark.parametrize("max_lag", [0, 1, 10, 64, 65, 199])
def test_autocorrelation_direct_and_fft_routes(max_lag, rng):
    x = np.cumsum(rng.standard_normal((3, 200)), axis=-1).astype(np.float64)
    got = autocorrelation(x, max_lag)
    assert got.shape == (3, max_lag + 1)
    np.testing.assert_allclose(got, reference.autocorrelation(x, max_lag), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got[:, 0], 1.0)
    d = x[1] - x[1].mean()
    k = max_lag // 2
    np.testing.assert_allclose(got[1, k], np.dot(d[k:], d[: 200 - k]) / np.dot(d, d), rtol=1e-9)


def test_autocorrelation_of_a_sine_and_degenerate_rows():
    x = sine(400, 20, phase=0.0)  # period 20
    r = autocorrelation(x, 40)
    assert r[20] == pytest.approx(380 / 400, rel=1e-3)
    assert r[10] == pytest.approx(-390 / 400, rel=1e-3)
    bad = autocorrelation([[1.0, 1.0, 1.0], [1.0, np.nan, 2.0]], 2)
    assert np.isnan(bad).all()
    assert autocorrelation(np.float32([1, 2, 1, 2]), 1).dtype == np.float32
    np.testing.assert_allclose(
        autocorrelation(np.ones((2, 100)) * np.arange(100), 70),
        reference.autocorrelation(np.ones((2, 100)) * np.arange(100), 70),
    )


def test_hostile_layouts(rng):
    base = rng.standard_normal((4, 33))
    for label, x in layouts(base):
        # spectra through scipy.fft: a tolerance; the kernels' own results stay exact
        np.testing.assert_allclose(
            spectral_features(x), spectral_features(base), rtol=1e-12, err_msg=label
        )
        np.testing.assert_array_equal(autocorrelation(x, 5), autocorrelation(base, 5), label)
        np.testing.assert_array_equal(zero_crossing_rate(x), zero_crossing_rate(base), label)


@given(
    hnp.arrays(np.float64, st.integers(2, 200), elements=st.floats(-1e3, 1e3)),
    st.floats(0.1, 100.0),
)
def test_property_matches_twin(x, fs):
    got = spectral_features(x, fs=fs)
    want = reference.spectral_features(x, fs=fs)
    energy = want[-1]
    if energy > 1e-12 * max(1.0, np.sum(x**2)):  # argmax ties are rounding noise otherwise
        np.testing.assert_allclose(got[1:], want[1:], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(got[-1], want[-1], rtol=1e-6, atol=1e-6)
    assert 0 <= got[0] <= fs / 2 or np.isnan(got[0])
