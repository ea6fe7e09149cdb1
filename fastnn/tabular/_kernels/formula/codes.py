"""The interpreter's vocabulary: kinds, opcodes, status flags, and register access.

Kinds are NumPy loop dtypes; opcodes name the operations of the grammar; the
flags are the floating-point and integer events an instruction reports for
the caller to raise NumPy's warnings. Registers live in banks, ``(n_registers,
width)`` arrays: float64, float32, float16 (held as float32 values) and int64
(see the package notes); an operand ``ref >= 0`` is a register of its bank and
``-1 - slot`` a column or the output, read in place through its address. A
bank passed as ``None`` is absent: the branches that would use it are pruned
at compile time, so a program compiles only the code of the banks it uses.
"""

import numpy as np
from numba import carray, types
from numba.extending import intrinsic

from fastnn._jit import jit

# Kinds: NumPy loop dtypes (the order of KIND_DTYPES in fastnn.tabular.formulas).
BOOL, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FLOAT32, FLOAT64, FLOAT16 = range(
    12
)

# Opcodes.
(
    LOAD,  # dst <- column a (storage kind = kind)
    STORE,  # output slot aux <- operand a (narrow integer and bool results)
    CONST,  # dst <- constant a (fconst for floats, iconst for ints)
    CAST,  # dst (kind) <- a (kind aux)
    ADD,
    SUB,
    MUL,
    TRUEDIV,
    FLOORDIV,
    MOD,
    POW,
    LT,
    LE,
    GT,
    GE,
    EQ,
    NE,
    AND,
    OR,
    XOR,
    MINIMUM,
    MAXIMUM,
    NEG,
    ABS,
    INVERT,
    SQRT,
    EXP,
    LOG,
    LOG1P,
    SIN,
    COS,
    TANH,
    ISNAN,
    SQUARE,
    RECIPROCAL,
    WHERE,  # dst <- a if c (bool register or column) else b
    COPY,
) = range(37)

# Status flags, one word per chunk and instruction: NumPy's floating-point
# error kinds (for integers: ``//`` by zero is DIVIDE, ``MIN // -1`` OVERFLOW)
# and the integer negative power NumPy refuses.
DIVIDE, OVERFLOW, INVALID, NEGATIVE_POWER = 1, 2, 4, 8

BLOCK = 2048

INT_MIN = np.array([0, -(1 << 7), -(1 << 15), -(1 << 31), -(1 << 63), 0, 0, 0, 0], np.int64)
UINT_MASK = np.array([0, 0, 0, 0, 0, 0xFF, 0xFFFF, 0xFFFFFFFF, -1], np.int64)


@intrinsic
def _at(typingctx, address, like):
    # A pointer to values of the type of `like` at `address`.
    signature = types.CPointer(like)(types.int64, like)

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(signature.return_type))

    return signature, codegen


@jit
def row(bank, chunk, ref, addresses, start, m, like, size):
    """Operand ``ref`` on rows ``start .. start + m``: a register row (of ``chunk``) or a column."""
    if bank is not None and ref >= 0:
        return bank[chunk, ref]
    return carray(_at(addresses[-1 - ref] + size * start, like), m)


@jit
def f64_row(bank, chunk, ref, addresses, start, m):
    return row(bank, chunk, ref, addresses, start, m, np.float64(0), 8)


@jit
def f32_row(bank, chunk, ref, addresses, start, m):
    return row(bank, chunk, ref, addresses, start, m, np.float32(0), 4)


@jit
def i64_row(bank, chunk, ref, addresses, start, m):
    return row(bank, chunk, ref, addresses, start, m, np.int64(0), 8)


@jit
def fill(out, value):
    # Loops, not slice assignments: Numba compiles those several times slower.
    for i in range(out.shape[0]):
        out[i] = value


@jit
def copy(x, out, m):
    # Also the conversions of NumPy's promotion (int to float, float32 to float64).
    for i in range(m):
        out[i] = x[i]


@jit
def wrap(out, m, kind):
    # Back to the canonical form of a narrow kind after wrapping int64 arithmetic.
    if kind == INT8:
        for i in range(m):
            out[i] = np.int8(out[i])
    elif kind == INT16:
        for i in range(m):
            out[i] = np.int16(out[i])
    elif kind == INT32:
        for i in range(m):
            out[i] = np.int32(out[i])
    elif kind in (UINT8, UINT16, UINT32, BOOL):
        mask = UINT_MASK[kind] if kind != BOOL else 1
        for i in range(m):
            out[i] = out[i] & mask


@jit
def load_int(address, start, m, kind, out):
    # A narrow integer or bool column widened to the int64 bank.
    if kind == INT32:
        copy(carray(_at(address + 4 * start, np.int32(0)), m), out, m)
    elif kind == INT16:
        copy(carray(_at(address + 2 * start, np.int16(0)), m), out, m)
    elif kind == INT8:
        copy(carray(_at(address + start, np.int8(0)), m), out, m)
    elif kind == UINT32:
        copy(carray(_at(address + 4 * start, np.uint32(0)), m), out, m)
    elif kind == UINT16:
        copy(carray(_at(address + 2 * start, np.uint16(0)), m), out, m)
    else:  # UINT8 and BOOL (bools are passed as their uint8 bytes)
        copy(carray(_at(address + start, np.uint8(0)), m), out, m)


@jit
def store_int(x, address, start, m, kind):
    # An int64-bank register written to a narrow integer or bool output.
    if kind == INT32:
        dst = carray(_at(address + 4 * start, np.int32(0)), m)
        for i in range(m):
            dst[i] = np.int32(x[i])
    elif kind == INT16:
        dst16 = carray(_at(address + 2 * start, np.int16(0)), m)
        for i in range(m):
            dst16[i] = np.int16(x[i])
    elif kind == INT8:
        dst8 = carray(_at(address + start, np.int8(0)), m)
        for i in range(m):
            dst8[i] = np.int8(x[i])
    elif kind == UINT32:
        dstu32 = carray(_at(address + 4 * start, np.uint32(0)), m)
        for i in range(m):
            dstu32[i] = np.uint32(x[i] & 0xFFFFFFFF)
    elif kind == UINT16:
        dstu16 = carray(_at(address + 2 * start, np.uint16(0)), m)
        for i in range(m):
            dstu16[i] = np.uint16(x[i] & 0xFFFF)
    else:
        dstu8 = carray(_at(address + start, np.uint8(0)), m)
        for i in range(m):
            dstu8[i] = np.uint8(x[i] & 0xFF)
