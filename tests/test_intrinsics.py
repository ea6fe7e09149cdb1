"""The LLVM operations of fastnn._intrinsics against exact arithmetic."""

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fastnn._intrinsics import float32_from_bits, fma
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
