"""The per-operation loops: each runs one instruction over one block of ``m`` rows.

Floats follow IEEE arithmetic as NumPy's loops do (``divmod_`` is NumPy's
``npy_divmod``); integers and bools are canonical int64 values (see the
package notes), whose ``+ - *`` wrap as the machine's and are then wrapped to
the kind's width. Each loop is generic over the dtypes it meets, so Numba
compiles it once per bank that calls it.
"""

import numpy as np

from fastnn._jit import jit
from fastnn.tabular._kernels.formula.codes import (
    ABS,
    ADD,
    AND,
    COS,
    DIVIDE,
    EQ,
    EXP,
    FLOORDIV,
    GE,
    GT,
    INT8,
    INT64,
    INT_MIN,
    INVERT,
    ISNAN,
    LE,
    LOG,
    LOG1P,
    LT,
    MAXIMUM,
    MINIMUM,
    MOD,
    MUL,
    NEG,
    NEGATIVE_POWER,
    OR,
    OVERFLOW,
    POW,
    RECIPROCAL,
    SIN,
    SQRT,
    SQUARE,
    SUB,
    TANH,
    TRUEDIV,
    UINT64,
    XOR,
    wrap,
)  # fmt: skip


@jit
def divmod_(a, b):
    # NumPy's npydivmod_ (npymath): fmod, then Python's sign convention, then
    # the quotient snapped to the nearest integer; b == 0 gives a / b, fmod.
    mod = np.fmod(a, b)
    if b == 0:
        return a / b, mod
    div = (a - mod) / b
    if mod != 0:
        if (b < 0) != (mod < 0):
            mod += b
            div -= 1
    else:
        mod = np.copysign(mod * 0, b)
    if div != 0:
        floordiv = np.floor(div)
        if div - floordiv > 0.5:
            floordiv += 1
    else:
        floordiv = np.copysign(div * 0, a / b)
    return floordiv, mod


@jit
def float_binary(op, x, y, out, m):
    if op == ADD:
        for i in range(m):
            out[i] = x[i] + y[i]
    elif op == SUB:
        for i in range(m):
            out[i] = x[i] - y[i]
    elif op == MUL:
        for i in range(m):
            out[i] = x[i] * y[i]
    elif op == TRUEDIV:
        for i in range(m):
            out[i] = x[i] / y[i]
    elif op == FLOORDIV:
        for i in range(m):
            out[i] = divmod_(x[i], y[i])[0]
    elif op == MOD:
        for i in range(m):
            b = y[i]
            out[i] = np.fmod(x[i], b) if b == 0 else divmod_(x[i], b)[1]
    elif op == POW:
        for i in range(m):
            out[i] = np.power(x[i], y[i])
    elif op == MINIMUM:
        for i in range(m):
            a, b = x[i], y[i]
            out[i] = a if (np.isnan(a) or a < b) else b
    elif op == MAXIMUM:
        for i in range(m):
            a, b = x[i], y[i]
            out[i] = a if (np.isnan(a) or a > b) else b


@jit
def float_compare(op, x, y, out, m):
    if op == LT:
        for i in range(m):
            out[i] = x[i] < y[i]
    elif op == LE:
        for i in range(m):
            out[i] = x[i] <= y[i]
    elif op == GT:
        for i in range(m):
            out[i] = x[i] > y[i]
    elif op == GE:
        for i in range(m):
            out[i] = x[i] >= y[i]
    elif op == EQ:
        for i in range(m):
            out[i] = x[i] == y[i]
    else:
        for i in range(m):
            out[i] = x[i] != y[i]


@jit
def float_unary(op, x, out, m):
    if op == NEG:
        for i in range(m):
            out[i] = -x[i]
    elif op == ABS:
        for i in range(m):
            out[i] = np.abs(x[i])
    elif op == SQRT:
        for i in range(m):
            out[i] = np.sqrt(x[i])
    elif op == EXP:
        for i in range(m):
            out[i] = np.exp(x[i])
    elif op == LOG:
        for i in range(m):
            out[i] = np.log(x[i])
    elif op == LOG1P:
        for i in range(m):
            out[i] = np.log1p(x[i])
    elif op == SIN:
        for i in range(m):
            out[i] = np.sin(x[i])
    elif op == COS:
        for i in range(m):
            out[i] = np.cos(x[i])
    elif op == TANH:
        for i in range(m):
            out[i] = np.tanh(x[i])
    elif op == SQUARE:
        for i in range(m):
            out[i] = x[i] * x[i]
    elif op == RECIPROCAL:
        for i in range(m):
            out[i] = 1 / x[i]
    else:  # COPY
        for i in range(m):
            out[i] = x[i]


@jit
def int_binary(op, kind, x, y, out, m, flags):
    # Integer and bool instructions on canonical int64 values (see the module notes).
    unsigned64 = kind == UINT64
    if op == ADD:
        for i in range(m):
            out[i] = x[i] + y[i]
    elif op == SUB:
        for i in range(m):
            out[i] = x[i] - y[i]
    elif op == MUL:
        for i in range(m):
            out[i] = x[i] * y[i]
    elif op == AND:
        for i in range(m):
            out[i] = x[i] & y[i]
    elif op == OR:
        for i in range(m):
            out[i] = x[i] | y[i]
    elif op == XOR:
        for i in range(m):
            out[i] = x[i] ^ y[i]
    elif op in (FLOORDIV, MOD):
        lowest = INT_MIN[kind]
        for i in range(m):
            a, b = x[i], y[i]
            if b == 0:
                flags[0] |= DIVIDE
                out[i] = 0
            elif unsigned64:
                ua, ub = np.uint64(a), np.uint64(b)
                out[i] = np.int64(ua // ub) if op == FLOORDIV else np.int64(ua % ub)
            elif b == -1:
                if op == FLOORDIV:
                    if a == lowest and kind >= INT8 and kind <= INT64:
                        flags[0] |= OVERFLOW
                    out[i] = -a
                else:
                    out[i] = 0
            else:
                out[i] = a // b if op == FLOORDIV else a % b
    elif op == POW:
        for i in range(m):
            base, e = x[i], y[i]
            if not unsigned64 and e < 0:
                flags[0] |= NEGATIVE_POWER
                out[i] = 0
                continue
            ue = np.uint64(e)
            result = np.int64(1)
            while ue > 0:
                if ue & np.uint64(1):
                    result *= base
                base *= base
                ue >>= np.uint64(1)
            out[i] = result
    elif op in (MINIMUM, MAXIMUM):
        for i in range(m):
            a, b = x[i], y[i]
            less = np.uint64(a) < np.uint64(b) if unsigned64 else a < b
            out[i] = (a if less else b) if op == MINIMUM else (b if less else a)
    wrap(out, m, kind)


@jit
def int_compare(op, kind, other_kind, x, y, out, m):
    # kind, other_kind: the operands' kinds; they differ only for int64 against
    # uint64, which NumPy compares exactly (not through float64).
    for i in range(m):
        a, b = x[i], y[i]
        if kind == UINT64 and other_kind == UINT64:
            less = np.uint64(a) < np.uint64(b)
            equal = a == b
        elif kind == UINT64:  # a unsigned, b signed
            less = b >= 0 and np.uint64(a) < np.uint64(b)
            equal = b >= 0 and a == b
        elif other_kind == UINT64:  # a signed, b unsigned
            less = a < 0 or np.uint64(a) < np.uint64(b)
            equal = a >= 0 and a == b
        else:
            less = a < b
            equal = a == b
        if op == LT:
            out[i] = less
        elif op == LE:
            out[i] = less or equal
        elif op == GT:
            out[i] = not (less or equal)
        elif op == GE:
            out[i] = not less
        elif op == EQ:
            out[i] = equal
        else:
            out[i] = not equal


@jit
def int_unary(op, kind, x, out, m):
    if op == NEG:
        for i in range(m):
            out[i] = -x[i]
    elif op == ABS:
        if kind >= INT8 and kind <= INT64:
            for i in range(m):
                out[i] = -x[i] if x[i] < 0 else x[i]
        else:
            for i in range(m):
                out[i] = x[i]
    elif op == INVERT:
        for i in range(m):
            out[i] = ~x[i]
    elif op == SQUARE:
        for i in range(m):
            out[i] = x[i] * x[i]
    elif op == ISNAN:
        for i in range(m):
            out[i] = 0
    else:  # COPY
        for i in range(m):
            out[i] = x[i]
    wrap(out, m, kind)


@jit
def where(cond, x, y, out, m):
    for i in range(m):
        out[i] = x[i] if cond[i] != 0 else y[i]


@jit
def isnan(x, out, m):
    for i in range(m):
        out[i] = np.isnan(x[i])
