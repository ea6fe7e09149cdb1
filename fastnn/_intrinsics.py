"""LLVM operations that Numba's Python cannot spell (use inside kernels).

- :func:`fma`: ``a · b + c`` rounded once (``llvm.fma``). fastnn keeps
  ``fastmath`` off (see :mod:`fastnn._jit`), so LLVM never contracts a
  product and a sum on its own; a kernel that wants the fused operation,
  for a polynomial's Horner steps say, writes it here and its result stays
  defined and equal in the serial and parallel twins.
- :func:`float32_from_bits`: the float32 whose bit pattern is a 32-bit integer.
  It builds 2^k as ``(k + 127) << 23`` without a buffer to view, so a loop
  computing ``e^x`` stays one loop and vectorises.
- :func:`lane_dot`: a dot product in eight float64 lanes, written as one
  ``<8 x double>`` vector. Without ``fastmath`` LLVM may not reassociate a
  sum, so a plain loop adds one product after the other (4 cycles each), and
  Numba turns LLVM's SLP vectoriser off, so eight scalar accumulators stay
  scalar too. The vector's adds are exactly the eight scalar adds, so the
  result is defined (lane ``k`` sums entries ``k, k + 8, ...`` in order) and
  reproducible, at SIMD speed.
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["LANES", "float32_from_bits", "fma", "lane_dot"]

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
    total = builder.load(acc)
    lane = [builder.extract_element(total, ir.Constant(ir.IntType(32), k)) for k in range(LANES)]
    low = builder.fadd(builder.fadd(lane[0], lane[1]), builder.fadd(lane[2], lane[3]))
    high = builder.fadd(builder.fadd(lane[4], lane[5]), builder.fadd(lane[6], lane[7]))
    return builder.fadd(low, high)


def _load_lanes(context, builder, arrty, value, offset, vec):
    # Eight consecutive entries from `offset`, as float64 (float32 widened).
    array = context.make_array(arrty)(context, builder, value)
    lanes = ir.VectorType(context.get_data_type(arrty.dtype), LANES)
    pointer = builder.bitcast(builder.gep(array.data, [offset]), lanes.as_pointer())
    loaded = builder.load(pointer, align=arrty.dtype.bitwidth // 8)
    return loaded if lanes.element == vec.element else builder.fpext(loaded, vec)
