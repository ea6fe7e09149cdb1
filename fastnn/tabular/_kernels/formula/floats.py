"""Floating-point status and float16, the two things NumPy's float loops do beyond arithmetic.

Status: NumPy reads the processor's floating-point flags after each ufunc
and warns (or raises, as :func:`numpy.errstate` says) "divide by zero",
"overflow" or "invalid value". The interpreter cannot read those flags per
instruction (its own loops and vectorised comparisons set them too), so it
reasons from the values: an instruction that raises a flag gives a
non-finite result (inf from a division by zero or an overflow, NaN from an
invalid operation), and which flag depends only on the class of its operands
(NaN, ±inf, zero, finite) and of the result (NaN or inf). After each float
instruction on a block :func:`check_status` tests the block for a non-finite
result (one vectorised pass over cache-resident rows); only then does it
record each class seen, one bit per class in the instruction's status word,
and one operand pair per class in ``samples``. The caller replays the pairs
through the NumPy ufunc of the instruction, so NumPy itself names the flags,
warns or raises. Underflow (a tiny inexact result, ignored by NumPy's default
``errstate``) leaves finite values and is not reported.

float16: NumPy computes a float16 operation in float32 and rounds the result
to float16 (its ``npy_half`` loops); registers of that kind hold float32
values that are float16 numbers (:func:`round_half` after each operation),
read from and written to the float16 columns' bits by :func:`load_half` and
:func:`store_half`. float32 has more than twice float16's precision plus two
bits, so ``+ - * / sqrt`` rounded twice this way are correctly rounded.
"""

import math

import numpy as np
from numba import carray

from fastnn._jit import jit
from fastnn.tabular._kernels.formula.codes import _at

N_CLASSES = 32  # (x class, y class, result class): 4 x 4 x 2


@jit
def _class(v):
    # 0: finite non-zero, 1: zero, 2: infinite, 3: NaN
    if v != v:
        return 3
    if v - v != 0:
        return 2
    return 1 if v == 0 else 0


@jit
def check_status(x, y, out, m, status, samples):
    """Record the operand classes of the non-finite results of one block (``y`` may be ``x``)."""
    bad = 0
    for i in range(m):
        v = out[i]
        bad |= np.int64(v - v != 0)  # inf - inf and NaN - NaN are NaN
    if bad == 0:
        return
    for i in range(m):
        v = out[i]
        if v - v != 0:
            c = (_class(x[i]) * 4 + _class(y[i])) * 2 + (1 if v != v else 0)
            if not status[0] & (np.int64(1) << c):
                status[0] |= np.int64(1) << c
                samples[c, 0] = x[i]
                samples[c, 1] = y[i]


@jit
def half_extremum(is_minimum, x, y, out, m):
    """NumPy's float16 minimum and maximum: ``x`` on ties (``minimum(0.0, -0.0)`` is 0.0)."""
    for i in range(m):
        a, b = x[i], y[i]
        out[i] = a if (a != a or (a <= b if is_minimum else a >= b)) else b


@jit
def round_half(out, m):
    """Round float32 values to the nearest float16 number (ties to even), in place."""
    for i in range(m):
        v = np.float64(out[i])
        a = abs(v)
        if a != a:
            continue
        if a >= 65520.0:  # rounds past the largest float16, 65504
            out[i] = math.copysign(math.inf, v)
            continue
        _, e = math.frexp(a)
        e = max(e, -13)  # below 2**-14, float16's subnormals: a fixed step of 2**-24
        q = math.ldexp(a, 11 - e)  # exact; the float16 step is now 1
        q = (q + 4503599627370496.0) - 4503599627370496.0  # to an integer, ties to even
        out[i] = math.copysign(math.ldexp(q, e - 11), v)


@jit
def load_half(address, start, m, out):
    """float16 column rows (their bits) to float32 values."""
    bits = carray(_at(address + 2 * start, np.uint16(0)), m)
    for i in range(m):
        h = np.int64(bits[i])
        exponent, fraction = (h >> 10) & 0x1F, h & 0x3FF
        if exponent == 0:
            v = math.ldexp(fraction, -24)
        elif exponent == 31:
            v = math.inf if fraction == 0 else math.nan
        else:
            v = math.ldexp(fraction + 1024, exponent - 25)
        out[i] = -v if h >> 15 else v


@jit
def store_half(x, address, start, m):
    """float32 values that are float16 numbers written as float16 bits."""
    bits = carray(_at(address + 2 * start, np.uint16(0)), m)
    for i in range(m):
        v = np.float64(x[i])
        a = abs(v)
        if a != a:
            h = 0x7E00
        elif a == math.inf:
            h = 0x7C00
        elif a < 6.103515625e-05:  # 2**-14: subnormal, a multiple of 2**-24
            h = np.int64(math.ldexp(a, 24))
        else:
            mantissa, e = math.frexp(a)  # a = mantissa * 2**e, mantissa in [0.5, 1)
            h = ((e + 14) << 10) | (np.int64(math.ldexp(mantissa, 11)) - 1024)
        if math.copysign(1.0, v) < 0:
            h |= 0x8000
        bits[i] = np.uint16(h)
