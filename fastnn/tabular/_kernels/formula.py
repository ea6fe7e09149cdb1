"""The row-formula interpreter: one cached kernel runs any compiled formula.

A formula is lowered (:mod:`fastnn.tabular.formulas`) to a register program,
an ``int64`` table with one instruction per row::

    op, kind, dst, a, b, c, aux

``kind`` is the NumPy loop dtype of the instruction (the codes below).
Registers live in three banks, rows of ``(n_registers, BLOCK)`` arrays:
``floats`` (float64), ``singles`` (float32) and ``ints`` (int64). The int64
bank holds every bool and integer kind in a canonical form: 0/1 for bool,
the value sign- or zero-extended for integers narrower than 64 bits, and the
raw bits for uint64, so that ``+ - *`` are the machine's wrapping int64
operations followed by a wrap to the kind's width
(exactly NumPy's modular arithmetic, as truncation is a ring homomorphism).

An operand ``>= 0`` is a register; ``-1 - slot`` is a column (or the output)
read in place through its address, so a float64 column feeds a float64
instruction without a copy, and the last instruction writes into the result.

The kernel walks blocks of ``BLOCK`` rows; for each block it runs every
instruction as one loop over the block, which stays in cache and vectorises.
Chunks of blocks run in parallel (``prange``); every row goes through the same
operations in the same order whatever the chunking, so serial and parallel
results are identical. Integer division by zero, ``MIN // -1`` and negative
integer powers are counted per instruction in ``flags`` (bit ``DIVIDE``,
``OVERFLOW``, ``NEGATIVE_POWER``) for the caller to raise NumPy's warnings.

Compile time is what this design pays (every opcode of every bank in one
kernel), so a program whose instructions are all float64 operations on the
float64 bank (``FLOAT64_OPS``) runs on :func:`run_float64`, the same loops
without the other banks, the flags and the casts: with an empty cache its
first call took 6-7 s against 13-22 s (a loaded 2-core machine, import
included). Array slice assignments are written as loops (``_fill``,
``_copy``): Numba compiled the step with them about three times slower.
"""

import numpy as np
from numba import carray, prange, types
from numba.extending import intrinsic

from fastnn._jit import jit

# Kinds: NumPy loop dtypes (the order of KIND_DTYPES in fastnn.tabular.formulas).
BOOL, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FLOAT32, FLOAT64 = range(11)

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

DIVIDE, OVERFLOW, NEGATIVE_POWER = 1, 2, 4

# The opcodes whose float64 instructions read and write the float64 bank only.
FLOAT64_OPS = frozenset(
    {LOAD, CONST, COPY, ADD, SUB, MUL, TRUEDIV, FLOORDIV, MOD, POW, MINIMUM, MAXIMUM}
    | {NEG, ABS, SQRT, EXP, LOG, LOG1P, SIN, COS, TANH, SQUARE, RECIPROCAL}
)

BLOCK = 2048

_INT_MIN = np.array([0, -(1 << 7), -(1 << 15), -(1 << 31), -(1 << 63), 0, 0, 0, 0], np.int64)
_UINT_MASK = np.array([0, 0, 0, 0, 0, 0xFF, 0xFFFF, 0xFFFFFFFF, -1], np.int64)


def _pointer_to(numba_type):
    @intrinsic
    def pointer(typingctx, address):
        signature = types.CPointer(numba_type)(types.int64)

        def codegen(context, builder, signature, args):
            return builder.inttoptr(args[0], context.get_value_type(signature.return_type))

        return signature, codegen

    return pointer


_f64_at = _pointer_to(types.float64)
_f32_at = _pointer_to(types.float32)
_i64_at = _pointer_to(types.int64)
_i32_at = _pointer_to(types.int32)
_i16_at = _pointer_to(types.int16)
_i8_at = _pointer_to(types.int8)
_u32_at = _pointer_to(types.uint32)
_u16_at = _pointer_to(types.uint16)
_u8_at = _pointer_to(types.uint8)


@jit
def _f64_row(bank, ref, addresses, start, m):
    if ref >= 0:
        return bank[ref]
    return carray(_f64_at(addresses[-1 - ref] + 8 * start), m)


@jit
def _f32_row(bank, ref, addresses, start, m):
    if ref >= 0:
        return bank[ref]
    return carray(_f32_at(addresses[-1 - ref] + 4 * start), m)


@jit
def _i64_row(bank, ref, addresses, start, m):
    if ref >= 0:
        return bank[ref]
    return carray(_i64_at(addresses[-1 - ref] + 8 * start), m)


@jit
def _fill(out, value):
    # Loops, not slice assignments: Numba compiles those several times slower.
    for i in range(out.shape[0]):
        out[i] = value


@jit
def _copy(x, out, m):
    for i in range(m):
        out[i] = x[i]


@jit
def _wrap(out, m, kind):
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
        mask = _UINT_MASK[kind] if kind != BOOL else 1
        for i in range(m):
            out[i] = out[i] & mask


@jit
def _load_int(address, start, m, kind, out):
    # A narrow integer or bool column widened to the int64 bank.
    if kind == INT32:
        src = carray(_i32_at(address + 4 * start), m)
        for i in range(m):
            out[i] = src[i]
    elif kind == INT16:
        src16 = carray(_i16_at(address + 2 * start), m)
        for i in range(m):
            out[i] = src16[i]
    elif kind == INT8:
        src8 = carray(_i8_at(address + start), m)
        for i in range(m):
            out[i] = src8[i]
    elif kind == UINT32:
        srcu32 = carray(_u32_at(address + 4 * start), m)
        for i in range(m):
            out[i] = srcu32[i]
    elif kind == UINT16:
        srcu16 = carray(_u16_at(address + 2 * start), m)
        for i in range(m):
            out[i] = srcu16[i]
    else:  # UINT8 and BOOL (bools are passed as their uint8 bytes)
        srcu8 = carray(_u8_at(address + start), m)
        for i in range(m):
            out[i] = srcu8[i]


@jit
def _store_int(x, address, start, m, kind):
    # An int64-bank register written to a narrow integer or bool output.
    if kind == INT32:
        dst = carray(_i32_at(address + 4 * start), m)
        for i in range(m):
            dst[i] = np.int32(x[i])
    elif kind == INT16:
        dst16 = carray(_i16_at(address + 2 * start), m)
        for i in range(m):
            dst16[i] = np.int16(x[i])
    elif kind == INT8:
        dst8 = carray(_i8_at(address + start), m)
        for i in range(m):
            dst8[i] = np.int8(x[i])
    elif kind == UINT32:
        dstu32 = carray(_u32_at(address + 4 * start), m)
        for i in range(m):
            dstu32[i] = np.uint32(x[i] & 0xFFFFFFFF)
    elif kind == UINT16:
        dstu16 = carray(_u16_at(address + 2 * start), m)
        for i in range(m):
            dstu16[i] = np.uint16(x[i] & 0xFFFF)
    else:
        dstu8 = carray(_u8_at(address + start), m)
        for i in range(m):
            dstu8[i] = np.uint8(x[i] & 0xFF)


@jit
def _divmod(a, b):
    # NumPy's npy_divmod (npymath): fmod, then Python's sign convention, then
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
def _float_binary(op, x, y, out, m):
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
            out[i] = _divmod(x[i], y[i])[0]
    elif op == MOD:
        for i in range(m):
            b = y[i]
            out[i] = np.fmod(x[i], b) if b == 0 else _divmod(x[i], b)[1]
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
def _float_compare(op, x, y, out, m):
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
def _float_unary(op, x, out, m):
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
def _int_binary(op, kind, x, y, out, m, flags):
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
        lowest = _INT_MIN[kind]
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
    _wrap(out, m, kind)


@jit
def _int_compare(op, kind, other_kind, x, y, out, m):
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
def _int_unary(op, kind, x, out, m):
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
    _wrap(out, m, kind)


@jit
def _cast(kind, source_kind, src_f, src_s, src_i, out_f, out_s, out_i, m):
    # The conversions NumPy's type promotion makes, and truth values for where.
    if kind == FLOAT64:
        if source_kind == FLOAT32:
            for i in range(m):
                out_f[i] = src_s[i]
        elif source_kind == UINT64:
            for i in range(m):
                out_f[i] = np.float64(np.uint64(src_i[i]))
        else:
            for i in range(m):
                out_f[i] = np.float64(src_i[i])
    elif kind == FLOAT32:
        if source_kind == UINT64:
            for i in range(m):
                out_s[i] = np.float32(np.uint64(src_i[i]))
        else:
            for i in range(m):
                out_s[i] = np.float32(src_i[i])
    elif kind == BOOL:
        if source_kind == FLOAT64:
            for i in range(m):
                out_i[i] = src_f[i] != 0
        elif source_kind == FLOAT32:
            for i in range(m):
                out_i[i] = src_s[i] != 0
        else:
            for i in range(m):
                out_i[i] = src_i[i] != 0
    else:  # integer widening: canonical values stay as they are
        for i in range(m):
            out_i[i] = src_i[i]


@jit
def _step(ins, fconst, iconst, addresses, start, m, floats, singles, ints, first, flags):
    op, kind, dst, a, b, c, aux = ins[0], ins[1], ins[2], ins[3], ins[4], ins[5], ins[6]
    if op == CONST:
        if first:  # constant registers are filled once per chunk and never reused
            if kind == FLOAT64:
                _fill(floats[dst], fconst[a])
            elif kind == FLOAT32:
                _fill(singles[dst], np.float32(fconst[a]))
            else:
                _fill(ints[dst], iconst[a])
        return
    if op == LOAD:
        if kind == FLOAT64:
            _copy(_f64_row(floats, a, addresses, start, m), floats[dst], m)
        elif kind == FLOAT32:
            _copy(_f32_row(singles, a, addresses, start, m), singles[dst], m)
        elif kind in (INT64, UINT64):
            _copy(_i64_row(ints, a, addresses, start, m), ints[dst], m)
        else:
            _load_int(addresses[-1 - a], start, m, kind, ints[dst])
        return
    if op == STORE:  # aux: the output's slot; kind: its dtype (narrow ints and bool)
        _store_int(_i64_row(ints, a, addresses, start, m), addresses[aux], start, m, kind)
        return
    if op == CAST:
        _cast(
            kind,
            aux,
            _f64_row(floats, a, addresses, start, m) if aux == FLOAT64 else floats[0],
            _f32_row(singles, a, addresses, start, m) if aux == FLOAT32 else singles[0],
            _i64_row(ints, a, addresses, start, m) if aux <= UINT64 else ints[0],
            _f64_row(floats, dst, addresses, start, m) if kind == FLOAT64 else floats[0],
            _f32_row(singles, dst, addresses, start, m) if kind == FLOAT32 else singles[0],
            _i64_row(ints, dst, addresses, start, m) if kind <= UINT64 else ints[0],
            m,
        )
        return
    if op == WHERE:  # the condition c is a bool register or column of the int64 bank
        cond = _i64_row(ints, c, addresses, start, m)
        if kind == FLOAT64:
            _where(
                cond,
                _f64_row(floats, a, addresses, start, m),
                _f64_row(floats, b, addresses, start, m),
                _f64_row(floats, dst, addresses, start, m),
                m,
            )
        elif kind == FLOAT32:
            _where(
                cond,
                _f32_row(singles, a, addresses, start, m),
                _f32_row(singles, b, addresses, start, m),
                _f32_row(singles, dst, addresses, start, m),
                m,
            )
        else:
            _where(
                cond,
                _i64_row(ints, a, addresses, start, m),
                _i64_row(ints, b, addresses, start, m),
                _i64_row(ints, dst, addresses, start, m),
                m,
            )
        return
    comparison = op >= LT and op <= NE
    unary = (op >= NEG and op <= RECIPROCAL) or op == COPY
    if kind == FLOAT64:
        x = _f64_row(floats, a, addresses, start, m)
        if comparison:
            _float_compare(
                op,
                x,
                _f64_row(floats, b, addresses, start, m),
                _i64_row(ints, dst, addresses, start, m),
                m,
            )
        elif op == ISNAN:
            _isnan(x, _i64_row(ints, dst, addresses, start, m), m)
        elif unary:
            _float_unary(op, x, _f64_row(floats, dst, addresses, start, m), m)
        else:
            _float_binary(
                op,
                x,
                _f64_row(floats, b, addresses, start, m),
                _f64_row(floats, dst, addresses, start, m),
                m,
            )
    elif kind == FLOAT32:
        x32 = _f32_row(singles, a, addresses, start, m)
        if comparison:
            _float_compare(
                op,
                x32,
                _f32_row(singles, b, addresses, start, m),
                _i64_row(ints, dst, addresses, start, m),
                m,
            )
        elif op == ISNAN:
            _isnan(x32, _i64_row(ints, dst, addresses, start, m), m)
        elif unary:
            _float_unary(op, x32, _f32_row(singles, dst, addresses, start, m), m)
        else:
            _float_binary(
                op,
                x32,
                _f32_row(singles, b, addresses, start, m),
                _f32_row(singles, dst, addresses, start, m),
                m,
            )
    else:
        xi = _i64_row(ints, a, addresses, start, m)
        out = _i64_row(ints, dst, addresses, start, m)
        if comparison:
            _int_compare(op, kind, aux, xi, _i64_row(ints, b, addresses, start, m), out, m)
        elif unary:
            _int_unary(op, kind, xi, out, m)
        else:
            _int_binary(op, kind, xi, _i64_row(ints, b, addresses, start, m), out, m, flags)


@jit
def _where(cond, x, y, out, m):
    for i in range(m):
        out[i] = x[i] if cond[i] != 0 else y[i]


@jit
def _isnan(x, out, m):
    for i in range(m):
        out[i] = np.isnan(x[i])


@jit
def _float64_step(ins, fconst, addresses, start, m, floats, first):
    # `_step` restricted to programs whose every operand is float64 (see
    # FLOAT64_OPS): the same loops, without the code of the other banks.
    op, dst, a, b = ins[0], ins[2], ins[3], ins[4]
    out = _f64_row(floats, dst, addresses, start, m)
    if op == CONST:
        if first:
            _fill(out, fconst[a])
        return
    x = _f64_row(floats, a, addresses, start, m)
    if op in (LOAD, COPY):
        _copy(x, out, m)
    elif op >= NEG and op <= RECIPROCAL:
        _float_unary(op, x, out, m)
    else:
        _float_binary(op, x, _f64_row(floats, b, addresses, start, m), out, m)


@jit(parallel=True)
def run_float64(program, fconst, addresses, n, n_registers, n_chunks):
    """`run_program` for a program of FLOAT64_OPS on float64 only: no flags, one bank."""
    blocks = (n + BLOCK - 1) // BLOCK
    per_chunk = (blocks + n_chunks - 1) // n_chunks
    for chunk in prange(n_chunks):
        floats = np.empty((n_registers, BLOCK), np.float64)
        first = True
        for block in range(chunk * per_chunk, min(blocks, (chunk + 1) * per_chunk)):
            start = block * BLOCK
            m = min(BLOCK, n - start)
            for p in range(program.shape[0]):
                _float64_step(program[p], fconst, addresses, start, m, floats, first)
            first = False


@jit(parallel=True)
def run_program(program, fconst, iconst, addresses, n, registers, n_chunks, flags):
    """Run ``program`` over rows ``0..n`` in ``n_chunks`` chunks; ``flags[chunk, instruction]``."""
    blocks = (n + BLOCK - 1) // BLOCK
    per_chunk = (blocks + n_chunks - 1) // n_chunks
    for chunk in prange(n_chunks):
        floats = np.empty((registers[0], BLOCK), np.float64)
        singles = np.empty((registers[1], BLOCK), np.float32)
        ints = np.empty((registers[2], BLOCK), np.int64)
        first = True
        for block in range(chunk * per_chunk, min(blocks, (chunk + 1) * per_chunk)):
            start = block * BLOCK
            m = min(BLOCK, n - start)
            for p in range(program.shape[0]):
                _step(
                    program[p],
                    fconst,
                    iconst,
                    addresses,
                    start,
                    m,
                    floats,
                    singles,
                    ints,
                    first,
                    flags[chunk, p : p + 1],
                )
            first = False
