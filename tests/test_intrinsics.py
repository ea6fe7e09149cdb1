"""The LLVM operations of fastnn._intrinsics against exact arithmetic and NumPy."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastnn._intrinsics import (
    LANES,
    float32_from_bits,
    float64_bits,
    float64_from_bits,
    fma,
    half_from_float,
    half_lane_dot,
    native_half,
)
from fastnn._jit import jit


@jit
def _fma(a, b, c):
    return fma(a, b, c)


@jit
def _from_bits(bits, out):
    # Stored, not returned: a Python float would quiet signalling NaNs.
    out[0] = float32_from_bits(bits)


finite = st.floats(-1e100, 1e100, allow_nan=False, allow_subnormal=True)


@given(finite, finite, finite)
def test_fma_rounds_once(a, b, c):
    # float() of a Fraction rounds correctly, so it is the once-rounded a·b + c.
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    assert _fma(a, b, c) == float(exact)


def test_fma_differs_from_a_product_and_a_sum():
    # (1 + 2^-30)² − 1 needs the 2^-60 term that a rounded product drops.
    a = 1.0 + 2.0**-30
    assert _fma(a, a, -1.0) == 2.0**-29 + 2.0**-60
    assert a * a - 1.0 == 2.0**-29
    f = np.float32
    assert _fma(f(1.5), f(2.0), f(0.25)) == f(3.25)
    assert isinstance(_fma(f(1.5), f(2.0), f(0.25)), float)


@given(st.integers(-(2**31), 2**31 - 1))
def test_float32_from_bits_matches_a_view(bits):
    expected = np.array([bits], np.int32).tobytes()
    out = np.empty(1, np.float32)
    _from_bits(np.int32(bits), out)
    assert out.tobytes() == expected
    # int64 arguments keep their low 32 bits (Numba widens int32 shifts)
    _from_bits(np.int64(bits) + 2**32, out)
    assert out.tobytes() == expected


@jit
def _half_bits(x, out):
    for i in range(x.shape[0]):
        out[i] = half_from_float(x[i])


@jit
def _half_dot(h, start, w):
    return half_lane_dot(h, start, w, w.shape[0] // LANES)


@jit
def _bits64(x):
    return float64_bits(x)


@jit
def _from_bits64(bits, out):
    out[0] = float64_from_bits(bits)


needs_half = pytest.mark.skipif(not native_half(), reason="no binary16 conversions on this CPU")


@needs_half
@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=64))
def test_half_from_float_rounds_as_numpy(patterns):
    x = np.array(patterns, np.uint32).view(np.float32)
    got = np.empty(x.shape, np.uint16)
    _half_bits(x, got)
    with np.errstate(over="ignore"):
        want = x.astype(np.float16)
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got.view(np.float16)), nan)
    np.testing.assert_array_equal(got[~nan], want.view(np.uint16)[~nan])


@needs_half
def test_half_from_float_edges():
    x = np.array(
        [0.0, -0.0, 65504.0, 65520.0, 1e6, -np.inf, 2.0**-14, 2.0**-24, 2.0**-25, 2.0**-26,
         1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11],
        np.float32,
    )  # fmt: skip
    got = np.empty(x.shape, np.uint16)
    _half_bits(x, got)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(got, x.astype(np.float16).view(np.uint16))
    assert got[3] == np.float16(np.inf).view(np.uint16)  # 65520 rounds up past the range
    assert got[1] == 0x8000  # the sign of zero survives


def _half_dot_in_numpy(h, w):
    # The documented order: even and odd blocks in two accumulators of eight
    # float32 lanes, each lane in order, then their sum halved three times.
    f = np.float32
    acc = [np.zeros(LANES, f), np.zeros(LANES, f)]
    for block in range(w.shape[0] // LANES):
        lanes = slice(block * LANES, (block + 1) * LANES)
        acc[block % 2] = acc[block % 2] + h[lanes].view(np.float16).astype(f) * w[lanes]
    total = acc[0] + acc[1]
    while total.shape[0] > 1:
        half = total.shape[0] // 2
        total = total[:half] + total[half:]
    return float(total[0])


@needs_half
@pytest.mark.parametrize("blocks", [0, 1, 2, 3, 7, 8, 33])
def test_half_lane_dot_is_the_documented_float32_order(blocks, rng):
    for start in (0, 1, 3, 8, 13):  # rows end to end: any start, aligned or not
        size = start + blocks * LANES + 5
        h = rng.standard_normal(size) * 10.0 ** rng.integers(-6, 4, size)
        h = h.astype(np.float16).view(np.uint16)
        w = (rng.standard_normal(blocks * LANES) * 10.0 ** rng.integers(-3, 3)).astype(np.float32)
        assert _half_dot(h, start, w) == _half_dot_in_numpy(h[start:], w)


@given(st.integers(-(2**63), 2**63 - 1))
def test_float64_bits_match_a_view(bits):
    pattern = np.array([bits], np.int64)
    out = np.empty(1)
    _from_bits64(np.int64(bits), out)
    assert out.tobytes() == pattern.tobytes()
    value = pattern.view(np.float64)[0]
    if not np.isnan(value):  # (a NaN argument may come back quieted)
        assert _bits64(value) == bits
