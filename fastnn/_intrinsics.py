"""LLVM operations that Numba's Python cannot spell (use inside kernels).

- :func:`fma`: ``a · b + c`` rounded once (``llvm.fma``). fastnn keeps
  ``fastmath`` off (see :mod:`fastnn._jit`), so LLVM never contracts a
  product and a sum on its own; a kernel that wants the fused operation,
  for a polynomial's Horner steps say, writes it here and its result stays
  defined and equal in the serial and parallel twins.
- :func:`float32_from_bits`: the float32 whose bit pattern is a 32-bit integer.
  It builds 2^k as ``(k + 127) << 23`` without a buffer to view, so a loop
  computing ``e^x`` stays one loop and vectorises. :func:`float64_bits` and
  :func:`float64_from_bits` do the same for float64, in both directions: an
  exponent and a power of two in a few integer operations, where
  ``math.frexp`` and ``math.ldexp`` are calls into the C library.
- :func:`lane_dot`: a dot product in eight float64 lanes, written as one
  ``<8 x double>`` vector. Without ``fastmath`` LLVM may not reassociate a
  sum, so a plain loop adds one product after the other (4 cycles each), and
  Numba turns LLVM's SLP vectoriser off, so eight scalar accumulators stay
  scalar too. The vector's adds are exactly the eight scalar adds, so the
  result is defined (lane ``k`` sums entries ``k, k + 8, ...`` in order) and
  reproducible, at SIMD speed.
- :func:`half_from_float` and :func:`half_lane_dot`: IEEE binary16 ("half")
  values, stored as their ``uint16`` bit patterns (Numba has no float16 on
  the CPU). A half row is a quarter of a float64 one to stream; widening it
  is exact, and one instruction (F16C's ``vcvtph2ps``) widens eight.
  :func:`native_half` tells whether this CPU has those instructions
  (elsewhere LLVM lowers binary16 conversions to library calls, which
  fastnn does not rely on).
"""

import functools
import platform

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = [
    "LANES",
    "float32_from_bits",
    "float64_bits",
    "float64_from_bits",
    "fma",
    "half_from_float",
    "half_lane_dot",
    "lane_dot",
    "native_half",
]

LANES = 8


@intrinsic
def fma(typingctx, a, b, c):
    """Return ``a · b + c`` with one rounding; ``a``, ``b``, ``c`` floats of one type."""
    if not (isinstance(a, types.Float) and a == b == c):
        return None

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return a(a, b, c), codegen


@intrinsic
def float32_from_bits(typingctx, bits):
    """Return the float32 whose IEEE 754 bit pattern is the low 32 bits of the integer ``bits``.

    int32 or int64: Numba widens ``int32 << int32`` to int64.
    """
    if not (isinstance(bits, types.Integer) and bits.bitwidth in (32, 64)):
        return None

    def codegen(context, builder, signature, args):
        low = builder.trunc(args[0], ir.IntType(32)) if bits.bitwidth > 32 else args[0]
        return builder.bitcast(low, ir.FloatType())

    return types.float32(bits), codegen


@intrinsic
def float64_bits(typingctx, x):
    """Return the IEEE 754 bit pattern of the float64 ``x`` as an int64."""
    if x != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(x), codegen


@intrinsic
def float64_from_bits(typingctx, bits):
    """Return the float64 whose IEEE 754 bit pattern is the 64-bit integer ``bits``."""
    if not (isinstance(bits, types.Integer) and bits.bitwidth == 64):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(bits), codegen


@intrinsic
def lane_dot(typingctx, x, w, nblocks):
    """Σ_k lane_k with lane_k = Σ_b x[8b + k] · w[8b + k] over the first ``8 · nblocks`` entries.

    The lanes are summed as ``((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))``,
    in float64. ``x`` and ``w``: 1-D C-contiguous float32 or float64 (float32
    entries are widened exactly, so each product is the float64 one).
    """
    floats = (types.float32, types.float64)
    ok = (
        isinstance(x, types.Array)
        and isinstance(w, types.Array)
        and x.ndim == w.ndim == 1
        and x.layout == w.layout == "C"
        and x.dtype in floats
        and w.dtype in floats
        and isinstance(nblocks, types.Integer)
    )
    if not ok:
        return None
    return types.float64(x, w, nblocks), _lane_codegen


def _lane_codegen(context, builder, signature, args):
    xty, wty, nty = signature.args
    nblocks = context.cast(builder, args[2], nty, types.intp)
    vec = ir.VectorType(ir.DoubleType(), LANES)
    acc = cgutils.alloca_once_value(builder, ir.Constant(vec, [0.0] * LANES))
    with cgutils.for_range(builder, nblocks) as loop:
        offset = builder.mul(loop.index, ir.Constant(loop.index.type, LANES))
        vx = _load_lanes(context, builder, xty, args[0], offset, vec)
        vw = _load_lanes(context, builder, wty, args[1], offset, vec)
        # fmul then fadd, no fast-math flags: no FMA contraction, each lane
        # rounds exactly as the scalar `acc[k] += x[j] * w[j]` would.
        builder.store(builder.fadd(builder.load(acc), builder.fmul(vx, vw)), acc)
    return _sum_lanes(builder, builder.load(acc))


def _sum_lanes(builder, total):
    # ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))
    lane = [builder.extract_element(total, ir.Constant(ir.IntType(32), k)) for k in range(LANES)]
    low = builder.fadd(builder.fadd(lane[0], lane[1]), builder.fadd(lane[2], lane[3]))
    high = builder.fadd(builder.fadd(lane[4], lane[5]), builder.fadd(lane[6], lane[7]))
    return builder.fadd(low, high)


def _load_lanes(context, builder, arrty, value, offset, vec):
    # Eight consecutive entries from `offset`, widened to `vec` (None: as stored).
    array = context.make_array(arrty)(context, builder, value)
    lanes = ir.VectorType(context.get_data_type(arrty.dtype), LANES)
    pointer = builder.bitcast(builder.gep(array.data, [offset]), lanes.as_pointer())
    loaded = builder.load(pointer, align=arrty.dtype.bitwidth // 8)
    if vec is None or lanes.element == vec.element:
        return loaded
    return builder.fpext(loaded, vec)


@functools.cache
def native_half():
    """Return whether the CPU Numba compiles for converts binary16 in hardware.

    That is the target of Numba's code generator, not the host: with
    ``NUMBA_CPU_NAME=generic`` (portable machine code, as for a cache shared
    between machines) Numba targets a CPU without F16C, and so does fastnn.
    x86 needs F16C in the target's features; aarch64 always has the
    conversions.
    """
    if platform.machine().lower() in {"aarch64", "arm64"}:
        return True
    return "+f16c" in _target_features().split(",")


def _target_features():
    # Numba's rule (numba.core.codegen.CPUCodegen._get_host_cpu_features):
    # NUMBA_CPU_FEATURES when set (NUMBA_CPU_NAME=generic sets it to ""),
    # else the host's features as Numba adjusts them (NUMBA_ENABLE_AVX).
    from numba.core import codegen, config

    if config.CPU_FEATURES is not None:
        return config.CPU_FEATURES
    return codegen.get_host_cpu_features()


@intrinsic
def half_from_float(typingctx, x):
    """Return the binary16 bit pattern (``uint16``) of the float32 ``x``, rounded to nearest.

    Past binary16's range (±65504) the result is ±inf; below 2^-14 it is
    subnormal, and below 2^-25 zero. A loop of these vectorises
    (``vcvtps2ph``). Needs :func:`native_half`.
    """
    if x != types.float32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(builder.fptrunc(args[0], ir.HalfType()), ir.IntType(16))

    return types.uint16(x), codegen


@intrinsic
def half_lane_dot(typingctx, h, start, w, nblocks):
    """Σ_k lane_k with lane_k = Σ_b h[start + 8b + k] · w[8b + k] in float32, as a float64.

    ``h``: 1-D C-contiguous ``uint16``, binary16 bit patterns, widened
    exactly to float32 (``h[start:]`` need not be aligned: rows of any
    length can lie end to end); ``w``: 1-D C-contiguous float32. Products and sums
    round in float32: two accumulators of eight lanes take the even and the
    odd blocks, each lane in order; the two are added, then the vector is
    halved three times (lane ``k`` plus lane ``k + 4``, then ``k + 2``, then
    ``k + 1``). Beside the 2^-11 of a binary16 entry, float32's 2^-24 a step
    is small. Needs :func:`native_half`.
    """
    ok = (
        isinstance(h, types.Array)
        and isinstance(w, types.Array)
        and h.ndim == w.ndim == 1
        and h.layout == w.layout == "C"
        and h.dtype == types.uint16
        and w.dtype == types.float32
        and isinstance(start, types.Integer)
        and isinstance(nblocks, types.Integer)
    )
    if not ok:
        return None
    return types.float64(h, start, w, nblocks), _half_lane_codegen


def _half_lane_codegen(context, builder, signature, args):
    hty, sty, wty, nty = signature.args
    start = context.cast(builder, args[1], sty, types.intp)
    nblocks = context.cast(builder, args[3], nty, types.intp)
    vec = ir.VectorType(ir.FloatType(), LANES)
    halves = ir.VectorType(ir.HalfType(), LANES)
    zero = ir.Constant(vec, [0.0] * LANES)
    # Two accumulators, for even and odd blocks: rows are short, and one
    # chain of dependent adds would bound the scan by its latency.
    even = cgutils.alloca_once_value(builder, zero)
    odd = cgutils.alloca_once_value(builder, zero)

    def add_block(acc, block):
        offset = builder.mul(block, ir.Constant(block.type, LANES))
        bits = _load_lanes(context, builder, hty, args[0], builder.add(start, offset), None)
        vh = builder.fpext(builder.bitcast(bits, halves), vec)
        vw = _load_lanes(context, builder, wty, args[2], offset, vec)
        builder.store(builder.fadd(builder.load(acc), builder.fmul(vh, vw)), acc)

    one = ir.Constant(nblocks.type, 1)
    with cgutils.for_range(builder, builder.ashr(nblocks, one)) as loop:
        block = builder.shl(loop.index, one)
        add_block(even, block)
        add_block(odd, builder.add(block, one))
    with builder.if_then(builder.trunc(nblocks, ir.IntType(1))):
        add_block(even, builder.sub(nblocks, one))
    total = builder.fadd(builder.load(even), builder.load(odd))
    # Halve the vector until one lane is left: three vector adds, where
    # lane_dot's fixed tree takes seven scalar ones.
    width = LANES
    while width > 1:
        width //= 2
        mask = ir.VectorType(ir.IntType(32), width)
        low = ir.Constant(mask, list(range(width)))
        high = ir.Constant(mask, list(range(width, 2 * width)))
        low, high = (builder.shuffle_vector(total, total, part) for part in (low, high))
        total = builder.fadd(low, high)
    lane = builder.extract_element(total, ir.Constant(ir.IntType(32), 0))
    return builder.fpext(lane, ir.DoubleType())
