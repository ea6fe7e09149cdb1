"""The interpreter: one kernel, compiled per set of banks, runs any register program.

:func:`run_program` walks blocks of ``BLOCK`` rows and runs every instruction
of the program on a block (:func:`step`) before the next, so a block's
registers stay in cache. Chunks of blocks run in parallel (``prange``); every
row goes through the same operations in the same order whatever the chunking,
so serial and parallel results are identical.
"""

import numpy as np
from numba import prange

from fastnn._jit import jit
from fastnn.tabular._kernels.formula.codes import (
    ABS,
    BLOCK,
    BOOL,
    CAST,
    CONST,
    COPY,
    FLOAT16,
    FLOAT32,
    FLOAT64,
    INT64,
    ISNAN,
    LOAD,
    LT,
    MAXIMUM,
    MINIMUM,
    NE,
    NEG,
    RECIPROCAL,
    STORE,
    UINT64,
    WHERE,
    copy,
    f32_row,
    f64_row,
    fill,
    i64_row,
    load_int,
    row,
    store_int,
)  # fmt: skip
from fastnn.tabular._kernels.formula.floats import (
    check_status,
    half_extremum,
    load_half,
    round_half,
    store_half,
)  # fmt: skip
from fastnn.tabular._kernels.formula.loops import (
    float_binary,
    float_compare,
    float_unary,
    int_binary,
    int_compare,
    int_unary,
    isnan,
    where,
)  # fmt: skip


@jit
def _truth(x, out, m):
    for i in range(m):
        out[i] = x[i] != 0


@jit
def _from_uint64(x, out, m):
    for i in range(m):
        out[i] = np.uint64(x[i])


@jit
def _cast(kind, source, a, dst, addresses, start, m, floats, singles, halves, ints, chunk):
    # The conversions NumPy's type promotion makes, and truth values for where.
    # A float16 register is a float32 row; its float16 sources (bool, int8,
    # uint8) are exact in it.
    if floats is not None and kind == FLOAT64:
        out = f64_row(floats, chunk, dst, addresses, start, m)
        if singles is not None and source == FLOAT32:
            copy(f32_row(singles, chunk, a, addresses, start, m), out, m)
        elif halves is not None and source == FLOAT16:
            copy(halves[chunk, a], out, m)
        elif ints is not None and source == UINT64:
            _from_uint64(i64_row(ints, chunk, a, addresses, start, m), out, m)
        elif ints is not None:
            copy(i64_row(ints, chunk, a, addresses, start, m), out, m)
    elif singles is not None and kind == FLOAT32:
        out32 = f32_row(singles, chunk, dst, addresses, start, m)
        if halves is not None and source == FLOAT16:
            copy(halves[chunk, a], out32, m)
        elif ints is not None and source == UINT64:
            _from_uint64(i64_row(ints, chunk, a, addresses, start, m), out32, m)
        elif ints is not None:
            copy(i64_row(ints, chunk, a, addresses, start, m), out32, m)
    elif halves is not None and kind == FLOAT16:
        if ints is not None:
            copy(i64_row(ints, chunk, a, addresses, start, m), halves[chunk, dst], m)
            round_half(halves[chunk, dst], m)
    elif ints is not None:
        outi = i64_row(ints, chunk, dst, addresses, start, m)
        if kind != BOOL:  # integer widening: canonical values stay as they are
            copy(i64_row(ints, chunk, a, addresses, start, m), outi, m)
        elif floats is not None and source == FLOAT64:
            _truth(f64_row(floats, chunk, a, addresses, start, m), outi, m)
        elif singles is not None and source == FLOAT32:
            _truth(f32_row(singles, chunk, a, addresses, start, m), outi, m)
        elif halves is not None and source == FLOAT16:
            _truth(halves[chunk, a], outi, m)
        else:
            _truth(i64_row(ints, chunk, a, addresses, start, m), outi, m)


@jit
def _float_step(
    op, dst, a, b, addresses, start, m, bank, ints, chunk, like, size, status, samples, half
):
    # An instruction of a float kind (the type of `like`) on its bank; `half`
    # (True or None, pruned) rounds each result to float16.
    x = row(bank, chunk, a, addresses, start, m, like, size)
    if ints is not None and op >= LT and op <= NE:
        y = row(bank, chunk, b, addresses, start, m, like, size)
        float_compare(op, x, y, i64_row(ints, chunk, dst, addresses, start, m), m)
        return
    if ints is not None and op == ISNAN:
        isnan(x, i64_row(ints, chunk, dst, addresses, start, m), m)
        return
    out = row(bank, chunk, dst, addresses, start, m, like, size)
    if (op >= NEG and op <= RECIPROCAL) or op in (COPY, LOAD):
        float_unary(op, x, out, m)
        y = x
    elif half is not None and op in (MINIMUM, MAXIMUM):
        y = row(bank, chunk, b, addresses, start, m, like, size)
        half_extremum(op == MINIMUM, x, y, out, m)
    else:
        y = row(bank, chunk, b, addresses, start, m, like, size)
        float_binary(op, x, y, out, m)
    if half is not None:
        round_half(out, m)
    if op not in (NEG, ABS, COPY, LOAD, MINIMUM, MAXIMUM):  # those raise no flag
        check_status(x, y, out, m, status, samples)


@jit
def step(
    ins,
    fconst,
    iconst,
    addresses,
    start,
    m,
    floats,
    singles,
    halves,
    ints,
    chunk,
    first,
    status,
    samples,
):
    """Run instruction ``ins`` on rows ``start .. start + m`` of ``chunk`` (the package notes).

    Float arithmetic is run by :func:`run_program` itself, not here.
    """
    op, kind, dst, a, b, c, aux = ins[0], ins[1], ins[2], ins[3], ins[4], ins[5], ins[6]
    if op == CONST:
        if first:  # constant registers are filled once per chunk and never reused
            if floats is not None and kind == FLOAT64:
                fill(floats[chunk, dst], fconst[a])
            elif singles is not None and kind == FLOAT32:
                fill(singles[chunk, dst], np.float32(fconst[a]))
            elif halves is not None and kind == FLOAT16:
                fill(halves[chunk, dst], np.float32(fconst[a]))
            elif ints is not None:
                fill(ints[chunk, dst], iconst[a])
    elif op == CAST:
        _cast(kind, aux, a, dst, addresses, start, m, floats, singles, halves, ints, chunk)
    elif ints is not None and op == WHERE:  # c: a bool register or column of the int64 bank
        cond = i64_row(ints, chunk, c, addresses, start, m)
        if floats is not None and kind == FLOAT64:
            x, y = (
                f64_row(floats, chunk, a, addresses, start, m),
                f64_row(floats, chunk, b, addresses, start, m),
            )
            where(cond, x, y, f64_row(floats, chunk, dst, addresses, start, m), m)
        elif singles is not None and kind == FLOAT32:
            x32 = f32_row(singles, chunk, a, addresses, start, m)
            y32 = f32_row(singles, chunk, b, addresses, start, m)
            where(cond, x32, y32, f32_row(singles, chunk, dst, addresses, start, m), m)
        elif halves is not None and kind == FLOAT16:
            where(cond, halves[chunk, a], halves[chunk, b], halves[chunk, dst], m)
        else:
            xi, yi = (
                i64_row(ints, chunk, a, addresses, start, m),
                i64_row(ints, chunk, b, addresses, start, m),
            )
            where(cond, xi, yi, i64_row(ints, chunk, dst, addresses, start, m), m)
    elif halves is not None and kind == FLOAT16:
        # float16 columns are never read in place: LOAD converts them, STORE writes them.
        if op == LOAD:
            load_half(addresses[-1 - a], start, m, halves[chunk, dst])
        else:
            store_half(halves[chunk, a], addresses[aux], start, m)
    elif ints is not None:
        if op == LOAD:
            if kind in (INT64, UINT64):
                copy(i64_row(ints, chunk, a, addresses, start, m), ints[chunk, dst], m)
            else:
                load_int(addresses[-1 - a], start, m, kind, ints[chunk, dst])
            return
        if op == STORE:  # aux: the output's slot; kind: its dtype (narrow ints and bool)
            store_int(i64_row(ints, chunk, a, addresses, start, m), addresses[aux], start, m, kind)
            return
        x = i64_row(ints, chunk, a, addresses, start, m)
        out = i64_row(ints, chunk, dst, addresses, start, m)
        if op >= LT and op <= NE:
            int_compare(op, kind, aux, x, i64_row(ints, chunk, b, addresses, start, m), out, m)
        elif (op >= NEG and op <= RECIPROCAL) or op in (COPY, ISNAN):
            int_unary(op, kind, x, out, m)
        else:
            int_binary(op, kind, x, i64_row(ints, chunk, b, addresses, start, m), out, m, status)


@jit(parallel=True)
def run_program(
    program, fconst, iconst, addresses, n, n_chunks, floats, singles, halves, ints, flags, samples
):
    """Run ``program`` over rows ``0..n`` in ``n_chunks`` chunks.

    ``floats``, ``singles``, ``halves``, ``ints``: the banks, ``(n_chunks,
    n_registers, width)`` arrays of float64, float32, float32 (float16 values)
    and int64, or ``None`` for a bank the program does not use (each
    combination compiles once, with only its own code). ``flags[chunk, p]``:
    instruction ``p``'s status word; ``samples[chunk, p]``: its operands for
    each class of non-finite result (:mod:`.floats`).
    """
    blocks = (n + BLOCK - 1) // BLOCK
    per_chunk = (blocks + n_chunks - 1) // n_chunks
    for chunk in prange(n_chunks):
        first = True
        for block in range(chunk * per_chunk, min(blocks, (chunk + 1) * per_chunk)):
            start = block * BLOCK
            m = min(BLOCK, n - start)
            for p in range(program.shape[0]):
                status, sample = flags[chunk, p : p + 1], samples[chunk, p]
                ins = program[p]
                op, kind, dst, a, b = ins[0], ins[1], ins[2], ins[3], ins[4]
                # Float arithmetic goes straight to its loops (one call level
                # less for Numba to compile through); the rest through `step`.
                arithmetic = op != CONST and op != CAST and op != WHERE
                if floats is not None and kind == FLOAT64 and arithmetic:
                    like, size = np.float64(0), 8
                    _float_step(
                        op, dst, a, b, addresses, start, m, floats, ints, chunk, like, size,
                        status, sample, None,
                    )  # fmt: skip
                    continue
                if singles is not None and kind == FLOAT32 and arithmetic:
                    like32 = np.float32(0)
                    _float_step(
                        op, dst, a, b, addresses, start, m, singles, ints, chunk, like32, 4,
                        status, sample, None,
                    )  # fmt: skip
                    continue
                if (
                    halves is not None
                    and kind == FLOAT16
                    and arithmetic
                    and op not in (LOAD, STORE)
                ):
                    like16 = np.float32(0)
                    _float_step(
                        op, dst, a, b, addresses, start, m, halves, ints, chunk, like16, 4,
                        status, sample, True,
                    )  # fmt: skip
                    continue
                step(
                    program[p],
                    fconst,
                    iconst,
                    addresses,
                    start,
                    m,
                    floats,
                    singles,
                    halves,
                    ints,
                    chunk,
                    first,
                    status,
                    sample,
                )
            first = False
